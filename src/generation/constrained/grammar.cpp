// hf::Grammar and hf::GrammarMatcher (hf/constrained.h).
#include <algorithm>

#include "generation/constrained/grammar_impl.h"
#include "generation/constrained/json_schema.h"
#include "generation/constrained/regex.h"
#include "generation/constrained/runtime.h"
#include "hf/error.h"
#include "hf/tokenizer.h"

namespace hf {

using namespace constrained;

std::shared_ptr<TokenMasks> Grammar::Impl::masks_for(const Tokenizer& tokenizer) const {
  std::shared_ptr<const Vocabulary> vocab = Vocabulary::of(tokenizer);
  std::lock_guard lock(mu_);
  auto& slot = masks_[vocab.get()];
  if (!slot) slot = std::make_shared<TokenMasks>(graph, vocab);
  return slot;
}

namespace {
std::unique_ptr<Grammar::Impl> finish(Builder& b, uint32_t root, const std::string& what) {
  auto impl = std::make_unique<Grammar::Impl>();
  impl->graph = b.finish(root);
  if (impl->graph.rule_min[root] >= kUnreachable) throw InputError(what + ": no finite output satisfies it");
  return impl;
}
}  // namespace

Grammar::Grammar(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Grammar::~Grammar() = default;

std::shared_ptr<const Grammar> Grammar::json_schema(const json& schema) {
  Builder b;
  uint32_t root = compile_json_schema(b, schema);
  return std::shared_ptr<const Grammar>(new Grammar(finish(b, root, "json_schema")));
}

std::shared_ptr<const Grammar> Grammar::any_json(bool object_only) {
  Builder b;
  uint32_t root = compile_any_json(b, object_only);
  return std::shared_ptr<const Grammar>(new Grammar(finish(b, root, "json")));
}

std::shared_ptr<const Grammar> Grammar::regex(std::string_view pattern) {
  Builder b;
  uint32_t root = b.new_rule();
  b.define_rule(root, compile_regex(b, pattern).frag);
  return std::shared_ptr<const Grammar>(new Grammar(finish(b, root, "regex '" + std::string(pattern) + "'")));
}

std::shared_ptr<const Grammar> Grammar::from_response_format(const json& rf) {
  if (!rf.is_object() || !rf.contains("type") || !rf["type"].is_string())
    throw InputError("response_format: must be an object with a string 'type'");
  const std::string type = rf["type"].get<std::string>();
  if (type == "text") return nullptr;
  if (type == "json_object") return any_json(true);
  if (type == "json_schema") {
    if (!rf.contains("json_schema") || !rf["json_schema"].is_object())
      throw InputError("response_format: type 'json_schema' needs a 'json_schema' object");
    const json& js = rf["json_schema"];
    if (!js.contains("schema")) return any_json(true);  // OpenAI: the schema is optional
    return json_schema(js["schema"]);
  }
  throw InputError("response_format: unknown type '" + type + "' (expected text, json_object or json_schema)");
}

namespace {
// The states `text` leads to from the start, for matches()/accepts_prefix() (no token level).
State run(Engine& e, std::string_view text) {
  State s = e.initial(), next;
  for (char c : text) {
    e.step(s, static_cast<uint8_t>(c), next);
    s.swap(next);
    if (s.empty()) break;
  }
  return s;
}
}  // namespace

bool Grammar::matches(std::string_view text) const {
  Engine e(impl_->graph);
  State s = run(e, text);
  return !s.empty() && e.accepting(s);
}

bool Grammar::accepts_prefix(std::string_view text) const {
  Engine e(impl_->graph);
  return !run(e, text).empty();
}

int64_t Grammar::min_length() const { return impl_->graph.rule_min[impl_->graph.root]; }

// ---------------------------------------------------------------------------------------------

struct GrammarMatcher::Impl {
  std::shared_ptr<const Grammar> grammar;  // keeps the graph the masks point into alive
  std::shared_ptr<TokenMasks> masks;
  std::vector<int32_t> eos;
  Cursor cursor;
};

GrammarMatcher::GrammarMatcher(std::shared_ptr<const Grammar> grammar, const Tokenizer& tokenizer,
                               std::vector<int32_t> eos_token_ids)
    : impl_(std::make_unique<Impl>()) {
  if (!grammar) throw InputError("GrammarMatcher: no grammar");
  if (eos_token_ids.empty()) throw InputError("GrammarMatcher: constrained decoding needs an eos token id");
  impl_->masks = grammar->impl().masks_for(tokenizer);
  impl_->grammar = std::move(grammar);
  impl_->eos = std::move(eos_token_ids);
  impl_->cursor = impl_->masks->start();
}
GrammarMatcher::~GrammarMatcher() = default;
GrammarMatcher::GrammarMatcher(GrammarMatcher&&) noexcept = default;
GrammarMatcher& GrammarMatcher::operator=(GrammarMatcher&&) noexcept = default;

void GrammarMatcher::mask_logits(std::span<float> scores, int64_t remaining_tokens) {
  impl_->masks->apply(impl_->cursor, impl_->eos, scores, remaining_tokens);
}

bool GrammarMatcher::is_allowed(int32_t id) const {
  const Cursor& c = impl_->cursor;
  const bool eos = std::find(impl_->eos.begin(), impl_->eos.end(), id) != impl_->eos.end();
  if (c.terminated) return eos;
  auto m = impl_->masks->mask(c.state);
  if (eos) return m->accepting;
  if (id < 0 || static_cast<size_t>(id) >= impl_->masks->vocabulary().size()) return false;
  return m->allowed[size_t(id) / 64] >> (id % 64) & 1;
}

void GrammarMatcher::accept_token(int32_t id) {
  if (!is_allowed(id)) throw InputError("GrammarMatcher: token " + std::to_string(id) + " is not allowed here");
  Cursor& c = impl_->cursor;
  if (std::find(impl_->eos.begin(), impl_->eos.end(), id) != impl_->eos.end()) {
    c.terminated = true;
    return;
  }
  impl_->masks->advance(c, impl_->masks->vocabulary().bytes(id));
}

bool GrammarMatcher::is_complete() const {
  return impl_->cursor.terminated || impl_->masks->mask(impl_->cursor.state)->accepting;
}
bool GrammarMatcher::is_terminated() const { return impl_->cursor.terminated; }
int64_t GrammarMatcher::closing_length() const {
  return impl_->cursor.terminated ? 0 : impl_->masks->closing(impl_->cursor.state);
}
const std::string& GrammarMatcher::text() const { return impl_->cursor.text; }

}  // namespace hf
