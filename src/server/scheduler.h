#pragma once
// Scheduler: continuous batching. One thread owns the model's forward passes; every step it
// advances ALL active sequences with one CausalLM::forward_sequences call (weights read once per
// step for everyone), then picks each sequence's next token with its own TokenSampler (own seed).
// Waiting sequences join at the next step as slots free up; a long prompt is prefilled in chunks
// (at most `prefill_chunk` prompt tokens per step over all sequences) so the others keep
// decoding. A cancelled sequence (client gone, stop string seen) leaves at the next step.
//
// Each sequence reports through its SequenceChannel: token events in order, then one end.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "hf/causal_lm.h"
#include "hf/generation_config.h"
#include "server/metrics.h"
#include "server/prompt_cache.h"

namespace hf::server {

struct TokenEvent {
  int32_t id = -1;
  float logprob = 0;                             // log-softmax of the model's logits
  std::vector<std::pair<int32_t, float>> top;    // the top_logprobs most likely (id, logprob)
};

struct SequenceEnd {
  std::string finish_reason;  // "stop" (eos), "length", "cancelled", "error"
  std::string error;          // for "error"
  int64_t prompt_tokens = 0, cached_tokens = 0, generated_tokens = 0;
};

// Scheduler thread → request thread. Thread-safe.
class SequenceChannel {
 public:
  void push(TokenEvent e);
  void finish(SequenceEnd end);
  // Moves the pending events into `out` (waiting up to `timeout` when there are none); returns
  // the end once every event before it was taken.
  std::optional<SequenceEnd> take(std::vector<TokenEvent>& out, std::chrono::milliseconds timeout);
  void cancel() { cancelled_.store(true); }
  bool cancelled() const { return cancelled_.load(); }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<TokenEvent> events_;
  std::optional<SequenceEnd> end_;
  std::atomic<bool> cancelled_{false};
};

struct SequenceRequest {
  std::vector<int32_t> prompt;
  GenerationConfig generation;  // the request's sampling; unset fields come from the model's defaults
  int max_new_tokens = 16;
  float presence_penalty = 0, frequency_penalty = 0;  // OpenAI's, over the generated tokens
  int top_logprobs = -1;                               // -1: no logprobs; 0..20: chosen + that many
};

struct SchedulerOptions {
  int parallel = 4;           // sequences decoded together
  int max_queue = 64;         // sequences waiting beyond those
  int64_t context = 4096;     // positions per sequence (prompt + generated); the server's 0 = the model's
  int prefill_chunk = 256;    // prompt tokens per step, over all prefilling sequences
  int64_t prompt_cache_bytes = int64_t(1) << 30;
};

class Scheduler {
 public:
  Scheduler(std::shared_ptr<const CausalLM> model, GenerationConfig model_defaults, SchedulerOptions options,
            Metrics* metrics = nullptr);
  ~Scheduler();  // cancels everything and joins the thread

  // Queues the sequences of one request together; empty when the queue has no room for all of
  // them (the caller answers 503). hf::InputError for invalid sampling values.
  std::vector<std::shared_ptr<SequenceChannel>> submit(std::vector<SequenceRequest> requests);
  // Ends every running and waiting sequence at the next step ("cancelled").
  void cancel_all();
  int active() const;
  int queued() const;
  // Prompt tokens run through the model so far (those reused from the prompt cache excluded).
  int64_t prefilled_tokens() const { return prefilled_.load(); }
  const SchedulerOptions& options() const { return options_; }

 private:
  struct Sequence;
  void loop();
  void admit(std::vector<std::unique_ptr<Sequence>>& active);
  void step(std::vector<std::unique_ptr<Sequence>>& active);
  void choose_next(Sequence& s, const float* logits);
  void retire(Sequence& s, std::string reason, std::string error = "");

  std::shared_ptr<const CausalLM> model_;
  GenerationConfig defaults_;
  SchedulerOptions options_;
  Metrics* metrics_;
  PromptCache prompt_cache_;
  std::vector<int32_t> eos_;
  std::vector<float> scores_;  // choose_next's penalized logits, reused: a vocabulary per token

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::unique_ptr<Sequence>> waiting_;
  int active_count_ = 0;
  bool stopping_ = false;
  bool cancel_running_ = false;  // cancel_all(): the loop cancels its active sequences
  std::atomic<int64_t> prefilled_{0};
  std::thread thread_;
};

}  // namespace hf::server
