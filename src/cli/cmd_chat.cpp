// `hfcpp chat [MODEL] [-p PROMPT]`: streaming chat with a local model.
//   REPL: history kept across turns, /reset forgets it, /exit (or Ctrl-D) quits, Ctrl-C stops the
//   current reply only. One shot (-p, or a prompt piped on stdin): stdout carries only the reply;
//   the status and timings go to stderr so that scripts can capture the answer.
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <iterator>
#include <sstream>

#include "cli/command.h"
#include "cli/generation_flags.h"
#include "core/log.h"
#include "generation/vocab_ids.h"
#include "hf/generation.h"
#include "hf/hub.h"
#include "hf/streamers.h"
#include "hf/tokenizer.h"

namespace hf::cli {
namespace {

std::atomic<bool> g_interrupted{false};
extern "C" void on_sigint(int) { g_interrupted.store(true); }

// The fixture model when this binary was built from a source tree that has it (fast, offline
// demos and tests), else the tutorial's model.
std::string default_model() {
  const std::filesystem::path src = std::filesystem::path(__FILE__).parent_path().parent_path().parent_path();
  const auto fixture = src / "tests" / "fixtures" / "tiny-qwen2";
  if (std::filesystem::exists(fixture / "config.json")) return fixture.string();
  return "Qwen/Qwen2.5-0.5B-Instruct";
}

// Streams the reply to stdout and stops when Ctrl-C was pressed.
class ReplyStreamer : public TextStreamer {
 public:
  explicit ReplyStreamer(Tokenizer tok) : TextStreamer(std::move(tok), {.skip_prompt = true, .skip_special_tokens = true}) {}
  bool stop_requested() const override { return g_interrupted.load(); }
};

struct Options {
  std::string model;
  std::string prompt;
  std::string system;
  bool interactive = false;
  GenerationFlags gen;
};

class Chat {
 public:
  explicit Chat(const Options& o) : o_(o) {
    const std::string name = o.model.empty() ? default_model() : o.model;
    const auto t0 = std::chrono::steady_clock::now();
    const auto dir = resolve_model(name);
    tok_ = AutoTokenizer::from_pretrained(dir.string());
    model_ = std::make_unique<AutoModelForCausalLM>(AutoModelForCausalLM::from_pretrained(dir.string()));
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    info("loaded " + name + " in " + std::to_string(s).substr(0, 4) + " s");
    reset();
  }

  void reset() {
    history_.clear();
    if (!o_.system.empty()) history_.push_back({"system", o_.system});
  }

  // One turn: the user's message in, the streamed reply out (kept in the history).
  void turn(const std::string& user) {
    history_.push_back({"user", user});
    const auto ids = tok_.apply_chat_template_ids(history_, {.add_generation_prompt = true});
    GenerationConfig c = o_.gen.config();
    if (!c.max_new_tokens) c.max_new_tokens = 512;
    ReplyStreamer streamer(tok_);
    // Beam search cannot stream (transformers refuses it too): the reply is printed whole.
    const bool beams = c.num_beams.value_or(1) > 1;
    if (!beams) c.streamer = &streamer;
    c.tokenizer = &tok_;
    // The flag is cleared by the REPL before each turn, not here: a Ctrl-C during loading must
    // still stop a one-shot reply.
    const auto t0 = std::chrono::steady_clock::now();
    GenerateOutput out = model_->generate(std::vector<std::vector<int32_t>>{ids}, c);
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const auto fresh = out.new_tokens()[0];
    const std::string reply = tok_.decode(generation::ids_in_vocabulary(tok_, fresh), {.skip_special_tokens = true});
    if (beams) std::cout << reply << std::endl;
    history_.push_back({"assistant", reply});
    const bool stopped = g_interrupted.exchange(false);
    std::fprintf(stderr, "hfcpp: %s%zu prompt tokens, %zu new tokens in %.2f s (%.1f tokens/s)\n",
                 stopped ? "[stopped] " : "", ids.size(), fresh.size(), s, fresh.size() / std::max(s, 1e-9));
  }

 private:
  Options o_;
  Tokenizer tok_;
  std::unique_ptr<AutoModelForCausalLM> model_;
  Messages history_;
};

int run(const Options& o) {
  o.gen.apply_threads();
  std::string one_shot = o.prompt;
  const bool piped = !isatty(STDIN_FILENO);
  if (one_shot.empty() && piped && !o.interactive) {
    one_shot.assign(std::istreambuf_iterator<char>(std::cin), {});
    while (!one_shot.empty() && (one_shot.back() == '\n' || one_shot.back() == '\r')) one_shot.pop_back();
    if (one_shot.empty()) throw InputError("chat: the prompt read from stdin is empty");
  }
  struct sigaction sa {};
  sa.sa_handler = on_sigint;
  sa.sa_flags = SA_RESTART;
  sigaction(SIGINT, &sa, nullptr);

  Chat chat(o);
  if (!one_shot.empty()) {
    chat.turn(one_shot);
    return 0;
  }
  std::fprintf(stderr, "hfcpp chat: /reset forgets the conversation, /exit or Ctrl-D quits, Ctrl-C stops a reply\n");
  std::string line;
  for (;;) {
    std::cout << "> " << std::flush;
    if (!std::getline(std::cin, line)) break;
    g_interrupted.store(false);  // a Ctrl-C at the prompt only clears the line
    if (line == "/exit" || line == "/quit") break;
    if (line == "/reset") {
      chat.reset();
      std::fprintf(stderr, "hfcpp: conversation reset\n");
      continue;
    }
    if (line.empty()) continue;
    chat.turn(line);
  }
  std::cout << '\n';
  return 0;
}

Register reg("chat", "Chat with a model, streaming its replies", [](CLI::App& cmd) {
  auto o = std::make_shared<Options>();
  cmd.add_option("model", o->model,
                 "Model: a Hub id or a local folder (default: " + default_model() +
                     "; tests/fixtures/tiny-qwen2 of the source tree when it exists, else Qwen/Qwen2.5-0.5B-Instruct)");
  cmd.add_option("-p,--prompt", o->prompt, "One prompt, one reply on stdout, then exit (stdin is read when piped)");
  cmd.add_option("--system", o->system, "System message at the start of the conversation");
  cmd.add_flag("-i,--interactive", o->interactive, "REPL even when stdin is not a terminal (one turn per line)");
  o->gen.add_to(cmd);
  return [o] { return run(*o); };
});

}  // namespace
}  // namespace hf::cli
