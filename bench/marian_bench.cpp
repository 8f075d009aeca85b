// bench_marian [SENTENCES] [NEW_TOKENS] [THREADS]: seq2seq translation speed on a MarianMTModel of
// the real Helsinki-NLP/opus-mt-zh-en shape (d_model 512, 6 + 6 layers, 8 heads, ffn 2048, vocab
// 65001, swish, float32) with random weights built in memory: one batch of SENTENCES source
// sentences (10 to 40 tokens) translated in one generate() call, greedy and beam 4. Every sentence
// generates exactly NEW_TOKENS tokens (min_new_tokens pins the length, forced eos ends it), so the
// figures do not depend on what random weights happen to prefer.
// Prints sentences/s, generated tokens/s and the process's peak RSS.
#include <hf/seq2seq.h>
#include <sys/resource.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <map>

#include "core/thread_pool.h"
#include "io/weight_source.h"
#include "models/encoder_decoder.h"

namespace {

// Named tensors held in memory (the bench's stand-in for a checkpoint file).
class MemoryWeights : public hf::WeightSource {
 public:
  bool has(const std::string& n) const override { return t_.count(n) > 0; }
  hf::Tensor get(const std::string& n) const override { return t_.at(n); }
  std::vector<std::string> names() const override {
    std::vector<std::string> v;
    for (const auto& [k, _] : t_) v.push_back(k);
    return v;
  }
  std::string describe() const override { return "random weights"; }

  // Uniform in [-scale, scale) from a fixed-seed xorshift generator (fast and reproducible).
  void random(const std::string& name, std::vector<int64_t> shape, float scale) {
    hf::Tensor t = hf::Tensor::zeros(hf::DType::F32, std::move(shape));
    float* p = t.mutable_data_as<float>();
    for (int64_t i = 0; i < t.numel(); ++i) {
      state_ ^= state_ << 13, state_ ^= state_ >> 7, state_ ^= state_ << 17;
      p[i] = scale * (static_cast<float>(state_ >> 40) / static_cast<float>(1 << 24) * 2.0f - 1.0f);
    }
    t_[name] = t;
  }
  void constant(const std::string& name, int64_t n, float v) {
    hf::Tensor t = hf::Tensor::zeros(hf::DType::F32, {n});
    for (int64_t i = 0; i < n; ++i) t.mutable_data_as<float>()[i] = v;
    t_[name] = t;
  }

 private:
  std::map<std::string, hf::Tensor> t_;
  uint64_t state_ = 0x9E3779B97F4A7C15ull;
};

hf::EncoderDecoderConfig opus_mt_zh_en() {
  const hf::json j{{"model_type", "marian"}, {"vocab_size", 65001}, {"d_model", 512}, {"encoder_layers", 6},
                   {"decoder_layers", 6}, {"encoder_attention_heads", 8}, {"decoder_attention_heads", 8},
                   {"encoder_ffn_dim", 2048}, {"decoder_ffn_dim", 2048}, {"max_position_embeddings", 512},
                   {"activation_function", "swish"}, {"scale_embedding", true}, {"pad_token_id", 65000},
                   {"decoder_start_token_id", 65000}, {"eos_token_id", 0}};
  return hf::EncoderDecoderConfig::from_json(j, "opus-mt-zh-en shape");
}

void fill(MemoryWeights& w, const hf::EncoderDecoderConfig& c) {
  const int64_t d = c.d_model;
  w.random("model.shared.weight", {c.vocab_size, d}, 0.05f);
  w.random("final_logits_bias", {1, c.vocab_size}, 0.1f);
  auto linear = [&](const std::string& p, int64_t out, int64_t in) {
    w.random(p + ".weight", {out, in}, 1.0f / std::sqrt(static_cast<float>(in)));
    w.random(p + ".bias", {out}, 0.02f);
  };
  auto norm = [&](const std::string& p) {
    w.constant(p + ".weight", d, 1.0f);
    w.constant(p + ".bias", d, 0.0f);
  };
  auto attention = [&](const std::string& p) {
    for (const char* proj : {".q_proj", ".k_proj", ".v_proj", ".out_proj"}) linear(p + proj, d, d);
  };
  for (const char* side : {"encoder", "decoder"}) {
    const int64_t layers = std::string(side) == "encoder" ? c.encoder_layers : c.decoder_layers;
    for (int64_t i = 0; i < layers; ++i) {
      const std::string p = "model." + std::string(side) + ".layers." + std::to_string(i);
      attention(p + ".self_attn");
      norm(p + ".self_attn_layer_norm");
      if (std::string(side) == "decoder") {
        attention(p + ".encoder_attn");
        norm(p + ".encoder_attn_layer_norm");
      }
      linear(p + ".fc1", c.encoder_ffn_dim, d);
      linear(p + ".fc2", d, c.encoder_ffn_dim);
      norm(p + ".final_layer_norm");
    }
  }
}

// CPU seconds of the whole process (all threads): on a shared machine wall time includes waiting
// for a core, CPU time does not.
double cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

double peak_rss_mib() {
  struct rusage u {};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss / 1024.0;  // Linux: KiB
}

}  // namespace

