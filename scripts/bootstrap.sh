#!/usr/bin/env bash
# Installs what tiergate needs to build and test. Idempotent: each step checks before it acts.
#   Debian packages (apt-get, only when root and something is missing),
#   llama.cpp prebuilt libraries + matching headers (npm pack, into third_party/llama),
#   the npm packages the conformance tests use (tests/compat/node_modules).
set -euo pipefail
cd "$(dirname "$0")/.."

LLAMA_NPM_VERSION=3.22.1
APT_PACKAGES=(
  build-essential cmake pkg-config git
  libboost1.81-dev libboost-json1.81-dev libsimdjson-dev libhyperscan-dev libyaml-cpp-dev
  libspdlog-dev libfmt-dev libcli11-dev libssl-dev libmimalloc-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  nginx-light wrk clang libclang-rt-14-dev
)
# Node.js and npm may come from elsewhere on the image; install Debian's only when absent.
command -v node >/dev/null || APT_PACKAGES+=(nodejs)
command -v npm >/dev/null || APT_PACKAGES+=(npm)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "bootstrap: missing Debian packages (run as root or install them): ${missing[*]}" >&2
    exit 1
  fi
  echo "bootstrap: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# llama.cpp: prebuilt shared libraries from @node-llama-cpp/linux-x64, headers from the llama.cpp
# release (git bundle) shipped inside node-llama-cpp. Nothing of it is committed.
LLAMA_DIR=third_party/llama
if [[ ! -f $LLAMA_DIR/.complete-$LLAMA_NPM_VERSION ]]; then
  echo "bootstrap: fetching llama.cpp $LLAMA_NPM_VERSION from npm"
  rm -rf "$LLAMA_DIR" && mkdir -p "$LLAMA_DIR"
  tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent "@node-llama-cpp/linux-x64@$LLAMA_NPM_VERSION" \
      "node-llama-cpp@$LLAMA_NPM_VERSION" >/dev/null)
  mkdir -p "$tmp/bins" "$tmp/src"
  tar xzf "$tmp"/node-llama-cpp-linux-x64-*.tgz -C "$tmp/bins"
  tar xzf "$tmp"/node-llama-cpp-[0-9]*.tgz -C "$tmp/src" package/llama/gitRelease.bundle
  mkdir -p "$LLAMA_DIR/lib"
  cp -a "$tmp"/bins/package/bins/linux-x64/*.so "$LLAMA_DIR/lib/"
  git -c advice.detachedHead=false clone -q "$tmp/src/package/llama/gitRelease.bundle" "$tmp/llama.cpp"
  mkdir -p "$LLAMA_DIR/include"
  cp "$tmp"/llama.cpp/include/*.h "$LLAMA_DIR/include/"
  cp "$tmp"/llama.cpp/ggml/include/*.h "$LLAMA_DIR/include/"
  git -C "$tmp/llama.cpp" rev-parse HEAD > "$LLAMA_DIR/REVISION"
  rm -rf "$tmp"
  touch "$LLAMA_DIR/.complete-$LLAMA_NPM_VERSION"
fi

# npm packages for the conformance tests (the official openai SDK).
if [[ ! -d tests/compat/node_modules/openai ]]; then
  echo "bootstrap: installing tests/compat npm packages"
  (cd tests/compat && npm install --silent --no-audit --no-fund)
fi
echo "bootstrap: ok"
