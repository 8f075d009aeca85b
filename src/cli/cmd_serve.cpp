// `hfcpp serve [MODEL] [--embedding-model M]`: the OpenAI-compatible server (src/server). Binds
// first (GET /health answers 503 while the models load), then serves until SIGTERM or Ctrl-C: it
// stops accepting, lets running requests finish (at most --drain-timeout seconds), then exits 0.
// One process serves at most one chat model (the scheduler owns it) and one embedding model
// (/v1/embeddings); each is named by the "model" field of the requests.
#include <malloc.h>
#include <pthread.h>
#include <signal.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <thread>

#include "cli/command.h"
#include "cli/model_flags.h"
#include "cli/threads.h"
#include "core/log.h"
#include "hf/hub.h"
#include "server/server.h"

namespace hf::cli {
namespace {

struct Options {
  std::string model;
  std::string served_name;
  std::string embedding_model;
  std::optional<int> threads;
  double drain_timeout = 30;
  int64_t prompt_cache_mib = 1024;
  server::ServerOptions server;
};

bool is_loopback(const std::string& host) { return host == "127.0.0.1" || host == "localhost" || host == "::1"; }

// glibc raises its mmap threshold to the size of any large block freed (up to 32 MiB): after the
// load frees its big buffers, the logits and activations every step allocates come from the
// arenas instead, and fragmentation keeps that memory for good. Measured with
// bench/server_load.mjs (8 streams, prompt cache off): RSS 184 -> 242 MiB over 220 requests with
// the dynamic threshold; with it fixed, 64.9 -> 65.3 MiB over 208 requests after the warm-up. Setting
// it turns the dynamic adjustment off: larger blocks are mapped and unmapped, back to the system.
void keep_large_blocks_mapped() { mallopt(M_MMAP_THRESHOLD, 128 << 10); }

int run(Options o) {
  keep_large_blocks_mapped();
  configure_threads(o.threads);  // the CLI's checked path: rejects 0, -1, HF_NUM_THREADS=abc; caps to the cores
  if (o.server.api_key.empty())
    if (const char* k = std::getenv("HFCPP_API_KEY")) o.server.api_key = k;
  if (!is_loopback(o.server.host) && o.server.api_key.empty())
    warn("serve: listening on " + o.server.host + " without an API key: anyone who can reach it can use the model "
         "(set --api-key or HFCPP_API_KEY)");
  if (o.server.scheduler.parallel < 1) throw InputError("serve: --parallel must be at least 1");
  if (o.server.scheduler.max_queue < 0) throw InputError("serve: --max-queue must be at least 0");
  if (o.model.empty() && o.embedding_model.empty()) throw InputError("serve: give a MODEL, an --embedding-model, or both");
  if (o.model.empty() && !o.served_name.empty()) throw InputError("serve: --served-model-name names MODEL, and none was given");
  o.server.model_id = o.served_name.empty() ? o.model : o.served_name;
  o.server.embedding_model_id = o.embedding_model;
  o.server.scheduler.prompt_cache_bytes = o.prompt_cache_mib << 20;

  // Signals are taken by one thread (sigwait), so block them before any thread starts.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  server::Server srv(o.server);
  const std::string names = o.model.empty() ? o.embedding_model : o.embedding_model.empty() ? o.server.model_id : o.server.model_id + ", " + o.embedding_model;
  std::fprintf(stderr, "hfcpp: listening on http://%s:%d (loading %s)\n", o.server.host.c_str(), srv.port(), names.c_str());
  std::exception_ptr load_error;
  const auto drain = std::chrono::milliseconds(static_cast<int64_t>(o.drain_timeout * 1000));
  std::thread loader([&] {
    try {
      const std::string chat = o.model.empty() ? "" : resolve_model(o.model).string();
      srv.load(chat, o.embedding_model.empty() ? "" : resolve_model(o.embedding_model).string());
      std::fprintf(stderr, "hfcpp: ready: %s\n", names.c_str());
    } catch (...) {
      load_error = std::current_exception();
      srv.stop(std::chrono::milliseconds(0));
    }
  });
  std::thread waiter([&] {
    int sig = 0;
    sigwait(&signals, &sig);
    if (sig == 0) return;  // woken by ourselves at exit
    std::fprintf(stderr, "hfcpp: %s: no new requests; finishing the running ones\n", sig == SIGTERM ? "SIGTERM" : "SIGINT");
    srv.stop(drain);
  });
  srv.run();
  loader.join();
  pthread_kill(waiter.native_handle(), SIGTERM);  // the waiter may still be in sigwait
  waiter.join();
  if (load_error) std::rethrow_exception(load_error);
  std::fprintf(stderr, "hfcpp: stopped\n");
  return 0;
}

Register reg("serve", "OpenAI-compatible HTTP server (chat, completions, streaming, web page)", [](CLI::App& cmd) {
  auto o = std::make_shared<Options>();
  cmd.add_option("model", o->model, "Chat/completion model: a Hub id or a local folder (optional with --embedding-model)");
  cmd.add_option("--embedding-model", o->embedding_model,
                 "A sentence-transformers model (Hub id or folder) for POST /v1/embeddings, named as given");
  add_load_flags(cmd, o->server.load);
  cmd.add_option("--host", o->server.host, "Address to listen on (default 127.0.0.1: this machine only)");
  cmd.add_option("--port", o->server.port, "Port (default 8080; 0 = any free port, printed on stderr)");
  cmd.add_option("--api-key", o->server.api_key, "Require `Authorization: Bearer KEY` (or set HFCPP_API_KEY)");
  cmd.add_option("--parallel", o->server.scheduler.parallel, "Sequences decoded together (continuous batching; default 4)");
  cmd.add_option("--ctx", o->server.scheduler.context, "Positions per sequence, prompt + reply (default: the model's max_position_embeddings)")
      ->default_val(0);
  cmd.add_option("--max-queue", o->server.scheduler.max_queue, "Sequences waiting for a slot before 503 (default 64)");
  cmd.add_option("--served-model-name", o->served_name, "The name clients pass as \"model\" (default: MODEL as given)");
  cmd.add_option("--prompt-cache-mib", o->prompt_cache_mib, "KV memory kept for prompt reuse, MiB (default 1024; 0 = off)");
  cmd.add_option("--drain-timeout", o->drain_timeout, "Seconds running requests may take after SIGTERM (default 30)");
  cmd.add_option("--threads", o->threads, "CPU threads (default: HF_NUM_THREADS, else all cores)");
  return [o] { return run(*o); };
});

}  // namespace
}  // namespace hf::cli