int main(int argc, char** argv) try {
  const int sentences = argc > 1 ? std::atoi(argv[1]) : 100;
  const int new_tokens = argc > 2 ? std::atoi(argv[2]) : 32;
  const int threads = argc > 3 ? std::atoi(argv[3]) : 2;
  hf::ThreadPool::set_default_threads(threads);

  const hf::EncoderDecoderConfig config = opus_mt_zh_en();
  MemoryWeights weights;
  fill(weights, config);
  auto model = std::make_shared<hf::EncoderDecoderLM>(config, weights);

  hf::BatchEncoding batch;
  uint32_t seed = 12345;
  for (int s = 0; s < sentences; ++s) {
    std::vector<int32_t> ids(10 + s % 31);
    for (auto& id : ids) id = 2 + static_cast<int32_t>((seed = seed * 1664525u + 1013904223u) % 64000u);
    ids.back() = 0;  // </s>
    batch.input_ids.push_back(ids);
  }
  const hf::GenerationConfig model_defaults{.max_length = 512, .bad_words_ids = std::vector<std::vector<int32_t>>{{65000}},
                                            .forced_eos_token_id = 0, .renormalize_logits = true,
                                            .pad_token_id = 65000, .bos_token_id = 0,
                                            .eos_token_id = std::vector<int32_t>{0}, .decoder_start_token_id = 65000};
  std::printf("MarianMTModel opus-mt-zh-en shape, random float32 weights (%.0f MiB), %d sentences, %d new tokens each, "
              "%d threads\n", model->weight_bytes() / 1048576.0, sentences, new_tokens, threads);
  for (int beams : {1, 4}) {
    hf::GenerationConfig cfg{.max_new_tokens = new_tokens, .min_new_tokens = new_tokens - 1, .num_beams = beams};
    const auto t0 = std::chrono::steady_clock::now();
    const double c0 = cpu_seconds();
    auto out = hf::generate(*model, batch, cfg, model_defaults);
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const double cpu = cpu_seconds() - c0;
    int64_t generated = 0;
    for (const auto& row : out.sequences)
      for (size_t i = 1; i < row.size(); ++i) generated += row[i] != 65000;
    std::printf("%-7s %7.2f s  %8.2f sentences/s  %9.1f tokens/s (%lld generated tokens; %.2f CPU s, %.0f%% of %d threads)\n",
                beams == 1 ? "greedy" : "beam 4", s, sentences / s, generated / s, static_cast<long long>(generated),
                cpu, 100.0 * cpu / (s * threads), threads);
  }
  std::printf("peak RSS %.0f MiB\n", peak_rss_mib());
} catch (const std::exception& e) {
  std::fprintf(stderr, "error: %s\n", e.what());
  return 1;
}
