// load_causal_lm: config.json picks the architecture; the weights are safetensors or
// pytorch_model.bin, packed as the Hub ships GPTQ / AWQ checkpoints or quantized at load on request.
#include <memory>
#include <string>

#include "core/json.h"
#include "core/log.h"
#include "hf/causal_lm.h"
#include "hf/error.h"
#include "io/model_weights.h"
#include "kernels/kernels.h"
#include "models/decoder_lm.h"
#include "models/prequantized_weights.h"
#include "models/quantized_store.h"
#include "models/quantize.h"

namespace hf {

namespace {
// LoadOptions::kv_cache_dtype as a DType; a misspelling is an error, never a silent float32.
DType kv_cache_dtype(const std::string& name) {
  if (name.empty() || name == "f32" || name == "float32") return DType::F32;
  if (name == "f16" || name == "float16") return DType::F16;
  if (name == "bf16" || name == "bfloat16") return DType::BF16;
  throw ConfigError("KV cache dtype '" + name + "' is not one of f32, f16, bf16");
}

// LoadOptions::matmul_precision; bf16 on a CPU that cannot multiply bf16 pairs says so once.
kernels::MatmulPrecision matmul_precision(const std::string& name) {
  if (name.empty() || name == "float32" || name == "f32") return kernels::MatmulPrecision::Float32;
  if (name != "bf16" && name != "bfloat16")
    throw ConfigError("matmul precision '" + name + "' is not one of float32, bf16");
  if (!kernels::has_bf16_dot_products())
    warn("matmul precision bf16: this CPU has no AVX-512 BF16 dot products; products stay float32");
  return kernels::MatmulPrecision::BF16Activations;
}
}  // namespace

std::shared_ptr<const CausalLM> load_causal_lm(const std::filesystem::path& dir, const LoadOptions& options) {
  if (!std::filesystem::is_directory(dir)) throw FileError(dir.string() + ": not a model folder");
  const DType kv_dtype = kv_cache_dtype(options.kv_cache_dtype);
  const kernels::MatmulPrecision precision = matmul_precision(options.matmul_precision);
  const std::filesystem::path config_file = dir / "config.json";
  ModelConfig config = ModelConfig::from_file(config_file);
  const std::shared_ptr<const WeightSource> file = open_model_weights(dir);
  std::shared_ptr<const WeightSource> weights = prequantized_weights(file, read_json_file(config_file), config_file.string());
  const std::shared_ptr<const WeightSource> stored = weights;
  weights = quantized_weights(std::move(weights), config, options);
  std::shared_ptr<const QuantizedStore> store;
  if (weights != stored && !options.quantized_cache.empty())
    weights = store = std::make_shared<QuantizedStore>(stored, weights, dir, quantization_dtype(options), options.quantized_cache);
  auto model = std::make_shared<DecoderLM>(std::move(config), weights, kv_dtype, precision);
  if (store) store->save();
  // Weights quantized or unpacked at load are copies: the file's pages that the load read (the
  // norms' and biases' too, with the pages the kernel mapped around them) are not needed again.
  if (weights != file) file->release_pages();
  return model;
}

}  // namespace hf
