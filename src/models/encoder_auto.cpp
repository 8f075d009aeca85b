// EncoderModel (the public handle) and transformers' Auto classes for encoders.
#include <memory>

#include "hf/error.h"
#include "io/model_weights.h"
#include "models/encoder_model.h"

namespace hf {

EncoderModel EncoderModel::load(const std::filesystem::path& dir, EncoderHead head) {
  if (!std::filesystem::is_directory(dir)) throw FileError(dir.string() + ": not a model folder");
  EncoderConfig config = EncoderConfig::from_file(dir / "config.json");
  std::shared_ptr<const WeightSource> weights = open_model_weights(dir);
  EncoderModel m;
  m.impl_ = std::make_shared<const EncoderModelImpl>(std::move(config), std::move(weights), head);
  return m;
}

EncoderOutput EncoderModel::forward(const EncoderInput& input) const {
  if (!impl_) throw InputError("EncoderModel: empty model (load it with an AutoModel* class)");
  return impl_->forward(input);
}

EncoderOutput EncoderModel::operator()(std::span<const int32_t> input_ids, std::span<const int32_t> token_type_ids) const {
  return forward({.batch = 1, .seq = static_cast<int>(input_ids.size()), .input_ids = input_ids, .token_type_ids = token_type_ids});
}

const EncoderConfig& EncoderModel::config() const {
  if (!impl_) throw InputError("EncoderModel: empty model (load it with an AutoModel* class)");
  return impl_->config();
}

EncoderHead EncoderModel::head() const { return impl_ ? impl_->head() : EncoderHead::None; }

EncoderModel AutoModel::from_pretrained(const std::string& name, const HubOptions& hub) {
  return EncoderModel::load(resolve_model(name, hub), EncoderHead::None);
}
EncoderModel AutoModelForMaskedLM::from_pretrained(const std::string& name, const HubOptions& hub) {
  return EncoderModel::load(resolve_model(name, hub), EncoderHead::MaskedLM);
}
EncoderModel AutoModelForSequenceClassification::from_pretrained(const std::string& name, const HubOptions& hub) {
  return EncoderModel::load(resolve_model(name, hub), EncoderHead::SequenceClassification);
}
EncoderModel AutoModelForTokenClassification::from_pretrained(const std::string& name, const HubOptions& hub) {
  return EncoderModel::load(resolve_model(name, hub), EncoderHead::TokenClassification);
}
EncoderModel AutoModelForQuestionAnswering::from_pretrained(const std::string& name, const HubOptions& hub) {
  return EncoderModel::load(resolve_model(name, hub), EncoderHead::QuestionAnswering);
}

}  // namespace hf
