// `hfcpp chat [MODEL] [-p PROMPT]`: streaming chat with a local model (default: the tutorial's
// Qwen/Qwen2.5-0.5B-Instruct).
//   REPL: line editing and history (libedit), multi-line messages (a trailing `\`, or a `"""`
//   block), /help, /reset, /bye or /exit; Ctrl-C stops the current reply only, Ctrl-D quits.
//   Each turn reuses the conversation's KV cache (hf::DynamicCache): only the new turn's tokens
//   are prefilled. A conversation that outgrows the context drops its oldest exchanges (the
//   system message stays), with a notice.
//   One shot (-p, or a prompt piped on stdin): stdout carries only the reply; the status and
//   timings go to stderr so that scripts can capture the answer.
//   --json-schema FILE / --regex PATTERN constrain every reply (hf/constrained.h): the reply is
//   JSON valid against the schema, or matches the pattern in full, even when -n runs out.
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <iostream>

#include "cli/command.h"
#include "cli/failure.h"
#include "cli/generation_flags.h"
#include "cli/inputs.h"
#include "cli/line_reader.h"
#include "cli/model_flags.h"
#include "core/json.h"
#include "core/log.h"
#include "generation/vocab_ids.h"
#include "hf/constrained.h"
#include "hf/generation.h"
#include "hf/streamers.h"
#include "hf/tokenizer.h"

namespace hf::cli {
namespace {

constexpr const char* kDefaultModel = "Qwen/Qwen2.5-0.5B-Instruct";
constexpr int kDefaultMaxNewTokens = 512;

constexpr const char* kReplHelp =
    "  /help          this help\n"
    "  /reset         forget the conversation (the system message stays)\n"
    "  /bye, /exit    quit (Ctrl-D too)\n"
    "  Ctrl-C         stop the current reply\n"
    "  end a line with \\ to continue the message on the next line; or write it between \"\"\" lines\n";

std::atomic<bool> g_interrupted{false};
extern "C" void on_sigint(int) { g_interrupted.store(true); }

// Streams the reply to stdout and stops when Ctrl-C was pressed.
class ReplyStreamer : public TextStreamer {
 public:
  explicit ReplyStreamer(Tokenizer tok) : TextStreamer(std::move(tok), {.skip_prompt = true, .skip_special_tokens = true}) {}
  bool stop_requested() const override { return g_interrupted.load(); }
};

struct Options {
  ModelFlags model{kDefaultModel};
  std::string prompt;
  std::string system;
  bool interactive = false;
  LoadOptions load;  // --quantize, --kv-cache-dtype
  GenerationFlags gen;
  std::string json_schema_file, regex;  // constrained replies
};

// The grammar of --json-schema / --regex, compiled before the model loads so that a bad schema
// or pattern fails fast; nullptr when neither is given.
std::shared_ptr<const Grammar> reply_grammar(const Options& o) {
  if (!o.json_schema_file.empty() && !o.regex.empty())
    throw InputError("--json-schema and --regex both constrain the reply; give one of them");
  try {
    if (!o.json_schema_file.empty()) return Grammar::json_schema(read_json_file(o.json_schema_file));
    if (!o.regex.empty()) return Grammar::regex(o.regex);
  } catch (const InputError& e) {  // the regex's own message already starts "regex: "
    if (o.regex.empty()) throw InputError("--json-schema " + o.json_schema_file + ": " + e.what());
    throw;
  }
  return nullptr;
}

class Chat {
 public:
  Chat(const Options& o, std::shared_ptr<const Grammar> grammar) : o_(o), config_(o.gen.config()) {
    if (!config_.max_new_tokens) config_.max_new_tokens = kDefaultMaxNewTokens;
    config_.response_format = std::move(grammar);
    const auto t0 = std::chrono::steady_clock::now();
    const auto dir = o.model.resolve();
    tok_ = AutoTokenizer::from_pretrained(dir.string());
    model_ = std::make_unique<AutoModelForCausalLM>(AutoModelForCausalLM::from_pretrained(dir.string(), {}, o.load));
    context_ = o.gen.context_size(model_->config().max_position_embeddings);
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    info("loaded " + o.model.model + " in " + std::to_string(s).substr(0, 4) + " s");
    reset();
  }

