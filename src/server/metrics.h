#pragma once
// Server metrics in Prometheus' text format (GET /metrics): requests by endpoint and status,
// prompt and generated tokens, queue depth and active slots, time-to-first-token and per-token
// latency histograms. Thread-safe: HTTP threads and the scheduler record into one instance.
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace hf::server {

class Histogram {
 public:
  explicit Histogram(std::vector<double> bounds) : bounds_(std::move(bounds)), counts_(bounds_.size() + 1, 0) {}
  void observe(double x);
  // `name`_bucket{le=...}, `name`_sum, `name`_count lines.
  std::string text(const std::string& name) const;

 private:
  std::vector<double> bounds_;
  std::vector<uint64_t> counts_;  // per bucket (not cumulative); the last is +Inf
  double sum_ = 0;
  uint64_t count_ = 0;
};

class Metrics {
 public:
  void request_done(const std::string& endpoint, int status);
  void tokens(int64_t prompt, int64_t cached, int64_t generated);
  void time_to_first_token(double seconds);
  void time_per_token(double seconds);
  void set_load(int queued, int active);
  std::string text() const;

 private:
  mutable std::mutex mu_;
  std::map<std::pair<std::string, int>, uint64_t> requests_;
  int64_t prompt_tokens_ = 0, cached_tokens_ = 0, generated_tokens_ = 0;
  int queued_ = 0, active_ = 0;
  Histogram ttft_{{0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30}};
  Histogram tpot_{{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1}};
};

}  // namespace hf::server
