#include <gtest/gtest.h>

#include "api/openai/json.h"

namespace tiergate::api {
namespace {

Error parse_error(std::string_view body) {
  auto r = parse_chat_request(body);
  EXPECT_FALSE(r) << body;
  return r ? Error{} : r.error();
}

TEST(ParseChatRequest, TypedFields) {
  auto r = parse_chat_request(R"({
    "model": "auto",
    "messages": [
      {"role": "system", "content": "Be brief."},
      {"role": "user", "content": [{"type": "text", "text": "Hi"},
                                   {"type": "image_url", "image_url": {"url": "data:x"}}]},
      {"role": "assistant", "content": null, "tool_calls": [{"id": "c1", "type": "function",
        "function": {"name": "f", "arguments": "{\"a\":1}"}}]},
      {"role": "tool", "tool_call_id": "c1", "content": "42"}
    ],
    "stream": true, "stream_options": {"include_usage": true},
    "max_tokens": 64, "max_completion_tokens": 32, "temperature": 0, "top_p": 0.5, "seed": 7,
    "logprobs": true, "top_logprobs": 3, "stop": "END", "user": "u1",
    "tools": [{"type": "function", "function": {"name": "f"}}], "tool_choice": "auto",
    "response_format": {"type": "json_object"}, "metadata": {"k": "v"}
  })");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->model, "auto");
  ASSERT_EQ(r->messages.size(), 4u);
  EXPECT_EQ(r->messages[0].text(), "Be brief.");
  EXPECT_TRUE(r->messages[1].content_is_array);
  ASSERT_EQ(r->messages[1].content.size(), 2u);
  EXPECT_EQ(r->messages[1].content[1].kind, ContentPart::Kind::kOther);
  EXPECT_TRUE(r->has_images());
  EXPECT_TRUE(r->messages[2].content_is_null);
  EXPECT_NE(r->messages[2].tool_calls_json.find("arguments"), std::string::npos);
  EXPECT_EQ(r->messages[3].tool_call_id, "c1");
  EXPECT_TRUE(r->stream);
  EXPECT_TRUE(r->include_usage);
  EXPECT_EQ(r->output_limit(), 32);
  EXPECT_EQ(*r->temperature, 0);
  EXPECT_EQ(*r->seed, 7);
  EXPECT_TRUE(r->logprobs);
  EXPECT_EQ(*r->top_logprobs, 3);
  ASSERT_EQ(r->stop.size(), 1u);
  EXPECT_EQ(r->stop[0], "END");
  EXPECT_TRUE(r->wants_tools());
  EXPECT_TRUE(r->wants_json_mode());
  ASSERT_EQ(r->extra_json.size(), 1u);
  EXPECT_EQ(r->extra_json[0].first, "metadata");
  EXPECT_EQ(r->extra_json[0].second, R"({"k":"v"})");
}

TEST(ParseChatRequest, ErrorsNameTheParameter) {
  EXPECT_NE(parse_error(R"({"messages":[]})").message.find("'model'"), std::string::npos);
  EXPECT_NE(parse_error(R"({"model":"a"})").message.find("'messages'"), std::string::npos);
  EXPECT_NE(parse_error(R"({"model":"a","messages":[{"role":"user","content":"x"}],"temperature":"hot"})")
                .message.find("'temperature'"),
            std::string::npos);
  EXPECT_NE(parse_error(R"({"model":"a","messages":[{"role":"user"}]})").message.find("messages[0].content"),
            std::string::npos);
  EXPECT_NE(parse_error(R"({"model":"a","messages":[{"role":"tool","content":"x"}]})")
                .message.find("tool_call_id"),
            std::string::npos);
  EXPECT_NE(parse_error(R"({"model":"a","messages":[{"role":"user","content":[{"type":"text"}]}]})")
                .message.find("messages[0].content[0].text"),
            std::string::npos);
}

TEST(ParseChatRequest, RejectsMalformedInput) {
  for (const char* bad : {"", "{", "[]", "null", "42", R"({"model":1,"messages":[]})",
                          R"({"model":"a","messages":{}})", R"({"model":"a","messages":[]})",
                          R"({"model":"a","messages":[1]})",
                          R"({"model":"a","messages":[{"role":"x","content":"y"}]})",
                          R"({"model":"a","messages":[{"role":"user","content":"x"}],"max_tokens":0})",
                          R"({"model":"a","messages":[{"role":"user","content":"x"}],"n":1.5})",
                          R"({"model":"a","messages":[{"role":"user","content":"x"}],"stop":["a","b","c","d","e"]})",
                          R"({"model":"a","messages":[{"role":"user","content":"x"}],"top_logprobs":2})"}) {
    auto e = parse_error(bad);
    EXPECT_EQ(e.code, ErrorCode::kInvalidRequest) << bad;
    EXPECT_EQ(e.source, ErrorSource::kClient) << bad;
  }
}

// Found by fuzz_chat_request: repeated keys accumulated (six "stop"s), so the upstream body tiergate
// wrote was one it would itself refuse. The last occurrence of a key wins.
TEST(ParseChatRequest, RepeatedKeysLastWins) {
  auto r = parse_chat_request(R"({"model":"a","messages":[{"role":"user","content":"first"}],
    "stop":"x","stop":"y","stop":"z","stop":"w","stop":"v","stop":"u","extra":1,"extra":2,
    "messages":[{"role":"user","content":"second"}]})");
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->messages.size(), 1u);
  EXPECT_EQ(r->messages[0].text(), "second");
  EXPECT_EQ(r->stop, std::vector<std::string>{"u"});
  ASSERT_EQ(r->extra_json.size(), 1u);
  EXPECT_EQ(r->extra_json[0].second, "2");
  EXPECT_TRUE(parse_chat_request(write_upstream_request(*r, "m", true)));
}

