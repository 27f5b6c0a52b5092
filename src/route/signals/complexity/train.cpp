#include "route/signals/complexity/train.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <numeric>

#include "route/signals/complexity/metrics.h"
#include "route/signals/complexity/scorer.h"

namespace tiergate::complexity {
namespace {

// Records turned into what the fitters read, once.
struct Prepared {
  std::vector<std::vector<uint32_t>> ids;
  std::vector<DenseFeatures> dense;
  std::vector<int> subject;
  std::vector<std::string> subject_names;
  std::vector<uint8_t> weak, strong;
};

Prepared prepare(const std::vector<PromptRecord>& records, const FeatureOptions& features) {
  Prepared p;
  std::map<std::string, int> index;
  for (const auto& r : records) index.emplace(r.subject.empty() ? "_" : r.subject, 0);
  for (auto& [name, i] : index) {
    i = static_cast<int>(p.subject_names.size());
    p.subject_names.push_back(name);
  }
  for (const auto& r : records) {
    p.ids.emplace_back();
    extract_sparse(r.prompt, features, p.ids.back());
    p.dense.push_back(dense_features(analyse_shape(r.prompt)));
    p.subject.push_back(index[r.subject.empty() ? "_" : r.subject]);
    p.weak.push_back(r.weak_correct);
    p.strong.push_back(r.strong_correct);
  }
  return p;
}

double item_label(const Prepared& p, size_t i, ItemTarget t) {
  switch (t) {
    case ItemTarget::kGainPositive:
      return (p.strong[i] && !p.weak[i]) ? 1.0 : 0.0;
    case ItemTarget::kWeakWrong:
      return p.weak[i] ? 0.0 : 1.0;
    case ItemTarget::kGainSoft:
      return (1.0 + p.strong[i] - p.weak[i]) / 2.0;
  }
  return 0;
}

void fit_subjects(const Prepared& p, const std::vector<size_t>& rows, const TrainOptions& o,
                  ComplexityModel& m) {
  const size_t k = p.subject_names.size();
  std::vector<double> n_s(k, 0), gain_s(k, 0);
  double gain_all = 0;
  for (size_t i : rows) {
    n_s[p.subject[i]] += 1;
    double g = double(p.strong[i]) - double(p.weak[i]);
    gain_s[p.subject[i]] += g;
    gain_all += g;
  }
  const double n = static_cast<double>(rows.size());
  const double mean_gain = n > 0 ? gain_all / n : 0;

  // Document frequencies, then (id, subject) -> weighted count. A prompt contributes its term
  // counts (or 1 per distinct id with nb_binary), or with nb_tfidf the length-normalised
  // log(1 + tf) * idf vector scaled to nb_tfidf_scale (Rennie et al.'s transforms; scoring is
  // unchanged, only the estimated likelihoods move).
  std::vector<uint32_t> doc_ids;
  std::vector<std::vector<std::pair<uint32_t, double>>> tf(rows.size());
  for (size_t r = 0; r < rows.size(); ++r) {
    std::vector<uint32_t> row_ids = p.ids[rows[r]];
    std::sort(row_ids.begin(), row_ids.end());
    for (size_t a = 0; a < row_ids.size();) {
      size_t b = a;
      while (b < row_ids.size() && row_ids[b] == row_ids[a]) ++b;
      tf[r].emplace_back(row_ids[a], static_cast<double>(b - a));
      doc_ids.push_back(row_ids[a]);
      a = b;
    }
  }
  std::sort(doc_ids.begin(), doc_ids.end());
  auto df_of = [&](uint32_t id) {
    auto r = std::equal_range(doc_ids.begin(), doc_ids.end(), id);
    return static_cast<int>(r.second - r.first);
  };
  std::vector<std::pair<uint64_t, double>> occ;
  for (size_t r = 0; r < rows.size(); ++r) {
    const uint64_t subject = static_cast<uint64_t>(p.subject[rows[r]]);
    double norm = 0;
    std::vector<double> w(tf[r].size());
    for (size_t j = 0; j < tf[r].size(); ++j) {
      auto [id, count] = tf[r][j];
      if (o.nb_tfidf) {
        double idf = std::log((n + 1) / (df_of(id) + 1.0)) + 1.0;
        w[j] = std::log1p(count) * idf;
        norm += w[j] * w[j];
      } else {
        w[j] = o.nb_binary ? 1.0 : count;
      }
    }
    const double scale = (o.nb_tfidf && norm > 0) ? o.nb_tfidf_scale / std::sqrt(norm) : 1.0;
    for (size_t j = 0; j < tf[r].size(); ++j)
      occ.emplace_back((uint64_t{tf[r][j].first} << 16) | subject, w[j] * scale);
  }
  std::sort(occ.begin(), occ.end());
  std::vector<double> total(k, 0);
  m.evidence.clear();
  double vocab = 0;
  for (size_t a = 0; a < occ.size();) {
    uint32_t id = static_cast<uint32_t>(occ[a].first >> 16);
    size_t b = a;
    while (b < occ.size() && (occ[b].first >> 16) == id) ++b;
    if (df_of(id) >= o.min_df) {
      vocab += 1;
      SubjectEvidence e;
      e.id = id;
      for (size_t c = a; c < b;) {
        uint16_t s = static_cast<uint16_t>(occ[c].first & 0xffff);
        double count = 0;
        size_t d = c;
        for (; d < b && occ[d].first == occ[c].first; ++d) count += occ[d].second;
        total[s] += count;
        e.deltas.emplace_back(
            s, static_cast<float>(std::log(count + o.nb_alpha) - std::log(o.nb_alpha)));
        c = d;
      }
      m.evidence.push_back(std::move(e));
    }
    a = b;
  }
  m.subjects.clear();
  for (size_t s = 0; s < k; ++s) {
    SubjectPrior sp;
    sp.name = p.subject_names[s];
    sp.log_prior = std::log((n_s[s] + 1.0) / (n + static_cast<double>(k)));
    sp.log_unseen = std::log(o.nb_alpha) - std::log(total[s] + o.nb_alpha * std::max(vocab, 1.0));
    const double weight = n_s[s] + o.subject_smoothing;
    sp.gain = weight > 0 ? (gain_s[s] + o.subject_smoothing * mean_gain) / weight : mean_gain;
    m.subjects.push_back(std::move(sp));
  }
  m.nb_temperature = o.nb_temperature;
}

// Logistic regression, full-batch Adam (deterministic). Sparse inputs are id counts / sqrt(n).
void fit_item(const Prepared& p, const std::vector<size_t>& rows, const TrainOptions& o,
              ComplexityModel& m) {
  const double n = static_cast<double>(rows.size());
  // Standardise dense features.
  DenseFeatures mean{}, sq{};
  for (size_t i : rows)
    for (int j = 0; j < kDenseFeatures; ++j) {
      mean[j] += p.dense[i][j];
      sq[j] += p.dense[i][j] * p.dense[i][j];
    }
  for (int j = 0; j < kDenseFeatures; ++j) {
    mean[j] = n > 0 ? mean[j] / n : 0;
    double var = n > 0 ? sq[j] / n - mean[j] * mean[j] : 0;
    m.dense_mean[j] = mean[j];
    m.dense_scale[j] = var > 1e-12 ? 1.0 / std::sqrt(var) : 0.0;
  }
  // Compact index of the ids seen in training.
  std::vector<uint32_t> active;
  if (o.item_sparse) {
    for (size_t i : rows) active.insert(active.end(), p.ids[i].begin(), p.ids[i].end());
    std::sort(active.begin(), active.end());
    active.erase(std::unique(active.begin(), active.end()), active.end());
  }
  auto index_of = [&](uint32_t id) {
    return static_cast<size_t>(std::lower_bound(active.begin(), active.end(), id) - active.begin());
  };
  std::vector<std::vector<uint32_t>> cols(rows.size());
  std::vector<double> xs(rows.size());
  std::vector<std::array<double, kDenseFeatures>> xd(rows.size());
  std::vector<double> y(rows.size());
  for (size_t r = 0; r < rows.size(); ++r) {
    size_t i = rows[r];
    if (o.item_sparse)
      for (uint32_t id : p.ids[i]) cols[r].push_back(static_cast<uint32_t>(index_of(id)));
    xs[r] = p.ids[i].empty() ? 0 : 1.0 / std::sqrt(double(p.ids[i].size()));
    for (int j = 0; j < kDenseFeatures; ++j)
      xd[r][j] = (p.dense[i][j] - m.dense_mean[j]) * m.dense_scale[j];
    y[r] = item_label(p, i, o.item_target);
  }
  // Parameters: [bias, dense..., sparse...].
  const size_t dim = 1 + kDenseFeatures + active.size();
  std::vector<double> w(dim, 0), g(dim), m1(dim, 0), m2(dim, 0);
  double ymean = 0;
  for (double v : y) ymean += v;
  ymean = n > 0 ? ymean / n : 0.5;
  ymean = std::clamp(ymean, 1e-3, 1 - 1e-3);
  w[0] = std::log(ymean / (1 - ymean));
  const double lr = 0.05, b1 = 0.9, b2 = 0.999, eps = 1e-8;
  double b1t = 1, b2t = 1;
  for (int it = 0; it < o.item_iterations; ++it) {
    std::fill(g.begin(), g.end(), 0.0);
    for (size_t r = 0; r < rows.size(); ++r) {
      double z = w[0];
      for (int j = 0; j < kDenseFeatures; ++j) z += w[1 + j] * xd[r][j];
      for (uint32_t c : cols[r]) z += w[1 + kDenseFeatures + c] * xs[r];
      double pr = 1.0 / (1.0 + std::exp(-std::clamp(z, -30.0, 30.0)));
      double e = (pr - y[r]) / n;
      g[0] += e;
      for (int j = 0; j < kDenseFeatures; ++j) g[1 + j] += e * xd[r][j];
      for (uint32_t c : cols[r]) g[1 + kDenseFeatures + c] += e * xs[r];
    }
    for (size_t j = 1; j < dim; ++j) g[j] += o.item_l2 * w[j];
    b1t *= b1;
    b2t *= b2;
    for (size_t j = 0; j < dim; ++j) {
      m1[j] = b1 * m1[j] + (1 - b1) * g[j];
      m2[j] = b2 * m2[j] + (1 - b2) * g[j] * g[j];
      w[j] -= lr * (m1[j] / (1 - b1t)) / (std::sqrt(m2[j] / (1 - b2t)) + eps);
    }
  }
  m.item_bias = w[0];
  for (int j = 0; j < kDenseFeatures; ++j) m.dense_weights[j] = w[1 + j];
  m.item_weights.clear();
  for (size_t c = 0; c < active.size(); ++c) {
    float v = static_cast<float>(w[1 + kDenseFeatures + c]);
    if (std::fabs(v) >= 1e-4f) m.item_weights.emplace_back(active[c], v);
  }
}

ComplexityModel fit(const Prepared& p, const std::vector<size_t>& rows, const TrainOptions& o,
                    double w_item) {
  ComplexityModel m;
  m.features = o.features;
  fit_subjects(p, rows, o, m);
  if (w_item != 0) fit_item(p, rows, o, m);
  m.w_subject = o.w_subject;
  m.w_item = w_item;
  return m;
}

// Fixed permutation (64-bit LCG Fisher-Yates), identical on every platform.
std::vector<size_t> fold_of(size_t n, int folds) {
  std::vector<size_t> perm(n);
  std::iota(perm.begin(), perm.end(), size_t{0});
  uint64_t state = 0x2545f4914f6cdd1dull;
  for (size_t i = n; i > 1; --i) {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    size_t j = static_cast<size_t>((state >> 33) % i);
    std::swap(perm[i - 1], perm[j]);
  }
  std::vector<size_t> fold(n);
  for (size_t r = 0; r < n; ++r) fold[perm[r]] = r % static_cast<size_t>(folds);
  return fold;
}

struct OutOfFold {
  std::vector<double> subject_term, item_term, free_score;
  std::vector<bool> free_form;
};

OutOfFold out_of_fold(const std::vector<PromptRecord>& records, const Prepared& p,
                      const TrainOptions& o, int folds, double w_item_for_fit) {
  const size_t n = records.size();
  OutOfFold out;
  out.subject_term.assign(n, 0);
  out.item_term.assign(n, 0);
  out.free_score.assign(n, 0);
  out.free_form.assign(n, false);
  auto fold = fold_of(n, folds);
  for (int f = 0; f < folds; ++f) {
    std::vector<size_t> train_rows;
    for (size_t i = 0; i < n; ++i)
      if (fold[i] != static_cast<size_t>(f)) train_rows.push_back(i);
    auto scorer = ComplexityScorer::from_model(fit(p, train_rows, o, w_item_for_fit));
    for (size_t i = 0; i < n; ++i) {
      if (fold[i] != static_cast<size_t>(f)) continue;
      ScoreDetail d = scorer->score_detail(records[i].prompt);
      out.subject_term[i] = d.subject_term;
      out.item_term[i] = d.item_term;
      out.free_form[i] = d.kind != PromptKind::kMultipleChoice;
      out.free_score[i] = d.score;
    }
  }
  return out;
}

std::vector<double> combine(const OutOfFold& oof, double w_subject, double w_item) {
  std::vector<double> s(oof.subject_term.size());
  for (size_t i = 0; i < s.size(); ++i)
    s[i] = oof.free_form[i] ? oof.free_score[i]
                            : w_subject * oof.subject_term[i] + w_item * oof.item_term[i];
  return s;
}

std::vector<double> quantiles(std::vector<double> v, int steps) {
  std::vector<double> q;
  if (v.empty()) return q;
  std::sort(v.begin(), v.end());
  for (int i = 0; i <= steps; ++i) {
    double pos = static_cast<double>(i) / steps * static_cast<double>(v.size() - 1);
    size_t lo = static_cast<size_t>(pos);
    size_t hi = std::min(lo + 1, v.size() - 1);
    q.push_back(v[lo] + (pos - static_cast<double>(lo)) * (v[hi] - v[lo]));
  }
  return q;
}

}  // namespace

std::vector<double> cross_validated_scores(const std::vector<PromptRecord>& records,
                                           const TrainOptions& options, int folds) {
  Prepared p = prepare(records, options.features);
  OutOfFold oof = out_of_fold(records, p, options, std::max(folds, 2), options.w_item);
  return combine(oof, options.w_subject, options.w_item);
}

Result<ComplexityModel> train_model(const std::vector<PromptRecord>& records, const TrainOptions& o,
                                    TrainReport* report) {
  auto t0 = std::chrono::steady_clock::now();
  if (records.size() < 20)
    return fail(Error::client(ErrorCode::kInvalidRequest, "need at least 20 labelled prompts"));
  for (const auto& r : records)
    if (!r.has_labels)
      return fail(Error::client(ErrorCode::kInvalidRequest,
                                fmt::format("line {}: no weak_correct/strong_correct", r.line)));
  if (o.cv_folds < 2)
    return fail(Error::client(ErrorCode::kInvalidRequest, "cv_folds must be >= 2"));
  Prepared p = prepare(records, o.features);
  std::vector<uint8_t> weak = p.weak, strong = p.strong;

  // Cross-validation: the item model is fitted once per fold; the grid only re-weights it.
  bool need_item = o.select_w_item || o.w_item != 0;
  OutOfFold oof = out_of_fold(records, p, o, o.cv_folds, need_item ? 1.0 : 0.0);
  double chosen = o.w_item;
  double best = -1e9;
  TrainReport local;
  std::vector<double> grid = o.select_w_item ? o.w_item_grid : std::vector<double>{o.w_item};
  for (double w : grid) {
    auto scores = combine(oof, o.w_subject, w);
    RoutingEval ev = evaluate_routing(scores, weak, strong);
    local.cv.push_back({fmt::format("w_item={}", w), ev.apgr, ev.cpt50, ev.cpt80});
    if (ev.apgr > best + 1e-9) {
      best = ev.apgr;
      chosen = w;
    }
  }
  std::vector<size_t> all(records.size());
  std::iota(all.begin(), all.end(), size_t{0});
  ComplexityModel m = fit(p, all, o, chosen);
  if (chosen == 0) {
    m.item_weights.clear();
    m.item_bias = 0;
  }
  m.score_quantiles = quantiles(combine(oof, o.w_subject, chosen), 100);
  m.provenance = fmt::format(
      "trained on {} prompts, {} subjects; nb_alpha={} nb_binary={} T={} min_df={} smoothing={} "
      "item_l2={} w_item={} ({}-fold CV APGR {:.4f})",
      records.size(), p.subject_names.size(), o.nb_alpha, int(o.nb_binary), o.nb_temperature,
      o.min_df, o.subject_smoothing, o.item_l2, chosen, o.cv_folds, best);
  local.chosen_w_item = chosen;
  local.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (report) *report = std::move(local);
  return m;
}

}  // namespace tiergate::complexity
