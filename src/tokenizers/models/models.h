#pragma once
// Model builders (bpe.cpp, unigram.cpp, wordpiece.cpp) and what they share: a string ↔ id
// vocabulary and the readers for model.vocab / model.merges (raw text or JSON).
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
  // entries: (token, id); ids must be in [0, 2^31).
  void build(std::vector<std::pair<std::string, int64_t>>&& entries, const std::string& path);
  std::optional<int32_t> find(std::string_view token) const {
    const int32_t* v = map_.find(token);
    return v ? std::optional<int32_t>(*v) : std::nullopt;
  }
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

std::vector<std::pair<std::string, int64_t>> model_vocab_object(const ModelSource& src, const std::string& path);
std::vector<std::pair<std::string, double>> model_scored_vocab(const ModelSource& src, const std::string& path);
std::vector<std::pair<std::string, std::string>> model_merges(const ModelSource& src, const std::string& path);

std::unique_ptr<Model> make_bpe(const ModelSource& src, const std::string& path);
std::unique_ptr<Model> make_unigram(const ModelSource& src, const std::string& path);
std::unique_ptr<Model> make_wordpiece(const ModelSource& src, const std::string& path);

}  // namespace hf::tok
