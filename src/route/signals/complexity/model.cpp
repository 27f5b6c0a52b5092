#include "route/signals/complexity/model.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <fstream>
#include <sstream>

namespace tiergate::complexity {
namespace {

constexpr std::string_view kMagic = "tiergate-complexity";

// Splits a line into whitespace-separated fields.
std::vector<std::string_view> fields_of(std::string_view line) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    size_t b = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
    if (i > b) out.push_back(line.substr(b, i - b));
  }
  return out;
}

// Reads the model text line by line, with the line number for errors.
class ModelReader {
 public:
  explicit ModelReader(std::string_view text) : text_(text) {}

  bool next(std::vector<std::string_view>& f) {
    while (pos_ < text_.size()) {
      size_t e = text_.find('\n', pos_);
      if (e == std::string_view::npos) e = text_.size();
      std::string_view line = text_.substr(pos_, e - pos_);
      pos_ = e + 1;
      ++line_;
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      f = fields_of(line);
      if (!f.empty() && f[0][0] != '#') {
        raw_ = line;
        return true;
      }
    }
    return false;
  }
  std::string_view raw() const { return raw_; }
  Error error(const std::string& what) const {
    return Error::client(ErrorCode::kInvalidRequest,
                         fmt::format("complexity model line {}: {}", line_, what));
  }

 private:
  std::string_view text_;
  size_t pos_ = 0;
  size_t line_ = 0;
  std::string_view raw_;
};

template <typename T>
bool parse_num(std::string_view s, T& out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  if (ec != std::errc() || p != s.data() + s.size()) return false;
  if constexpr (std::is_floating_point_v<T>) return std::isfinite(out);
  return true;
}

std::string num(double v) { return fmt::format("{:.9g}", v); }
std::string numf(float v) { return fmt::format("{:.6g}", v); }

}  // namespace

std::string serialise_model(const ComplexityModel& m) {
  std::string o;
  o.reserve(1 << 20);
  o += fmt::format("{} {}\n", kMagic, kModelFormatVersion);
  std::string prov = m.provenance;
  for (char& c : prov)
    if (c == '\n' || c == '\r') c = ' ';
  o += "provenance " + prov + "\n";
  const auto& f = m.features;
  o += fmt::format("features {} {} {} {} {}\n", f.hash_bits, int(f.stem_words), int(f.stem_bigrams),
                   int(f.choice_words), int(f.char_ngrams));
  o += fmt::format("combine {} {} {}\n", num(m.w_subject), num(m.w_item), num(m.nb_temperature));
  o += fmt::format("free {} {} {} {}\n", num(m.free_center), num(m.free_spread), num(m.free_offset),
                   num(m.free_scale));
  const auto& w = m.math;
  o += fmt::format("math {} {} {} {} {} {} {} {}\n", num(w.log_words), num(w.quantities),
                   num(w.percents), num(w.fractions), num(w.decimals), num(w.large_numbers),
                   num(w.rate_words), num(w.sentences));
  o += fmt::format("math_units {}\n", num(w.extra_units));  // optional: older files lack it
  for (int i = 0; i < kDenseFeatures; ++i)
    o += fmt::format("dense {} {} {} {} {}\n", i, dense_feature_name(i), num(m.dense_mean[i]),
                     num(m.dense_scale[i]), num(m.dense_weights[i]));
  o += fmt::format("item_bias {}\n", num(m.item_bias));
  o += fmt::format("subjects {}\n", m.subjects.size());
  for (const auto& s : m.subjects) {
    std::string name = s.name.empty() ? std::string("_") : s.name;
    for (char& c : name)
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r') c = '_';
    o += fmt::format("s {} {} {} {}\n", name, num(s.log_prior), num(s.log_unseen), num(s.gain));
  }
  o += fmt::format("evidence {}\n", m.evidence.size());
  for (const auto& e : m.evidence) {
    o += fmt::format("e {} {}", e.id, e.deltas.size());
    for (const auto& [cls, d] : e.deltas) o += fmt::format(" {} {}", cls, numf(d));
    o += '\n';
  }
  o += fmt::format("item {}\n", m.item_weights.size());
  for (const auto& [id, wt] : m.item_weights) o += fmt::format("w {} {}\n", id, numf(wt));
  o += fmt::format("quantiles {}", m.score_quantiles.size());
  for (double q : m.score_quantiles) o += " " + num(q);
  o += "\nend\n";
  return o;
}

