// Unigram (SentencePiece): per word, the segmentation with the highest total piece score
// (Viterbi over byte positions, the Rust crate's encode_optimized). A character no piece covers
// scores min_score - 10 and becomes unk_id; consecutive unknowns fuse into one token;
// byte_fallback turns an unknown piece into <0xNN> tokens when all of them exist.
#include <cstdio>
#include <limits>

#include "tokenizers/models/models.h"
#include "tokenizers/unicode.h"

namespace hf::tok {

namespace {

// Byte trie over the pieces, for common-prefix search.
class PieceTrie {
 public:
  void insert(std::string_view s, int32_t id) {
    uint32_t node = 0;
    for (unsigned char c : s) {
      uint64_t k = (uint64_t(node) << 8) | c;
      if (const uint32_t* child = edges_.find(k)) {
        node = *child;
      } else {
        uint32_t n = static_cast<uint32_t>(ids_.size());
        ids_.push_back(-1);
        edges_.set(k, n);
        node = n;
      }
    }
    ids_[node] = id;
  }
  // fn(length, id) for every piece that is a prefix of s, shortest first.
  template <class F>
  void prefixes(std::string_view s, F&& fn) const {
    uint32_t node = 0;
    for (size_t i = 0; i < s.size(); ++i) {
      const uint32_t* child = edges_.find((uint64_t(node) << 8) | static_cast<unsigned char>(s[i]));
      if (!child) return;
      node = *child;
      if (ids_[node] >= 0) fn(i + 1, ids_[node]);
    }
  }

 private:
  U64Map<uint32_t> edges_;
  std::vector<int32_t> ids_{-1};  // node 0 = root
};

class Unigram : public Model {
 public:
  Unigram(const ModelSource& src, const std::string& path) {
    const json& m = *src.model;
    std::string vpath = json_path(path, "vocab");
    min_score_ = std::numeric_limits<double>::infinity();
    for_each_scored_piece(src, path, [&](std::string_view piece, double score) {
      int32_t id = static_cast<int32_t>(scores_.size());
      vocab_.add(piece, id, vpath);
      scores_.push_back(score);
      min_score_ = std::min(min_score_, score);
      trie_.insert(piece, id);
    });
    size_t count = scores_.size();
    int64_t unk = get_int_or(m, "unk_id", path, -1);
    if (unk >= static_cast<int64_t>(count)) bad_json(json_path(path, "unk_id"), "out of range");
    unk_id_ = static_cast<int32_t>(unk);
    byte_fallback_ = get_bool_or(m, "byte_fallback", path, false);
    for (int b = 0; b < 256; ++b) {
      char name[8];
      std::snprintf(name, sizeof name, "<0x%02X>", b);
      auto id = vocab_.find(name);
      byte_ids_[b] = id ? *id : -1;
    }
  }

  void tokenize(std::string_view s, std::vector<int32_t>& out) const override {
    if (s.empty()) return;
    struct Node {
      int32_t id = -1;
      double score = 0;
      int64_t starts_at = -1;
    };
    thread_local std::vector<Node> best;
    best.assign(s.size() + 1, Node{});
    const double unk_score = min_score_ - 10.0;
    size_t start = 0;
    while (start < s.size()) {
      double base = best[start].score;
      size_t mblen = utf8_len(static_cast<unsigned char>(s[start]));
      bool has_single = false;
      trie_.prefixes(s.substr(start), [&](size_t len, int32_t id) {
        Node& t = best[start + len];
        double cand = scores_[id] + base;
        if (t.starts_at < 0 || cand > t.score) {
          t.score = cand;
          t.starts_at = static_cast<int64_t>(start);
          t.id = id;
        }
        if (len == mblen) has_single = true;
      });
      if (!has_single) {
        if (unk_id_ < 0) throw TokenizerError("Unigram: the text needs an unknown token but the model has no unk_id");
        Node& t = best[std::min(start + mblen, s.size())];
        double cand = unk_score + base;
        if (t.starts_at < 0 || cand > t.score) {
          t.score = cand;
          t.starts_at = static_cast<int64_t>(start);
          t.id = unk_id_;
        }
      }
      start += mblen;
    }
    // Back-track; pieces come out right to left. Consecutive unknowns fuse.
    thread_local std::vector<std::pair<size_t, size_t>> pieces;  // [begin, end) of each token
    thread_local std::vector<char> is_unk;
    pieces.clear();
    is_unk.clear();
    size_t end = s.size();
    while (end > 0) {
      const Node& n = best[end];
      size_t b = static_cast<size_t>(n.starts_at);
      bool unk = n.id == unk_id_;
      if (unk && !is_unk.empty() && is_unk.back()) pieces.back().first = b;
      else {
        pieces.emplace_back(b, end);
        is_unk.push_back(unk);
      }
      end = b;
    }
    for (size_t k = pieces.size(); k-- > 0;) {
      std::string_view piece = s.substr(pieces[k].first, pieces[k].second - pieces[k].first);
      if (auto id = vocab_.find(piece)) {
        out.push_back(*id);
        continue;
      }
      if (byte_fallback_) {
        bool all = true;
        for (unsigned char c : piece) all = all && byte_ids_[c] >= 0;
        if (all) {
          for (unsigned char c : piece) out.push_back(byte_ids_[c]);
          continue;
        }
      }
      if (unk_id_ < 0) throw TokenizerError("Unigram: the text needs an unknown token but the model has no unk_id");
      out.push_back(unk_id_);
    }
  }

  std::optional<int32_t> token_to_id(std::string_view t) const override { return vocab_.find(t); }
  const std::string* id_to_token(int32_t id) const override { return vocab_.token(id); }
  size_t vocab_size() const override { return vocab_.size(); }

 private:
  Vocab vocab_;
  std::vector<double> scores_;
  PieceTrie trie_;
  double min_score_ = 0;
  int32_t unk_id_ = -1;
  bool byte_fallback_ = false;
  int32_t byte_ids_[256];
};

}  // namespace

std::unique_ptr<Model> make_unigram(const ModelSource& src, const std::string& path) {
  return std::make_unique<Unigram>(src, path);
}

}  // namespace hf::tok
