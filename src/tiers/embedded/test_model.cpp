#include "tiers/embedded/test_model.h"

#include <ggml.h>
#include <gguf.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>
#include <random>
#include <set>
#include <vector>

namespace tiergate::embedded {
namespace {

// The vocabulary: specials, 256 byte-fallback tokens, single characters, then every prefix of a
// list of common words (SentencePiece merges two symbols only when the result is in the vocabulary,
// so each word needs its prefixes to be reachable).
struct Vocab {
  std::vector<std::string> text;
  std::vector<float> score;
  std::vector<int32_t> type;
  std::set<std::string> seen;

  void add(const std::string& t, float s, int32_t ty) {
    if (!seen.insert(t).second) return;
    text.push_back(t);
    score.push_back(s);
    type.push_back(ty);
  }
};

constexpr int32_t kNormal = 1, kUnknown = 2, kControl = 3, kByte = 6;
constexpr int kNumSpecial = 5;  // <unk> <s> </s> <|im_start|> <|im_end|>

const char* const kWords[] = {
    "the",   "and",   "to",     "of",   "a",     "in",    "is",     "it",       "you",   "that",
    "he",    "was",   "for",    "on",   "are",   "with",  "as",     "I",        "his",   "they",
    "be",    "at",    "one",    "have", "this",  "from",  "or",     "had",      "by",    "but",
    "some",  "what",  "there",  "we",   "can",   "out",   "were",   "all",      "your",  "when",
    "up",    "use",   "how",    "said", "an",    "each",  "she",    "which",    "do",    "their",
    "time",  "if",    "will",   "way",  "about", "many",  "then",   "them",     "would", "like",
    "so",    "her",   "make",   "see",  "him",   "two",   "has",    "look",     "more",  "day",
    "could", "go",    "come",   "my",   "no",    "who",   "know",   "water",    "first", "people",
    "down",  "now",   "find",   "new",  "work",  "get",   "made",   "little",   "good",  "very",
    "just",  "great", "think",  "say",  "help",  "Once",  "upon",   "story",    "Hello", "hello",
    "world", "model", "router", "edge", "cloud", "token", "answer", "question",
};

const char* const kUnicode[] = {"é", "è", "à",  "ü",  "ö",  "ñ",  "ç",  "—", "’", "“",
                                "”", "…", "日", "本", "語", "中", "文", "€", "😀", "🙂"};

Vocab build_vocab() {
  Vocab v;
  v.add("<unk>", 0, kUnknown);
  v.add("<s>", 0, kControl);
  v.add("</s>", 0, kControl);
  v.add("<|im_start|>", 0, kControl);
  v.add("<|im_end|>", 0, kControl);
  char buf[8];
  for (int b = 0; b < 256; ++b) {
    std::snprintf(buf, sizeof buf, "<0x%02X>", b);
    v.add(buf, 0, kByte);
  }
  const std::string space = "\xE2\x96\x81";  // U+2581, SentencePiece's word-boundary mark
  float s = -1;
  v.add(space, s--, kNormal);
  for (char c = 0x21; c < 0x7f; ++c) v.add(std::string(1, c), s--, kNormal);
  for (const char* u : kUnicode) v.add(u, s--, kNormal);
  v.add("\n", s--, kNormal);  // newlines are ordinary text in chat transcripts
  for (const char* w : kWords) {
    const std::string spaced = space + w;
    // Longer pieces score higher, so the tokenizer prefers whole words.
    for (size_t n = space.size() + 1; n <= spaced.size(); ++n)
      v.add(spaced.substr(0, n), s + float(n), kNormal);
    const std::string bare = w;
    for (size_t n = 2; n <= bare.size(); ++n)
      v.add(bare.substr(0, n), s + float(n) - 0.5f, kNormal);
    s -= 1;
  }
  return v;
}

// Deterministic on every platform: mt19937's output sequence is specified by the standard, the
// std:: distributions are not.
class Uniform {
 public:
  explicit Uniform(uint32_t seed) : gen_(seed) {}
  float operator()(float bound) {
    return bound * (2.0f * float(gen_() >> 8) / float(1u << 24) - 1.0f);
  }

