// BPE, as the Rust crate runs it: a word becomes one symbol per character (with
// continuing_subword_prefix / end_of_word_suffix, byte_fallback to <0xNN>, unknown characters
// fused into one unk), then the adjacent pair with the lowest merge rank is merged, leftmost
// first, until no pair has a merge. Merges are a hash map (id, id) → (rank, merged id).
#include <algorithm>
#include <cstdio>
#include <deque>
#include <exception>
#include <thread>

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
    load_vocab_and_merges(src, path);
    for (int b = 0; b < 256; ++b) {
      char name[8];
      std::snprintf(name, sizeof name, "<0x%02X>", b);
      auto id = vocab_.find(name);
      byte_ids_[b] = id ? *id : -1;
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
  std::string_view continuing_prefix() const override { return prefix_; }
  std::string_view end_of_word_suffix() const override { return suffix_; }

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

  // The two big reads overlap: one thread reads model.merges (as views into the file) while this
  // one builds the vocabulary; then the merges are resolved to ids on a few threads (read-only
  // lookups) and inserted into the merge map. Cuts the load of a 150k-merge tokenizer by half.
  void load_vocab_and_merges(const ModelSource& src, const std::string& path) {
    std::string mpath = json_path(path, "merges");
    std::vector<std::pair<std::string_view, std::string_view>> merges;
    std::deque<std::string> copies;  // merge tokens that are not plain views into the file
    const char* lo = src.merges_text.data();
    const char* hi = lo + src.merges_text.size();
    auto keep = [&](std::string_view v) -> std::string_view {
      if (!v.empty() && v.data() >= lo && v.data() + v.size() <= hi) return v;
      return copies.emplace_back(v);
    };
    merges.reserve(src.merges_text.size() / 12 + 16);
    std::exception_ptr merges_error;
    std::thread reader([&] {
      try {
        for_each_merge(src, path, [&](std::string_view a, std::string_view b) { merges.emplace_back(keep(a), keep(b)); });
      } catch (...) {
        merges_error = std::current_exception();
      }
    });
    try {
      load_vocab_object(src, path, vocab_);
    } catch (...) {
      reader.join();
      throw;
    }
    reader.join();
    if (merges_error) std::rethrow_exception(merges_error);

    struct Resolved {
      uint64_t key;
      int32_t new_id;  // -1: error, see `what`
      uint8_t what;    // 1: first token unknown, 2: second, 3: merged token
    };
    std::vector<Resolved> resolved(merges.size());
    auto resolve = [&](size_t begin, size_t end) {
      // Blocks of merges: hash the three lookups of each and prefetch their slots, then probe.
      constexpr size_t kBlock = 32;
      std::string joined[kBlock];
      uint64_t ha[kBlock], hb[kBlock], hj[kBlock];
      for (size_t blk = begin; blk < end; blk += kBlock) {
        size_t n = std::min(kBlock, end - blk);
        for (size_t k = 0; k < n; ++k) {
          auto [a, b] = merges[blk + k];
          joined[k].assign(a);
          if (!prefix_.empty() && b.substr(0, prefix_.size()) == prefix_) joined[k].append(b.substr(prefix_.size()));
          else joined[k].append(b);
          ha[k] = StringIdMap::hash(a);
          hb[k] = StringIdMap::hash(b);
          hj[k] = StringIdMap::hash(joined[k]);
          vocab_.prefetch(ha[k]);
          vocab_.prefetch(hb[k]);
          vocab_.prefetch(hj[k]);
        }
        for (size_t k = 0; k < n; ++k) {
          auto [a, b] = merges[blk + k];
          Resolved& r = resolved[blk + k];
          r.new_id = -1;
          auto ia = vocab_.find_hashed(a, ha[k]);
          if (!ia) { r.what = 1; continue; }
          auto ib = vocab_.find_hashed(b, hb[k]);
          if (!ib) { r.what = 2; continue; }
          auto inew = vocab_.find_hashed(joined[k], hj[k]);
          if (!inew) { r.what = 3; continue; }
          r.key = key(*ia, *ib);
          r.new_id = *inew;
        }
      }
    };
    size_t threads = std::clamp<size_t>(std::thread::hardware_concurrency(), 1, 4);
    if (merges.size() < 20000) threads = 1;
    std::vector<std::thread> pool;
    size_t chunk = (merges.size() + threads - 1) / threads;
    for (size_t t = 1; t < threads; ++t)
      pool.emplace_back(resolve, std::min(merges.size(), t * chunk), std::min(merges.size(), (t + 1) * chunk));
    resolve(0, std::min(merges.size(), chunk));
    for (auto& th : pool) th.join();

    merges_.reserve(merges.size());
    for (size_t i = 0; i < merges.size(); ++i) {
      const Resolved& r = resolved[i];
      if (i + 16 < merges.size() && resolved[i + 16].new_id >= 0) merges_.prefetch(resolved[i + 16].key);
      if (r.new_id < 0) {
        auto [a, b] = merges[i];
        std::string joined = std::string(a) + std::string(b.substr(!prefix_.empty() && b.substr(0, prefix_.size()) == prefix_ ? prefix_.size() : 0));
        std::string what = r.what == 1 ? "token \"" + std::string(a) + "\" is not in the vocabulary"
                         : r.what == 2 ? "token \"" + std::string(b) + "\" is not in the vocabulary"
                                       : "merged token \"" + joined + "\" is not in the vocabulary";
        bad_json(json_path(mpath, i), "merge \"" + std::string(a) + " " + std::string(b) + "\": " + what);
      }
      merges_.set(r.key, MergeInfo{static_cast<uint32_t>(i), r.new_id});
    }
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
