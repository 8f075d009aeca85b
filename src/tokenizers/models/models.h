#pragma once
// Model builders (bpe.cpp, unigram.cpp, wordpiece.cpp) and what they share: a string ↔ id
// vocabulary and the readers for model.vocab / model.merges (raw text or JSON).
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "tokenizers/hash_maps.h"
#include "tokenizers/json_util.h"
#include "tokenizers/pipeline.h"

namespace hf::tok {

class Vocab {
 public:
  void reserve(size_t n);
  // ids must be in [0, 2^31); a repeated token keeps its last id.
  void add(std::string_view token, int64_t id, const std::string& path);
  // Many (token, id) at once: hashes computed and slots prefetched in blocks (a vocabulary of
  // 150k entries is 150k cache misses otherwise).
  void add_all(const std::vector<std::pair<std::string_view, int64_t>>& entries, const std::string& path);
  std::optional<int32_t> find(std::string_view token) const {
    const int32_t* v = map_.find(token);
    return v ? std::optional<int32_t>(*v) : std::nullopt;
  }
  std::optional<int32_t> find_hashed(std::string_view token, uint64_t h) const {
    const int32_t* v = map_.find_hashed(token, h);
    return v ? std::optional<int32_t>(*v) : std::nullopt;
  }
  void prefetch(uint64_t h) const { map_.prefetch(h); }
  const std::string* token(int32_t id) const {
    return id >= 0 && static_cast<size_t>(id) < tokens_.size() && present_[id] ? &tokens_[id] : nullptr;
  }
  size_t size() const { return tokens_.size(); }  // max id + 1
  size_t count() const { return map_.size(); }

 private:
  StringIdMap map_;
  std::vector<std::string> tokens_;
  std::vector<bool> present_;
};

// model.vocab {"token": id} into a Vocab.
void load_vocab_object(const ModelSource& src, const std::string& path, Vocab& vocab);
// model.vocab [["piece", score], ...] / model.merges, entry by entry.
void for_each_scored_piece(const ModelSource& src, const std::string& path,
                           const std::function<void(std::string_view, double)>& fn);
void for_each_merge(const ModelSource& src, const std::string& path,
                    const std::function<void(std::string_view, std::string_view)>& fn);

std::unique_ptr<Model> make_bpe(const ModelSource& src, const std::string& path);
std::unique_ptr<Model> make_unigram(const ModelSource& src, const std::string& path);
std::unique_ptr<Model> make_wordpiece(const ModelSource& src, const std::string& path);
std::unique_ptr<Model> make_wordlevel(const ModelSource& src, const std::string& path);

}  // namespace hf::tok
