// The token level of constrained decoding, with real tokenizers and the random-weight tiny-qwen2:
// every output parses, validates against its schema (a small validator for the supported subset
// below), matches its regex, is complete even when the budget runs out, and equals the
// tokenizer's decode of the chosen tokens (byte-level BPE, SentencePiece byte fallback,
// multi-byte characters split across tokens).
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <regex>

#include "fixture_util.h"
#include "hf/constrained.h"
#include "hf/error.h"
#include "hf/generation.h"
#include "hf/tokenizer.h"

using hf::Grammar;
using hf::GrammarMatcher;
using hf::json;

namespace {

hf::Tokenizer tokenizer(const std::string& name) {
  static std::map<std::string, hf::Tokenizer> cache;
  auto it = cache.find(name);
  if (it != cache.end()) return it->second;
  std::string dir = std::string(HF_FIXTURES) + "/tokenizers/" + name;
  std::string config = dir + "/tokenizer_config.json";
  hf::Tokenizer t = hf::Tokenizer::from_file(dir + "/tokenizer.json", std::filesystem::exists(config) ? config : "");
  return cache[name] = t;
}

size_t codepoints(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

// JSON Schema validation for the subset the grammar supports.
bool valid(const json& v, const json& s, const json& root) {
  if (s.is_boolean()) return s.get<bool>();
  if (s.contains("$ref")) {
    std::string r = s["$ref"];
    return valid(v, r == "#" ? root : root.at(json::json_pointer(r.substr(1))), root);
  }
  if (s.contains("allOf"))
    for (const json& b : s["allOf"])
      if (!valid(v, b, root)) return false;
  if (s.contains("anyOf")) {
    bool any = false;
    for (const json& b : s["anyOf"]) any = any || valid(v, b, root);
    if (!any) return false;
  }
  if (s.contains("const") && v != s["const"]) return false;
  if (s.contains("enum") && std::find(s["enum"].begin(), s["enum"].end(), v) == s["enum"].end()) return false;
  if (s.contains("type")) {
    std::vector<std::string> types;
    if (s["type"].is_string()) types.push_back(s["type"]);
    else for (const json& t : s["type"]) types.push_back(t);
    bool ok = false;
    for (const std::string& t : types)
      ok = ok || (t == "object" && v.is_object()) || (t == "array" && v.is_array()) || (t == "string" && v.is_string()) ||
           (t == "integer" && v.is_number_integer()) || (t == "number" && v.is_number()) ||
           (t == "boolean" && v.is_boolean()) || (t == "null" && v.is_null()) ||
           (t == "integer" && v.is_number_float() && std::floor(v.get<double>()) == v.get<double>());
    if (!ok) return false;
  }
  if (v.is_object()) {
    json props = s.value("properties", json::object());
    for (const json& r : s.value("required", json::array()))
      if (!v.contains(r.get<std::string>())) return false;
    for (auto it = v.begin(); it != v.end(); ++it) {
      if (props.contains(it.key())) {
        if (!valid(it.value(), props[it.key()], root)) return false;
      } else if (s.contains("additionalProperties") && !valid(it.value(), s["additionalProperties"], root)) {
        return false;
      }
    }
  }
  if (v.is_array()) {
    if (s.contains("minItems") && v.size() < s["minItems"].get<size_t>()) return false;
    if (s.contains("maxItems") && v.size() > s["maxItems"].get<size_t>()) return false;
    if (s.contains("items"))
      for (const json& x : v)
        if (!valid(x, s["items"], root)) return false;
  }
  if (v.is_string()) {
    const std::string str = v.get<std::string>();
    if (s.contains("minLength") && codepoints(str) < s["minLength"].get<size_t>()) return false;
    if (s.contains("maxLength") && codepoints(str) > s["maxLength"].get<size_t>()) return false;
    if (s.contains("pattern") && !std::regex_search(str, std::regex(s["pattern"].get<std::string>()))) return false;
  }
  return true;
}

// Random schemas over the supported subset (ASCII patterns, so std::regex can check them).
class SchemaGenerator {
 public:
  explicit SchemaGenerator(uint32_t seed) : rng_(seed) {}
  json make() {
    defs_ = json::object();
    json s = node(3);
    if (!defs_.empty()) s["$defs"] = defs_;
    return s;
  }

 private:
  int pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }
  json node(int depth) {
    static const std::vector<std::string> names = {"name", "id", "城市", "tags", "a b", "q\"t", "value"};
    static const std::vector<std::string> patterns = {"^[a-z]{1,5}$", "^\\d{2}-\\d{2}$", "^(yes|no)$", "^[A-Z][a-z]*$", "x"};
    int kind = pick(depth > 0 ? 13 : 9);
    switch (kind) {
      case 0: return {{"type", "string"}, {"description", "free text"}};
      case 1: return {{"type", "string"}, {"enum", {"red", "绿色", "blue\n"}}};
      case 2: return {{"type", "string"}, {"pattern", patterns[size_t(pick(int(patterns.size())))]}};
      case 3: return {{"type", "string"}, {"minLength", 1}, {"maxLength", 1 + pick(4)}};
      case 4: return {{"type", "integer"}};
      case 5: return {{"type", "number"}};
      case 6: return {{"type", "boolean"}};
      case 7: return {{"type", pick(2) ? json("null") : json::array({"string", "null"})}};
      case 8: return {{"const", json::parse(R"({"k":[1,"二"]})")}};
      case 9: {
        json s = {{"type", "object"}, {"properties", json::object()}, {"required", json::array()}};
        int n = 1 + pick(3);
        for (int i = 0; i < n; ++i) {
          std::string key = names[size_t(pick(int(names.size())))];
          if (s["properties"].contains(key)) continue;
          s["properties"][key] = node(depth - 1);
          if (pick(2)) s["required"].push_back(key);
        }
        if (pick(4)) s["additionalProperties"] = false;
        return s;
      }
      case 10: {
        json s = {{"type", "array"}, {"items", node(depth - 1)}};
        int min = pick(3);
        s["minItems"] = min;
        if (pick(2)) s["maxItems"] = min + pick(3);
        return s;
      }
      case 11: return {{"anyOf", {node(depth - 1), node(depth - 1)}}};
      default: {
        std::string name = "d" + std::to_string(defs_.size());
        defs_[name] = json();  // reserve the name before recursing
        defs_[name] = node(depth - 1);
        return {{"$ref", "#/$defs/" + name}};
      }
    }
  }
  std::mt19937 rng_;
  json defs_;
};

// Drives a matcher with uniformly random allowed tokens (no model): returns the tokens.
std::vector<int32_t> random_walk(GrammarMatcher& m, const hf::Tokenizer& tok, int32_t eos, int budget, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<int32_t> ids;
  std::vector<float> scores(tok.vocab_size());
  for (int step = 0; step < budget && !m.is_terminated(); ++step) {
    std::fill(scores.begin(), scores.end(), 0.0f);
    m.mask_logits(scores, budget - step);
    std::vector<int32_t> allowed;
    for (size_t i = 0; i < scores.size(); ++i)
      if (std::isfinite(scores[i])) allowed.push_back(static_cast<int32_t>(i));
    EXPECT_FALSE(allowed.empty()) << "nothing allowed after '" << m.text() << "'";
    if (allowed.empty()) break;
    int32_t id = allowed[std::uniform_int_distribution<size_t>(0, allowed.size() - 1)(rng)];
    if (m.is_complete() && std::uniform_int_distribution<int>(0, 3)(rng) == 0) id = eos;
    m.accept_token(id);
    if (id != eos) ids.push_back(id);
  }
  return ids;
}

}  // namespace

