#include "route/signals/privacy/scanner.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <limits>
#include <new>

namespace tiergate::privacy {
namespace {

std::atomic<uint64_t> g_next_scanner_id{1};

// Escapes a dictionary word for Hyperscan; words that start or end with a letter or digit get
// the word check in the refiner (Refiner::kWord), not \b, so phrases with punctuation work.
std::string literal_regex(std::string_view word) {
  std::string out;
  for (unsigned char c : word) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == ' ' ||
        c == '_' || c >= 0x80) {
      out += static_cast<char>(c);
    } else {
      out += fmt::format("\\x{:02x}", c);
    }
  }
  return out;
}

std::string upper_label(std::string_view name) {
  std::string s(name);
  for (char& c : s)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
  return s;
}

// One engine candidate: pattern id and byte range (start of match leftmost).
struct Hit {
  uint32_t id;
  uint32_t from;
  uint32_t to;
};

constexpr uint32_t kNoPattern = UINT32_MAX;  // a byte-pass finding

struct Candidate {
  EntityType type;
  uint32_t pattern;
  size_t begin;
  size_t end;
};

// Per-thread buffers, reused across scans so a scan allocates nothing once warm.
struct ThreadState {
  hs_scratch_t* scratch = nullptr;
  std::vector<uint64_t> fitted;  // Scanner ids the scratch has been grown for
  std::vector<Hit> hits;
  std::vector<int32_t> last;  // per pattern: index in hits of its latest hit, or -1
  std::vector<Candidate> candidates;
  std::vector<Finding> findings;
  std::vector<AnchoredHit> anchored;
  ~ThreadState() {
    if (scratch) hs_free_scratch(scratch);
  }
};
thread_local ThreadState t_state;

struct MatchContext {
  std::vector<Hit>* hits;
  std::vector<int32_t>* last;
  const std::vector<bool>* all_ends;
  size_t limit;
  bool overflow;
};

int on_match(unsigned int id, unsigned long long from, unsigned long long to, unsigned int,
             void* raw) {
  auto* ctx = static_cast<MatchContext*>(raw);
  if (!(*ctx->all_ends)[id]) {
    // Only the longest match matters for this pattern: an end right after the previous one
    // (a token growing by one character) widens that hit.
    const int32_t li = (*ctx->last)[id];
    if (li >= 0 && (*ctx->hits)[li].from == from && (*ctx->hits)[li].to + 1 >= to) {
      (*ctx->hits)[li].to = static_cast<uint32_t>(to);
      return 0;
    }
    (*ctx->last)[id] = static_cast<int32_t>(ctx->hits->size());
  }
  if (ctx->hits->size() >= ctx->limit) {
    ctx->overflow = true;
    return 1;  // stop: the caller fails closed
  }
  ctx->hits->push_back(Hit{id, static_cast<uint32_t>(from), static_cast<uint32_t>(to)});
  return 0;
}

}  // namespace

