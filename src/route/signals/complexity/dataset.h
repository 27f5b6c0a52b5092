#pragma once
// JSONL prompt files for training, scoring and evaluation: one object per line with "id" (string or
// number) and "prompt" (string); labelled files add "weak_correct" and "strong_correct" (booleans
// or 0/1) and optionally "subject". Offline tooling only, never on the request path.

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"

namespace tiergate::complexity {

struct PromptRecord {
  std::string id_json;  // the id exactly as JSON (quoted string or number), echoed back as is
  std::string prompt;
  std::string subject;  // empty when absent
  bool has_labels = false;
  uint8_t weak_correct = 0;
  uint8_t strong_correct = 0;
  size_t line = 0;  // 1-based line number in the file
};

// Parses one JSONL line. Errors name the problem (not the line number; the caller knows it).
Result<PromptRecord> parse_prompt_line(std::string_view line, bool require_labels);

// Calls on_record for each good line and on_error(line_number, message) for each bad one; blank
// lines are skipped. `path` "-" reads stdin. Fails only when the file cannot be read.
Status for_each_prompt_line(const std::string& path, bool require_labels,
                            const std::function<void(PromptRecord&&)>& on_record,
                            const std::function<void(size_t, const std::string&)>& on_error);

// Reads a whole file; fails on the first bad line, naming it ("FILE:LINE: message").
Result<std::vector<PromptRecord>> read_prompt_file(const std::string& path, bool require_labels);

}  // namespace tiergate::complexity
