// The HTTP layer of `hfcpp serve`: routes, the API key, error bodies in OpenAI's shape, limits
// and timeouts, graceful stop.
#include "server/server.h"

#include <httplib.h>

#include <thread>

#include "hf/error.h"
#include "hf/generation.h"
#include "hf/tokenizer.h"
#include "server/api_error.h"
#include "server/completions.h"
#include "server/embeddings.h"
#include "server/web_page.h"

namespace hf::server {
namespace {

void send_error(httplib::Response& res, const ApiError& e) {
  res.status = e.status;
  res.set_content(e.body().dump(), "application/json");
}

// OpenAI's error body for statuses httplib sets itself (unknown path, body too large, ...).
ApiError status_error(int status, const httplib::Request& req, size_t max_body) {
  switch (status) {
    case 404: return ApiError(404, "Unknown request URL: " + req.method + " " + req.path + ".", "", "unknown_url");
    case 405: return ApiError(405, "Method " + req.method + " is not allowed on " + req.path + ".", "", "method_not_allowed");
    case 413:
      return ApiError(413, "The request body is larger than the limit of " + std::to_string(max_body) + " bytes.", "",
                      "request_too_large");
    default: return ApiError(status, "The request could not be processed (HTTP " + std::to_string(status) + ").", "", "");
  }
}

}  // namespace

Server::Server(ServerOptions options) : options_(std::move(options)), http_(std::make_unique<httplib::Server>()) {
  // Every waiting or running request holds a thread, plus room for /health and /metrics.
  const int threads = options_.scheduler.parallel + options_.scheduler.max_queue + 8;
  http_->new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  http_->set_payload_max_length(options_.max_body_bytes);
  http_->set_read_timeout(options_.read_timeout_s, 0);
  http_->set_write_timeout(options_.write_timeout_s, 0);
  http_->set_keep_alive_timeout(5);
  routes();
  port_ = options_.port == 0 ? http_->bind_to_any_port(options_.host) : (http_->bind_to_port(options_.host, options_.port) ? options_.port : -1);
  if (port_ <= 0)
    throw InputError("serve: cannot listen on " + options_.host + ":" + std::to_string(options_.port) +
                     " (address in use, or not an address of this machine)");
}

Server::~Server() {
  if (running_) stop(std::chrono::milliseconds(0));
}

Scheduler* Server::scheduler() {
  ServedModel* m = served_.load();
  return m ? &m->scheduler : nullptr;
}

void Server::load(const std::string& model_dir, const std::string& embedding_dir) {
  if (!embedding_dir.empty()) embedder_ = std::make_unique<EmbeddingModel>(options_.embedding_model_id, embedding_dir);
  if (!model_dir.empty()) {
    Tokenizer tok = AutoTokenizer::from_pretrained(model_dir);
    AutoModelForCausalLM model = AutoModelForCausalLM::from_pretrained(model_dir, {}, options_.load);
    SchedulerOptions so = options_.scheduler;
    if (so.context <= 0) so.context = model.config().max_position_embeddings;  // the cache grows as needed
    owned_ = std::make_unique<ServedModel>(options_.model_id, std::move(tok), std::move(model), so, &metrics_);
    served_.store(owned_.get());
  }
  ready_ = true;
}

void Server::routes() {
  httplib::Server& h = *http_;
  h.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    // The probe and the page itself need no key (the page sends it with its API calls: /?key=...).
    if (options_.api_key.empty() || req.path == "/health" || req.path == "/") return httplib::Server::HandlerResponse::Unhandled;
    if (req.get_header_value("Authorization") == "Bearer " + options_.api_key) return httplib::Server::HandlerResponse::Unhandled;
    const bool missing = !req.has_header("Authorization");
    send_error(res, ApiError(401,
                             missing ? "You didn't provide an API key. Send it as `Authorization: Bearer KEY`."
                                     : "Incorrect API key provided.",
                             "", "invalid_api_key"));
    return httplib::Server::HandlerResponse::Handled;
  });
  h.set_error_handler([this](const httplib::Request& req, httplib::Response& res) {
    if (res.body.empty()) send_error(res, status_error(res.status, req, options_.max_body_bytes));
  });
  h.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
    try {
      std::rethrow_exception(ep);
    } catch (const ApiError& e) {
      send_error(res, e);
    } catch (const InputError& e) {
      send_error(res, ApiError(400, e.what(), "", "invalid_value"));
    } catch (const std::exception& e) {
      send_error(res, ApiError(500, std::string("Internal error: ") + e.what(), "", "internal_error", "server_error"));
    }
  });
  h.set_logger([this](const httplib::Request& req, const httplib::Response& res) {
    metrics_.request_done(req.path, res.status);
  });

  h.Get("/health", [this](const httplib::Request&, httplib::Response& res) {
    if (ready() && !draining_) return res.set_content(R"({"status":"ok"})", "application/json");
    res.status = 503;
    res.set_content(draining_ ? R"({"status":"stopping"})" : R"({"status":"loading"})", "application/json");
  });
  h.Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
    res.set_content(metrics_.text(), "text/plain; version=0.0.4");
  });
  h.Get("/", [](const httplib::Request&, httplib::Response& res) { res.set_content(chat_page(), "text/html; charset=utf-8"); });

  auto available = [this] {
    if (draining_) throw ApiError(503, "The server is shutting down; send the request to another replica.", "", "shutting_down", "server_error");
    if (!ready()) throw ApiError(503, "The model is still loading; retry when GET /health answers 200.", "", "model_loading", "server_error");
  };
  auto loaded = [this, available]() -> ServedModel& {
    available();
    ServedModel* m = served_.load();
    if (!m) throw ApiError(404, "This server hosts no chat or completion model, only the embedding model `" + options_.embedding_model_id + "`.", "model", "model_not_found");
    return *m;
  };
  h.Get("/v1/models", [this, available](const httplib::Request&, httplib::Response& res) {
    available();
    json models = json::array();
    // OpenAI's model object has no type; "task" (the Hub's pipeline tag) tells a client such as
    // the chat page which model can chat. Clients that do not know the field ignore it.
    auto entry = [](const std::string& id, int64_t created, const char* task) {
      return json{{"id", id}, {"object", "model"}, {"created", created}, {"owned_by", "hfcpp"}, {"task", task}};
    };
    if (const ServedModel* m = served_.load()) models.push_back(entry(m->id, m->created, "text-generation"));
    if (embedder_) models.push_back(entry(embedder_->id, embedder_->created, "feature-extraction"));
    res.set_content(json{{"object", "list"}, {"data", models}}.dump(), "application/json");
  });
  h.Post("/v1/embeddings", [this, available](const httplib::Request& req, httplib::Response& res) {
    available();
    if (!embedder_) throw ApiError(404, "This server hosts no embedding model (start it with --embedding-model).", "model", "model_not_found");
    ++embeddings_in_flight_;
    std::shared_ptr<void> done(nullptr, [this](void*) { --embeddings_in_flight_; });
    handle_embeddings(*embedder_, req, res);
  });
  h.Post("/v1/chat/completions", [loaded](const httplib::Request& req, httplib::Response& res) {
    handle_completion(loaded(), req, res, Endpoint::Chat);
  });
  h.Post("/v1/completions", [loaded](const httplib::Request& req, httplib::Response& res) {
    handle_completion(loaded(), req, res, Endpoint::Completions);
  });
}

void Server::run() {
  running_ = true;
  http_->listen_after_bind();
  std::lock_guard lock(stop_mu_);
  running_ = false;
  stopped_.notify_all();
}

// httplib's own stop() cuts streams that are still being written, so the drain happens first:
// new requests get 503 (and /health too, so a load balancer moves on) until the running ones are
// answered or `drain` has passed (then they are cancelled), and only then does the socket close.
void Server::stop(std::chrono::milliseconds drain) {
  draining_ = true;
  auto idle = [this] {
    ServedModel* m = served_.load();
    return (m == nullptr || m->in_flight.load() == 0) && embeddings_in_flight_.load() == 0;
  };
  const auto deadline = std::chrono::steady_clock::now() + drain;
  while (!idle() && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  if (!idle()) {
    if (Scheduler* s = scheduler()) s->cancel_all();
    for (int i = 0; i < 500 && !idle(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  http_->stop();
  std::unique_lock lock(stop_mu_);
  stopped_.wait_for(lock, std::chrono::seconds(10), [&] { return !running_.load(); });
}

}  // namespace hf::server
