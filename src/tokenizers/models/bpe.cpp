// BPE, as the Rust crate runs it: a word becomes one symbol per character (with
// continuing_subword_prefix / end_of_word_suffix, byte_fallback to <0xNN>, unknown characters
// fused into one unk), then the adjacent pair with the lowest merge rank is merged, leftmost
// first, until no pair has a merge. Merges are a hash map (id, id) → (rank, merged id).
#include <algorithm>
#include <cstdio>

#include "tokenizers/models/models.h"
#include "tokenizers/models/word_cache.h"
#include "tokenizers/unicode.h"

namespace hf::tok {

namespace {

struct MergeInfo {
  uint32_t rank = 0;
  int32_t new_id = 0;
};

class BPE : public Model {
 public:
  BPE(const ModelSource& src, const std::string& path) {
    const json& m = *src.model;
    vocab_.build(model_vocab_object(src, path), json_path(path, "vocab"));
    if (const json* u = opt_field(m, "unk_token")) {
      if (!u->is_string()) bad_json(json_path(path, "unk_token"), "expected a string");
      unk_token_ = u->get<std::string>();
      has_unk_ = true;
    }
    prefix_ = get_string_or(m, "continuing_subword_prefix", path, "");
    suffix_ = get_string_or(m, "end_of_word_suffix", path, "");
    fuse_unk_ = get_bool_or(m, "fuse_unk", path, false);
    byte_fallback_ = get_bool_or(m, "byte_fallback", path, false);
    ignore_merges_ = get_bool_or(m, "ignore_merges", path, false);
    for (int b = 0; b < 256; ++b) {
      char name[8];
      std::snprintf(name, sizeof name, "<0x%02X>", b);
      auto id = vocab_.find(name);
      byte_ids_[b] = id ? *id : -1;
    }

    auto merges = model_merges(src, path);
    merges_.reserve(merges.size());
    std::string mpath = json_path(path, "merges");
    std::string joined;
    for (size_t i = 0; i < merges.size(); ++i) {
      const auto& [a, b] = merges[i];
      auto ia = vocab_.find(a);
      if (!ia) bad_json(json_path(mpath, i), "merge \"" + a + " " + b + "\": token \"" + a + "\" is not in the vocabulary");
      auto ib = vocab_.find(b);
      if (!ib) bad_json(json_path(mpath, i), "merge \"" + a + " " + b + "\": token \"" + b + "\" is not in the vocabulary");
      joined.assign(a);
      if (!prefix_.empty() && b.compare(0, prefix_.size(), prefix_) == 0) joined.append(b, prefix_.size());
      else joined.append(b);
      auto inew = vocab_.find(joined);
      if (!inew) bad_json(json_path(mpath, i), "merge \"" + a + " " + b + "\": merged token \"" + joined + "\" is not in the vocabulary");
      merges_.set(key(*ia, *ib), MergeInfo{static_cast<uint32_t>(i), *inew});
    }
  }

  void tokenize(std::string_view word, std::vector<int32_t>& out) const override {
    if (word.empty()) return;
    if (ignore_merges_) {
      if (auto id = vocab_.find(word)) {
        out.push_back(*id);
        return;
      }
    }
    if (cache_.get(word, out)) return;
    size_t first = out.size();
    merge_word(word, out);
    cache_.put(word, out.data() + first, out.size() - first);
  }

  std::optional<int32_t> token_to_id(std::string_view t) const override { return vocab_.find(t); }
  const std::string* id_to_token(int32_t id) const override { return vocab_.token(id); }
  size_t vocab_size() const override { return vocab_.size(); }

 private:
  static uint64_t key(int32_t a, int32_t b) { return (uint64_t(uint32_t(a)) << 32) | uint32_t(b); }

  struct Symbol {
    int32_t id;
    int32_t prev, next;
    bool removed;
  };
  struct Candidate {
    uint32_t rank;
    int32_t pos;
    int32_t new_id;
    bool operator<(const Candidate& o) const {  // max-heap order: top = lowest rank, then leftmost
      return rank != o.rank ? rank > o.rank : pos > o.pos;
    }
  };

