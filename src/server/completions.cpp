// The completion endpoints: request → prompts → scheduler → JSON or Server-Sent Events, shaped
// exactly as OpenAI's API answers (chat.completion / chat.completion.chunk / text_completion).
#include "server/completions.h"

#include <httplib.h>

#include <ctime>
#include <random>

#include "hf/error.h"
#include "server/api_error.h"
#include "server/choice_stream.h"
#include "server/random_id.h"
#include "server/tool_call_output.h"
#include "server/client_connection.h"

namespace hf::server {
namespace {

std::string random_id(const std::string& prefix) { return prefix + random_alphanumeric(24); }

std::vector<std::vector<int32_t>> prompt_ids(const ServedModel& m, const CompletionRequest& r) {
  std::vector<std::vector<int32_t>> out;
  if (r.endpoint == Endpoint::Chat) {
    ChatTemplateOptions o{.add_generation_prompt = true};
    if (!r.chat_template_kwargs.empty()) o.kwargs = r.chat_template_kwargs;
    if (!r.structured.tools.is_null()) o.tools = r.structured.tools;  // rendered even for tool_choice "none", as vLLM
    try {
      out.push_back(m.tokenizer.apply_chat_template_ids(r.messages, o));
    } catch (const TemplateError& e) {
      throw ApiError(400, std::string("The model's chat template rejected these messages: ") + e.what(), "messages");
    }
  } else {
    for (size_t i = 0; i < r.prompts.size(); ++i) {
      out.push_back(m.tokenizer.encode(r.prompts[i], true));
      if (out.back().empty()) throw invalid_param("prompt", "Prompt " + std::to_string(i) + " is empty; give at least one token.");
    }
  }
  return out;
}

// OpenAI's context_length_exceeded error, with both numbers.
void check_context(int64_t context, int64_t prompt, std::optional<int> max_tokens, Endpoint endpoint) {
  const int64_t asked = prompt + max_tokens.value_or(1);
  if (asked <= context) return;
  const char* where = endpoint == Endpoint::Chat ? "messages" : "prompt";
  throw ApiError(400,
                 "This model's maximum context length is " + std::to_string(context) + " tokens. However, you requested " +
                     std::to_string(asked) + " tokens (" + std::to_string(prompt) + " in the " + where + ", " +
                     std::to_string(asked - prompt) + " in the completion). Please reduce the length of the " + where +
                     " or completion.",
                 where, "context_length_exceeded");
}

// What one request is answering: its choices and the fields every chunk repeats.
struct Answer {
  Endpoint endpoint;
  std::string id, model;
  int64_t created;
  bool include_usage = false, logprobs = false;
  int64_t prompt_tokens = 0;
  std::vector<ChoiceStream> choices;
  std::vector<bool> reported;  // streaming: the final chunk of choice i was sent

  bool chat() const { return endpoint == Endpoint::Chat; }

  json head(const char* object) const { return json{{"id", id}, {"object", object}, {"created", created}, {"model", model}}; }

  json usage() const {
    int64_t completion = 0, cached = 0;
    for (const auto& c : choices) completion += c.completion_tokens();
    for (size_t i = 0; i < choices.size(); ++i)
      if (i == 0 || choices[i].prompt_tokens() != choices[i - 1].prompt_tokens()) cached += choices[i].cached_tokens();
    return json{{"prompt_tokens", prompt_tokens},
                {"completion_tokens", completion},
                {"total_tokens", prompt_tokens + completion},
                {"prompt_tokens_details", {{"cached_tokens", cached}}}};
  }

  json logprobs_json(const json& entries) const {
    return logprobs ? json{{"content", entries}, {"refusal", nullptr}} : json(nullptr);
  }

