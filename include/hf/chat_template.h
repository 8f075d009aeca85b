#pragma once
// Chat templates: a sandboxed Jinja2 interpreter that renders Hugging Face chat templates byte for
// byte as Python transformers does (jinja2 ImmutableSandboxedEnvironment with trim_blocks,
// lstrip_blocks, loopcontrols, HF's tojson, raise_exception and strftime_now).
//
//   hf::ChatTemplate tmpl(source);                  // compile once (hf::TemplateError on syntax)
//   std::string text = tmpl.render(context);        // context: {"messages": [...], ...}
//
// A compiled template is immutable: render() may be called from several threads at once.
#include <cstdint>
#include <ctime>
#include <memory>
#include <optional>
#include <string>

#include "hf/export.h"
#include "hf/json.h"
#include "hf/error.h"

namespace hf {

namespace templates { struct Program; }

struct HF_API RenderOptions {
  std::optional<std::time_t> now;   // the clock strftime_now() reads (local time); unset = now

  // Budgets of one render. Templates are untrusted input: one that exceeds a budget fails with
  // hf::TemplateError naming it ("work budget", "memory budget", ...) instead of running away.
  // The defaults are far above what real chat templates use (a long conversation renders in
  // well under 1% of each).
  int64_t max_steps = 20'000'000;          // work: expressions, statements, loop iterations, items visited
  int64_t max_memory_bytes = 256LL << 20;  // bytes of strings and lists built (cumulative)
  int max_recursion_depth = 100;           // nested macro calls and recursive loops
  int64_t max_output_bytes = 64LL << 20;   // bytes of rendered text
};

class HF_API ChatTemplate {
 public:
  // Compiles `source`; a syntax error is hf::TemplateError "line L, column C: ...".
  explicit ChatTemplate(const std::string& source);
  ~ChatTemplate();
  ChatTemplate(const ChatTemplate&);
  ChatTemplate& operator=(const ChatTemplate&);
  ChatTemplate(ChatTemplate&&) noexcept;
  ChatTemplate& operator=(ChatTemplate&&) noexcept;

  // Renders with `context` (a JSON object: each key is a template variable; a JSON null is
  // Python's None). Errors (raise_exception, undefined attribute, type errors, sandbox limits)
  // are hf::TemplateError; for raise_exception(msg) what() is exactly msg.
  std::string render(const json& context, const RenderOptions& options = {}) const;

 private:
  std::shared_ptr<const templates::Program> program_;
};

// transformers' continue_final_message post-processing: cuts `rendered` right after the final
// message's content. Python appends "CONTINUE_FINAL_MESSAGE_TAG " to that content before
// rendering; call prepare_continue_final_message(messages) on the context's messages first, render,
// then trim_after_final_message(rendered, final_content) with the content as it was *before*
// the tag was appended (the text, or the last text part's text when content is a list).
// Throws hf::TemplateError (transformers raises ValueError) when the rendered text does not
// contain the final message.
inline constexpr const char* kContinueFinalMessageTag = "CONTINUE_FINAL_MESSAGE_TAG ";
HF_API void prepare_continue_final_message(json& messages);
HF_API std::string trim_after_final_message(const std::string& rendered, const std::string& final_content);

// Renders `tmpl` as transformers' apply_chat_template(tokenize=False) does, from one JSON object
// with the keys of the fixtures' cases.jsonl (and `hfcpp template --context`):
//   messages, tools, documents (absent → none), add_generation_prompt (default false),
//   continue_final_message (default false), bos_token / eos_token (null or absent → not defined),
//   kwargs (extra variables, overriding the others), now ("2025-01-15T10:30:00", local time).
// Throws hf::TemplateError from the template, hf::InputError for contradictory options.
HF_API std::string render_chat_inputs(const ChatTemplate& tmpl, const json& inputs);

// "YYYY-MM-DDTHH:MM:SS" (or with a space) as local time; hf::InputError if malformed.
HF_API std::time_t parse_local_time(const std::string& iso);

}  // namespace hf
