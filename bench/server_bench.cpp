// Continuous batching: aggregate decode tokens/s and time to first token with 1, 2, 4 and 8
// concurrent streams through the server's scheduler (one forward_sequences pass per step).
//
//   build/bench/bench_server MODEL_DIR [new_tokens=64] [rounds=2]
//
// MODEL_DIR: e.g. the Qwen2.5-0.5B-shape random model made by ../shared/tools/randmodel.py (keep
// it in a build or cache folder, never in git); default tests/fixtures/tiny-qwen2. The stream
// counts are measured alternately, round after round, so that machine drift hits them alike.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "hf/generation.h"
#include "hf/tokenizer.h"
#include "server/scheduler.h"

using Clock = std::chrono::steady_clock;

int main(int argc, char** argv) {
  const std::string dir = argc > 1 ? argv[1] : std::string(HF_FIXTURES) + "/tiny-qwen2";
  const int new_tokens = argc > 2 ? std::atoi(argv[2]) : 64;
  const int rounds = argc > 3 ? std::atoi(argv[3]) : 2;
  const hf::Tokenizer tok = hf::AutoTokenizer::from_pretrained(dir);
  const hf::AutoModelForCausalLM model = hf::AutoModelForCausalLM::from_pretrained(dir);
  const std::vector<int> streams = {1, 2, 4, 8};
  std::map<int, std::vector<double>> rate, ttft;

  for (int round = 0; round < rounds; ++round)
    for (int n : streams) {
      hf::server::SchedulerOptions o;
      o.parallel = n;
      o.context = 1024;
      o.prompt_cache_bytes = 0;  // every round prefills its prompts
      hf::server::Scheduler scheduler(model.shared_model(), model.generation_config(), o);
      std::vector<hf::server::SequenceRequest> requests;
      for (int i = 0; i < n; ++i) {
        hf::server::SequenceRequest r;
        r.prompt = tok.apply_chat_template_ids(hf::Messages{{"user", "Question number " + std::to_string(i) + ": tell me a story."}},
                                               {.add_generation_prompt = true});
        r.generation.do_sample = false;
        r.generation.eos_token_id = std::vector<int32_t>{};  // every stream runs its full length
        r.max_new_tokens = new_tokens;
        requests.push_back(std::move(r));
      }
      const auto start = Clock::now();
      auto channels = scheduler.submit(std::move(requests));
      // Every channel polled in turn, so each first token is seen when it comes.
      double first_sum = 0;
      std::vector<bool> seen(n, false), ended(n, false);
      for (int open = n; open > 0;)
        for (int i = 0; i < n; ++i) {
          if (ended[i]) continue;
          std::vector<hf::server::TokenEvent> events;
          auto end = channels[i]->take(events, std::chrono::milliseconds(1));
          if (!seen[i] && !events.empty()) {
            first_sum += std::chrono::duration<double>(Clock::now() - start).count();
            seen[i] = true;
          }
          if (end) ended[i] = true, --open;
        }
      const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
      rate[n].push_back(n * new_tokens / seconds);
      ttft[n].push_back(first_sum / n);
      std::printf("round %d  streams %d  %.1f tokens/s aggregate  ttft %.3f s\n", round + 1, n, rate[n].back(), ttft[n].back());
    }
  auto mean = [](const std::vector<double>& v) {
    double s = 0;
    for (double x : v) s += x;
    return s / v.size();
  };
  std::printf("\nstreams  tokens/s (aggregate)  x one stream  ttft (s)\n");
  for (int n : streams)
    std::printf("%7d  %20.1f  %12.2f  %8.3f\n", n, mean(rate[n]), mean(rate[n]) / mean(rate[1]), mean(ttft[n]));
  return 0;
}
