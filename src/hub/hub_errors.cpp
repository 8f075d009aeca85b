#include "hub/hub_errors.h"

#include <curl/curl.h>

#include "core/json.h"
#include "hf/hub.h"

namespace hf::hub {

std::string server_message(const HttpResponse& r) {
  std::string header = r.header("x-error-message"), body;
  if (!r.body.empty()) {
    try {
      auto j = parse_json(r.body);  // bounded as every untrusted JSON (core/json.h)
      if (j.is_object() && j.contains("error") && j["error"].is_string()) body = j["error"].get<std::string>();
    } catch (const std::exception&) {
    }
  }
  std::string msg = (body.empty() || body == header) ? header : header.empty() ? body : header + " " + body;
  for (auto& c : msg)  // error messages are one line
    if (c == '\n' || c == '\r') c = ' ';
  return msg;
}

bool is_retryable(const HttpResponse& r) {
  if (r.network_error()) {
    // Nobody listening or no such host: retrying only delays the error (and the cache fallback
    // already ran). Timeouts and broken transfers are worth another try.
    return r.curl_code != CURLE_COULDNT_CONNECT && r.curl_code != CURLE_COULDNT_RESOLVE_HOST &&
           r.curl_code != CURLE_COULDNT_RESOLVE_PROXY;
  }
  return r.status == 408 || r.status == 429 || r.status == 500 || r.status == 502 || r.status == 503 ||
         r.status == 504;
}

std::string repo_url(const RequestContext& c) {
  std::string prefix = c.repo_type == "model" ? "" : c.repo_type + "s/";
  return c.endpoint + "/" + prefix + c.repo_id;
}

void raise_for_status(const HttpResponse& r, const RequestContext& c) {
  if (r.status < 400) return;
  std::string code = r.header("x-error-code"), msg = server_message(r);
  std::string status = std::to_string(r.status);
  std::string tail = " (HTTP " + status + " for " + c.url;
  if (!r.header("x-request-id").empty()) tail += ", request id " + r.header("x-request-id");
  tail += ")";
  if (!msg.empty()) tail += ". Server says: " + msg;
  std::string page = repo_url(c);
  std::string what = c.filename.empty() ? "repo " + c.repo_id : "'" + c.filename + "' of " + c.repo_id;

  if (code == "RevisionNotFound")
    throw RevisionNotFoundError("revision '" + c.revision + "' not found in " + c.repo_id +
                                ": use a branch, tag or commit that exists (see " + page + ")" + tail);
  if (code == "EntryNotFound")
    throw EntryNotFoundError(c.repo_id + " has no file named '" + c.filename + "' at revision '" + c.revision +
                             "'; see " + page + "/tree/" + c.revision + " for available files" + tail);
  if (code == "GatedRepo") {
    if (r.status == 401)
      throw GatedRepoError("cannot access gated repo " + c.repo_id + " without a token: request access at " + page +
                           ", then set HF_TOKEN to a token of that account" + tail);
    throw GatedRepoError("access to gated repo " + c.repo_id + " denied for your token: accept the license at " +
                         page + " with the token's account, then retry" + tail);
  }
  if (msg == "Access to this resource is disabled.")
    throw RepositoryNotFoundError("repo " + c.repo_id + " is disabled" + tail);
  if (r.status == 401 && msg.find("Invalid credentials in Authorization header") != std::string::npos)
    throw HubError("the Hub rejected the token as invalid while fetching " + what +
                   ": check HF_TOKEN / HUGGING_FACE_HUB_TOKEN / the token file, or unset it for public repos" + tail);
  if (code == "RepoNotFound" || r.status == 401) {
    std::string hint = c.sent_token
                           ? "check the id; if it is private, make sure your token has access to it"
                           : "check the id; if it is private or gated, set HF_TOKEN to a token with access";
    throw RepositoryNotFoundError("repository " + c.repo_id + " not found at " + c.endpoint + ": " + hint + tail);
  }
  if (r.status == 403)
    throw HubError("forbidden: cannot access " + what + "; make sure your token has the right permissions" + tail);
  if (r.status == 404)
    throw EntryNotFoundError(what + " not found" + tail);
  throw HubError("cannot fetch " + what + tail);
}

}  // namespace hf::hub