  // One SSE chunk for choice i: a delta (chat) or text (completions), and its finish reason.
  json chunk(int i, json delta, const std::string& text, const json& entries, const std::string& finish) const {
    json c = head(chat() ? "chat.completion.chunk" : "text_completion");
    json choice;
    if (chat()) choice = {{"index", i}, {"delta", std::move(delta)}, {"logprobs", logprobs_json(entries)}};
    else choice = {{"index", i}, {"text", text}, {"logprobs", nullptr}};
    choice["finish_reason"] = finish.empty() ? json(nullptr) : json(finish);
    c["choices"] = json::array({choice});
    if (include_usage) c["usage"] = nullptr;
    return c;
  }
};

ApiError generation_error(const ChoiceStream& c) {
  return ApiError(500, "Generation failed: " + c.error(), "", "generation_failed", "server_error");
}

// Non-streamed: waits for every choice, then answers one JSON object. A client that hangs up
// meanwhile cancels its choices (their slots free at the next step) and gets nothing.
json collect(Answer& a, const ClientConnection& client) {
  std::vector<std::string> texts(a.choices.size());
  std::vector<json> entries(a.choices.size(), json::array());
  std::vector<std::vector<ToolCall>> calls(a.choices.size());
  for (bool all = false; !all;) {
    if (client.gone()) {
      for (auto& c : a.choices) c.cancel();
      throw ApiError(499, "The client closed the connection before the answer was complete.", "", "client_closed_request");
    }
    all = true;
    for (size_t i = 0; i < a.choices.size(); ++i) {
      ChoiceStream::Delta d = a.choices[i].poll(std::chrono::milliseconds(20));
      texts[i] += d.text;
      calls[i].insert(calls[i].end(), d.tool_calls.begin(), d.tool_calls.end());
      for (auto& e : d.logprobs) entries[i].push_back(std::move(e));
      all = all && a.choices[i].finished();
    }
  }
  json out = a.head(a.chat() ? "chat.completion" : "text_completion");
  out["choices"] = json::array();
  for (size_t i = 0; i < a.choices.size(); ++i) {
    const ChoiceStream& c = a.choices[i];
    if (c.finish_reason() == "error") throw generation_error(c);
    json choice{{"index", i}};
    if (a.chat()) {
      choice["message"] = {{"role", "assistant"}, {"content", texts[i]}, {"refusal", nullptr}};
      if (!calls[i].empty()) {  // OpenAI: content null when the reply is only calls
        if (texts[i].empty()) choice["message"]["content"] = nullptr;
        choice["message"]["tool_calls"] = tool_calls_json(calls[i]);
      }
      choice["logprobs"] = a.logprobs_json(entries[i]);
    } else {
      choice["text"] = texts[i];
      choice["logprobs"] = nullptr;
    }
    choice["finish_reason"] = c.finish_reason();
    out["choices"].push_back(choice);
  }
  out["usage"] = a.usage();
  return out;
}

// Streamed: called by httplib until the last chunk is written or the client is gone. Each call
// writes what every choice produced since the previous one.
bool stream_step(Answer& a, httplib::DataSink& sink, bool first) {
  auto send = [&](const std::string& payload) {
    const std::string event = "data: " + payload + "\n\n";
    return sink.write(event.data(), event.size());
  };
  if (first && a.chat())  // the role delta comes first, once per choice
    for (size_t i = 0; i < a.choices.size(); ++i)
      if (!send(a.chunk(static_cast<int>(i), {{"role", "assistant"}, {"content", ""}, {"refusal", nullptr}}, "", json::array(), "").dump()))
        return false;
  bool all = true;
  const auto wait = std::chrono::milliseconds(std::max<int>(5, 50 / static_cast<int>(a.choices.size())));
  for (size_t i = 0; i < a.choices.size(); ++i) {
    if (a.reported[i]) continue;
    ChoiceStream& c = a.choices[i];
    ChoiceStream::Delta d = c.poll(wait);
    const int idx = static_cast<int>(i);
    if (!d.text.empty() || !d.logprobs.empty())
      if (!send(a.chunk(idx, {{"content", d.text}}, d.text, d.logprobs, "").dump())) return false;
    if (!d.tool_calls.empty()) {
      const json delta{{"tool_calls", tool_call_deltas_json(d.tool_calls, d.tool_call_index)}};
      if (!send(a.chunk(idx, delta, "", json::array(), "").dump())) return false;
    }
    if (!c.finished()) {
      all = false;
      continue;
    }
    a.reported[i] = true;
    if (c.finish_reason() == "error") {
      if (!send(generation_error(c).body().dump())) return false;
      continue;
    }
    if (!send(a.chunk(idx, json::object(), "", json::array(), c.finish_reason()).dump())) return false;
  }
  if (!all) return true;
  if (a.include_usage) {
    json u = a.head(a.chat() ? "chat.completion.chunk" : "text_completion");
    u["choices"] = json::array();
    u["usage"] = a.usage();
    if (!send(u.dump())) return false;
  }
  if (!send("[DONE]")) return false;
  sink.done();
  return true;
}

}  // namespace

void handle_completion(ServedModel& m, const httplib::Request& req, httplib::Response& res, Endpoint endpoint) {
  // Counts this request until its last byte is written (the streaming lambdas hold it).
  ++m.in_flight;
  auto in_flight = std::shared_ptr<void>(nullptr, [&m](void*) { --m.in_flight; });
  CompletionRequest r = parse_completion_request(req.body, endpoint);
  if (r.model != m.id)
    throw ApiError(404, "The model `" + r.model + "` does not exist or you do not have access to it.", "model", "model_not_found");
  const auto prompts = prompt_ids(m, r);
  const int64_t context = m.scheduler.options().context;
  std::vector<SequenceRequest> sequences;
  auto answer = std::make_shared<Answer>();
  for (const auto& p : prompts) {
    check_context(context, static_cast<int64_t>(p.size()), r.max_tokens, endpoint);
    answer->prompt_tokens += static_cast<int64_t>(p.size());
    for (int j = 0; j < r.n; ++j) {
      SequenceRequest s{p, r.generation};
      // n choices of one seeded request differ from each other yet are reproducible.
      if (s.generation.seed && j > 0) s.generation.seed = *s.generation.seed + static_cast<uint64_t>(j);
      s.max_new_tokens = r.max_tokens.value_or(static_cast<int>(context - static_cast<int64_t>(p.size())));
      s.presence_penalty = r.presence_penalty;
      s.frequency_penalty = r.frequency_penalty;
      s.top_logprobs = r.logprobs ? r.top_logprobs : -1;
      if (r.output.grammar) {  // constrained decoding (hf/constrained.h) through the sampler
        s.generation.response_format = r.output.grammar;
        s.generation.tokenizer = &m.tokenizer;
      }
      sequences.push_back(std::move(s));
    }
  }
  std::vector<std::shared_ptr<SequenceChannel>> channels;
  try {
    channels = m.scheduler.submit(std::move(sequences));
  } catch (const InputError& e) {
    throw ApiError(400, e.what(), "", "invalid_value");
  }
  if (channels.empty()) {
    res.set_header("Retry-After", "1");
    throw ApiError(503, "The server is busy: every slot and the whole queue are taken. Retry after a second.", "",
                   "queue_full", "server_error");
  }
  answer->endpoint = endpoint;
  answer->id = random_id(endpoint == Endpoint::Chat ? "chatcmpl-" : "cmpl-");
  answer->model = m.id;
  answer->created = static_cast<int64_t>(std::time(nullptr));
  answer->include_usage = r.include_usage;
  answer->logprobs = r.logprobs;
  for (size_t i = 0; i < channels.size(); ++i)
    answer->choices.emplace_back(static_cast<int>(i), channels[i], m.tokenizer, r.stop, r.logprobs);
  if (r.output.parse_tool_calls)
    for (auto& c : answer->choices)
      c.parse_tool_calls(tool_call_parser(m.tokenizer, r.output), [&m, o = r.output] { return new_tool_call_id(m.tokenizer, o); },
                         tool_call_markers_are_special(m.tokenizer, r.output));
  answer->reported.assign(channels.size(), false);

  if (!r.stream) {
    res.set_content(collect(*answer, ClientConnection(req)).dump(), "application/json");
    return;
  }
  res.set_header("Cache-Control", "no-cache");
  res.set_header("X-Accel-Buffering", "no");  // nginx: pass events through unbuffered
  auto first = std::make_shared<bool>(true);
  res.set_chunked_content_provider(
      "text/event-stream",
      [answer, first, in_flight](size_t, httplib::DataSink& sink) {
        const bool ok = stream_step(*answer, sink, *first);
        *first = false;
        return ok;
      },
      [answer](bool) {  // done or client gone: a still-running choice frees its slot at the next step
        for (auto& c : answer->choices) c.cancel();
      });
}

}  // namespace hf::server
