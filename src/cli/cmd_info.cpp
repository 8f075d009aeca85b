// `hfcpp info MODEL`: what a model is (architecture, shapes), how big (parameters, dtype, memory
// for the weights and per token of KV cache), and which SIMD target the kernels run on.
// Decoder-only models are described from their loaded config; encoder–decoder ones (Marian, BART,
// T5) from the loaded model and the encoder–decoder config it was built from.
#include <cstdio>
#include <map>

#include "cli/command.h"
#include "cli/model_flags.h"
#include "core/json.h"
#include "core/thread_pool.h"
#include "hf/causal_lm.h"
#include "hf/error.h"
#include "hf/hub.h"
#include "hf/seq2seq_lm.h"
#include "io/model_weights.h"
#include "kernels/kernels.h"
#include "models/encoder_decoder_config.h"

namespace hf::cli {
namespace {

struct Options {
  ModelFlags model;
  bool json = false;
  LoadOptions load;  // --quantize, --kv-cache-dtype: the memory figures of the model held that way
};

// The KV cache's bytes per token as the model's own cache stores them (its dtype, its layers'
// heads): the memory of a one-position cache after a one-token forward.
int64_t kv_cache_bytes_per_token(const CausalLM& model) {
  auto cache = model.new_cache(1, 1);
  const int32_t id = 0;
  ForwardInput in;
  in.seq = 1;
  in.input_ids = std::span<const int32_t>(&id, 1);
  model.forward(in, *cache);
  return cache->memory_bytes();
}

// Weight dtypes as stored, by bytes (a model may mix, e.g. bf16 matrices with f32 norms).
std::string stored_dtypes(const std::filesystem::path& dir) {
  std::map<std::string, int64_t> dtype_bytes;
  auto weights = open_model_weights(dir);
  for (const auto& name : weights->names()) {
    Tensor t = weights->get(name);
    dtype_bytes[dtype_name(t.dtype())] += static_cast<int64_t>(t.nbytes());
  }
  std::string dtype;
  for (const auto& [name, bytes] : dtype_bytes) dtype += (dtype.empty() ? "" : "+") + name;
  return dtype;
}

void print(const json& out, bool as_json, const std::vector<std::pair<const char*, std::string>>& lines) {
  if (as_json) {
    std::printf("%s\n", out.dump().c_str());
    return;
  }
  for (const auto& [label, text] : lines) std::printf("%-14s%s\n", label, text.c_str());
}

std::string count(int64_t n, const char* what) { return std::to_string(n) + " " + what + (n == 1 ? "" : "s"); }

// Encoder–decoder: the sizes as the model reads them (EncoderDecoderConfig: BART's keys for Marian,
// BART, mBART; T5's num_layers / num_decoder_layers / num_heads / d_ff; each family's defaults).
int run_seq2seq(const std::filesystem::path& dir, const Options& o) {
  if (!o.load.quantization.empty() || !o.load.kv_cache_dtype.empty())
    throw InputError("info: --quantize and --kv-cache-dtype apply to decoder-only models");
  auto model = load_seq2seq_lm(dir);
  const EncoderDecoderConfig c = EncoderDecoderConfig::from_file(dir / "config.json");
  const std::string arch = c.architectures.empty() ? model->model_type() : c.architectures[0];
  const std::string dtype = stored_dtypes(dir);
  json out;
  out["model"] = dir.string();
  out["architecture"] = arch;
  out["model_type"] = model->model_type();
  out["is_encoder_decoder"] = true;
  out["parameters"] = model->num_parameters();
  out["dtype"] = dtype;
  out["weights_bytes"] = model->weight_bytes();
  out["d_model"] = c.d_model;
  out["encoder_layers"] = c.encoder_layers;
  out["decoder_layers"] = c.decoder_layers;
  out["encoder_attention_heads"] = c.encoder_attention_heads;
  out["decoder_attention_heads"] = c.decoder_attention_heads;
  out["encoder_ffn_dim"] = c.encoder_ffn_dim;
  out["decoder_ffn_dim"] = c.decoder_ffn_dim;
  out["vocab_size"] = model->vocab_size();
  out["max_position_embeddings"] = model->max_position_embeddings();
  out["simd_target"] = kernels::simd_target();
  out["threads"] = ThreadPool::global().size();
  const double mib = 1024.0 * 1024.0;
  char memory[64];
  std::snprintf(memory, sizeof memory, "%.1f MiB of weights", model->weight_bytes() / mib);
  char params[32];
  std::snprintf(params, sizeof params, "%.1f M", model->num_parameters() / 1e6);
  print(out, o.json,
        {{"model", dir.string()},
         {"architecture", arch + " (model_type " + model->model_type() + ", encoder-decoder)"},
         {"parameters", params},
         {"dtype", dtype},
         {"memory", memory},
         {"encoder", count(c.encoder_layers, "layer") + ", " + count(c.encoder_attention_heads, "head") + ", ffn " +
                         std::to_string(c.encoder_ffn_dim)},
         {"decoder", count(c.decoder_layers, "layer") + ", " + count(c.decoder_attention_heads, "head") + ", ffn " +
                         std::to_string(c.decoder_ffn_dim)},
         {"sizes", "d_model " + std::to_string(c.d_model) + ", vocab " + std::to_string(model->vocab_size()) + ", " +
                       (model->max_position_embeddings() > 0 ? std::to_string(model->max_position_embeddings()) + " positions max"
                                                             : std::string("relative positions (no maximum)"))},
         {"kernels", std::string(kernels::simd_target()) + ", " + std::to_string(ThreadPool::global().size()) + " threads"}});
  return 0;
}

int run(const Options& o) {
  const auto dir = o.model.resolve();
  if (is_encoder_decoder(dir)) return run_seq2seq(dir, o);
  auto model = load_causal_lm(dir, o.load);
  const ModelConfig& c = model->config();
  const std::string dtype = stored_dtypes(dir);
  const int64_t kv_bytes_per_token = kv_cache_bytes_per_token(*model);
  const std::string kv_dtype = o.load.kv_cache_dtype.empty() ? "f32" : o.load.kv_cache_dtype;

  json out;
  out["model"] = dir.string();
  out["architecture"] = c.architectures.empty() ? c.model_type : c.architectures[0];
  out["model_type"] = c.model_type;
  out["parameters"] = model->num_parameters();
  out["dtype"] = dtype;
  out["quantize"] = o.load.quantization;
  out["weights_bytes"] = model->weight_bytes();
  out["kv_cache_dtype"] = kv_dtype;
  out["kv_cache_bytes_per_token"] = kv_bytes_per_token;
  out["num_hidden_layers"] = c.num_hidden_layers;
  out["hidden_size"] = c.hidden_size;
  out["intermediate_size"] = c.intermediate_size;
  out["num_attention_heads"] = c.num_attention_heads;
  out["num_key_value_heads"] = c.num_key_value_heads;
  out["head_dim"] = c.head_dim;
  out["vocab_size"] = c.vocab_size;
  out["max_position_embeddings"] = c.max_position_embeddings;
  out["rope_theta"] = c.rope_theta;
  out["rope_scaling"] = c.rope_scaling.rope_type;
  out["tie_word_embeddings"] = c.tie_word_embeddings;
  out["simd_target"] = kernels::simd_target();
  out["threads"] = ThreadPool::global().size();
  if (o.json) {
    std::printf("%s\n", out.dump().c_str());
    return 0;
  }
  const double mib = 1024.0 * 1024.0;
  std::printf("model         %s\n", dir.string().c_str());
  std::printf("architecture  %s (model_type %s)\n", out["architecture"].get<std::string>().c_str(), c.model_type.c_str());
  std::printf("parameters    %.1f M\n", model->num_parameters() / 1e6);
  std::printf("dtype         %s\n", dtype.c_str());
  // With a quantized cache the matrices were quantized by this load or an earlier one (then mapped).
  std::string held = "memory-mapped";
  if (!o.load.quantization.empty())
    held = o.load.quantized_cache.empty()
               ? "quantized at load to " + o.load.quantization
               : "quantized to " + o.load.quantization + ", kept in " + o.load.quantized_cache.string();
  std::printf("memory        %.1f MiB of weights (%s) + %.1f KiB of KV cache per token (%s)\n", model->weight_bytes() / mib,
              held.c_str(), kv_bytes_per_token / 1024.0, kv_dtype.c_str());
  std::printf("layers        %lld, hidden %lld, intermediate %lld, vocab %lld\n", (long long)c.num_hidden_layers,
              (long long)c.hidden_size, (long long)c.intermediate_size, (long long)c.vocab_size);
  std::printf("attention     %lld heads, %lld KV heads, head_dim %lld%s%s\n", (long long)c.num_attention_heads,
              (long long)c.num_key_value_heads, (long long)c.head_dim, c.attention_bias ? ", qkv bias" : "",
              c.qk_norm ? ", q/k norm" : "");
  std::printf("positions     %lld max, rope_theta %g, rope_scaling %s\n", (long long)c.max_position_embeddings,
              c.rope_theta, c.rope_scaling.rope_type.c_str());
  std::printf("lm_head       %s\n", c.tie_word_embeddings ? "tied to embed_tokens" : "separate");
  std::printf("kernels       %s, %d threads\n", kernels::simd_target(), ThreadPool::global().size());
  return 0;
}

Register reg("info", "Show a model's architecture, parameter count, dtype and memory", [](CLI::App& cmd) {
  auto o = std::make_shared<Options>();
  o->model.add_to(cmd, "Model folder or Hub id")->required();
  cmd.add_flag("--json", o->json, "Print one JSON object");
  add_load_flags(cmd, o->load);
  return [o] { return run(*o); };
});

}  // namespace
}  // namespace hf::cli