TEST(ConstrainedDecoding, RandomWalksOverRealTokenizersParseValidateAndDecodeAlike) {
  const std::vector<std::string> names = {"qwen2.5", "llama2", "gpt2"};
  for (const std::string& name : names) {
    hf::Tokenizer tok = tokenizer(name);
    const int32_t eos = *tok.eos_token_id();
    for (uint32_t seed = 0; seed < 6; ++seed) {
      json schema = SchemaGenerator(seed * 7919 + 3).make();
      auto g = Grammar::json_schema(schema);
      const int budget = 48;
      if (g->min_length() > budget / 2) continue;
      GrammarMatcher m(g, tok, {eos});
      std::vector<int32_t> ids = random_walk(m, tok, eos, budget, seed);
      ASSERT_TRUE(m.is_complete()) << name << " " << schema.dump() << " → " << m.text();
      const std::string text = tok.decode(ids, {.skip_special_tokens = true});
      EXPECT_EQ(text, m.text()) << name << ": decode differs from the token bytes";
      json v;
      ASSERT_NO_THROW(v = json::parse(text)) << name << " " << text;
      EXPECT_TRUE(valid(v, schema, schema)) << name << " " << schema.dump() << " → " << text;
    }
  }
}

TEST(ConstrainedDecoding, ChineseStringsInsideJsonSplitAcrossTokens) {
  const json schema = json::parse(R"({"type":"object","properties":{"城市":{"type":"string","pattern":"^[一-龥]{3,8}$"},
      "备注":{"type":"string"}},"required":["城市","备注"],"additionalProperties":false})");
  for (const std::string& name : {std::string("qwen2.5"), std::string("llama2")}) {
    hf::Tokenizer tok = tokenizer(name);
    const int32_t eos = *tok.eos_token_id();
    for (uint32_t seed = 0; seed < 3; ++seed) {
      GrammarMatcher m(Grammar::json_schema(schema), tok, {eos});
      std::vector<int32_t> ids = random_walk(m, tok, eos, 64, seed);
      ASSERT_TRUE(m.is_complete()) << m.text();
      const std::string text = tok.decode(ids, {.skip_special_tokens = true});
      EXPECT_EQ(text, m.text());
      json v = json::parse(text);
      const std::string city = v["城市"];
      EXPECT_GE(codepoints(city), 3u);
      for (size_t i = 0; i < city.size(); i += 3) {  // every character is a 3-byte CJK ideograph
        char32_t c = char32_t(city[i] & 0x0F) << 12 | char32_t(city[i + 1] & 0x3F) << 6 | char32_t(city[i + 2] & 0x3F);
        EXPECT_TRUE(c >= 0x4E00 && c <= 0x9FA5) << city;
      }
    }
  }
}