  void reset() {
    history_.clear();
    if (!o_.system.empty()) history_.push_back({"system", o_.system});
  }

  // One turn: the user's message in, the streamed reply out (kept in the history). On an error
  // the message is taken back, so the REPL can go on.
  void turn(const std::string& user) {
    history_.push_back({"user", user});
    try {
      run_turn();
    } catch (...) {
      history_.pop_back();
      throw;
    }
  }

 private:
  // The prompt of the conversation, with the oldest exchanges dropped while it and the reply's
  // budget exceed the context. A message that does not fit on its own is an error.
  std::vector<int32_t> prompt_within_context(int max_new) {
    auto ids = tok_.apply_chat_template_ids(history_, {.add_generation_prompt = true});
    const size_t first = !history_.empty() && history_[0].role == "system" ? 1 : 0;
    int dropped = 0;
    while (context_ > 0 && int64_t(ids.size()) + max_new > context_ && history_.size() > first + 1) {
      // The oldest exchange: its user message and everything up to the next user message.
      size_t end = first + 1;
      while (end < history_.size() - 1 && history_[end].role != "user") ++end;
      history_.erase(history_.begin() + first, history_.begin() + end);
      ++dropped;
      ids = tok_.apply_chat_template_ids(history_, {.add_generation_prompt = true});
    }
    if (dropped)
      std::fprintf(stderr, "hfcpp: the conversation outgrew the context (%lld tokens): dropped the oldest %d turn%s\n",
                   (long long)context_, dropped, dropped == 1 ? "" : "s");
    if (context_ > 0 && int64_t(ids.size()) >= context_)
      throw InputError("chat: the message makes a prompt of " + std::to_string(ids.size()) +
                       " tokens, which leaves no room for a reply in the context of " + std::to_string(context_) +
                       " tokens (-c, else the model's max_position_embeddings); shorten it");
    return ids;
  }

  void run_turn() {
    GenerationConfig c = config_;
    const auto ids = prompt_within_context(*c.max_new_tokens);
    if (context_ > 0) c.max_new_tokens = int(std::min<int64_t>(*c.max_new_tokens, context_ - int64_t(ids.size())));
    ReplyStreamer streamer(tok_);
    // Beam search cannot stream (transformers refuses it too): the reply is printed whole, and
    // the conversation cache serves one row only.
    const bool beams = c.num_beams.value_or(1) > 1;
    if (!beams) {
      c.streamer = &streamer;
      c.past_key_values = &cache_;
    }
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
    std::fprintf(stderr, "hfcpp: %s%zu prompt tokens (%zu prefilled, %d cached), %zu new tokens in %.2f s (%.1f tokens/s)\n",
                 stopped ? "[stopped] " : "", ids.size(), ids.size() - out.cached_tokens, out.cached_tokens,
                 fresh.size(), s, fresh.size() / std::max(s, 1e-9));
  }

