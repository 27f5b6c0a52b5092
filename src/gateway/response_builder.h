#pragma once
// Turns the serving tier's events into what the client receives: SSE frames for a stream, one
// chat.completion otherwise. A redacted request's answer is restored on the way: per choice, a
// privacy::StreamRestorer holds back a placeholder split across chunks until it is whole.

#include <optional>
#include <string>
#include <vector>

#include "api/openai/chat.h"
#include "api/openai/json.h"
#include "route/signals/privacy/redactor.h"

namespace tiergate::gateway {

class ResponseBuilder {
 public:
  explicit ResponseBuilder(bool stream) : stream_(stream) {}

  // The redactor whose placeholders the answer may carry (null: the tier saw the request as is).
  // Set before the first add(), when the serving attempt is known.
  void restore_with(const privacy::Redactor* redactor) { redactor_ = redactor; }
  void set_meta(api::ResponseMeta meta) { meta_ = std::move(meta); }
  const api::ResponseMeta& meta() const { return meta_; }

  // One delta of the serving tier. Stream: framed into pending(); else assembled per choice.
  void add(api::ChoiceDelta& delta);
  // Non-streaming: the serving tier's whole answer, passed on with this response's id and model.
  void relay(api::RelayedCompletion completion) { relayed_ = std::move(completion); }
  // The serving tier is done: a stream's held-back text is flushed into pending().
  void finish();
  // Stream bytes ready to write; the caller clears it after writing.
  std::string& pending() { return out_; }

  // Non-streaming: the whole answer (restored), as JSON.
  std::string completion(const api::Usage& usage);
  // Stream end: the usage chunk (when asked for) and [DONE].
  void end_stream(bool include_usage, bool got_usage, const api::Usage& usage);

 private:
  privacy::StreamRestorer& restorer(int index);
  void frame(const api::ChoiceDelta& delta);

  bool stream_;
  const privacy::Redactor* redactor_ = nullptr;
  api::ResponseMeta meta_;
  std::string out_;
  std::vector<api::ChoiceResult> choices_;
  std::vector<privacy::StreamRestorer> restorers_;
  std::optional<api::RelayedCompletion> relayed_;
};

}  // namespace tiergate::gateway
