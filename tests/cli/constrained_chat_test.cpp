// `hfcpp chat --json-schema FILE` and `--regex PATTERN` on the random-weight tiny-qwen2: stdout
// is only the answer, which parses/validates or matches; the seed reproduces it; bad schema
// files, unsupported features and bad patterns are one `hfcpp: error:` line before any loading.
#include <gtest/gtest.h>

#include <regex>

#include "cli/run_program.h"
#include "core/json.h"

namespace {
std::string chat(const std::string& flags) { return kHfcpp + " chat " + quote(kModel) + " -p 'A record?' " + flags; }
std::string strip_newline(std::string s) {
  if (!s.empty() && s.back() == '\n') s.pop_back();
  return s;
}
}  // namespace

TEST(ConstrainedChatCli, JsonSchemaReplyParsesAndSeedReproducesIt) {
  const std::string schema = write_temp("schema.json", R"({"type":"object","properties":{
      "name":{"type":"string","maxLength":12},"age":{"type":"integer"},"ok":{"type":"boolean"}},
      "required":["name","age","ok"],"additionalProperties":false})");
  auto r = run_program(chat("--json-schema " + quote(schema) + " --do-sample --seed 3 -n 40"));
  ASSERT_EQ(r.status, 0) << r.err;
  const hf::json v = hf::json::parse(strip_newline(r.out));  // stdout is the answer alone
  EXPECT_TRUE(v["name"].is_string() && v["age"].is_number_integer() && v["ok"].is_boolean()) << r.out;
  EXPECT_EQ(v.size(), 3u);
  auto again = run_program(chat("--json-schema " + quote(schema) + " --do-sample --seed 3 -n 40"));
  EXPECT_EQ(again.out, r.out);
  std::remove(schema.c_str());
}

TEST(ConstrainedChatCli, RegexReplyMatches) {
  for (const char* seed : {"1", "2"}) {
    auto r = run_program(chat("--regex '[a-z]{2,8}-\\d{3}' --do-sample --seed " + std::string(seed) + " -n 16"));
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_TRUE(std::regex_match(strip_newline(r.out), std::regex("[a-z]{2,8}-\\d{3}"))) << r.out;
  }
  auto greedy = run_program(chat("--regex '(yes|no)' --greedy -n 8"));
  ASSERT_EQ(greedy.status, 0) << greedy.err;
  EXPECT_TRUE(greedy.out == "yes\n" || greedy.out == "no\n") << greedy.out;
}

TEST(ConstrainedChatCli, BadInputsAreOneClearError) {
  const std::string unsupported = write_temp("min.json", R"({"type":"integer","minimum":0})");
  const std::string corrupt = write_temp("bad.json", R"({"type": )");
  struct Case {
    std::string flags, expected;
  } cases[] = {
      {"--json-schema " + quote(unsupported), "unsupported keyword 'minimum' at #"},
      {"--json-schema " + quote(corrupt), "bad.json"},
      {"--json-schema /nonexistent/schema.json", "/nonexistent/schema.json"},
      {"--regex 'a(b'", "regex: missing ')'"},
      {"--regex '(a)\\1'", "backreferences are not supported"},
      {"--regex a --json-schema " + quote(unsupported), "give one of them"},
  };
  for (const Case& c : cases) {
    auto r = run_program(chat(c.flags));
    EXPECT_EQ(r.status, 1) << c.flags;
    EXPECT_EQ(r.out, "") << c.flags;
    EXPECT_EQ(r.err.rfind("hfcpp: error: ", 0), 0u) << r.err;
    EXPECT_NE(r.err.find(c.expected), std::string::npos) << c.flags << " → " << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;  // one line
  }
  std::remove(unsupported.c_str());
  std::remove(corrupt.c_str());
}
