#include <algorithm>
#include <deque>

#include "tokenizers/json_loader.h"
#include "tokenizers/models/models.h"

namespace hf::tok {

void Vocab::reserve(size_t n) {
  map_.reserve(n);
  tokens_.reserve(n);
  present_.reserve(n);
}

void Vocab::add(std::string_view token, int64_t id, const std::string& path) {
  if (id < 0 || id >= (int64_t(1) << 31)) bad_json(json_path(path, std::string(token)), "id " + std::to_string(id) + " out of range");
  if (static_cast<size_t>(id) >= tokens_.size()) {
    tokens_.resize(static_cast<size_t>(id) + 1);
    present_.resize(static_cast<size_t>(id) + 1, false);
  }
  map_.set(token, static_cast<int32_t>(id));
  tokens_[id].assign(token);
  present_[id] = true;
}

void Vocab::add_all(const std::vector<std::pair<std::string_view, int64_t>>& entries, const std::string& path) {
  int64_t max_id = -1;
  for (const auto& [tok, id] : entries) {
    if (id < 0 || id >= (int64_t(1) << 31)) bad_json(json_path(path, std::string(tok)), "id " + std::to_string(id) + " out of range");
    max_id = std::max(max_id, id);
  }
  if (static_cast<size_t>(max_id + 1) > tokens_.size()) {
    tokens_.resize(static_cast<size_t>(max_id + 1));
    present_.resize(static_cast<size_t>(max_id + 1), false);
  }
  map_.reserve(map_.size() + entries.size());
  constexpr size_t kBlock = 32;
  uint64_t hashes[kBlock];
  for (size_t b = 0; b < entries.size(); b += kBlock) {
    size_t n = std::min(kBlock, entries.size() - b);
    for (size_t k = 0; k < n; ++k) {
      hashes[k] = StringIdMap::hash(entries[b + k].first);
      map_.prefetch(hashes[k]);
    }
    for (size_t k = 0; k < n; ++k) {
      const auto& [tok, id] = entries[b + k];
      map_.set_hashed(tok, hashes[k], static_cast<int32_t>(id));
      tokens_[id].assign(tok);
      present_[id] = true;
    }
  }
}

namespace {
// The raw JSON text of model.<key>: split out by the loader, or dumped from the DOM.
std::string_view raw_text(const ModelSource& src, std::string_view split_out, const char* key, const std::string& path,
                          std::string& storage) {
  if (!split_out.empty()) return split_out;
  const json& v = field(*src.model, key, path);
  storage = v.dump();
  return storage;
}
}  // namespace

void load_vocab_object(const ModelSource& src, const std::string& path, Vocab& vocab) {
  std::string storage;
  std::string_view t = raw_text(src, src.vocab_text, "vocab", path, storage);
  std::string vpath = json_path(path, "vocab");
  std::vector<std::pair<std::string_view, int64_t>> entries;
  entries.reserve(t.size() / 12 + 16);
  std::deque<std::string> copies;  // tokens with escapes (the reader's view is temporary)
  read_vocab_object(t, vpath, [&](std::string_view token, int64_t id) {
    bool in_text = !token.empty() && token.data() >= t.data() && token.data() + token.size() <= t.data() + t.size();
    entries.emplace_back(in_text ? token : std::string_view(copies.emplace_back(token)), id);
  });
  vocab.add_all(entries, vpath);
}

void for_each_scored_piece(const ModelSource& src, const std::string& path,
                           const std::function<void(std::string_view, double)>& fn) {
  std::string storage;
  std::string_view t = raw_text(src, src.vocab_text, "vocab", path, storage);
  read_scored_vocab(t, json_path(path, "vocab"), fn);
}

void for_each_merge(const ModelSource& src, const std::string& path,
                    const std::function<void(std::string_view, std::string_view)>& fn) {
  std::string storage;
  std::string_view t = raw_text(src, src.merges_text, "merges", path, storage);
  read_merges(t, json_path(path, "merges"), fn);
}

std::unique_ptr<Model> make_model(const ModelSource& src, const std::string& path) {
  if (!src.model || !src.model->is_object()) bad_json(path, "missing or not an object");
  std::string type;
  if (const json* t = opt_field(*src.model, "type")) {
    if (!t->is_string()) bad_json(json_path(path, "type"), "expected a string");
    type = t->get<std::string>();
  } else {
    // Old files leave the type out; tell the models apart by their fields, as the Rust crate does.
    bool has_merges = !src.merges_text.empty() || opt_field(*src.model, "merges");
    if (has_merges) type = "BPE";
    else if (opt_field(*src.model, "unk_id") || (src.vocab_text.size() && src.vocab_text[0] == '[')) type = "Unigram";
    else type = "WordPiece";
  }
  if (type == "BPE") return make_bpe(src, path);
  if (type == "Unigram") return make_unigram(src, path);
  if (type == "WordPiece") return make_wordpiece(src, path);
  if (type == "WordLevel") return make_wordlevel(src, path);
  unknown_type(path, "model", type);
}

}  // namespace hf::tok
