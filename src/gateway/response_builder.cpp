#include "gateway/response_builder.h"

namespace tiergate::gateway {

privacy::StreamRestorer& ResponseBuilder::restorer(int index) {
  while (restorers_.size() <= static_cast<size_t>(index)) restorers_.emplace_back(*redactor_);
  return restorers_[index];
}

void ResponseBuilder::frame(const api::ChoiceDelta& delta) {
  out_ += "data: ";
  api::write_chunk(out_, meta_, delta);
  out_ += "\n\n";
}

void ResponseBuilder::add(api::ChoiceDelta& d) {
  if (!stream_) {
    if (static_cast<size_t>(d.index) >= choices_.size()) {
      const size_t old = choices_.size();
      choices_.resize(d.index + 1);
      for (size_t i = old; i < choices_.size(); ++i) choices_[i].index = static_cast<int>(i);
    }
    choices_[d.index].append(d);
    return;
  }
  if (redactor_) {
    auto& r = restorer(d.index);
    d.content = r.push(d.content);
    if (!d.finish_reason.empty()) d.content += r.finish();
    // Tool-call deltas are separate JSON fragments: restored one by one.
    if (!d.tool_calls_json.empty()) d.tool_calls_json = redactor_->restore_json(d.tool_calls_json);
  }
  frame(d);
}

void ResponseBuilder::finish() {
  // A stream that ended without a finish_reason delta may still hold restored text back.
  for (size_t i = 0; i < restorers_.size(); ++i) {
    api::ChoiceDelta tail;
    tail.index = static_cast<int>(i);
    tail.content = restorers_[i].finish();
    if (!tail.content.empty() && stream_) frame(tail);
  }
}

std::string ResponseBuilder::completion(const api::Usage& usage) {
  if (relayed_) return relayed_->with_identity(meta_.id, meta_.model);
  if (choices_.empty()) choices_.emplace_back();
  if (redactor_)
    for (auto& c : choices_) {
      c.content = redactor_->restore(c.content);
      if (!c.tool_calls_json.empty()) c.tool_calls_json = redactor_->restore_json(c.tool_calls_json);
    }
  std::string body;
  api::write_completion(body, meta_, choices_, usage);
  return body;
}

void ResponseBuilder::end_stream(bool include_usage, bool got_usage, const api::Usage& usage) {
  if (include_usage && got_usage) {
    out_ += "data: ";
    api::write_usage_chunk(out_, meta_, usage);
    out_ += "\n\n";
  }
  out_ += "data: [DONE]\n\n";
}

}  // namespace tiergate::gateway
