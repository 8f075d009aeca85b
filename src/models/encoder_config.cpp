// config.json → EncoderConfig. BERT-style configs (bert, roberta, xlm-roberta, camembert) name
// their sizes hidden_size / num_hidden_layers / ...; DistilBERT's say dim / n_layers / n_heads /
// hidden_dim / activation and fix LayerNorm eps at 1e-12 in the modeling code.
#include <algorithm>
#include <cstdlib>

#include "core/json.h"
#include "hf/encoder.h"
#include "hf/error.h"
#include "models/config_labels.h"

namespace hf {

namespace {

struct Keys {
  const json& j;
  const std::string& where;
  bool present(const char* k) const { return j.contains(k) && !j[k].is_null(); }
  int64_t positive(const char* k) const {
    if (!present(k)) throw ConfigError(where + ": " + k + " is missing");
    if (!j[k].is_number_integer() || j[k].get<int64_t>() <= 0)
      throw ConfigError(where + ": " + k + " must be a positive integer, got " + j[k].dump());
    return j[k].get<int64_t>();
  }
  int64_t integer(const char* k, int64_t dflt) const {
    if (!present(k)) return dflt;
    if (!j[k].is_number_integer()) throw ConfigError(where + ": " + k + " must be an integer, got " + j[k].dump());
    return j[k].get<int64_t>();
  }
  std::string string(const char* k, const std::string& dflt) const {
    if (!present(k)) return dflt;
    if (!j[k].is_string()) throw ConfigError(where + ": " + k + " must be a string, got " + j[k].dump());
    return j[k].get<std::string>();
  }
};

// id2label {"0": "NEGATIVE", ...} → by id; num_labels (or label2id) when id2label is absent.
std::vector<std::string> read_labels(const Keys& r) {
  int64_t n = 2;  // PretrainedConfig's default num_labels
  std::vector<std::pair<int64_t, std::string>> given;
  if (r.present("id2label")) {
    const json& m = r.j["id2label"];
    if (!m.is_object()) throw ConfigError(r.where + ": id2label must be an object");
    for (auto it = m.begin(); it != m.end(); ++it) {
      char* end = nullptr;
      const long long id = std::strtoll(it.key().c_str(), &end, 10);
      if (*end || id < 0 || !it.value().is_string())
        throw ConfigError(r.where + ": id2label entry \"" + it.key() + "\" must map an integer id to a string");
      given.emplace_back(id, it.value().get<std::string>());
    }
    n = static_cast<int64_t>(given.size());
  } else if (r.present("num_labels")) {
    // num_labels alone sizes the table of LABEL_i names: a broken config.json must not ask for
    // more than memory holds before the classifier weight could contradict it.
    constexpr int64_t kMaxLabels = int64_t(1) << 20;
    n = r.positive("num_labels");
    if (n > kMaxLabels)
      throw ConfigError(r.where + ": num_labels must be at most " + std::to_string(kMaxLabels) + ", got " + std::to_string(n));
  }
  std::vector<std::string> labels(n);
  for (int64_t i = 0; i < n; ++i) labels[i] = "LABEL_" + std::to_string(i);
  for (const auto& [id, name] : given) {
    if (id >= n) throw ConfigError(r.where + ": id2label ids must be 0.." + std::to_string(n - 1));
    labels[id] = name;
  }
  return labels;
}

}  // namespace

std::vector<std::string> read_id2label(const json& config, const std::string& where) {
  return read_labels(Keys{config, where});
}

const std::vector<std::string>& EncoderConfig::supported_model_types() {
  static const std::vector<std::string> types{"bert", "distilbert", "roberta", "xlm-roberta", "camembert"};
  return types;
}

int64_t EncoderConfig::label_id(const std::string& label) const {
  auto it = std::find(id2label.begin(), id2label.end(), label);
  return it == id2label.end() ? -1 : it - id2label.begin();
}

EncoderConfig EncoderConfig::from_file(const std::filesystem::path& path) {
  const std::filesystem::path file = std::filesystem::is_directory(path) ? path / "config.json" : path;
  const json j = read_json_file(file);
  const std::string where = file.string();
  if (!j.is_object()) throw ConfigError(where + ": expected a JSON object");
  Keys r{j, where};
  EncoderConfig c;
  c.model_type = r.string("model_type", "");
  const auto& types = supported_model_types();
  if (std::find(types.begin(), types.end(), c.model_type) == types.end()) {
    std::string list;
    for (const auto& t : types) list += (list.empty() ? "" : ", ") + t;
    throw ConfigError(where + ": model_type \"" + c.model_type + "\" is not an encoder hfcpp supports (supported: " + list + ")");
  }
  if (r.present("architectures") && j["architectures"].is_array())
    for (const json& a : j["architectures"])
      if (a.is_string()) c.architectures.push_back(a.get<std::string>());
  c.vocab_size = r.positive("vocab_size");
  c.max_position_embeddings = r.positive("max_position_embeddings");
  c.pad_token_id = r.integer("pad_token_id", c.model_type == "distilbert" ? 0 : 1);
  if (c.model_type == "distilbert") {
    c.hidden_size = r.positive("dim");
    c.num_hidden_layers = r.positive("n_layers");
    c.num_attention_heads = r.positive("n_heads");
    c.intermediate_size = r.positive("hidden_dim");
    c.hidden_act = r.string("activation", "gelu");
    c.layer_norm_eps = 1e-12;
    c.type_vocab_size = 0;
  } else {
    c.hidden_size = r.positive("hidden_size");
    c.num_hidden_layers = r.positive("num_hidden_layers");
    c.num_attention_heads = r.positive("num_attention_heads");
    c.intermediate_size = r.positive("intermediate_size");
    c.hidden_act = r.string("hidden_act", "gelu");
    if (r.present("layer_norm_eps")) {
      if (!j["layer_norm_eps"].is_number()) throw ConfigError(where + ": layer_norm_eps must be a number");
      c.layer_norm_eps = j["layer_norm_eps"].get<double>();
    }
    c.type_vocab_size = r.integer("type_vocab_size", 2);
    if (c.model_type == "bert") c.pad_token_id = r.integer("pad_token_id", 0);
    c.positions_from_padding = c.model_type != "bert";
    const std::string pet = r.string("position_embedding_type", "absolute");
    if (pet != "absolute")
      throw ConfigError(where + ": position_embedding_type \"" + pet + "\" is not supported (only \"absolute\")");
  }
  if (c.hidden_size % c.num_attention_heads)
    throw ConfigError(where + ": hidden size " + std::to_string(c.hidden_size) + " is not a multiple of the " +
                      std::to_string(c.num_attention_heads) + " attention heads");
  static const char* acts[] = {"gelu", "relu", "gelu_new", "gelu_pytorch_tanh", "silu", "swish"};
  if (std::none_of(std::begin(acts), std::end(acts), [&](const char* a) { return c.hidden_act == a; }))
    throw ConfigError(where + ": activation \"" + c.hidden_act + "\" is not supported");
  c.id2label = read_labels(r);
  c.problem_type = r.string("problem_type", "");
  return c;
}

}  // namespace hf
