#include "tokenizers/json_loader.h"
#include "tokenizers/models/models.h"

namespace hf::tok {

void Vocab::build(std::vector<std::pair<std::string, int64_t>>&& entries, const std::string& path) {
  map_.reserve(entries.size());
  int64_t max_id = -1;
  for (auto& [tok, id] : entries) {
    if (id < 0 || id >= (int64_t(1) << 31)) bad_json(json_path(path, tok), "id " + std::to_string(id) + " out of range");
    max_id = std::max(max_id, id);
  }
  tokens_.assign(static_cast<size_t>(max_id + 1), std::string());
  present_.assign(static_cast<size_t>(max_id + 1), false);
  for (auto& [tok, id] : entries) {
    map_.set(tok, static_cast<int32_t>(id));
    tokens_[id] = std::move(tok);
    present_[id] = true;
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

std::vector<std::pair<std::string, int64_t>> model_vocab_object(const ModelSource& src, const std::string& path) {
  std::string storage;
  std::string_view t = raw_text(src, src.vocab_text, "vocab", path, storage);
  return read_vocab_object(t, json_path(path, "vocab"));
}

std::vector<std::pair<std::string, double>> model_scored_vocab(const ModelSource& src, const std::string& path) {
  std::string storage;
  std::string_view t = raw_text(src, src.vocab_text, "vocab", path, storage);
  return read_scored_vocab(t, json_path(path, "vocab"));
}

std::vector<std::pair<std::string, std::string>> model_merges(const ModelSource& src, const std::string& path) {
  std::string storage;
  std::string_view t = raw_text(src, src.merges_text, "merges", path, storage);
  return read_merges(t, json_path(path, "merges"));
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
  unknown_type(path, "model", type);
}

}  // namespace hf::tok
