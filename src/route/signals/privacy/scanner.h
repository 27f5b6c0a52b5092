#pragma once
// Finds personal data and secrets in text: every built-in type in one byte-class pass (detectors.h:
// scan_numbers_and_tokens: numbers, generic tokens, secret assignments, vendor keys, and the hits
// of the patterns with common literals, e-mail, JWT, URL password, bearer: anchored_patterns),
// the custom entities in one Hyperscan pass, a refiner per candidate (detectors.h), then overlap
// resolution. Built once at start-up from the config; immutable and thread-safe afterwards. With
// custom entities, each thread that scans gets its own Hyperscan scratch (thread_local, grown on
// first use with a given Scanner).

#include <hs/hs.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "api/openai/chat.h"
#include "common/error.h"
#include "route/signals/privacy/detectors.h"
#include "route/signals/privacy/entity.h"
#include "route/signals/privacy/privacy_config.h"

namespace tiergate::privacy {

class Scanner {
 public:
  // Compiles the pattern database. Fails (kInternal) only if a pattern does not compile, which
  // for custom entities parse_privacy_config has already reported at start-up.
  static Result<std::shared_ptr<const Scanner>> create(const PrivacyConfig& config);
  ~Scanner();
  Scanner(const Scanner&) = delete;
  Scanner& operator=(const Scanner&) = delete;

  // The entities in `text`, sorted by begin, non-overlapping. An error (engine failure, scratch
  // allocation, more than max_candidates candidates, text over 4 GiB) means the text must be
  // treated as sensitive: callers fail closed. Thread-safe.
  Result<std::vector<Entity>> scan(std::string_view text) const;
  // As above into `out` (cleared first), reusing its storage.
  Status scan_into(std::string_view text, std::vector<Entity>& out) const;

  // Counts over every text field of the request (ChatRequest::for_each_text: all messages and
  // roles, names, tool definitions, tool-call arguments, tool results, pass-through JSON).
  // Never fails: a failed field sets PrivacyScan::failed, so sensitive() is true. Thread-safe.
  PrivacyScan scan_request(const api::ChatRequest& request) const;

  // Number of patterns (the enabled anchored ones + custom), for diagnostics.
  size_t pattern_count() const { return patterns_.size(); }

 private:
  struct Pattern {
    EntityType type;
    Refiner refiner;
    StartFinder start;
    bool all_ends;
    std::string label;  // owned label for custom entities; empty for built-ins
  };
  Scanner() = default;
  hs_scratch_t* thread_scratch() const;

  hs_database_t* db_ = nullptr;  // custom entities; null without them
  std::vector<Pattern> patterns_;
  std::vector<bool> all_ends_;  // per pattern, for the match callback
  // Per AnchoredPattern, its index in patterns_ (UINT32_MAX: its type is disabled). The byte
  // pass finds those; the engine has no regex for them.
  std::array<uint32_t, kAnchoredPatternCount> anchored_ids_{};
  RefineOptions refine_options_;
  std::array<bool, kEntityTypeCount> enabled_{};
  size_t max_candidates_ = 1 << 20;
  uint64_t id_ = 0;  // unique per Scanner, keys the thread-local scratch
};

}  // namespace tiergate::privacy
