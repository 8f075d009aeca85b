#pragma once
// The OpenAI-compatible HTTP server of `hfcpp serve` (cpp-httplib, Debian's libcpp-httplib-dev):
//   GET  /health               503 while the model loads, 200 when ready (never needs the key)
//   GET  /v1/models            the served model
//   POST /v1/chat/completions  chat, streamed (SSE) or not
//   POST /v1/completions       plain prompts, streamed or not
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
  size_t max_body_bytes = 8u << 20;    // larger bodies: 413
  int read_timeout_s = 30, write_timeout_s = 30;  // slow or stuck clients
  SchedulerOptions scheduler;
};

struct ServedModel;

class Server {
 public:
  // Binds the port (hf::InputError when it cannot); /health answers 503 until load() is done.
  explicit Server(ServerOptions options);
  ~Server();

  int port() const { return port_; }
  // Loads tokenizer and model from a local folder and starts the scheduler.
  void load(const std::string& model_dir);
  bool ready() const { return served_.load() != nullptr; }
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
  std::atomic<bool> running_{false}, draining_{false};
  std::mutex stop_mu_;
  std::condition_variable stopped_;
};

}  // namespace hf::server