TEST(ConstrainedDecoding, MatcherRefusesTokensAndEosOutOfPlace) {
  hf::Tokenizer tok = tokenizer("qwen2.5");
  const int32_t eos = *tok.eos_token_id();
  GrammarMatcher m(Grammar::regex("ab+"), tok, {eos});
  const int32_t a = tok.encode("a", false).at(0), x = tok.encode("x", false).at(0);
  EXPECT_FALSE(m.is_allowed(eos));
  EXPECT_FALSE(m.is_allowed(x));
  EXPECT_THROW(m.accept_token(x), hf::InputError);
  EXPECT_THROW(m.accept_token(eos), hf::InputError);
  m.accept_token(a);
  EXPECT_EQ(m.closing_length(), 1);
  m.accept_token(tok.encode("b", false).at(0));
  EXPECT_TRUE(m.is_complete());
  m.accept_token(eos);
  EXPECT_TRUE(m.is_terminated());
  EXPECT_THROW(GrammarMatcher(Grammar::regex("a"), tok, {}), hf::InputError);
}

TEST(ConstrainedDecoding, BudgetClosesWhatIsOpenInTime) {
  // With a uniformly random choice a string or an array would stay open far past 20 tokens.
  hf::Tokenizer tok = tokenizer("qwen2.5");
  const int32_t eos = *tok.eos_token_id();
  const json schema = json::parse(R"({"type":"object","properties":{"s":{"type":"string"},
      "l":{"type":"array","items":{"type":"array","items":{"type":"string"}}}},"required":["s","l"]})");
  auto g = Grammar::json_schema(schema);
  for (int budget : {12, 16, 20, 30}) {
    for (uint32_t seed = 0; seed < 4; ++seed) {
      GrammarMatcher m(g, tok, {eos});
      std::vector<int32_t> ids = random_walk(m, tok, eos, budget, seed);
      EXPECT_LE(ids.size(), size_t(budget));
      ASSERT_TRUE(m.is_complete()) << budget << " " << m.text();
      EXPECT_TRUE(valid(json::parse(m.text()), schema, schema)) << m.text();
    }
  }
}

