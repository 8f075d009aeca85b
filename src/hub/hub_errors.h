#pragma once
// HTTP error responses → the exception a user understands (hub-protocol.md §10): which repo,
// file or revision, what the server said, and what to do next (set HF_TOKEN, accept the license
// at the model's page, check the id...). One line each.
#include <string>

#include "hub/http_client.h"

namespace hf::hub {

struct RequestContext {
  std::string endpoint;
  std::string repo_id;
  std::string repo_type = "model";
  std::string revision;
  std::string filename;   // empty for API calls
  std::string url;
  bool sent_token = false;
};

// Throws the matching hf::HubError subclass when `response` is an error status (>= 400).
void raise_for_status(const HttpResponse& response, const RequestContext& context);

// Retrying makes sense: timeouts, broken connections, 408/429/5xx.
bool is_retryable(const HttpResponse& response);

// The server's own words: X-Error-Message and a JSON body's "error", de-duplicated.
std::string server_message(const HttpResponse& response);

// "<endpoint>/<prefix><repo_id>": the repo's page (datasets/ and spaces/ prefixed).
std::string repo_url(const RequestContext& context);

}  // namespace hf::hub
