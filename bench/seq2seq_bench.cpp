// bench_seq2seq [SUMMARIES] [SOURCE_TOKENS] [NEW_TOKENS] [THREADS] [ROUNDS]: summaries per second
// with beam 4 on random float32 models of the real sshleifer/distilbart-cnn-12-6 (BART, d_model
// 1024, 12 + 6 layers, vocab 50264) and google-t5/t5-small (d_model 512, 6 + 6 layers, relative
// buckets, vocab 32128) shapes, next to Helsinki-NLP/opus-mt-zh-en (Marian, d_model 512, 6 + 6
// layers, vocab 65001) as the reference. The three run one after the other ROUNDS times in the
// same process, so that their ratios are measured in the same minutes of a shared machine.
//
// Each run: one generate() call over SUMMARIES source texts of SOURCE_TOKENS tokens, beam 4,
// no_repeat_ngram_size 3, length_penalty 2, and exactly NEW_TOKENS generated tokens per summary
// (min_new_tokens pins the length), so the figures do not depend on what random weights prefer.
// Weights are built in memory at run time (bench/random_encoder_decoder.h); nothing is written.
// Prints summaries/s, CPU ms per generated token (beam rows counted once: a summary's token) and
// that cost relative to the Marian shape of the same round.
#include <hf/seq2seq.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <memory>

#include "core/thread_pool.h"
#include "models/encoder_decoder.h"
#include "random_encoder_decoder.h"

namespace {

double cpu_seconds() {  // the whole process: on a shared machine wall time includes waiting for a core
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

struct Shape {
  const char* name;
  hf::EncoderDecoderConfig config;
  std::shared_ptr<hf::EncoderDecoderLM> model;
  hf::bench::MemoryWeights weights;
};

}  // namespace

int main(int argc, char** argv) try {
  const int summaries = argc > 1 ? std::atoi(argv[1]) : 2;
  const int source_tokens = argc > 2 ? std::atoi(argv[2]) : 256;
  const int new_tokens = argc > 3 ? std::atoi(argv[3]) : 32;
  const int threads = argc > 4 ? std::atoi(argv[4]) : 2;
  const int rounds = argc > 5 ? std::atoi(argv[5]) : 2;
  if (summaries <= 0 || source_tokens <= 1 || new_tokens <= 1 || threads <= 0 || rounds <= 0) {
    std::fprintf(stderr, "usage: bench_seq2seq [SUMMARIES>0] [SOURCE_TOKENS>1] [NEW_TOKENS>1] [THREADS>0] [ROUNDS>0]\n");
    return 2;
  }
  hf::ThreadPool::set_default_threads(threads);

  Shape shapes[] = {{"opus-mt-zh-en (Marian)", hf::bench::opus_mt_zh_en_shape(), nullptr, {}},
                    {"distilbart-cnn-12-6 (BART)", hf::bench::distilbart_cnn_12_6_shape(), nullptr, {}},
                    {"t5-small (T5)", hf::bench::t5_small_shape(), nullptr, {}}};
  for (Shape& s : shapes) {
    hf::bench::fill_random(s.weights, s.config);
    s.model = std::make_shared<hf::EncoderDecoderLM>(s.config, s.weights);
    std::printf("%-28s random float32 weights, %.0f MiB\n", s.name, s.model->weight_bytes() / 1048576.0);
  }
  std::printf("%d summaries of %d source tokens, beam 4, %d new tokens each, %d threads, %d rounds\n", summaries,
              source_tokens, new_tokens, threads, rounds);

  for (int round = 1; round <= rounds; ++round) {
    double marian_cost = 0;
    for (Shape& s : shapes) {
      const hf::EncoderDecoderConfig& c = s.config;
      hf::BatchEncoding batch;
      uint32_t seed = 12345;
      for (int i = 0; i < summaries; ++i) {
        std::vector<int32_t> ids(source_tokens);
        for (auto& id : ids) id = 3 + static_cast<int32_t>((seed = seed * 1664525u + 1013904223u) % (c.vocab_size - 100));
        ids.back() = c.eos_token_id;
        batch.input_ids.push_back(ids);
      }
      const hf::GenerationConfig defaults{.pad_token_id = c.pad_token_id, .eos_token_id = std::vector<int32_t>{c.eos_token_id},
                                          .decoder_start_token_id = c.decoder_start_token_id};
      const hf::GenerationConfig cfg{.max_new_tokens = new_tokens, .min_new_tokens = new_tokens - 1, .early_stopping = true,
                                     .num_beams = 4, .no_repeat_ngram_size = 3, .length_penalty = 2.0f};
      const auto t0 = std::chrono::steady_clock::now();
      const double c0 = cpu_seconds();
      const auto out = hf::generate(*s.model, batch, cfg, defaults);
      const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      const double cpu = cpu_seconds() - c0;
      int64_t generated = 0;
      for (const auto& row : out.sequences)  // up to and including the first eos after the start token
        for (size_t t = 1; t < row.size(); ++t)
          if (++generated, row[t] == c.eos_token_id) break;
      const double cost = 1000.0 * cpu / static_cast<double>(generated);
      if (c.model_type == "marian") marian_cost = cost;
      std::printf("round %d  %-28s %6.3f summaries/s  %6.1f s wall  %7.2f CPU ms/token  x%.2f Marian's\n", round, s.name,
                  summaries / wall, wall, cost, marian_cost > 0 ? cost / marian_cost : 0.0);
    }
  }
} catch (const std::exception& e) {
  std::fprintf(stderr, "error: %s\n", e.what());
  return 1;
}
