#pragma once
// The translation tasks ("translation", "translation_XX_to_YY"): transformers' TranslationPipeline
// is a Text2TextGenerationPipeline whose records are "translation_text" (text2text_generation.h).
// Without a model: transformers' t5-base (pinned revision) for en→fr/de/ro, hfcpp's choice of
// Helsinki-NLP/opus-mt-XX-YY for the other pairs, opus-mt-zh-en for a bare "translation".
#include <string>

namespace hf::pipelines {

// "translation_zh_to_en" → "Helsinki-NLP/opus-mt-zh-en"; "translation_en_to_de" → "google-t5/t5-base";
// bare "translation" → opus-mt-zh-en.
std::string default_translation_model(const std::string& task);

}  // namespace hf::pipelines