 private:
  std::mt19937 gen_;
};

struct GgufDeleter {
  void operator()(gguf_context* c) const { gguf_free(c); }
};
struct GgmlDeleter {
  void operator()(ggml_context* c) const { ggml_free(c); }
};

}  // namespace

Status write_test_model(const std::string& path, const TestModelSpec& spec) {
  if (spec.n_embd <= 0 || spec.n_layer <= 0 || spec.n_head <= 0 || spec.n_head_kv <= 0 ||
      spec.n_ff <= 0 || spec.n_embd % spec.n_head != 0 || spec.n_head % spec.n_head_kv != 0)
    return fail(Error::internal("test model: inconsistent dimensions"));

  ggml_type wtype;
  if (spec.weight_type == "f32")
    wtype = GGML_TYPE_F32;
  else if (spec.weight_type == "f16")
    wtype = GGML_TYPE_F16;
  else if (spec.weight_type == "q8_0")
    wtype = GGML_TYPE_Q8_0;
  else
    return fail(Error::internal("test model: weight type must be f32, f16 or q8_0"));
  if (wtype == GGML_TYPE_Q8_0 && (spec.n_embd % 32 != 0 || spec.n_ff % 32 != 0))
    return fail(Error::internal("test model: q8_0 needs n_embd and n_ff divisible by 32"));

  const Vocab vocab = build_vocab();
  const int n_vocab = int(vocab.text.size());
  const int head_dim = spec.n_embd / spec.n_head;
  const int n_embd_kv = head_dim * spec.n_head_kv;

  std::unique_ptr<gguf_context, GgufDeleter> g(gguf_init_empty());
  gguf_context* gc = g.get();
  gguf_set_val_str(gc, "general.architecture", "llama");
  gguf_set_val_str(gc, "general.name", "tiergate-test-model");
  gguf_set_val_u32(gc, "general.file_type",
                   wtype == GGML_TYPE_F32   ? 0
                   : wtype == GGML_TYPE_F16 ? 1
                                            : 7);  // llama_ftype
  gguf_set_val_u32(gc, "llama.context_length", uint32_t(spec.context_length));
  gguf_set_val_u32(gc, "llama.embedding_length", uint32_t(spec.n_embd));
  gguf_set_val_u32(gc, "llama.block_count", uint32_t(spec.n_layer));
  gguf_set_val_u32(gc, "llama.feed_forward_length", uint32_t(spec.n_ff));
  gguf_set_val_u32(gc, "llama.attention.head_count", uint32_t(spec.n_head));
  gguf_set_val_u32(gc, "llama.attention.head_count_kv", uint32_t(spec.n_head_kv));
  gguf_set_val_u32(gc, "llama.rope.dimension_count", uint32_t(head_dim));
  gguf_set_val_f32(gc, "llama.attention.layer_norm_rms_epsilon", 1e-5f);
  gguf_set_val_u32(gc, "llama.vocab_size", uint32_t(n_vocab));

  std::vector<const char*> texts;
  for (const auto& t : vocab.text) texts.push_back(t.c_str());
  gguf_set_val_str(gc, "tokenizer.ggml.model", "llama");
  gguf_set_arr_str(gc, "tokenizer.ggml.tokens", texts.data(), texts.size());
  gguf_set_arr_data(gc, "tokenizer.ggml.scores", GGUF_TYPE_FLOAT32, vocab.score.data(),
                    vocab.score.size());
  gguf_set_arr_data(gc, "tokenizer.ggml.token_type", GGUF_TYPE_INT32, vocab.type.data(),
                    vocab.type.size());
  gguf_set_val_u32(gc, "tokenizer.ggml.unknown_token_id", 0);
  gguf_set_val_u32(gc, "tokenizer.ggml.bos_token_id", 1);
  gguf_set_val_u32(gc, "tokenizer.ggml.eos_token_id", 2);
  gguf_set_val_u32(gc, "tokenizer.ggml.eot_token_id", 4);
  gguf_set_val_bool(gc, "tokenizer.ggml.add_bos_token", true);
  gguf_set_val_bool(gc, "tokenizer.ggml.add_eos_token", false);
  gguf_set_val_str(gc, "tokenizer.chat_template",
                   "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + "
                   "message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}{% if "
                   "add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}");

  // Tensors: shapes as llama.cpp's llama loader expects them (ne[0] is the input dimension).
  struct Spec {
    std::string name;
    int64_t ne0, ne1;
    float bound;  // uniform(-bound, bound); 0 = all ones (norm weights)
  };
  std::vector<Spec> specs;
  const float in_bound = std::sqrt(3.0f / float(spec.n_embd));  // unit variance outputs
  specs.push_back({"token_embd.weight", spec.n_embd, n_vocab, 1.7f});
  specs.push_back({"output_norm.weight", spec.n_embd, 1, 0});
  specs.push_back({"output.weight", spec.n_embd, n_vocab, 3 * in_bound});
  for (int l = 0; l < spec.n_layer; ++l) {
    const std::string p = "blk." + std::to_string(l) + ".";
    specs.push_back({p + "attn_norm.weight", spec.n_embd, 1, 0});
    specs.push_back({p + "attn_q.weight", spec.n_embd, spec.n_embd, in_bound});
    specs.push_back({p + "attn_k.weight", spec.n_embd, n_embd_kv, in_bound});
    specs.push_back({p + "attn_v.weight", spec.n_embd, n_embd_kv, in_bound});
    specs.push_back({p + "attn_output.weight", spec.n_embd, spec.n_embd, in_bound});
    specs.push_back({p + "ffn_norm.weight", spec.n_embd, 1, 0});
    specs.push_back({p + "ffn_gate.weight", spec.n_embd, spec.n_ff, in_bound});
    specs.push_back({p + "ffn_up.weight", spec.n_embd, spec.n_ff, in_bound});
    specs.push_back({p + "ffn_down.weight", spec.n_ff, spec.n_embd, std::sqrt(3.0f / spec.n_ff)});
  }
  size_t bytes = 0;
  for (const auto& s : specs) bytes += size_t(s.ne0 * s.ne1) * sizeof(float) + 512;
  ggml_init_params params{bytes + (1 << 16), nullptr, false};
  std::unique_ptr<ggml_context, GgmlDeleter> mem(ggml_init(params));
  if (!mem) return fail(Error::internal("test model: out of memory"));

  Uniform rnd(spec.seed);
  std::vector<float> values;
  for (const auto& s : specs) {
    const bool matrix = s.ne1 > 1;
    const ggml_type type = matrix ? wtype : GGML_TYPE_F32;
    ggml_tensor* t = matrix ? ggml_new_tensor_2d(mem.get(), type, s.ne0, s.ne1)
                            : ggml_new_tensor_1d(mem.get(), type, s.ne0);
    ggml_set_name(t, s.name.c_str());
    values.resize(size_t(s.ne0 * s.ne1));
    for (auto& v : values) v = s.bound == 0 ? 1.0f : rnd(s.bound);
    if (s.name == "output.weight")  // keep specials out of greedy decoding (see header)
      std::fill(values.begin(), values.begin() + s.ne0 * kNumSpecial, 0.0f);
    if (type == GGML_TYPE_F32)
      std::copy(values.begin(), values.end(), static_cast<float*>(t->data));
    else if (type == GGML_TYPE_F16)
      ggml_fp32_to_fp16_row(values.data(), static_cast<ggml_fp16_t*>(t->data),
                            int64_t(values.size()));
    else
      ggml_quantize_chunk(type, values.data(), t->data, 0, s.ne1, s.ne0, nullptr);
    gguf_add_tensor(gc, t);
  }
  if (!gguf_write_to_file(gc, path.c_str(), false))
    return fail(Error::internal("test model: cannot write '" + path + "'"));
  return {};
}

}  // namespace tiergate::embedded
