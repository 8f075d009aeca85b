#include "generation/beam_search.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "hf/error.h"

namespace hf::generation {
namespace {

// transformers marks impossible choices by adding -1e9 in float32; doing the same here keeps
// the same ties and orderings.
constexpr float kPenalty = -1.0e9f;

struct Candidate {
  float score;
  int beam;
  int32_t token;
};

// In place log_softmax of one row.
void log_softmax(std::span<float> x) {
  float max = -std::numeric_limits<float>::infinity();
  for (float v : x) max = std::max(max, v);
  if (!std::isfinite(max)) return;
  double sum = 0;
  for (float v : x) sum += std::exp(v - max);  // float exp: the hot loop of beam search
  const float lse = max + static_cast<float>(std::log(sum));
  for (float& v : x) v -= lse;
}

// Indices of the k largest values, best first; ties go to the lower index (torch.topk on CPU
// returns them in that order in practice).
std::vector<int> top_indices(const std::vector<float>& v, int k) {
  std::vector<int> idx(v.size());
  std::iota(idx.begin(), idx.end(), 0);
  auto better = [&](int a, int b) { return v[a] > v[b] || (v[a] == v[b] && a < b); };
  k = std::min<int>(k, static_cast<int>(v.size()));
  std::partial_sort(idx.begin(), idx.begin() + k, idx.end(), better);
  idx.resize(k);
  return idx;
}

// The `keep` best (score, index) pairs of row[0, n), best first (ties: lower index first).
// One pass with a small sorted buffer: most entries cost one comparison with the current worst.
void row_top(const float* row, int64_t n, int keep, int64_t base, std::vector<std::pair<float, int64_t>>& out) {
  std::vector<std::pair<float, int64_t>> best;
  best.reserve(keep + 1);
  for (int64_t i = 0; i < n; ++i) {
    const float v = row[i];
    if (static_cast<int>(best.size()) == keep && !(v > best.back().first)) continue;
    auto at = std::upper_bound(best.begin(), best.end(), v,
                               [](float val, const std::pair<float, int64_t>& e) { return val > e.first; });
    best.insert(at, {v, base + i});
    if (static_cast<int>(best.size()) > keep) best.pop_back();
  }
  out.insert(out.end(), best.begin(), best.end());
}

// Per input sentence: the kept hypotheses (num_beams slots) and the running beams.
struct Sentence {
  std::vector<std::vector<int32_t>> running;      // num_beams rows
  std::vector<float> running_scores;               // sum of log-probs
  std::vector<std::vector<int32_t>> kept;          // num_beams slots
  std::vector<float> kept_scores;                  // length-normalised; kPenalty when empty
  std::vector<bool> kept_finished;
  bool improvable = true;                          // is_early_stop_heuristic_unsatisfied
};

}  // namespace

BeamSearchOutput beam_search(BeamSearchModel& model, const std::vector<std::vector<int32_t>>& prompts,
                             const LogitsProcessorList& processors, const StoppingCriteriaList& criteria,
                             const BeamSearchOptions& o, std::stop_token stop) {
  const int k = o.num_beams;
  if (k < 1) throw InputError("beam_search: num_beams must be >= 1");
  if (o.num_return_sequences < 1 || o.num_return_sequences > k)
    throw InputError("beam_search: num_return_sequences (" + std::to_string(o.num_return_sequences) +
                     ") must be between 1 and num_beams (" + std::to_string(k) + ")");
  if (prompts.empty()) throw InputError("beam_search: the batch is empty");
  const int prompt_len = static_cast<int>(prompts[0].size());
  for (const auto& p : prompts)
    if (static_cast<int>(p.size()) != prompt_len || p.empty())
      throw InputError("beam_search: every prompt row must have the same, non-zero length");
  const int batch = static_cast<int>(prompts.size());
  const int keep = std::max(2, 1 + static_cast<int>(o.eos_token_id.size())) * k;  // beams_to_keep

  std::vector<Sentence> s(batch);
  for (int b = 0; b < batch; ++b) {
    s[b].running.assign(k, prompts[b]);
    s[b].running_scores.assign(k, kPenalty);
    s[b].running_scores[0] = 0;  // only beam 0 expands at the first step (all beams are equal)
    s[b].kept.assign(k, prompts[b]);
    s[b].kept_scores.assign(k, kPenalty);
    s[b].kept_finished.assign(k, false);
  }

  BeamSearchOutput out;
  int cur_len = prompt_len;
  // Sentences still searching, in model-row order (sentence live[l] owns rows l*k .. l*k+k-1).
  // A sentence whose early-stop heuristic says done can no longer change its hypotheses, so its
  // rows leave the model's batch (transformers keeps computing them and discards the result).
  std::vector<int> live(batch);
  std::iota(live.begin(), live.end(), 0);
  std::vector<int> beam_of(batch * k);  // the old beam of each new running beam, per sentence
  while (!stop.stop_requested()) {
    const int rows = static_cast<int>(live.size()) * k;
    std::vector<std::vector<int32_t>> flat(rows);
    for (size_t l = 0; l < live.size(); ++l)
      for (int i = 0; i < k; ++i) flat[l * k + i] = s[live[l]].running[i];
    Tensor logits = model.next_logits(flat);
    if (logits.ndim() != 2 || logits.dim(0) != rows)
      throw InputError("beam_search: the model returned logits " + logits.shape_string() + " for " +
                       std::to_string(rows) + " rows");
    const int64_t V = logits.dim(1);
    float* all = logits.mutable_data_as<float>();

    bool every_candidate_stopped = true;
    for (size_t l = 0; l < live.size(); ++l) {
      const int b = live[l];
      Sentence& st = s[b];
      // Accumulated scores over beam × vocab; the best `keep` of all lie among each beam's best `keep`.
      std::vector<std::pair<float, int64_t>> pool;
      for (int i = 0; i < k; ++i) {
        std::span<float> row(all + static_cast<int64_t>(l * k + i) * V, V);
        log_softmax(row);
        apply_processors(processors, st.running[i], row);
        // Adding the beam's running score does not change the order within the row: add it to
        // the row's best only.
        const size_t first = pool.size();
        row_top(row.data(), V, keep, i * V, pool);
        for (size_t j = first; j < pool.size(); ++j) pool[j].first += st.running_scores[i];
      }
      std::stable_sort(pool.begin(), pool.end(), [](const auto& a, const auto& c) {
        return a.first > c.first || (a.first == c.first && a.second < c.second);
      });
      std::vector<Candidate> cand;
      for (int j = 0; j < keep && j < static_cast<int>(pool.size()); ++j)
        cand.push_back({pool[j].first, static_cast<int>(pool[j].second / V), static_cast<int32_t>(pool[j].second % V)});

      // Which candidates end here (eos, max_length, ...).
      std::vector<std::vector<int32_t>> seqs(cand.size());
      std::vector<bool> hits(cand.size());
      for (size_t j = 0; j < cand.size(); ++j) {
        seqs[j] = st.running[cand[j].beam];
        seqs[j].push_back(cand[j].token);
        hits[j] = any_criterion(criteria, seqs[j]);
        every_candidate_stopped = every_candidate_stopped && hits[j];
      }

      // Next running beams: the best num_beams candidates that did not stop.
      std::vector<float> run_scores(cand.size());
      for (size_t j = 0; j < cand.size(); ++j) run_scores[j] = cand[j].score + (hits[j] ? kPenalty : 0.0f);
      std::vector<int> next = top_indices(run_scores, k);

      // Finished candidates among the first num_beams ranks compete for the hypothesis slots.
      const float norm = std::pow(static_cast<float>(cur_len + 1 - prompt_len), o.length_penalty);
      bool all_full = std::all_of(st.kept_finished.begin(), st.kept_finished.end(), [](bool f) { return f; });
      std::vector<float> merged = st.kept_scores;
      std::vector<bool> merged_finished = st.kept_finished;
      for (size_t j = 0; j < cand.size(); ++j) {
        const bool just_finished = hits[j] && static_cast<int>(j) < k;
        float score = cand[j].score / norm;
        if (all_full && o.early_stopping == EarlyStopping::True) score += kPenalty;
        if (!st.improvable) score += kPenalty;
        if (!just_finished) score += kPenalty;
        merged.push_back(score);
        merged_finished.push_back(just_finished);
      }
      std::vector<std::vector<int32_t>> kept;
      std::vector<float> kept_scores;
      std::vector<bool> kept_finished;
      for (int idx : top_indices(merged, k)) {
        kept.push_back(idx < k ? st.kept[idx] : seqs[idx - k]);
        kept_scores.push_back(merged[idx]);
        kept_finished.push_back(merged_finished[idx]);
      }
      st.kept = std::move(kept);
      st.kept_scores = std::move(kept_scores);
      st.kept_finished = std::move(kept_finished);

      std::vector<std::vector<int32_t>> running;
      std::vector<float> running_scores;
      for (int i = 0; i < k; ++i) {
        const int j = next[i];
        running.push_back(std::move(seqs[j]));
        running_scores.push_back(run_scores[j]);
        beam_of[b * k + i] = cand[j].beam;
      }
      st.running = std::move(running);
      st.running_scores = std::move(running_scores);
    }
    ++cur_len;
    ++out.steps;

    // Early-stop heuristic, per sentence and sticky.
    bool any_improvable = false, all_finished = true;
    for (int b : live) {
      Sentence& st = s[b];
      const int best_len = (o.early_stopping == EarlyStopping::Never && o.length_penalty > 0.0f)
                               ? o.max_length - prompt_len
                               : cur_len - prompt_len;
      const float best_possible = st.running_scores[0] / std::pow(static_cast<float>(best_len), o.length_penalty);
      const float worst = *std::min_element(st.kept_scores.begin(), st.kept_scores.end());
      bool improvement = false;
      for (int i = 0; i < k; ++i) improvement = improvement || best_possible > (st.kept_finished[i] ? worst : kPenalty);
      st.improvable = st.improvable && improvement;
      any_improvable = any_improvable || st.improvable;
    }
    for (const Sentence& st : s)
      for (bool f : st.kept_finished) all_finished = all_finished && f;
    const bool open_beam = !(all_finished && o.early_stopping == EarlyStopping::True);
    if (!(any_improvable && open_beam && !every_candidate_stopped)) break;

    // The cache follows the beams; finished sentences drop out.
    std::vector<int32_t> reorder_rows;
    std::vector<int> still_live;
    for (size_t l = 0; l < live.size(); ++l) {
      if (!s[live[l]].improvable) continue;
      for (int i = 0; i < k; ++i) reorder_rows.push_back(static_cast<int32_t>(l * k + beam_of[live[l] * k + i]));
      still_live.push_back(live[l]);
    }
    model.reorder(reorder_rows);
    live = std::move(still_live);
  }

  // Results: the best num_return_sequences slots of each sentence, padded to a common length.
  size_t longest = 0;
  for (int b = 0; b < batch; ++b) {
    Sentence& st = s[b];
    std::vector<BeamHypothesis> hyps;
    for (int i = 0; i < k; ++i)
      if (st.kept_finished[i]) hyps.push_back({st.kept[i], st.kept_scores[i]});
    for (int r = 0; r < o.num_return_sequences; ++r) {
      if (st.kept_finished[r]) {
        out.sequences.push_back(st.kept[r]);
        out.sequences_scores.push_back(st.kept_scores[r]);
      } else {  // stopped before anything finished: the best running beams
        out.sequences.push_back(st.running[r]);
        const int gen = static_cast<int>(st.running[r].size()) - prompt_len;
        out.sequences_scores.push_back(st.running_scores[r] / std::pow(static_cast<float>(std::max(gen, 1)), o.length_penalty));
      }
      longest = std::max(longest, out.sequences.back().size());
    }
    out.hypotheses.push_back(std::move(hyps));
  }
  for (auto& seq : out.sequences) seq.resize(longest, o.pad_token_id);
  return out;
}

}  // namespace hf::generation
