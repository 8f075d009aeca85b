#include "tokenizers/added_vocabulary.h"

#include <algorithm>

#include "tokenizers/unicode.h"

namespace hf::tok {

void AddedVocabulary::add(const AddedToken& t) {
  if (content_to_index_.find(t.content)) return;
  content_to_index_.set(t.content, static_cast<int32_t>(tokens_.size()));
  if (t.id >= static_cast<int32_t>(index_by_id_.size())) index_by_id_.resize(static_cast<size_t>(t.id) + 1, -1);
  index_by_id_[t.id] = static_cast<int32_t>(tokens_.size());
  max_id_ = std::max(max_id_, t.id);
  tokens_.push_back(t);
}

const AddedToken* AddedVocabulary::by_id(int32_t id) const {
  if (id < 0 || static_cast<size_t>(id) >= index_by_id_.size() || index_by_id_[id] < 0) return nullptr;
  return &tokens_[index_by_id_[id]];
}

std::optional<int32_t> AddedVocabulary::find(std::string_view content) const {
  const int32_t* i = content_to_index_.find(content);
  return i ? std::optional<int32_t>(tokens_[*i].id) : std::nullopt;
}

void AddedVocabulary::build(Matcher& m, bool normalized, const Normalizer* normalizer) {
  for (size_t i = 0; i < tokens_.size(); ++i) {
    const AddedToken& t = tokens_[i];
    if (t.normalized != normalized || t.content.empty()) continue;
    if (split_special_ && t.special) continue;  // split_special_tokens: specials are plain text
    std::string p = t.content;
    if (normalized && normalizer) normalizer->normalize(p);
    if (p.empty()) continue;
    m.patterns.push_back(std::move(p));
    m.token_index.push_back(i);
  }
  for (uint32_t k = 0; k < m.patterns.size(); ++k) m.by_first[static_cast<unsigned char>(m.patterns[k][0])].push_back(k);
  for (auto& list : m.by_first)
    std::stable_sort(list.begin(), list.end(), [&](uint32_t a, uint32_t b) { return m.patterns[a].size() > m.patterns[b].size(); });
}

void AddedVocabulary::finalize(const Normalizer* normalizer, bool split_special_tokens) {
  split_special_ = split_special_tokens;
  raw_ = Matcher{};
  normalized_ = Matcher{};
  build(raw_, false, normalizer);
  build(normalized_, true, normalizer);
}

namespace {
bool is_word_char(char32_t c) { return c == '_' || is_alphanumeric(c); }

char32_t last_cp(std::string_view s) {
  size_t k = s.size() - 1;
  while (k > 0 && (static_cast<unsigned char>(s[k]) & 0xC0) == 0x80) --k;
  size_t i = k;
  return next_cp(s, i);
}
}  // namespace

void AddedVocabulary::split_with(const Matcher& m, std::string_view s, std::vector<Segment>& out) const {
  size_t start_offset = 0;
  size_t pos = 0;
  while (pos < s.size()) {
    const auto& cands = m.by_first[static_cast<unsigned char>(s[pos])];
    int best = -1;
    for (uint32_t k : cands) {
      const std::string& p = m.patterns[k];
      if (p.size() <= s.size() - pos && s.compare(pos, p.size(), p) == 0) {
        best = static_cast<int>(k);
        break;  // longest first
      }
    }
    if (best < 0) {
      ++pos;
      continue;
    }
    const AddedToken& t = tokens_[m.token_index[best]];
    size_t start = pos, stop = pos + m.patterns[best].size();
    pos = stop;  // matching resumes after this match, whatever happens to it
    if (t.single_word) {
      bool start_space = start == 0 || !is_word_char(last_cp(s.substr(0, start)));
      size_t j = stop;
      bool stop_space = stop == s.size() || !is_word_char(next_cp(s, j));
      if (!start_space || !stop_space) continue;
    }
    if (t.lstrip) {
      size_t ns = start;
      while (ns > 0) {
        size_t k = ns - 1;
        while (k > 0 && (static_cast<unsigned char>(s[k]) & 0xC0) == 0x80) --k;
        size_t j = k;
        if (!is_whitespace(next_cp(s, j))) break;
        ns = k;
      }
      start = std::max(ns, start_offset);
    }
    if (t.rstrip) {
      while (stop < s.size()) {
        size_t j = stop;
        if (!is_whitespace(next_cp(s, j))) break;
        stop = j;
      }
      pos = std::max(pos, stop);
    }
    if (start < start_offset) continue;
    if (start_offset < start) out.push_back({-1, start_offset, start});
    out.push_back({t.id, start, stop});
    start_offset = stop;
  }
  if (start_offset < s.size()) out.push_back({-1, start_offset, s.size()});
}

void AddedVocabulary::split(std::string_view s, bool normalized_set, std::vector<Segment>& out) const {
  out.clear();
  if (s.empty()) return;
  const Matcher& m = normalized_set ? normalized_ : raw_;
  if (m.empty()) {
    out.push_back({-1, 0, s.size()});
    return;
  }
  split_with(m, s, out);
}

}  // namespace hf::tok