Result<ComplexityModel> parse_model(std::string_view text) {
  ModelReader r(text);
  std::vector<std::string_view> f;
  ComplexityModel m;
  if (!r.next(f) || f.size() != 2 || f[0] != kMagic)
    return fail(r.error("not a tiergate complexity model (no 'tiergate-complexity' header)"));
  int version = 0;
  if (!parse_num(f[1], version) || version != kModelFormatVersion)
    return fail(r.error(fmt::format("unsupported format version '{}' (this build reads {})", f[1],
                                    kModelFormatVersion)));
  auto bad = [&](std::string_view what) {
    return fail(r.error(fmt::format("bad '{}' record", what)));
  };
  bool ended = false;
  size_t expect_subjects = 0, expect_evidence = 0, expect_items = 0;
  while (r.next(f)) {
    std::string_view k = f[0];
    if (k == "provenance") {
      std::string_view raw = r.raw();
      size_t p = raw.find("provenance") + 10;
      while (p < raw.size() && raw[p] == ' ') ++p;
      m.provenance.assign(raw.substr(std::min(p, raw.size())));
    } else if (k == "features") {
      int b[5];
      if (f.size() != 6) return bad(k);
      for (int i = 0; i < 5; ++i)
        if (!parse_num(f[i + 1], b[i])) return bad(k);
      if (b[0] < 8 || b[0] > 24) return fail(r.error("hash_bits must be in [8, 24]"));
      m.features = FeatureOptions{b[0], b[1] != 0, b[2] != 0, b[3] != 0, b[4] != 0};
    } else if (k == "combine") {
      if (f.size() != 4 || !parse_num(f[1], m.w_subject) || !parse_num(f[2], m.w_item) ||
          !parse_num(f[3], m.nb_temperature) || m.nb_temperature <= 0)
        return bad(k);
    } else if (k == "free") {
      if (f.size() != 5 || !parse_num(f[1], m.free_center) || !parse_num(f[2], m.free_spread) ||
          !parse_num(f[3], m.free_offset) || !parse_num(f[4], m.free_scale) || m.free_spread <= 0)
        return bad(k);
    } else if (k == "math_units") {
      if (f.size() != 2 || !parse_num(f[1], m.math.extra_units)) return bad(k);
    } else if (k == "math") {
      double* w[] = {&m.math.log_words,  &m.math.quantities, &m.math.percents,
                     &m.math.fractions,  &m.math.decimals,   &m.math.large_numbers,
                     &m.math.rate_words, &m.math.sentences};
      if (f.size() != 9) return bad(k);
      for (int i = 0; i < 8; ++i)
        if (!parse_num(f[i + 1], *w[i])) return bad(k);
    } else if (k == "dense") {
      int i = -1;
      if (f.size() != 6 || !parse_num(f[1], i) || i < 0 || i >= kDenseFeatures ||
          f[2] != dense_feature_name(i) || !parse_num(f[3], m.dense_mean[i]) ||
          !parse_num(f[4], m.dense_scale[i]) || !parse_num(f[5], m.dense_weights[i]))
        return bad(k);
    } else if (k == "item_bias") {
      if (f.size() != 2 || !parse_num(f[1], m.item_bias)) return bad(k);
    } else if (k == "subjects") {
      if (f.size() != 2 || !parse_num(f[1], expect_subjects) || expect_subjects > 65535)
        return bad(k);
      m.subjects.reserve(expect_subjects);
    } else if (k == "s") {
      SubjectPrior s;
      if (f.size() != 5 || !parse_num(f[2], s.log_prior) || !parse_num(f[3], s.log_unseen) ||
          !parse_num(f[4], s.gain))
        return bad(k);
      s.name.assign(f[1]);
      m.subjects.push_back(std::move(s));
    } else if (k == "evidence") {
      if (f.size() != 2 || !parse_num(f[1], expect_evidence)) return bad(k);
      m.evidence.reserve(expect_evidence);
    } else if (k == "e") {
      SubjectEvidence e;
      size_t n = 0;
      if (f.size() < 3 || !parse_num(f[1], e.id) || !parse_num(f[2], n) || f.size() != 3 + 2 * n)
        return bad(k);
      for (size_t i = 0; i < n; ++i) {
        uint16_t cls = 0;
        float d = 0;
        if (!parse_num(f[3 + 2 * i], cls) || !parse_num(f[4 + 2 * i], d)) return bad(k);
        if (cls >= m.subjects.size()) return fail(r.error("evidence names an unknown subject"));
        e.deltas.emplace_back(cls, d);
      }
      if (!m.evidence.empty() && m.evidence.back().id >= e.id)
        return fail(r.error("evidence ids must ascend"));
      m.evidence.push_back(std::move(e));
    } else if (k == "item") {
      if (f.size() != 2 || !parse_num(f[1], expect_items)) return bad(k);
      m.item_weights.reserve(expect_items);
    } else if (k == "w") {
      uint32_t id = 0;
      float wt = 0;
      if (f.size() != 3 || !parse_num(f[1], id) || !parse_num(f[2], wt)) return bad(k);
      if (!m.item_weights.empty() && m.item_weights.back().first >= id)
        return fail(r.error("item ids must ascend"));
      m.item_weights.emplace_back(id, wt);
    } else if (k == "quantiles") {
      size_t n = 0;
      if (f.size() < 2 || !parse_num(f[1], n) || f.size() != 2 + n) return bad(k);
      for (size_t i = 0; i < n; ++i) {
        double q = 0;
        if (!parse_num(f[2 + i], q)) return bad(k);
        m.score_quantiles.push_back(q);
      }
    } else if (k == "end") {
      ended = true;
      break;
    } else {
      return fail(r.error(fmt::format("unknown record '{}'", k)));
    }
  }
  if (!ended) return fail(r.error("truncated model (no 'end' record)"));
  if (m.subjects.size() != expect_subjects || m.evidence.size() != expect_evidence ||
      m.item_weights.size() != expect_items)
    return fail(r.error("record counts do not match their headers"));
  const uint64_t limit = uint64_t{1} << m.features.hash_bits;
  for (const auto& e : m.evidence)
    if (e.id >= limit) return fail(r.error("evidence id out of hash range"));
  for (const auto& [id, w] : m.item_weights)
    if (id >= limit) return fail(r.error("item id out of hash range"));
  return m;
}

Status save_model_file(const ComplexityModel& model, const std::string& path) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return fail(Error::internal(fmt::format("cannot write '{}'", path)));
  std::string text = serialise_model(model);
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
  if (!out) return fail(Error::internal(fmt::format("error writing '{}'", path)));
  return {};
}

Result<ComplexityModel> load_model_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(Error::client(ErrorCode::kNotFound, fmt::format("cannot open '{}'", path)));
  std::ostringstream ss;
  ss << in.rdbuf();
  auto m = parse_model(ss.str());
  if (!m) {
    Error e = m.error();
    e.message = path + ": " + e.message;
    return fail(std::move(e));
  }
  return m;
}

}  // namespace tiergate::complexity
