// `hfcpp info MODEL`: what a model is (architecture, shapes), how big (parameters, dtype, memory
// for the weights and per token of KV cache), and which SIMD target the kernels run on.
#include <cstdio>
#include <map>

#include "cli/command.h"
#include "core/json.h"
#include "core/thread_pool.h"
#include "hf/causal_lm.h"
#include "hf/hub.h"
#include "io/model_weights.h"
#include "kernels/kernels.h"

namespace hf::cli {
namespace {

struct Options {
  std::string model;
  bool json = false;
};

int run(const Options& o) {
  const auto dir = resolve_model(o.model);
  auto model = load_causal_lm(dir);
  const ModelConfig& c = model->config();
  // Weight dtypes as stored, by bytes (a model may mix, e.g. bf16 matrices with f32 norms).
  std::map<std::string, int64_t> dtype_bytes;
  auto weights = open_model_weights(dir);
  for (const auto& name : weights->names()) {
    Tensor t = weights->get(name);
    dtype_bytes[dtype_name(t.dtype())] += static_cast<int64_t>(t.nbytes());
  }
  std::string dtype;
  for (const auto& [name, bytes] : dtype_bytes) dtype += (dtype.empty() ? "" : "+") + name;
  const int64_t kv_bytes_per_token = 2 * c.num_hidden_layers * c.num_key_value_heads * c.head_dim * 4;

  json out;
  out["model"] = dir.string();
  out["architecture"] = c.architectures.empty() ? c.model_type : c.architectures[0];
  out["model_type"] = c.model_type;
  out["parameters"] = model->num_parameters();
  out["dtype"] = dtype;
  out["weights_bytes"] = model->weight_bytes();
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
  std::printf("memory        %.1f MiB of weights (memory-mapped) + %.1f KiB of KV cache per token\n",
              model->weight_bytes() / mib, kv_bytes_per_token / 1024.0);
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
  cmd.add_option("model", o->model, "Model folder or Hub id")->required();
  cmd.add_flag("--json", o->json, "Print one JSON object");
  return [o] { return run(*o); };
});

}  // namespace
}  // namespace hf::cli
