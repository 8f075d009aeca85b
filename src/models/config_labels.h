#pragma once
// The labels of a classification config.json, as PretrainedConfig reads them: id2label
// {"0": "NEGATIVE", ...} by id; without it num_labels (default 2) names "LABEL_i". Shared by
// the encoder and the encoder–decoder classifiers.
#include <string>
#include <vector>

#include "core/json.h"

namespace hf {

// hf::ConfigError naming `where` for an ill-formed id2label or num_labels.
std::vector<std::string> read_id2label(const json& config, const std::string& where);

}  // namespace hf
