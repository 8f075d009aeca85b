// Continuous batching: one forward_sequences() pass per step over every active sequence.
#include "server/scheduler.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <unordered_map>

#include "hf/error.h"
#include "hf/token_sampler.h"

namespace hf::server {

using Clock = std::chrono::steady_clock;

void SequenceChannel::push(TokenEvent e) {
  {
    std::lock_guard lock(mu_);
    events_.push_back(std::move(e));
  }
  cv_.notify_all();
}

void SequenceChannel::finish(SequenceEnd end) {
  {
    std::lock_guard lock(mu_);
    end_ = std::move(end);
  }
  cv_.notify_all();
}

std::optional<SequenceEnd> SequenceChannel::take(std::vector<TokenEvent>& out, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  cv_.wait_for(lock, timeout, [&] { return !events_.empty() || end_.has_value(); });
  while (!events_.empty()) {
    out.push_back(std::move(events_.front()));
    events_.pop_front();
  }
  return end_;
}

struct Scheduler::Sequence {
  Sequence(SequenceRequest r, TokenSampler s)
      : request(std::move(r)), channel(std::make_shared<SequenceChannel>()), sampler(std::move(s)) {}

  SequenceRequest request;
  std::shared_ptr<SequenceChannel> channel;
  TokenSampler sampler;
  std::unique_ptr<KVCache> cache;
  std::vector<int32_t> ids;  // the prompt, then every generated token
  int64_t cached = 0;        // prompt positions reused from the prompt cache
  int generated = 0;
  std::unordered_map<int32_t, int> counts;  // generated token → occurrences (OpenAI's penalties)
  Clock::time_point arrived, last_token;
  bool done = false;

  int64_t pending() const { return static_cast<int64_t>(ids.size()) - cache->length(); }
};

namespace {
int64_t kv_bytes_per_token(const ModelConfig& c) {
  const int64_t head_dim = c.head_dim > 0 ? c.head_dim : c.hidden_size / std::max<int64_t>(1, c.num_attention_heads);
  return c.num_hidden_layers * c.num_key_value_heads * head_dim * 2 * static_cast<int64_t>(sizeof(float));
}
}  // namespace

Scheduler::Scheduler(std::shared_ptr<const CausalLM> model, GenerationConfig model_defaults, SchedulerOptions options,
                     Metrics* metrics)
    : model_(std::move(model)),
      defaults_(std::move(model_defaults)),
      options_(options),
      metrics_(metrics),
      prompt_cache_(kv_bytes_per_token(model_->config()), options.prompt_cache_bytes) {
  thread_ = std::thread([this] { loop(); });
}

Scheduler::~Scheduler() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

std::vector<std::shared_ptr<SequenceChannel>> Scheduler::submit(std::vector<SequenceRequest> requests) {
  std::vector<std::unique_ptr<Sequence>> made;
  std::vector<std::shared_ptr<SequenceChannel>> channels;
  const auto now = Clock::now();
  for (auto& r : requests) {
    const int prompt_len = static_cast<int>(r.prompt.size());
    TokenSampler sampler(r.generation, defaults_, prompt_len, prompt_len + r.max_new_tokens);  // validates
    auto s = std::make_unique<Sequence>(std::move(r), std::move(sampler));
    s->arrived = s->last_token = now;
    channels.push_back(s->channel);
    made.push_back(std::move(s));
  }
  {
    std::lock_guard lock(mu_);
    const int free_slots = std::max(0, options_.parallel - active_count_);
    if (stopping_ || waiting_.size() + made.size() > static_cast<size_t>(options_.max_queue + free_slots)) return {};
    for (auto& s : made) waiting_.push_back(std::move(s));
  }
  cv_.notify_all();
  return channels;
}

void Scheduler::cancel_all() {
  std::lock_guard lock(mu_);
  for (auto& s : waiting_) s->channel->cancel();
  cancel_running_ = true;
}

int Scheduler::active() const {
  std::lock_guard lock(mu_);
  return active_count_;
}

int Scheduler::queued() const {
  std::lock_guard lock(mu_);
  return static_cast<int>(waiting_.size());
}

void Scheduler::loop() {
  std::vector<std::unique_ptr<Sequence>> active;
  for (;;) {
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return stopping_ || !waiting_.empty() || !active.empty(); });
      if (stopping_) break;
      if (cancel_running_) {
        for (auto& s : active) s->channel->cancel();
        cancel_running_ = false;
      }
    }
    admit(active);
    for (auto& s : active)
      if (s->channel->cancelled()) retire(*s, "cancelled");
    std::erase_if(active, [](const auto& s) { return s->done; });
    if (!active.empty()) step(active);
    std::erase_if(active, [](const auto& s) { return s->done; });
    std::lock_guard lock(mu_);
    active_count_ = static_cast<int>(active.size());
    if (metrics_) metrics_->set_load(static_cast<int>(waiting_.size()), active_count_);
  }
  std::lock_guard lock(mu_);
  for (auto& s : active) retire(*s, "cancelled");
  for (auto& s : waiting_) retire(*s, "cancelled");
  waiting_.clear();
}

