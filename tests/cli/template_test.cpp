// `hfcpp template`, run as a user would: a model folder's template, a template file with a full
// context, and template errors (message on stderr, exit 1).
#include <gtest/gtest.h>

#include <fstream>

#include "cli/run_program.h"
#include "core/json.h"

namespace {

const std::string kTemplates = HF_FIXTURES "/chat_templates";

// A case of the fixtures' cases.jsonl by template and id.
hf::json fixture_case(const std::string& tmpl, const std::string& id) {
  std::ifstream in(kTemplates + "/" + tmpl + "/cases.jsonl");
  std::string line;
  while (std::getline(in, line)) {
    hf::json c = hf::json::parse(line);
    if (c["id"] == id) return c;
  }
  ADD_FAILURE() << "no case " << id << " in " << tmpl;
  return hf::json::object();
}


TEST(TemplateCli, ModelFolderTemplateWithMessagesFile) {
  // tiny-qwen2 ships the Qwen2.5-Instruct template in its tokenizer_config.json.
  hf::json c = fixture_case("Qwen-Qwen2.5-7B-Instruct", "multi_turn_gen");
  std::string messages = write_temp("messages.json", c["messages"].dump());
  auto r = run_program(kHfcpp + " template " + quote(HF_FIXTURES "/tiny-qwen2") + " --messages " + quote(messages) +
                       " --add-generation-prompt");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, c["expected"].get<std::string>());
}

TEST(TemplateCli, TemplateFileWithFullContext) {
  for (const char* id : {"tools_gen", "continue_final_message", "thinking_disabled_gen", "special_chars_gen"}) {
    hf::json c = fixture_case("Qwen-Qwen3-0.6B", id);
    std::string context = write_temp("context.json", c.dump());
    auto r = run_program(kHfcpp + " template --template " + quote(kTemplates + "/Qwen-Qwen3-0.6B/template.jinja") +
                         " --context " + quote(context));
    ASSERT_EQ(r.status, 0) << id << ": " << r.err;
    EXPECT_EQ(r.out, c["expected"].get<std::string>()) << id;
  }
}

TEST(TemplateCli, TemplateErrorIsOneLineOnStderrAndExitOne) {
  hf::json c = fixture_case("google-gemma-2-2b-it", "system_user_gen");
  ASSERT_EQ(c["error_type"], "TemplateError");
  std::string context = write_temp("context.json", c.dump());
  auto r = run_program(kHfcpp + " template --template " + quote(kTemplates + "/google-gemma-2-2b-it/template.jinja") +
                       " --context " + quote(context));
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find(c["error"].get<std::string>()), std::string::npos) << r.err;
}

TEST(TemplateCli, SyntaxErrorNamesLineAndColumn) {
  // An unknown filter is an error only when it runs (Jinja2), so the branch is taken.
  std::string bad = write_temp("bad.jinja", "hello\n{% if true %}{{ 1 | nosuchfilter }}{% endif %}");
  std::string context = write_temp("context.json", R"({"messages": []})");
  auto r = run_program(kHfcpp + " template --template " + quote(bad) + " --context " + quote(context));
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("line 2: TemplateSyntaxError: No filter named 'nosuchfilter'."), std::string::npos) << r.err;
}

TEST(TemplateCli, MissingInputsAreClearErrors) {
  auto r = run_program(kHfcpp + " template --template " + quote(kTemplates + "/Qwen-Qwen3-0.6B/template.jinja"));
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("no messages"), std::string::npos) << r.err;
  std::string context = write_temp("context.json", R"({"messages": []})");
  r = run_program(kHfcpp + " template --context " + quote(context));
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("name a MODEL or pass --template"), std::string::npos) << r.err;
}

}  // namespace
