#pragma once
// Reversible redaction for one request: entities become typed placeholders (<EMAIL_1>, <CARD_2>)
// before the request leaves for an untrusted tier, and the answer gets the values back. The
// mapping lives in this object only (in memory, for the request's lifetime); it is never logged.
//
// Typical use by the server, for a request routed to an untrusted tier in redact mode:
//   Redactor redactor(scanner);
//   api::ChatRequest copy = request;
//   if (!redactor.redact(copy)) -> fail closed: serve on a trusted tier or refuse
//   non-streaming: content = redactor.restore(content); tool_calls = redactor.restore_json(..)
//   streaming: one StreamRestorer per choice and per field kind; push() each delta, finish() at
//   the end of the choice.

#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>

#include "api/openai/chat.h"
#include "common/error.h"
#include "route/signals/privacy/scanner.h"

namespace tiergate::privacy {

class Redactor {
 public:
  explicit Redactor(std::shared_ptr<const Scanner> scanner);

  // Replaces every entity in every text field of `request` (ChatRequest::for_each_text) with a
  // placeholder <LABEL_n>; the same value gets the same placeholder across the whole request
  // (also when it appears once in message text and once inside tool-call JSON). Raw JSON fields
  // stay valid JSON: placeholders need no escaping and a replaced span never cuts an escape.
  // Numbers skip placeholders the client's own text already contains. Returns what was replaced.
  // On error the request is partly redacted and must not be sent to an untrusted tier.
  // Call once per Redactor. Not thread-safe (one request, one thread at a time).
  Result<PrivacyScan> redact(api::ChatRequest& request);

  // The answer with placeholders replaced by the original values: plain text (message content).
  std::string restore(std::string_view text) const;
  // Same for raw JSON text (tool_calls_json): values are inserted JSON-string-escaped.
  std::string restore_json(std::string_view json) const;

  size_t placeholder_count() const { return values_.size(); }
  // Longest placeholder handed out, in bytes (what a stream restorer may have to hold back).
  size_t max_placeholder_size() const { return max_placeholder_size_; }
  // The original value of `placeholder` ("<EMAIL_1>"), or nullptr.
  const std::string* value_of(std::string_view placeholder) const;

 private:
  std::string placeholder_for(std::string_view label, std::string value);

  std::shared_ptr<const Scanner> scanner_;
  std::unordered_map<std::string, std::string> placeholders_;  // plain value -> placeholder
  std::unordered_map<std::string, std::string> values_;        // placeholder -> plain value
  std::unordered_map<std::string, int> next_number_;           // label -> last number used
  std::set<std::string, std::less<>> taken_;  // <...> tokens already in the client's text
  size_t max_placeholder_size_ = 0;
};

// Restores a streamed answer chunk by chunk. A placeholder may arrive split across chunks
// ("<EMA" + "IL_1> is"): a possible placeholder prefix at the end of a chunk is held back until
// the next chunk decides it. Holds at most max_placeholder_size() bytes. The Redactor must outlive
// it. One per stream (per choice and per field); not thread-safe.
class StreamRestorer {
 public:
  // json: the stream carries raw JSON text (tool-call argument deltas): escape restored values.
  explicit StreamRestorer(const Redactor& redactor, bool json = false);

  // Text that can be sent to the client now (may be empty).
  std::string push(std::string_view chunk);
  // Everything still held back, restored where complete. Call once at the end of the stream.
  std::string finish();

 private:
  void drain(std::string& out, bool final);

  const Redactor* redactor_;
  bool json_;
  std::string pending_;
};

}  // namespace tiergate::privacy