TEST(ParseChatRequest, InvalidUtf8IsNamed) {
  std::string body = "{\"model\":\"a\",\"messages\":[{\"role\":\"user\",\"content\":\"\xff\xfe\"}]}";
  EXPECT_NE(parse_error(body).message.find("UTF-8"), std::string::npos);
}

TEST(ParseChatRequest, ErrorsNeverQuoteThePrompt) {
  auto e = parse_error(R"({"model":"a","messages":[{"role":"user","content":"my secret 4111"}],"top_p":7})");
  EXPECT_EQ(e.message.find("secret"), std::string::npos);
}

TEST(WriteUpstreamRequest, RoundTripsThroughTheParser) {
  auto r = parse_chat_request(R"({"model":"auto","messages":[{"role":"user","content":"a \"q\" \n b"},
    {"role":"assistant","content":null,"tool_calls":[{"id":"1"}]}],"stop":["x"],"seed":1,"extra":[1,2]})");
  ASSERT_TRUE(r);
  std::string body = write_upstream_request(*r, "gpt-up", true);
  auto again = parse_chat_request(body);
  ASSERT_TRUE(again) << body;
  EXPECT_EQ(again->model, "gpt-up");
  EXPECT_TRUE(again->stream);
  EXPECT_TRUE(again->include_usage) << "tiergate always asks upstreams for usage";
  EXPECT_EQ(again->messages[0].text(), "a \"q\" \n b");
  EXPECT_TRUE(again->messages[1].content_is_null);
  EXPECT_EQ(again->stop, r->stop);
  ASSERT_EQ(again->extra_json.size(), 1u);
  EXPECT_EQ(again->extra_json[0].second, "[1,2]");
}

