// SentenceTransformer (see hf/sentence_transformers.h): sentence-transformers' models/Transformer.py,
// models/Pooling.py and models/Normalize.py.
#include "hf/sentence_transformers.h"

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "core/json.h"
#include "hf/error.h"

namespace hf {

namespace {

PoolingConfig read_pooling(const std::filesystem::path& file) {
  const json j = read_json_file(file);
  PoolingConfig p;
  p.cls = j.value("pooling_mode_cls_token", false);
  p.max = j.value("pooling_mode_max_tokens", false);
  p.mean = j.value("pooling_mode_mean_tokens", false);
  p.mean_sqrt_len = j.value("pooling_mode_mean_sqrt_len_tokens", false);
  p.lasttoken = j.value("pooling_mode_lasttoken", false);
  if (j.value("pooling_mode_weightedmean_tokens", false))
    throw ModelError(file.string() + ": pooling_mode_weightedmean_tokens is not supported");
  if (!(p.cls || p.max || p.mean || p.mean_sqrt_len || p.lasttoken))
    throw ModelError(file.string() + ": no pooling mode is on");
  return p;
}

}  // namespace

SentenceTransformer SentenceTransformer::from_pretrained(const std::string& name, const HubOptions& hub) {
  const std::filesystem::path dir = resolve_model(name, hub);
  if (!std::filesystem::exists(dir / "modules.json"))
    throw ModelError(dir.string() + ": no modules.json (not a sentence-transformers model; use feature-extraction for raw token states)");
  const json modules = read_json_file(dir / "modules.json");
  if (!modules.is_array()) throw ModelError((dir / "modules.json").string() + ": expected a list of modules");
  SentenceTransformer st;
  bool transformer = false, pooling = false;
  // Modules in idx order, as SentenceTransformer loads them.
  std::vector<json> ordered(modules.begin(), modules.end());
  std::stable_sort(ordered.begin(), ordered.end(), [](const json& a, const json& b) { return a.value("idx", 0) < b.value("idx", 0); });
  for (const json& m : ordered) {
    const std::string type = m.value("type", ""), path = m.value("path", "");
    if (type.ends_with("models.Transformer")) {
      transformer = true;
      if (!path.empty()) throw ModelError(dir.string() + ": a Transformer module in a subfolder (" + path + ") is not supported");
    } else if (type.ends_with("models.Pooling")) {
      st.pooling_ = read_pooling(dir / path / "config.json");
      pooling = true;
    } else if (type.ends_with("models.Normalize")) {
      st.normalize_ = true;  // 2_Normalize has no files: nothing to read
    } else {
      throw ModelError((dir / "modules.json").string() + ": module type \"" + type + "\" is not supported (Transformer, Pooling, Normalize)");
    }
  }
  if (!transformer) throw ModelError((dir / "modules.json").string() + ": no Transformer module");
  if (!pooling) st.pooling_ = PoolingConfig{};  // mean, sentence-transformers' default
  st.tok_ = AutoTokenizer::from_pretrained(dir.string());
  st.model_ = EncoderModel::load(dir, EncoderHead::None);
  st.max_seq_length_ = std::min<int64_t>(st.tok_.model_max_length(), st.model_.config().max_position_embeddings);
  if (std::filesystem::exists(dir / "sentence_bert_config.json")) {
    const json c = read_json_file(dir / "sentence_bert_config.json");
    if (c.contains("max_seq_length") && c["max_seq_length"].is_number_integer()) st.max_seq_length_ = c["max_seq_length"].get<int64_t>();
  }
  return st;
}

size_t SentenceTransformer::dimension() const {
  const int n = pooling_.cls + pooling_.max + pooling_.mean + pooling_.mean_sqrt_len + pooling_.lasttoken;
  return static_cast<size_t>(n * model_.config().hidden_size);
}

size_t SentenceTransformer::count_tokens(const std::string& text) const {
  return tok_.encode_plus(text, {.truncation = "longest_first", .max_length = static_cast<int>(max_seq_length_)})[0].size();
}

std::vector<float> SentenceTransformer::encode(const std::string& text) const {
  const Encoding e = tok_.encode_plus(text, {.truncation = "longest_first", .max_length = static_cast<int>(max_seq_length_)})[0];
  std::span<const int32_t> types;
  if (tok_.returns_token_type_ids()) types = e.token_type_ids;
  return pool(e.input_ids, types);
}

std::vector<float> SentenceTransformer::encode_ids(std::span<const int32_t> ids) const {
  if (ids.empty()) throw InputError("sentence embeddings: an empty list of token ids");
  if (static_cast<int64_t>(ids.size()) > max_seq_length_)
    throw InputError("sentence embeddings: " + std::to_string(ids.size()) + " token ids, more than the model's max_seq_length " +
                     std::to_string(max_seq_length_));
  for (int32_t id : ids)
    if (id < 0 || id >= model_.config().vocab_size)
      throw InputError("sentence embeddings: token id " + std::to_string(id) + " is outside the vocabulary [0, " +
                       std::to_string(model_.config().vocab_size) + ")");
  return pool(ids, {});
}

std::vector<float> SentenceTransformer::pool(std::span<const int32_t> ids, std::span<const int32_t> types) const {
  const EncoderOutput out = model_(ids, types);
  const int64_t T = out.last_hidden_state.dim(1), H = out.last_hidden_state.dim(2);
  const float* h = out.last_hidden_state.data_as<float>();
  std::vector<float> v;
  if (pooling_.cls) v.insert(v.end(), h, h + H);
  if (pooling_.max) {
    std::vector<float> m(h, h + H);
    for (int64_t t = 1; t < T; ++t)
      for (int64_t i = 0; i < H; ++i) m[i] = std::max(m[i], h[t * H + i]);
    v.insert(v.end(), m.begin(), m.end());
  }
  if (pooling_.mean || pooling_.mean_sqrt_len) {
    std::vector<double> sum(H, 0.0);
    for (int64_t t = 0; t < T; ++t)
      for (int64_t i = 0; i < H; ++i) sum[i] += h[t * H + i];
    if (pooling_.mean)
      for (int64_t i = 0; i < H; ++i) v.push_back(static_cast<float>(sum[i] / T));
    if (pooling_.mean_sqrt_len)
      for (int64_t i = 0; i < H; ++i) v.push_back(static_cast<float>(sum[i] / std::sqrt(double(T))));
  }
  if (pooling_.lasttoken) v.insert(v.end(), h + (T - 1) * H, h + T * H);
  if (normalize_) {
    double sq = 0;
    for (float x : v) sq += double(x) * x;
    const double norm = std::max(std::sqrt(sq), 1e-12);
    for (float& x : v) x = static_cast<float>(x / norm);
  }
  return v;
}

std::vector<std::vector<float>> SentenceTransformer::encode(const std::vector<std::string>& texts) const {
  std::vector<std::vector<float>> out;
  for (const std::string& t : texts) out.push_back(encode(t));
  return out;
}

}  // namespace hf