void Scheduler::admit(std::vector<std::unique_ptr<Sequence>>& active) {
  std::lock_guard lock(mu_);
  while (static_cast<int>(active.size()) < options_.parallel && !waiting_.empty()) {
    std::unique_ptr<Sequence> s = std::move(waiting_.front());
    waiting_.pop_front();
    if (s->channel->cancelled()) {  // gone before it started: nothing to free
      s->channel->finish({"cancelled", "", static_cast<int64_t>(s->request.prompt.size()), 0, 0});
      continue;
    }
    PromptCache::Hit hit = prompt_cache_.take(s->request.prompt);
    s->cache = hit.cache ? std::move(hit.cache) : model_->new_cache(1, options_.context);
    s->cached = hit.reused;
    s->ids = s->request.prompt;
    active.push_back(std::move(s));
  }
  active_count_ = static_cast<int>(active.size());
}

// One pass: every decoding sequence brings its last token; prefilling ones share the chunk budget.
void Scheduler::step(std::vector<std::unique_ptr<Sequence>>& active) {
  std::vector<SequenceInput> inputs;
  std::vector<Sequence*> ran;
  for (auto& s : active)
    if (s->pending() == 1) {
      inputs.push_back({std::span<const int32_t>(s->ids).last(1), s->cache.get()});
      ran.push_back(s.get());
    }
  int64_t budget = options_.prefill_chunk;
  for (auto& s : active) {
    const int64_t pending = s->pending();
    if (pending <= 1 || budget <= 0) continue;
    const int64_t n = std::min(pending, budget);
    budget -= n;
    inputs.push_back({std::span<const int32_t>(s->ids).subspan(s->cache->length(), n), s->cache.get()});
    ran.push_back(s.get());
    prefilled_ += n;
  }
  if (inputs.empty()) return;
  Tensor logits;
  try {
    logits = model_->forward_sequences(inputs);
  } catch (const std::exception& e) {
    for (Sequence* s : ran) retire(*s, "error", e.what());
    return;
  }
  const int64_t vocab = logits.dim(-1);
  for (size_t i = 0; i < ran.size(); ++i)
    if (ran[i]->pending() == 0) choose_next(*ran[i], logits.data_as<float>() + i * vocab);
}

void Scheduler::choose_next(Sequence& s, const float* logits) {
  const int64_t vocab = model_->config().vocab_size;
  scores_.assign(logits, logits + vocab);
  for (const auto& [id, count] : s.counts)  // OpenAI: logit -= count * frequency + presence
    scores_[id] -= count * s.request.frequency_penalty + s.request.presence_penalty;
  const int32_t id = s.sampler.next(s.ids, scores_);

  TokenEvent event;
  event.id = id;
  if (s.request.top_logprobs >= 0) {  // log-softmax of the model's own distribution
    const float max = *std::max_element(logits, logits + vocab);
    double sum = 0;
    for (int64_t i = 0; i < vocab; ++i) sum += std::exp(static_cast<double>(logits[i] - max));
    const float log_z = max + static_cast<float>(std::log(sum));
    event.logprob = logits[id] - log_z;
    std::vector<int32_t> order(vocab);
    std::iota(order.begin(), order.end(), 0);
    const int k = std::min<int>(s.request.top_logprobs, static_cast<int>(vocab));
    std::partial_sort(order.begin(), order.begin() + k, order.end(), [&](int32_t a, int32_t b) { return logits[a] > logits[b]; });
    for (int j = 0; j < k; ++j) event.top.emplace_back(order[j], logits[order[j]] - log_z);
  }

  const auto now = Clock::now();
  if (metrics_) {
    const double dt = std::chrono::duration<double>(now - (s.generated == 0 ? s.arrived : s.last_token)).count();
    s.generated == 0 ? metrics_->time_to_first_token(dt) : metrics_->time_per_token(dt);
  }
  s.last_token = now;
  s.ids.push_back(id);
  ++s.generated;
  ++s.counts[id];
  const auto& eos = s.sampler.config().eos_token_id;
  if (eos && std::find(eos->begin(), eos->end(), id) != eos->end()) return retire(s, "stop");
  s.channel->push(std::move(event));
  if (s.generated >= s.request.max_new_tokens || static_cast<int64_t>(s.ids.size()) >= options_.context)
    retire(s, "length");
}

// Ends a sequence: the request hears why, its cache goes to the prompt cache.
void Scheduler::retire(Sequence& s, std::string reason, std::string error) {
  if (s.done) return;
  s.done = true;
  const bool keep_cache = s.cache && reason != "error";
  const auto prompt = static_cast<int64_t>(s.request.prompt.size());
  if (metrics_) metrics_->tokens(prompt, s.cached, s.generated);
  s.channel->finish({std::move(reason), std::move(error), prompt, s.cached, s.generated});
  if (keep_cache) prompt_cache_.put(std::move(s.ids), std::move(s.cache));
}

}  // namespace hf::server
