#pragma once
// The flags of every command that loads a model, spelled the same everywhere:
//   MODEL or -m/--model   a Hub id or a local folder
//   --revision R          branch, tag or commit on the Hub (default main)
//   --offline             no network: the Hub cache only (as HF_HUB_OFFLINE=1)
#include <CLI/CLI.hpp>
#include <filesystem>
#include <string>

#include "core/json.h"
#include "hf/causal_lm.h"
#include "hf/hub.h"
#include "models/quantized_store.h"

namespace hf::cli {

struct ModelFlags {
  ModelFlags() = default;
  explicit ModelFlags(std::string default_model) : model(std::move(default_model)) {}

  std::string model;
  HubOptions hub;
  bool offline = false;

  // `positional`: MODEL may also be given as the first argument (`hfcpp info M` = `hfcpp info -m M`).
  CLI::Option* add_to(CLI::App& cmd, const std::string& help, bool positional = true) {
    CLI::Option* opt = cmd.add_option(positional ? "model,-m,--model" : "-m,--model", model, help);
    cmd.add_option("--revision", hub.revision, "Hub branch, tag or commit (default: main)");
    cmd.add_flag("--offline", offline, "No network: use the Hub cache only (same as HF_HUB_OFFLINE=1)");
    return opt;
  }

  // Hub options with --offline applied (unset keeps HF_HUB_OFFLINE in charge).
  HubOptions hub_options() const {
    HubOptions h = hub;
    if (offline) h.offline = true;
    return h;
  }

  // The local folder of the model: itself, or its snapshot in the Hub cache.
  std::filesystem::path resolve() const { return resolve_model(model, hub_options()); }
};

// --quantize and --kv-cache-dtype: how a decoder-only model is held in memory (hf::LoadOptions),
// spelled the same by chat, serve, bench and generate.
inline void add_load_flags(CLI::App& cmd, LoadOptions& load) {
  load.quantized_cache = default_quantized_cache();
  cmd.add_option("--quantize", load.quantization,
                 "Quantize the weights at load: int8 or int4 (default: as stored). The first load keeps the "
                 "result in $HFCPP_CACHE/quantized (default ~/.cache/hfcpp/quantized) and later loads map it")
      ->check(CLI::IsMember({"int8", "int4"}));
  cmd.add_flag_callback("--no-quantized-cache", [&load] { load.quantized_cache.clear(); },
                        "With --quantize: quantize at every load, keep nothing on disk (also HFCPP_QUANTIZED_CACHE=0)");
  cmd.add_option("--kv-cache-dtype", load.kv_cache_dtype,
                 "KV cache elements: f32 (default, exact), f16 or bf16 (half the memory, rounded when stored)")
      ->check(CLI::IsMember({"f32", "f16", "bf16"}));
  cmd.add_option("--matmul-precision", load.matmul_precision,
                 "Prompt processing with bf16 weights: float32 (default, exact) or bf16 (activations rounded to "
                 "bfloat16, AVX-512 BF16 dot products: about 2x faster prefill, logits move by a few % of their std)")
      ->check(CLI::IsMember({"float32", "bf16"}));
}

// config.json says `is_encoder_decoder: true` (Marian, BART, T5): such models load through
// AutoModelForSeq2SeqLM, the others through AutoModelForCausalLM.
inline bool is_encoder_decoder(const std::filesystem::path& dir) {
  const auto path = dir / "config.json";
  if (!std::filesystem::is_regular_file(path)) return false;  // the loader names what is missing
  const json config = read_json_file(path);
  const json* flag = config.is_object() && config.contains("is_encoder_decoder") ? &config["is_encoder_decoder"] : nullptr;
  return flag && flag->is_boolean() && flag->get<bool>();
}

}  // namespace hf::cli