Result<std::shared_ptr<const Scanner>> Scanner::create(const PrivacyConfig& config) {
  std::shared_ptr<Scanner> s(new Scanner());
  s->id_ = g_next_scanner_id.fetch_add(1);
  s->refine_options_.entropy_threshold = config.entropy_threshold;
  s->refine_options_.entropy_min_length = static_cast<size_t>(config.entropy_min_length);
  s->max_candidates_ = static_cast<size_t>(config.max_candidates);

  std::vector<std::string> regexes;
  std::vector<unsigned> flags;
  std::vector<unsigned> ids;  // the pattern (index in patterns_) of each regex
  s->enabled_ = config.enabled;
  s->enabled_[static_cast<size_t>(EntityType::kCustom)] = false;  // custom ones are patterns
  // The built-in patterns are all matched by the byte pass: the vendor keys as findings
  // (detectors.h: vendor_patterns), the anchored ones as hits grouped and refined with the
  // engine's: patterns, no regex.
  s->anchored_ids_.fill(kNoPattern);
  for (size_t k = 0; k < kAnchoredPatternCount; ++k) {
    const PatternSpec& p = anchored_patterns()[k];
    if (!config.enabled[static_cast<size_t>(p.type)]) continue;
    s->anchored_ids_[k] = static_cast<uint32_t>(s->patterns_.size());
    s->patterns_.push_back(Pattern{p.type, p.refiner, p.start, p.all_ends, {}});
  }
  for (const CustomEntity& ce : config.custom_entities) {
    const unsigned f = HS_FLAG_SOM_LEFTMOST | (ce.case_insensitive ? HS_FLAG_CASELESS : 0);
    if (!ce.regex.empty()) {
      ids.push_back(static_cast<unsigned>(s->patterns_.size()));
      regexes.push_back(ce.regex);
      flags.push_back(f);
      s->patterns_.push_back(Pattern{EntityType::kCustom, Refiner::kNone, StartFinder::kEngine,
                                     false, upper_label(ce.name)});
    }
    for (const std::string& w : ce.words) {
      ids.push_back(static_cast<unsigned>(s->patterns_.size()));
      regexes.push_back(literal_regex(w));
      flags.push_back(f);
      s->patterns_.push_back(Pattern{EntityType::kCustom, Refiner::kWord, StartFinder::kEngine,
                                     false, upper_label(ce.name)});
    }
  }
  for (const Pattern& p : s->patterns_) s->all_ends_.push_back(p.all_ends);
  if (regexes.empty()) return std::shared_ptr<const Scanner>(std::move(s));  // no engine pass

  std::vector<const char*> exprs;
  for (const std::string& r : regexes) exprs.push_back(r.c_str());
  hs_compile_error_t* err = nullptr;
  if (hs_compile_multi(exprs.data(), flags.data(), ids.data(), static_cast<unsigned>(exprs.size()),
                       HS_MODE_BLOCK, nullptr, &s->db_, &err) != HS_SUCCESS) {
    std::string msg =
        fmt::format("privacy: pattern {} does not compile: {}", err ? err->expression : -1,
                    err && err->message ? err->message : "?");
    hs_free_compile_error(err);
    return fail(Error::internal(std::move(msg)));
  }
  // Validate that a scratch can be allocated now, not on the first request.
  if (s->thread_scratch() == nullptr)
    return fail(Error::internal("privacy: cannot allocate Hyperscan scratch"));
  return std::shared_ptr<const Scanner>(std::move(s));
}

Scanner::~Scanner() {
  if (db_) hs_free_database(db_);
}

hs_scratch_t* Scanner::thread_scratch() const {
  ThreadState& ts = t_state;
  if (ts.scratch && std::find(ts.fitted.begin(), ts.fitted.end(), id_) != ts.fitted.end())
    return ts.scratch;
  // Grows the thread's scratch so that it also fits this database (a scratch fits every database
  // it was allocated for).
  if (hs_alloc_scratch(db_, &ts.scratch) != HS_SUCCESS) return nullptr;
  if (ts.fitted.size() > 64) ts.fitted.clear();
  ts.fitted.push_back(id_);
  return ts.scratch;
}

Result<std::vector<Entity>> Scanner::scan(std::string_view text) const {
  std::vector<Entity> out;
  if (auto st = scan_into(text, out); !st) return fail(std::move(st.error()));
  return out;
}