// Through generate() on the random-weight tiny-qwen2 with its sampling config: the model knows
// nothing of JSON, so everything that parses is the processor's doing.
struct Generated {
  std::vector<std::vector<int32_t>> sequences;
  std::string text;
};
Generated generate_constrained(const std::string& prompt, std::shared_ptr<const Grammar> grammar, int max_new_tokens,
                               uint64_t seed) {
  static const hf::Tokenizer tok = hf::Tokenizer::from_file(std::string(fixture::kDir) + "/tokenizer.json",
                                                            std::string(fixture::kDir) + "/tokenizer_config.json");
  hf::GenerationConfig c{.max_new_tokens = max_new_tokens, .do_sample = true, .seed = seed};
  c.tokenizer = &tok;
  c.response_format = std::move(grammar);
  hf::GenerateOutput out = hf::generate(*fixture::model(), tok({prompt}), c, fixture::model_generation_config());
  return {out.sequences, tok.decode(out.new_tokens()[0], {.skip_special_tokens = true})};
}

TEST(ConstrainedDecoding, GenerateOnTinyQwen2RandomSchemasAndSeeds) {
  int checked = 0;
  for (uint32_t s = 0; s < 16; ++s) {
    json schema = SchemaGenerator(1000 + s).make();
    auto g = Grammar::json_schema(schema);
    if (g->min_length() > 20) continue;
    Generated out = generate_constrained("Answer in JSON:", g, 40, s);
    json v;
    ASSERT_NO_THROW(v = json::parse(out.text)) << schema.dump() << " → " << out.text;
    EXPECT_TRUE(valid(v, schema, schema)) << schema.dump() << " → " << out.text;
    ++checked;
    if (s == 0) { EXPECT_EQ(generate_constrained("Answer in JSON:", g, 40, s).sequences, out.sequences); }  // same seed
  }
  EXPECT_GE(checked, 10);
}

TEST(ConstrainedDecoding, GenerateOnTinyQwen2RegexAndAnyJson) {
  const std::vector<std::string> patterns = {"[a-z]+@[a-z]+\\.(com|org)", "\\d{3}-\\d{4}", "(yes|no|maybe)!?",
                                             "[A-Z][a-z ]{0,30}\\.", "0x[0-9a-f]{8}", "[一-龥]{2,6}"};
  for (size_t i = 0; i < patterns.size(); ++i)
    for (uint64_t seed : {1u, 2u}) {
      auto g = Grammar::regex(patterns[i]);
      const std::string text = generate_constrained("Say something:", g, 24, seed).text;
      if (i + 1 < patterns.size()) EXPECT_TRUE(std::regex_match(text, std::regex(patterns[i]))) << patterns[i] << " → " << text;
      else EXPECT_TRUE(g->matches(text)) << text;  // std::regex has no UTF-8 ranges
    }
  const std::string text = generate_constrained("Say something:", Grammar::any_json(true), 30, 5).text;
  EXPECT_TRUE(json::parse(text).is_object()) << text;
}

TEST(ConstrainedDecoding, GenerateWithoutTokenizerIsAnError) {
  hf::GenerationConfig c{.max_new_tokens = 4};
  c.response_format = Grammar::any_json(true);  // without a tokenizer the processor cannot see token strings
  EXPECT_THROW(hf::generate(*fixture::model(), hf::BatchEncoding{{{1, 2}}, {}}, c, fixture::model_generation_config()),
               hf::InputError);
}

TEST(ConstrainedDecoding, CompleteOutputEndsEvenWhenMinNewTokensBansEos) {
  hf::Tokenizer tok = tokenizer("qwen2.5");
  const int32_t eos = *tok.eos_token_id();
  GrammarMatcher m(Grammar::regex("ok"), tok, {eos});
  m.accept_token(tok.encode("ok", false).at(0));
  std::vector<float> scores(tok.vocab_size(), 0.0f);
  scores[size_t(eos)] = -std::numeric_limits<float>::infinity();  // as MinNewTokensLengthLogitsProcessor leaves it
  m.mask_logits(scores, 10);
  EXPECT_EQ(std::count_if(scores.begin(), scores.end(), [](float x) { return std::isfinite(x); }), 1);
  EXPECT_TRUE(std::isfinite(scores[size_t(eos)]));
}
