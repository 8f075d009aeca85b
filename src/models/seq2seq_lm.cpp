// load_seq2seq_lm: config.json's model_type → the encoder–decoder implementation.
#include "hf/seq2seq_lm.h"

#include "hf/error.h"
#include "models/encoder_decoder.h"

namespace hf {

std::shared_ptr<const Seq2SeqLM> load_seq2seq_lm(const std::filesystem::path& dir) {
  const auto path = dir / "config.json";
  if (!std::filesystem::exists(path)) throw ConfigError(path.string() + ": missing (every model folder needs its config.json)");
  return EncoderDecoderLM::load(dir);  // ConfigError for a model_type it does not support
}

}  // namespace hf
