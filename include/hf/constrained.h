#pragma once
// Constrained decoding: outputs that always parse.
//
//   auto schema  = hf::json::parse(R"({"type": "object", "properties": {"name": {"type": "string"}},
//                                     "required": ["name"], "additionalProperties": false})");
//   auto grammar = hf::Grammar::json_schema(schema);          // hf::InputError naming an unsupported feature
//   auto out = model.generate(in, {.max_new_tokens = 64, .tokenizer = &tok, .response_format = grammar});
//
// A `Grammar` is a byte-level pushdown automaton compiled once from a JSON Schema, from "any JSON
// value" (OpenAI's {"type": "json_object"}) or from a regular expression matched in full. It is
// immutable and shared between calls and threads; it keeps, per tokenizer, a cache of the token
// masks of the states it has met (computed lazily by walking a trie of the vocabulary once per
// new state), so a second request with the same schema costs almost nothing.
//
// A `GrammarMatcher` is the state of ONE generated sequence: mask_logits() sets -inf on every
// token whose bytes cannot continue a valid output (eos only once the output is complete), and
// accept_token() advances it. It also steers toward closing what is open in time: with
// `remaining_tokens` left, only tokens after which the output can still be completed within the
// budget are allowed (the closing length of a state is counted in bytes, each of which the
// vocabulary holds as a single-byte token), so an output cut by max_new_tokens is still whole.
// generate() builds one per row when GenerationConfig::response_format is set; a server driving
// its own loop (hf::TokenSampler does this too) may use it directly.
//
// JSON Schema subset (OpenAI structured outputs and a little more): type (one or a list) object /
// array / string / number / integer / boolean / null; properties (emitted in declared order,
// non-required ones optional), required, additionalProperties (false, true or a schema when there
// are no properties); items, minItems, maxItems; enum, const; anyOf, allOf of one schema;
// $ref to "#", "#/$defs/..", "#/definitions/.." or any local JSON pointer (recursion allowed);
// string minLength/maxLength and pattern (the regex subset below; ^...$ anchors, unanchored
// patterns may have anything around); boolean schemas true. Annotations (title, description,
// default, examples, $schema, $id, $comment, deprecated, readOnly, writeOnly) are ignored. Any
// other validation keyword (minimum, format, oneOf, prefixItems, patternProperties, ...) is an
// hf::InputError that names it and its JSON pointer: never a silently unconstrained answer.
// Output is compact JSON: no whitespace except an optional single space after ':' and ','.
//
// Regular expressions (ECMAScript-like, on Unicode code points): literals, '.', classes [a-z]
// [^...], \d \w \s \D \W \S, escapes \n \t \r \f \v \0 \xHH \uHHHH, groups (...) (?:...),
// alternation, quantifiers * + ? {m} {m,} {m,n} (lazy forms accepted: same language), and
// ^ / $ at the ends. Backreferences and lookaround are hf::InputError naming them.
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "hf/export.h"
#include "hf/json.h"

namespace hf {

class Tokenizer;

class HF_API Grammar {
 public:
  // hf::InputError: unsupported feature (named, with its JSON pointer), bad $ref, a schema no
  // finite value satisfies.
  static std::shared_ptr<const Grammar> json_schema(const json& schema);
  // Any JSON value whose top level is an object (OpenAI's json_object mode) when
  // `object_only`, else any value.
  static std::shared_ptr<const Grammar> any_json(bool object_only = true);
  // Full match of `pattern`. hf::InputError: syntax errors and unsupported constructs.
  static std::shared_ptr<const Grammar> regex(std::string_view pattern);
  // OpenAI's response_format object: {"type": "text"} → nullptr (no constraint),
  // {"type": "json_object"} → any_json(), {"type": "json_schema", "json_schema": {"schema": ...}}
  // → json_schema(schema). hf::InputError for any other shape.
  static std::shared_ptr<const Grammar> from_response_format(const json& response_format);

  ~Grammar();
  Grammar(const Grammar&) = delete;
  Grammar& operator=(const Grammar&) = delete;

  // Whether `text` (bytes) is a complete output / can still be completed into one.
  bool matches(std::string_view text) const;
  bool accepts_prefix(std::string_view text) const;
  // Bytes of the shortest complete output.
  int64_t min_length() const;

  struct Impl;
  const Impl& impl() const { return *impl_; }

 private:
  explicit Grammar(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

class HF_API GrammarMatcher {
 public:
  // `eos_token_ids`: the ids that end the output (allowed only when it is complete); at least one.
  // The tokenizer's vocabulary is indexed once per tokenizer (shared by every matcher).
  GrammarMatcher(std::shared_ptr<const Grammar> grammar, const Tokenizer& tokenizer,
                 std::vector<int32_t> eos_token_ids);
  ~GrammarMatcher();
  GrammarMatcher(GrammarMatcher&&) noexcept;
  GrammarMatcher& operator=(GrammarMatcher&&) noexcept;

  // Sets -inf on every token that is not allowed now, `remaining_tokens` (this one included)
  // being what is left of the budget (a huge value: no budget). scores.size() may exceed the
  // tokenizer's vocabulary (padded embedding rows): those ids are masked too.
  void mask_logits(std::span<float> scores, int64_t remaining_tokens = INT64_MAX);
  // Whether `id` is allowed now (ignoring the budget).
  bool is_allowed(int32_t id) const;
  // Advances by the chosen token; hf::InputError when it was not allowed. Eos ends the matcher.
  void accept_token(int32_t id);
  bool is_complete() const;    // the text so far is a whole output: eos is allowed
  bool is_terminated() const;  // eos was accepted
  // Bytes needed at least to complete the text so far (0 when complete).
  int64_t closing_length() const;
  const std::string& text() const;  // the bytes accepted so far

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace hf
