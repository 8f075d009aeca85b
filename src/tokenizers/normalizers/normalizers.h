#pragma once
// Normalizer builders, one family per file; make_normalizer() (factory.cpp) dispatches on "type".
#include <memory>
#include <string>

#include "tokenizers/json_util.h"
#include "tokenizers/pipeline.h"

namespace hf::tok {

std::unique_ptr<Normalizer> make_unicode_form(const std::string& type);  // NFC NFD NFKC NFKD
std::unique_ptr<Normalizer> make_lowercase();
std::unique_ptr<Normalizer> make_strip(const json& j, const std::string& path);
std::unique_ptr<Normalizer> make_strip_accents();
std::unique_ptr<Normalizer> make_replace(const json& j, const std::string& path);
std::unique_ptr<Normalizer> make_prepend(const json& j, const std::string& path);
std::unique_ptr<Normalizer> make_byte_level_normalizer();
std::unique_ptr<Normalizer> make_bert_normalizer(const json& j, const std::string& path);
std::unique_ptr<Normalizer> make_precompiled(const json& j, const std::string& path);

}  // namespace hf::tok
