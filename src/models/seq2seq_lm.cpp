// load_seq2seq_lm: config.json's model_type → the encoder–decoder implementation.
#include "hf/seq2seq_lm.h"

#include "core/json.h"
#include "hf/error.h"
#include "models/marian.h"

namespace hf {

std::shared_ptr<const Seq2SeqLM> load_seq2seq_lm(const std::filesystem::path& dir) {
  const auto path = dir / "config.json";
  if (!std::filesystem::exists(path)) throw ConfigError(path.string() + ": missing (every model folder needs its config.json)");
  json config = read_json_file(path);
  const std::string type = config.is_object() && config.contains("model_type") && config["model_type"].is_string()
                               ? config["model_type"].get<std::string>()
                               : "";
  if (type == "marian") return MarianMTModel::load(dir);
  throw ConfigError(path.string() + ": model_type: '" + type +
                    "' is not a supported encoder-decoder model (supported: marian)");
}

}  // namespace hf
