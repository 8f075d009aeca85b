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
#include "models/encoder_decoder.h"
#include "random_encoder_decoder.h"

namespace {

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

  const hf::EncoderDecoderConfig config = hf::bench::opus_mt_zh_en_shape();
  hf::bench::MemoryWeights weights;
  hf::bench::fill_random(weights, config);
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
