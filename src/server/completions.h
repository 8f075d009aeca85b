#pragma once
// POST /v1/chat/completions and /v1/completions: prompt building, admission, and the answer as
// one JSON object or as OpenAI's Server-Sent Events.
#include <atomic>
#include <ctime>
#include <string>

#include "hf/generation.h"
#include "hf/tokenizer.h"
#include "server/openai_request.h"
#include "server/scheduler.h"

namespace httplib {
struct Request;
struct Response;
}  // namespace httplib

namespace hf::server {

struct ServedModel {
  ServedModel(std::string model_id, Tokenizer tok, AutoModelForCausalLM lm, SchedulerOptions options, Metrics* metrics)
      : id(std::move(model_id)),
        tokenizer(std::move(tok)),
        model(std::move(lm)),
        scheduler(model.shared_model(), model.generation_config(), options, metrics),
        created(static_cast<int64_t>(std::time(nullptr))) {}

  std::string id;
  Tokenizer tokenizer;
  AutoModelForCausalLM model;
  Scheduler scheduler;
  int64_t created = 0;  // unix time of loading (OpenAI's model `created`)
  std::atomic<int> in_flight{0};  // completion requests not yet fully answered (the SIGTERM drain waits for 0)
};

// Answers `req` into `res` (status, body or an SSE content provider). Throws ApiError for
// requests refused before anything was sent.
void handle_completion(ServedModel& served, const httplib::Request& req, httplib::Response& res, Endpoint endpoint);

}  // namespace hf::server