  int32_t unk_id() const {
    auto id = vocab_.find(unk_token_);
    if (!id) throw TokenizerError("BPE: unk_token \"" + unk_token_ + "\" is not in the vocabulary");
    return *id;
  }

  void merge_word(std::string_view w, std::vector<int32_t>& out) const {
    thread_local std::vector<Symbol> syms;
    thread_local std::vector<Candidate> heap_storage;
    thread_local std::string s;
    syms.clear();
    auto add = [&](int32_t id) { syms.push_back(Symbol{id, static_cast<int32_t>(syms.size()) - 1, -1, false}); };
    bool have_unk = false;
    int32_t pending_unk = 0;
    size_t i = 0;
    while (i < w.size()) {
      size_t b = i;
      i += utf8_len(static_cast<unsigned char>(w[i]));
      std::string_view ch = w.substr(b, i - b);
      std::string_view piece = ch;
      if ((b != 0 && !prefix_.empty()) || (i >= w.size() && !suffix_.empty())) {
        s.clear();
        if (b != 0) s += prefix_;
        s += ch;
        if (i >= w.size()) s += suffix_;
        piece = s;
      }
      if (auto id = vocab_.find(piece)) {
        if (have_unk) {
          add(pending_unk);
          have_unk = false;
        }
        add(*id);
        continue;
      }
      if (byte_fallback_) {
        bool all = true;
        for (unsigned char c : piece) all = all && byte_ids_[c] >= 0;
        if (all) {
          for (unsigned char c : piece) add(byte_ids_[c]);
          continue;
        }
      }
      if (has_unk_) {
        if (have_unk && !fuse_unk_) add(pending_unk);
        if (!have_unk || !fuse_unk_) pending_unk = unk_id();
        have_unk = true;
      }
    }
    if (have_unk) add(pending_unk);
    for (size_t k = 0; k + 1 < syms.size(); ++k) syms[k].next = static_cast<int32_t>(k + 1);

    std::vector<Candidate>& heap = heap_storage;
    heap.clear();
    auto push = [&](Candidate c) {
      heap.push_back(c);
      std::push_heap(heap.begin(), heap.end());
    };
    for (size_t k = 0; k + 1 < syms.size(); ++k)
      if (const MergeInfo* m = merges_.find(key(syms[k].id, syms[k + 1].id)))
        push(Candidate{m->rank, static_cast<int32_t>(k), m->new_id});
    while (!heap.empty()) {
      std::pop_heap(heap.begin(), heap.end());
      Candidate top = heap.back();
      heap.pop_back();
      Symbol& cur = syms[top.pos];
      if (cur.removed || cur.next < 0) continue;
      Symbol& right = syms[cur.next];
      const MergeInfo* m = merges_.find(key(cur.id, right.id));
      if (!m || m->new_id != top.new_id) continue;  // stale entry
      cur.id = top.new_id;
      right.removed = true;
      cur.next = right.next;
      if (cur.next >= 0) syms[cur.next].prev = top.pos;
      if (cur.prev >= 0)
        if (const MergeInfo* pm = merges_.find(key(syms[cur.prev].id, cur.id)))
          push(Candidate{pm->rank, cur.prev, pm->new_id});
      if (cur.next >= 0)
        if (const MergeInfo* nm = merges_.find(key(cur.id, syms[cur.next].id)))
          push(Candidate{nm->rank, top.pos, nm->new_id});
    }
    for (const Symbol& sym : syms)
      if (!sym.removed) out.push_back(sym.id);
  }

  Vocab vocab_;
  U64Map<MergeInfo> merges_;
  std::string unk_token_;
  bool has_unk_ = false;
  std::string prefix_, suffix_;
  bool fuse_unk_ = false, byte_fallback_ = false, ignore_merges_ = false;
  int32_t byte_ids_[256];
  WordCache cache_;
};

}  // namespace

std::unique_ptr<Model> make_bpe(const ModelSource& src, const std::string& path) { return std::make_unique<BPE>(src, path); }

}  // namespace hf::tok
