# tiergate: each target installs what is missing (scripts/bootstrap.sh), builds, then does its job.
BUILD ?= build
CONFIG ?= configs/default.yaml
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?= -DCMAKE_BUILD_TYPE=RelWithDebInfo

.PHONY: all bootstrap build run test test-sanitize fuzz-short bench clean format

all: build

bootstrap:
	@scripts/bootstrap.sh

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) $(CMAKE_FLAGS)

build: bootstrap $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

run: build
	@scripts/prepare-default-model.sh
	$(BUILD)/tiergate serve -c $(CONFIG)

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

# The test suite under AddressSanitizer + UndefinedBehaviorSanitizer (build-asan, every test) and
# the concurrency tests under ThreadSanitizer (build-tsan). See scripts/test-sanitize.sh.
test-sanitize: bootstrap
	JOBS=$(JOBS) scripts/test-sanitize.sh all

# Each libFuzzer target briefly (FUZZ_SECONDS each; clang from bootstrap). See docs/fuzzing.md.
FUZZ_SECONDS ?= 20
fuzz-short: bootstrap
	fuzz/run.sh $(FUZZ_SECONDS)

bench: build
	bench/run-all.sh

format:
	clang-format -i $$(git ls-files '*.cpp' '*.h')

clean:
	rm -rf $(BUILD)
