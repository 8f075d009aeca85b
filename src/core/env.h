#pragma once
// Environment variables read the way huggingface_hub reads them: a boolean is true when its value
// is 1/ON/YES/TRUE (any case), anything else set is false; an empty value counts as unset.
#include <optional>
#include <string>

namespace hf {

std::optional<std::string> env_value(const char* name);  // nullopt when unset or empty
std::optional<bool> env_flag(const char* name);          // nullopt when unset or empty

}  // namespace hf
