// Prometheus text exposition of the server's counters, gauges and histograms.
#include "server/metrics.h"

#include <sstream>

namespace hf::server {

void Histogram::observe(double x) {
  size_t i = 0;
  while (i < bounds_.size() && x > bounds_[i]) ++i;
  ++counts_[i];
  sum_ += x;
  ++count_;
}

std::string Histogram::text(const std::string& name) const {
  std::ostringstream o;
  uint64_t cumulative = 0;
  for (size_t i = 0; i < bounds_.size(); ++i) {
    cumulative += counts_[i];
    o << name << "_bucket{le=\"" << bounds_[i] << "\"} " << cumulative << "\n";
  }
  o << name << "_bucket{le=\"+Inf\"} " << count_ << "\n" << name << "_sum " << sum_ << "\n" << name << "_count " << count_ << "\n";
  return o.str();
}

void Metrics::request_done(const std::string& endpoint, int status) {
  std::lock_guard lock(mu_);
  ++requests_[{endpoint, status}];
}

void Metrics::tokens(int64_t prompt, int64_t cached, int64_t generated) {
  std::lock_guard lock(mu_);
  prompt_tokens_ += prompt;
  cached_tokens_ += cached;
  generated_tokens_ += generated;
}

void Metrics::time_to_first_token(double seconds) {
  std::lock_guard lock(mu_);
  ttft_.observe(seconds);
}

void Metrics::time_per_token(double seconds) {
  std::lock_guard lock(mu_);
  tpot_.observe(seconds);
}

void Metrics::set_load(int queued, int active) {
  std::lock_guard lock(mu_);
  queued_ = queued;
  active_ = active;
}

std::string Metrics::text() const {
  std::lock_guard lock(mu_);
  std::ostringstream o;
  o << "# HELP hfcpp_requests_total HTTP requests by endpoint and status code.\n# TYPE hfcpp_requests_total counter\n";
  for (const auto& [key, n] : requests_)
    o << "hfcpp_requests_total{endpoint=\"" << key.first << "\",status=\"" << key.second << "\"} " << n << "\n";
  o << "# HELP hfcpp_prompt_tokens_total Prompt tokens of finished sequences.\n# TYPE hfcpp_prompt_tokens_total counter\n"
    << "hfcpp_prompt_tokens_total " << prompt_tokens_ << "\n"
    << "# HELP hfcpp_prompt_cached_tokens_total Prompt tokens reused from the prompt cache.\n"
    << "# TYPE hfcpp_prompt_cached_tokens_total counter\nhfcpp_prompt_cached_tokens_total " << cached_tokens_ << "\n"
    << "# HELP hfcpp_generated_tokens_total Generated tokens.\n# TYPE hfcpp_generated_tokens_total counter\n"
    << "hfcpp_generated_tokens_total " << generated_tokens_ << "\n"
    << "# HELP hfcpp_queue_depth Sequences waiting for a slot.\n# TYPE hfcpp_queue_depth gauge\nhfcpp_queue_depth " << queued_ << "\n"
    << "# HELP hfcpp_active_slots Sequences being generated.\n# TYPE hfcpp_active_slots gauge\nhfcpp_active_slots " << active_ << "\n"
    << "# HELP hfcpp_time_to_first_token_seconds Time from a request's arrival to its first token.\n"
    << "# TYPE hfcpp_time_to_first_token_seconds histogram\n" << ttft_.text("hfcpp_time_to_first_token_seconds")
    << "# HELP hfcpp_time_per_output_token_seconds Time between consecutive tokens of a sequence.\n"
    << "# TYPE hfcpp_time_per_output_token_seconds histogram\n" << tpot_.text("hfcpp_time_per_output_token_seconds");
  return o.str();
}

}  // namespace hf::server