  Options o_;
  GenerationConfig config_;
  Tokenizer tok_;
  std::unique_ptr<AutoModelForCausalLM> model_;
  int64_t context_ = 0;
  Messages history_;
  DynamicCache cache_;
};

// The REPL's own commands; false when the line is not one. Never sent to the model.
enum class ReplAction { None, Quit, Handled };
ReplAction repl_command(const std::string& line, Chat& chat) {
  if (line.empty() || line[0] != '/') return ReplAction::None;
  const std::string cmd = line.substr(0, line.find_first_of(" \t"));
  if (cmd == "/bye" || cmd == "/exit" || cmd == "/quit") return ReplAction::Quit;
  if (cmd == "/help" || cmd == "/?") {
    std::fputs(kReplHelp, stderr);
  } else if (cmd == "/reset" || cmd == "/clear") {
    chat.reset();
    std::fprintf(stderr, "hfcpp: conversation reset\n");
  } else {
    std::fprintf(stderr, "hfcpp: unknown command '%s'; /help lists the commands (a message starting with '/' "
                         "can be sent as \"\"\"/...\"\"\")\n", cmd.c_str());
  }
  return ReplAction::Handled;
}

int run(const Options& o) {
  o.gen.config();  // flags checked before the model loads
  auto grammar = reply_grammar(o);
  o.gen.apply_threads();
  std::string one_shot = o.prompt;
  if (one_shot.empty() && stdin_is_piped() && !o.interactive) {
    one_shot = read_input("-");
    while (!one_shot.empty() && (one_shot.back() == '\n' || one_shot.back() == '\r')) one_shot.pop_back();
    if (one_shot.empty()) throw InputError("chat: the prompt read from stdin is empty");
  }
  struct sigaction sa {};
  sa.sa_handler = on_sigint;
  sa.sa_flags = SA_RESTART;
  sigaction(SIGINT, &sa, nullptr);

  Chat chat(o, grammar);
  if (!one_shot.empty()) {
    chat.turn(one_shot);
    return 0;
  }
  std::fprintf(stderr, "hfcpp chat: /help for help, /bye or Ctrl-D quits, Ctrl-C stops a reply\n");
  LineReader reader(!stdin_is_piped());
  while (auto message = reader.read_message("> ", "... ")) {
    g_interrupted.store(false);  // a Ctrl-C at the prompt only clears the line
    const ReplAction action = repl_command(*message, chat);
    if (action == ReplAction::Quit) break;
    if (action == ReplAction::Handled || message->find_first_not_of(" \t\n") == std::string::npos) continue;
    try {
      chat.turn(*message);
    } catch (...) {  // one failed turn does not end the conversation
      std::fprintf(stderr, "hfcpp: error: %s\n", describe_failure(std::current_exception()).c_str());
    }
  }
  std::cout << '\n';
  return 0;
}

Register reg("chat", "Chat with a model, streaming its replies", [](CLI::App& cmd) {
  auto o = std::make_shared<Options>();
  o->model.add_to(cmd, std::string("Model: a Hub id or a local folder (default: ") + kDefaultModel + ")");
  cmd.add_option("-p,--prompt", o->prompt, "One prompt, one reply on stdout, then exit (stdin is read when piped)");
  cmd.add_option("--system", o->system, "System message at the start of the conversation");
  cmd.add_flag("-i,--interactive", o->interactive, "REPL even when stdin is not a terminal (one turn per line)");
  add_load_flags(cmd, o->load);
  o->gen.add_to(cmd, /*with_context=*/true);
  cmd.add_option("--json-schema", o->json_schema_file,
                 "Reply with JSON valid against this JSON Schema file (OpenAI structured-outputs subset)");
  cmd.add_option("--regex", o->regex, "Reply with text matching this regular expression in full");
  cmd.footer(std::string("\nIn the conversation:\n") + kReplHelp +
             "\nExamples:\n"
             "  hfcpp chat                                   Qwen/Qwen2.5-0.5B-Instruct (downloaded once)\n"
             "  hfcpp chat ./model -p \"Hi\" --temp 0          one greedy reply from a local folder\n"
             "  echo \"Hi\" | hfcpp chat -m M -n 64            the prompt from stdin, at most 64 new tokens\n"
             "  hfcpp chat M -c 4096 --system \"Be brief.\"    a 4096-token context; older turns drop out\n"
             "  hfcpp chat M -p \"A user?\" --json-schema user.json --do-sample --seed 1\n"
             "                                               a reply that parses and validates, reproducibly\n"
             "  hfcpp chat M -p \"Phone?\" --regex '\\d{3}-\\d{4}'   a reply matching the pattern\n"
             "Each reply's stats line (stderr) shows the prompt tokens prefilled and those reused from the\n"
             "conversation's cache.");
  return [o] { return run(*o); };
});

}  // namespace
}  // namespace hf::cli