TEST(ParseUpstream, ChunkWithLogprobsAndUsage) {
  auto p = parse_upstream_chunk(R"({"id":"x","choices":[{"index":0,"delta":{"role":"assistant","content":"Hi"},
    "finish_reason":null,"logprobs":{"content":[{"token":"Hi","logprob":-0.25,"top_logprobs":[{"token":"Hi","logprob":-0.25},{"token":"Yo","logprob":-2}]}]}}],
    "usage":{"prompt_tokens":3,"completion_tokens":1}})");
  ASSERT_TRUE(p);
  ASSERT_EQ(p->deltas.size(), 1u);
  EXPECT_EQ(p->deltas[0].content, "Hi");
  EXPECT_EQ(p->deltas[0].role, "assistant");
  ASSERT_TRUE(p->deltas[0].has_logprobs);
  EXPECT_DOUBLE_EQ(p->deltas[0].logprobs[0].logprob, -0.25);
  ASSERT_EQ(p->deltas[0].logprobs[0].top.size(), 2u);
  ASSERT_TRUE(p->usage);
  EXPECT_EQ(p->usage->total(), 4);
}

TEST(ParseUpstream, ErrorsAndGarbage) {
  auto e = parse_upstream_chunk(R"({"error":{"message":"overloaded"}})");
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().source, ErrorSource::kUpstream);
  EXPECT_NE(e.error().message.find("overloaded"), std::string::npos);
  EXPECT_FALSE(parse_upstream_chunk("{not json"));
  EXPECT_FALSE(parse_upstream_response(R"({"id":"x"})")) << "a response needs choices";
  EXPECT_EQ(upstream_error_message(R"({"error":{"message":"m"}})"), "m");
  EXPECT_EQ(upstream_error_message("<html>"), "");
}

// What OpenAI answers, with fields tiergate has no struct for.
constexpr std::string_view kOpenAiCompletion = R"({
  "id": "chatcmpl-upstream", "object": "chat.completion", "created": 1741569952,
  "model": "gpt-4o-2024-08-06",
  "choices": [{"index": 0, "message": {"role": "assistant", "content": "Paris, \"the\" capital.",
    "refusal": null, "annotations": []}, "logprobs": null, "finish_reason": "stop"}],
  "usage": {"prompt_tokens": 19, "completion_tokens": 10, "total_tokens": 29,
    "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0}},
  "service_tier": "default", "system_fingerprint": "fp_1"})";

TEST(RelayCompletion, KeepsWhatTheUpstreamSentAndReplacesIdAndModel) {
  std::string body(kOpenAiCompletion);
  auto r = relayable_completion(body);
  ASSERT_TRUE(r);
  EXPECT_TRUE(body.empty()) << "a relayable body is moved into the result";
  EXPECT_EQ(r->usage.prompt_tokens, 19);
  EXPECT_EQ(r->usage.completion_tokens, 10);
  EXPECT_EQ(r->finish_reason, "stop");
  const std::string out = r->with_identity("chatcmpl-ours", "gpt-4o");
  std::string expected(kOpenAiCompletion);
  expected.replace(expected.find("\"gpt-4o-2024-08-06\""), 19, "\"gpt-4o\"");
  expected.replace(expected.find("\"chatcmpl-upstream\""), 19, "\"chatcmpl-ours\"");
  EXPECT_EQ(out, expected);
}

TEST(RelayCompletion, FindsIdAndModelWhereverTheyAreAndEscapesOurs) {
  // llama.cpp's server puts the id last, after nested objects with "id" and "model" keys of
  // their own (which must stay as they are).
  std::string body =
      R"({"choices":[{"finish_reason":"length","index":0,"message":{"role":"assistant",)"
      R"("content":"a \\\" \"id\": \"x\"","tool_calls":[{"id":"call_1","type":"function",)"
      R"("function":{"name":"f","arguments":"{\"model\":1}"}}]}}],"created":1,)"
      R"("object":"chat.completion","usage":{"completion_tokens":2,"prompt_tokens":3},)"
      R"("timings":{"model":"inner"},"model":"qwen","id":"chatcmpl-xyz"})";
  const std::string original = body;
  auto r = relayable_completion(body);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->finish_reason, "length");
  const std::string out = r->with_identity("new\"id", "m");
  std::string expected = original;
  expected.replace(expected.find("\"chatcmpl-xyz\""), 14, R"("new\"id")");
  expected.replace(expected.find("\"qwen\""), 6, "\"m\"");
  EXPECT_EQ(out, expected);
  auto back = parse_upstream_response(out);
  ASSERT_TRUE(back) << out;
  EXPECT_EQ(back->id, "new\"id");
  EXPECT_EQ(back->deltas[0].tool_calls_json.find("call_1") != std::string::npos, true);
}

