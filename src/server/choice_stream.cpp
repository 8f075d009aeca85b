// Token events → text deltas: UTF-8-safe incremental decoding, stop sequences, logprobs.
#include "server/choice_stream.h"

#include <algorithm>

namespace hf::server {

ChoiceStream::ChoiceStream(int index, std::shared_ptr<SequenceChannel> channel, Tokenizer tokenizer,
                           std::vector<std::string> stop, bool logprobs)
    : index_(index),
      channel_(std::move(channel)),
      tok_(tokenizer),
      decoder_(std::move(tokenizer), {.skip_special_tokens = true}),
      stop_(std::move(stop)),
      logprobs_(logprobs) {}

// Releases the held text up to a stop sequence (ending the choice), or up to the longest tail
// that could still begin one (everything when `final`).
std::string ChoiceStream::release(bool final) {
  size_t cut = std::string::npos;
  for (const auto& s : stop_) cut = std::min(cut, held_.find(s));
  if (cut != std::string::npos) {
    std::string out = held_.substr(0, cut);
    held_.clear();
    finish_reason_ = "stop";
    channel_->cancel();
    return out;
  }
  size_t keep = 0;
  if (!final)
    for (const auto& s : stop_)
      for (size_t n = std::min(s.size() - 1, held_.size()); n > keep; --n)
        if (held_.compare(held_.size() - n, n, s, 0, n) == 0) {
          keep = n;
          break;
        }
  std::string out = held_.substr(0, held_.size() - keep);
  held_.erase(0, held_.size() - keep);
  return out;
}

json ChoiceStream::token_json(int32_t id, float logprob) const {
  const std::string text = id >= 0 && static_cast<size_t>(id) < tok_.vocab_size() ? tok_.decode(std::vector<int32_t>{id}) : "";
  json bytes = json::array();
  for (unsigned char c : text) bytes.push_back(static_cast<int>(c));
  // A token that ends inside a character decodes to U+FFFD; `bytes` carries the exact bytes.
  return json{{"token", text}, {"logprob", logprob}, {"bytes", bytes}};
}

json ChoiceStream::logprob_entry(const TokenEvent& e) const {
  json entry = token_json(e.id, e.logprob);
  json top = json::array();
  for (const auto& [id, lp] : e.top) top.push_back(token_json(id, lp));
  entry["top_logprobs"] = top;
  return entry;
}

void ChoiceStream::parse_tool_calls(ToolCallStreamParser parser, std::function<std::string()> new_id,
                                    bool keep_special_tokens) {
  if (keep_special_tokens) decoder_ = DecodeStream(tok_, {.skip_special_tokens = false});
  tool_parser_ = std::move(parser);
  new_tool_call_id_ = std::move(new_id);
}

ChoiceStream::Delta ChoiceStream::poll(std::chrono::milliseconds timeout) {
  const bool had_ended = ended_;
  Delta d = poll_text(timeout);
  if (!tool_parser_ || had_ended || finish_reason_ == "error") return d;
  ToolCallStreamParser::Output out = tool_parser_->put(d.text);
  if (ended_) {
    ToolCallStreamParser::Output rest = tool_parser_->finish();
    out.content += rest.content;
    for (auto& c : rest.tool_calls) out.tool_calls.push_back(std::move(c));
  }
  d.text = std::move(out.content);
  d.tool_call_index = tool_parser_->calls_released() - out.tool_calls.size();
  for (auto& c : out.tool_calls) {
    if (c.id.empty()) c.id = new_tool_call_id_();
    d.tool_calls.push_back(std::move(c));
  }
  if (ended_ && tool_parser_->calls_released() > 0) finish_reason_ = "tool_calls";  // as vLLM, even after "length"
  return d;
}

ChoiceStream::Delta ChoiceStream::poll_text(std::chrono::milliseconds timeout) {
  Delta d;
  if (ended_) return d;
  std::vector<TokenEvent> events;
  const std::optional<SequenceEnd> end = channel_->take(events, timeout);
  const auto vocab = static_cast<int64_t>(tok_.vocab_size());
  for (const TokenEvent& e : events) {
    if (!finish_reason_.empty()) break;  // after a stop sequence: not part of the answer
    ++completion_tokens_;
    if (logprobs_) d.logprobs.push_back(logprob_entry(e));
    if (e.id >= 0 && e.id < vocab) held_ += decoder_.put(e.id);  // ids past the vocabulary decode to nothing
    d.text += release(false);
  }
  if (end) {
    ended_ = true;
    prompt_tokens_ = end->prompt_tokens;
    cached_tokens_ = end->cached_tokens;
    if (!finish_reason_.empty()) return d;
    if (end->finish_reason == "stop") ++completion_tokens_;  // the eos token, as OpenAI counts it
    held_ += decoder_.finish();
    d.text += release(true);
    if (finish_reason_.empty()) finish_reason_ = end->finish_reason == "cancelled" ? "stop" : end->finish_reason;
    error_ = end->error;
  }
  return d;
}

}  // namespace hf::server
