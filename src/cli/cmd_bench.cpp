// `hfcpp bench MODEL [--prompt-tokens 512] [--gen-tokens 128] [--threads N] [--json]`: load time,
// prompt-processing and decode speed, peak memory, and decode speed as a fraction of the
// memory-bandwidth bound (decoding reads every weight once per token, so tokens/s can be at most
// bandwidth / weight bytes). The bandwidth is measured in the same run, before the model is
// loaded, with a multi-threaded read of a buffer much larger than the caches; the peak-RSS mark
// is then reset so that the buffer does not count as the model's memory. Encoder–decoder models
// (Marian): "prompt" is the encoder over the prompt, "decode" the decoder's steps.
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <random>
#include <string>

#include "cli/command.h"
#include "cli/model_flags.h"
#include "cli/threads.h"
#include "core/json.h"
#include "core/thread_pool.h"
#include "kernels/kernels.h"
#include "hf/causal_lm.h"
#include "hf/error.h"
#include "hf/hub.h"
#include "hf/seq2seq_lm.h"

namespace hf::cli {
namespace {

struct Options {
  ModelFlags model;
  int prompt_tokens = 512, gen_tokens = 128;
  std::optional<int> threads;
  bool json = false;
  LoadOptions load;  // --quantize, --kv-cache-dtype
};

struct Timings {
  double load_s = 0, prompt_s = 0, decode_s = 0;
  int64_t weight_bytes = 0, kv_bytes = 0;  // kv_bytes: the KV cache's memory after the run
};

// Random ids below the vocabulary (and below 32000, where real text lives).
std::vector<int32_t> random_prompt(int n, int64_t vocab) {
  std::mt19937 rng(0);
  std::vector<int32_t> prompt(n);
  for (auto& id : prompt) id = int32_t(rng() % std::min<int64_t>(vocab, 32000));
  return prompt;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// Best of several timed passes reading `bytes` with every pool thread; GB/s (1e9 bytes).
double measure_read_bandwidth(size_t bytes) {
  std::vector<uint64_t> buf(bytes / 8);
  for (size_t i = 0; i < buf.size(); ++i) buf[i] = i;  // touch every page before timing
  std::vector<uint64_t> sink(ThreadPool::global().size() * 8);
  double best = 0;
  for (int pass = 0; pass < 5; ++pass) {
    auto t0 = std::chrono::steady_clock::now();
    ThreadPool::global().parallel_for(
        int64_t(buf.size()),
        [&](int64_t b, int64_t e) {
          uint64_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;  // independent chains keep loads in flight
          int64_t i = b;
          for (; i + 4 <= e; i += 4) s0 += buf[i], s1 += buf[i + 1], s2 += buf[i + 2], s3 += buf[i + 3];
          for (; i < e; ++i) s0 += buf[i];
          sink[(b * 8 / std::max<int64_t>(1, int64_t(buf.size()))) % sink.size()] += s0 + s1 + s2 + s3;
        },
        4096);
    best = std::max(best, double(bytes) / seconds_since(t0) / 1e9);
  }
  volatile uint64_t keep = sink[0];
  (void)keep;
  return best;
}

// Resets the kernel's peak-RSS mark (VmHWM); false where /proc does not allow it.
bool reset_peak_rss() {
  std::ofstream f("/proc/self/clear_refs");
  f << "5";
  return bool(f);
}

double peak_rss_mb() {
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line))
    if (line.rfind("VmHWM:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;  // kB
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss / 1024.0;
}

// Decoder-only: map the weights and run one token (every weight page resident), then a prompt of
// random ids in one forward, then greedy decode steps.
Timings time_causal(const std::filesystem::path& dir, const Options& o) {
  Timings t;
  auto t0 = std::chrono::steady_clock::now();
  auto model = load_causal_lm(dir, o.load);
  {
    auto warm = model->new_cache(1, 1);
    const int32_t id = 0;
    ForwardInput in;
    in.seq = 1;
    in.input_ids = std::span<const int32_t>(&id, 1);
    model->forward(in, *warm);
  }
  t.load_s = seconds_since(t0);

  const int64_t V = model->config().vocab_size;
  const std::vector<int32_t> prompt = random_prompt(o.prompt_tokens, V);
  auto cache = model->new_cache(1, o.prompt_tokens + o.gen_tokens);

  t0 = std::chrono::steady_clock::now();
  ForwardInput in;
  in.seq = o.prompt_tokens;
  in.input_ids = prompt;
  Tensor logits = model->forward(in, *cache);
  t.prompt_s = seconds_since(t0);

  t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < o.gen_tokens; ++i) {
    const float* l = logits.data_as<float>();
    const int32_t next = int32_t(kernels::argmax(l, V));
    ForwardInput one;
    one.seq = 1;
    one.input_ids = std::span<const int32_t>(&next, 1);
    logits = model->forward(one, *cache);
  }
  t.decode_s = seconds_since(t0);

  t.weight_bytes = model->weight_bytes();
  t.kv_bytes = cache->memory_bytes();
  return t;
}

// Encoder–decoder: the encoder over the prompt (capped to its positions), then decoder steps.
Timings time_seq2seq(const std::filesystem::path& dir, const Options& o) {
  if (!o.load.quantization.empty() || !o.load.kv_cache_dtype.empty() || !o.load.matmul_precision.empty())
    throw InputError("bench: --quantize, --kv-cache-dtype and --matmul-precision apply to decoder-only models");
  Timings t;
  auto t0 = std::chrono::steady_clock::now();
  auto model = load_seq2seq_lm(dir);
  const int64_t positions = model->max_position_embeddings();
  if (positions > 0 && (o.prompt_tokens > positions || o.gen_tokens + 1 > positions))  // 0: no limit (T5)
    throw InputError("bench: " + model->model_type() + " takes at most " + std::to_string(positions) +
                     " positions; lower --prompt-tokens / --gen-tokens");
  {
    const int32_t id = 0;
    auto warm = model->encode(1, 1, std::span<const int32_t>(&id, 1), {}, 1, 1);
    model->decode(std::span<const int32_t>(&id, 1), *warm);
  }
  t.load_s = seconds_since(t0);
  const int64_t V = model->vocab_size();
  const std::vector<int32_t> prompt = random_prompt(o.prompt_tokens, V);

  t0 = std::chrono::steady_clock::now();
  auto state = model->encode(1, o.prompt_tokens, prompt, {}, 1, o.gen_tokens + 1);
  t.prompt_s = seconds_since(t0);

  t0 = std::chrono::steady_clock::now();
  int32_t next = 0;
  for (int i = 0; i < o.gen_tokens; ++i) {
    Tensor logits = model->decode(std::span<const int32_t>(&next, 1), *state);
    const float* l = logits.data_as<float>();
    next = int32_t(kernels::argmax(l, V));
  }
  t.decode_s = seconds_since(t0);
  t.weight_bytes = model->weight_bytes();
  return t;
}

int run(const Options& o) {
  if (o.prompt_tokens < 1 || o.gen_tokens < 1) throw InputError("bench: --prompt-tokens and --gen-tokens must be >= 1");
  configure_threads(o.threads);
  const int threads = ThreadPool::global().size();
  const auto dir = o.model.resolve();

  const double bandwidth = measure_read_bandwidth(size_t(512) << 20);
  reset_peak_rss();

  const Timings t = is_encoder_decoder(dir) ? time_seq2seq(dir, o) : time_causal(dir, o);
  const double load_s = t.load_s, prompt_s = t.prompt_s, decode_s = t.decode_s;

  const double weights_mb = t.weight_bytes / (1024.0 * 1024.0);
  const double decode_tok_s = o.gen_tokens / decode_s;
  const double bound_tok_s = bandwidth * 1e9 / double(t.weight_bytes);
  json out;
  out["model"] = dir.string();
  out["threads"] = threads;
  out["quantize"] = o.load.quantization;
  out["kv_cache_dtype"] = o.load.kv_cache_dtype.empty() ? "f32" : o.load.kv_cache_dtype;
  out["prompt_tokens"] = o.prompt_tokens;
  out["gen_tokens"] = o.gen_tokens;
  out["load_s"] = load_s;
  out["prompt_tok_s"] = o.prompt_tokens / prompt_s;
  out["decode_tok_s"] = decode_tok_s;
  out["peak_rss_mb"] = peak_rss_mb();
  out["weights_mb"] = weights_mb;
  out["kv_cache_mb"] = t.kv_bytes / (1024.0 * 1024.0);
  out["bandwidth_gb_s"] = bandwidth;
  out["bandwidth_fraction"] = decode_tok_s / bound_tok_s;
  if (o.json) {
    std::printf("%s\n", out.dump().c_str());
    return 0;
  }
  std::printf("model           %s (%d threads)\n", dir.string().c_str(), threads);
  std::printf("load            %.3f s (map + first token)\n", load_s);
  std::printf("prompt          %.1f tokens/s (%d tokens)\n", out["prompt_tok_s"].get<double>(), o.prompt_tokens);
  std::printf("decode          %.2f tokens/s (%d tokens)\n", decode_tok_s, o.gen_tokens);
  std::printf("bandwidth       %.2f GB/s measured; bound %.2f tokens/s; decode at %.0f%% of it\n", bandwidth,
              bound_tok_s, 100 * decode_tok_s / bound_tok_s);
  const double in_use_mb = weights_mb + out["kv_cache_mb"].get<double>();
  std::printf("memory          peak RSS %.1f MiB, weights %.1f MiB + KV cache %.1f MiB (%.2f×)\n",
              out["peak_rss_mb"].get<double>(), weights_mb, out["kv_cache_mb"].get<double>(),
              out["peak_rss_mb"].get<double>() / in_use_mb);
  return 0;
}

Register reg("bench", "Measure load time, prompt and decode tokens/s, peak memory and the bandwidth bound",
             [](CLI::App& cmd) {
               auto o = std::make_shared<Options>();
               o->model.add_to(cmd, "Model folder or Hub id")->required();
               cmd.add_option("--prompt-tokens", o->prompt_tokens, "Prompt length")->capture_default_str();
               cmd.add_option("--gen-tokens", o->gen_tokens, "Tokens to decode")->capture_default_str();
               cmd.add_option("-t,--threads", o->threads, "Threads (default: HF_NUM_THREADS or all cores)");
               cmd.add_flag("--json", o->json, "Print one JSON object");
               add_load_flags(cmd, o->load);
               return [o] { return run(*o); };
             });

}  // namespace
}  // namespace hf::cli
