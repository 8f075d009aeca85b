#pragma once
// ChoiceStream: one choice of a response, turned from the scheduler's token events into text as
// OpenAI delivers it: incremental decoding that never splits a UTF-8 character (hf::DecodeStream),
// stop sequences cut out of the text (text that might begin one is held back until it cannot),
// and the per-token logprobs entries in OpenAI's `logprobs.content[]` shape.
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/json.h"
#include "hf/tokenizer.h"
#include "hf/tool_calls.h"
#include "server/scheduler.h"

namespace hf::server {

class ChoiceStream {
 public:
  ChoiceStream(int index, std::shared_ptr<SequenceChannel> channel, Tokenizer tokenizer, std::vector<std::string> stop,
               bool logprobs);

  struct Delta {
    std::string text;                  // final text since the last poll (may be empty)
    json logprobs = json::array();     // entries of the tokens since the last poll
    std::vector<ToolCall> tool_calls;  // calls completed since the last poll (parse_tool_calls)
    size_t tool_call_index = 0;        // the first one's index among the choice's calls
  };
  // The reply may call tools: its text goes through `parser` (held back while it may begin a
  // call), complete calls come out in Delta::tool_calls with `new_id()` as id when the model
  // wrote none, and the finish reason becomes "tool_calls". `keep_special_tokens`: the format's
  // markers are special tokens (Mistral's [TOOL_CALLS]), which the text must keep. Call before
  // the first poll.
  void parse_tool_calls(ToolCallStreamParser parser, std::function<std::string()> new_id, bool keep_special_tokens);
  // Takes what the scheduler produced (waiting up to `timeout` when nothing is there).
  Delta poll(std::chrono::milliseconds timeout);
  // Ends the sequence early (client gone); the scheduler frees its slot at the next step.
  void cancel() { channel_->cancel(); }

  int index() const { return index_; }
  // The sequence has ended and every delta was polled.
  bool finished() const { return ended_; }
  // "stop" (eos or a stop sequence), "length", "tool_calls", or "error" (see error()).
  const std::string& finish_reason() const { return finish_reason_; }
  const std::string& error() const { return error_; }
  int64_t prompt_tokens() const { return prompt_tokens_; }
  int64_t cached_tokens() const { return cached_tokens_; }
  int64_t completion_tokens() const { return completion_tokens_; }

 private:
  std::string release(bool final);
  Delta poll_text(std::chrono::milliseconds timeout);
  json logprob_entry(const TokenEvent& e) const;
  json token_json(int32_t id, float logprob) const;

  int index_;
  std::shared_ptr<SequenceChannel> channel_;
  Tokenizer tok_;
  DecodeStream decoder_;
  std::vector<std::string> stop_;
  bool logprobs_;
  std::string held_;  // decoded text not yet released (may begin a stop sequence)
  std::optional<ToolCallStreamParser> tool_parser_;
  std::function<std::string()> new_tool_call_id_;
  std::string finish_reason_, error_;
  bool ended_ = false;
  int64_t prompt_tokens_ = 0, cached_tokens_ = 0, completion_tokens_ = 0;
};

}  // namespace hf::server