Status Scanner::scan_into(std::string_view text, std::vector<Entity>& out) const {
  out.clear();
  if (text.size() > std::numeric_limits<uint32_t>::max())
    return fail(Error::internal("privacy: text too long to scan"));
  if (text.empty()) return {};
  try {
    ThreadState& ts = t_state;
    ts.hits.clear();
    if (db_ != nullptr) {  // custom entities
      hs_scratch_t* scratch = thread_scratch();
      if (!scratch) return fail(Error::internal("privacy: no Hyperscan scratch"));
      ts.last.assign(patterns_.size(), -1);
      MatchContext ctx{&ts.hits, &ts.last, &all_ends_, max_candidates_, false};
      const hs_error_t rc =
          hs_scan(db_, text.data(), static_cast<unsigned>(text.size()), 0, scratch, on_match, &ctx);
      if (ctx.overflow) return fail(Error::internal("privacy: too many candidates"));
      if (rc != HS_SUCCESS)
        return fail(Error::internal(fmt::format("privacy: hs_scan error {}", rc)));
    }

    // Numbers, generic tokens, assignments and the anchored patterns' ends: the byte pass.
    auto& found = ts.findings;
    found.clear();
    auto& anchored = ts.anchored;
    anchored.clear();
    scan_numbers_and_tokens(text, refine_options_, enabled_, found, &anchored);
    if (ts.hits.size() + anchored.size() > max_candidates_)
      return fail(Error::internal("privacy: too many candidates"));
    auto& cands = ts.candidates;
    cands.clear();
    const uint32_t email_id = anchored_ids_[static_cast<size_t>(AnchoredPattern::kEmail)];
    for (size_t i = 0; i < anchored.size();) {
      const AnchoredHit& a = anchored[i];
      const uint32_t id = anchored_ids_[static_cast<size_t>(a.pattern)];
      if (a.pattern != AnchoredPattern::kEmail || id == kNoPattern) {
        if (id != kNoPattern) ts.hits.push_back(Hit{id, 0, a.end});
        ++i;
        continue;
      }
      // The ends of one '@', in increasing order: the group the engine's hits would make (one
      // start for all, since no end lies past another '@'), refined here without a sort and
      // with one start search. An end over 320 bytes past the '@' has no start (find_start
      // gives the end itself), so it refines nothing.
      size_t j = i + 1;
      while (j < anchored.size() && anchored[j].pattern == AnchoredPattern::kEmail &&
             anchored[j].literal == a.literal)
        ++j;
      const Pattern& p = patterns_[email_id];
      const size_t from = find_start(p.start, text, a.end);
      for (size_t k = j; k-- > i;) {
        if (anchored[k].end - (a.literal + 1) >= 320) continue;
        size_t b = 0, e = 0;
        if (refine(p.refiner, text, from, anchored[k].end, refine_options_, &b, &e) && b < e) {
          cands.push_back(Candidate{p.type, email_id, b, e});
          break;
        }
      }
      i = j;
    }

    // Starts of the anchored patterns come from the text.
    auto& hits = ts.hits;
    for (Hit& h : hits) {
      const Pattern& p = patterns_[h.id];
      if (p.start != StartFinder::kEngine)
        h.from = static_cast<uint32_t>(find_start(p.start, text, h.to));
    }
    // Group by (pattern, start); per group try ends longest first, keep the first that refines.
    std::sort(hits.begin(), hits.end(), [](const Hit& a, const Hit& b) {
      if (a.id != b.id) return a.id < b.id;
      if (a.from != b.from) return a.from < b.from;
      return a.to > b.to;
    });
    for (size_t i = 0; i < hits.size();) {
      size_t j = i;
      bool found = false;
      for (; j < hits.size() && hits[j].id == hits[i].id && hits[j].from == hits[i].from; ++j) {
        if (found) continue;
        const Pattern& p = patterns_[hits[j].id];
        size_t b = 0, e = 0;
        if (refine(p.refiner, text, hits[j].from, hits[j].to, refine_options_, &b, &e) && b < e) {
          cands.push_back(Candidate{p.type, hits[j].id, b, e});
          found = true;
        }
      }
      i = j;
    }
    for (const Finding& f : found) cands.push_back(Candidate{f.type, kNoPattern, f.begin, f.end});
    if (cands.empty()) return {};

    // Overlapping candidates become one entity spanning their union, typed by the highest
    // priority among them: a redaction never leaves part of a finding behind.
    std::sort(cands.begin(), cands.end(), [](const Candidate& a, const Candidate& b) {
      return a.begin != b.begin ? a.begin < b.begin : a.end > b.end;
    });
    auto label_of = [&](const Candidate& c) -> std::string_view {
      if (c.pattern == kNoPattern) return entity_type_label(c.type);
      const Pattern& p = patterns_[c.pattern];
      return p.label.empty() ? entity_type_label(c.type) : std::string_view(p.label);
    };
    Candidate cur = cands[0];
    for (size_t i = 1; i <= cands.size(); ++i) {
      if (i < cands.size() && cands[i].begin < cur.end) {
        const Candidate& c = cands[i];
        if (entity_priority(c.type) > entity_priority(cur.type) ||
            (c.type == cur.type && c.end - c.begin > cur.end - cur.begin)) {
          cur.type = c.type;
          cur.pattern = c.pattern;
        }
        cur.end = std::max(cur.end, c.end);
        continue;
      }
      out.push_back(Entity{cur.type, label_of(cur), cur.begin, cur.end});
      if (i < cands.size()) cur = cands[i];
    }
    return {};
  } catch (const std::bad_alloc&) {
    out.clear();
    return fail(Error::internal("privacy: out of memory while scanning"));
  }
}

PrivacyScan Scanner::scan_request(const api::ChatRequest& request) const {
  PrivacyScan result;
  static thread_local std::vector<Entity> entities;
  request.for_each_text([&](const std::string& text) {
    if (result.failed) return;
    if (!scan_into(text, entities)) {
      result.failed = true;
      return;
    }
    for (const Entity& e : entities) result.add(e.type);
  });
  return result;
}

}  // namespace tiergate::privacy