TEST(RelayCompletion, IncompleteOrOddBodiesAreLeftForTheRebuild) {
  const std::string complete(kOpenAiCompletion);
  auto without = [&](std::string_view what, std::string_view instead = "") {
    std::string b = complete;
    const size_t at = b.find(what);
    EXPECT_NE(at, std::string::npos) << what;
    b.replace(at, what.size(), instead);
    return b;
  };
  const std::vector<std::string> bodies = {
      without(R"("usage": {"prompt_tokens": 19, "completion_tokens": 10, "total_tokens": 29,
    "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0}},)"),
      without(R"("completion_tokens": 10,)"),
      without(R"("prompt_tokens": 19)", R"("prompt_tokens": -1)"),
      without(R"("object": "chat.completion")", R"("object": "chat.completion.chunk")"),
      without(R"("created": 1741569952,)"),
      without(R"("id": "chatcmpl-upstream",)"),
      without(R"("id": "chatcmpl-upstream")", R"("\u0069d": "chatcmpl-upstream")"),
      without(R"("model": "gpt-4o-2024-08-06",)"),
      without(R"("model": "gpt-4o-2024-08-06")", R"("model": 4)"),
      without(R"("finish_reason": "stop")", R"("finish_reason": 1)"),
      without(R"("role": "assistant", )"),
      without(R"({"index": 0, "message")", R"({"message")"),
      without(R"("service_tier": "default")", R"("error": {"message": "overloaded"})"),
      R"({"id":"a","object":"chat.completion","created":1,"model":"m","choices":[],)"
      R"("usage":{"prompt_tokens":1,"completion_tokens":1}})",
      complete.substr(0, complete.size() - 1),  // cut short
      "[1,2]",
      "",
  };
  for (const auto& b : bodies) {
    std::string body = b;
    EXPECT_FALSE(relayable_completion(body)) << b;
    EXPECT_EQ(body, b) << "a body that is not relayed is left as it was";
  }
}

TEST(WriteChunk, IsValidAndCarriesTheDelta) {
  ResponseMeta meta{"chatcmpl-1", 1700000000, "m"};
  ChoiceDelta d;
  d.role = "assistant";
  d.content = "he said \"hi\"\n";
  std::string out;
  write_chunk(out, meta, d);
  auto back = parse_upstream_chunk(out);
  ASSERT_TRUE(back) << out;
  EXPECT_EQ(back->deltas[0].content, d.content);
  EXPECT_NE(out.find("\"finish_reason\":null"), std::string::npos);
  EXPECT_NE(out.find("\"object\":\"chat.completion.chunk\""), std::string::npos);
}

TEST(WriteCompletion, AssemblesChoices) {
  ChoiceResult c;
  ChoiceDelta a, b;
  a.role = "assistant";
  a.content = "Hel";
  b.content = "lo";
  b.finish_reason = "length";
  c.append(a);
  c.append(b);
  std::string out;
  write_completion(out, ResponseMeta{"id", 1, "m"}, {c}, Usage{5, 2});
  auto back = parse_upstream_response(out);
  ASSERT_TRUE(back) << out;
  EXPECT_EQ(back->deltas[0].content, "Hello");
  EXPECT_EQ(back->deltas[0].finish_reason, "length");
  EXPECT_EQ(back->usage->total(), 7);
}

TEST(WriteError, OpenAiShape) {
  std::string body = write_error(Error::client(ErrorCode::kUnknownModel, "no \"such\" model"));
  EXPECT_EQ(body,
            R"({"error":{"message":"no \"such\" model","type":"not_found_error","param":null,"code":"model_not_found"}})");
  EXPECT_EQ(http_status(Error::client(ErrorCode::kUnknownModel, "")), 400);
}

}  // namespace
}  // namespace tiergate::api
