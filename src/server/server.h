#pragma once
// The OpenAI-compatible HTTP server of `hfcpp serve` (cpp-httplib, Debian's libcpp-httplib-dev):
//   GET  /health               503 while the model loads, 200 when ready (never needs the key)
//   GET  /v1/models            the served models, chat first; an extra "task" (text-generation or
//                              feature-extraction) says which can chat
//   POST /v1/chat/completions  chat, streamed (SSE) or not
//   POST /v1/completions       plain prompts, streamed or not
//   POST /v1/embeddings        vectors of a sentence-transformers model (server/embeddings.h)
//   GET  /metrics              Prometheus text
//   GET  /                     the chat page, built into the binary
// Requests run through one Scheduler (continuous batching). The server keeps no state between
// requests that another replica would need: the prompt cache is only a speed-up.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>

#include "server/scheduler.h"

namespace httplib {
class Server;
}

namespace hf::server {

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 8080;                     // 0: any free port (see Server::port())
  std::string api_key;                 // "" = no key: any Authorization header is accepted
  std::string model_id;                // the name clients pass as "model"
  std::string embedding_model_id;      // the embedding model's name, when one is served
  LoadOptions load;                    // the chat model's quantization
  size_t max_body_bytes = 8u << 20;    // larger bodies: 413
  int read_timeout_s = 30, write_timeout_s = 30;  // slow or stuck clients
  SchedulerOptions scheduler;
};

struct ServedModel;
struct EmbeddingModel;

class Server {
 public:
  // Binds the port (hf::InputError when it cannot); /health answers 503 until load() is done.
  explicit Server(ServerOptions options);
  ~Server();

  int port() const { return port_; }
  // Loads tokenizer and model from a local folder and starts the scheduler, and/or a
  // sentence-transformers folder for /v1/embeddings ("" = none); ready() once both are loaded.
  void load(const std::string& model_dir, const std::string& embedding_dir = "");
  bool ready() const { return ready_.load(); }
  // Serves until stop(); returns when every accepted request has been answered.
  void run();
  // Graceful stop: new requests get 503, running ones finish (cancelled after `drain`), then the
  // listening socket closes and run() returns. Any thread.
  void stop(std::chrono::milliseconds drain);
  Scheduler* scheduler();          // null until loaded
  Metrics& metrics() { return metrics_; }

 private:
  void routes();

  ServerOptions options_;
  std::unique_ptr<httplib::Server> http_;
  int port_ = 0;
  Metrics metrics_;
  std::unique_ptr<ServedModel> owned_;
  std::atomic<ServedModel*> served_{nullptr};
  std::unique_ptr<EmbeddingModel> embedder_;  // set before ready_, never changed after
  std::atomic<int> embeddings_in_flight_{0};
  std::atomic<bool> ready_{false};
  std::atomic<bool> running_{false}, draining_{false};
  std::mutex stop_mu_;
  std::condition_variable stopped_;
};

}  // namespace hf::server
