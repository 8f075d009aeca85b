// Jinja2 to the letter: every case of jinja2_cases.json (written by jinja2_cases.py from Python
// Jinja2 itself, with transformers' environment) renders to the same text, or fails with the
// same error class and message.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/json.h"
#include "hf/chat_template.h"

namespace {

struct JinjaCase {
  size_t index;
  hf::json data;
};
void PrintTo(const JinjaCase& c, std::ostream* os) { *os << "#" << c.index << " " << c.data["template"].get<std::string>(); }

std::vector<JinjaCase> load_jinja_cases() {
  std::vector<JinjaCase> cases;
  hf::json all = hf::json::parse(hf::read_text_file(std::string(HF_SOURCE_DIR) + "/tests/templates/jinja2_cases.json"));
  for (const auto& c : all["cases"]) cases.push_back({cases.size(), c});
  return cases;
}

class Jinja2Case : public testing::TestWithParam<JinjaCase> {};

TEST_P(Jinja2Case, RendersAsPythonJinja2) {
  const hf::json& c = GetParam().data;
  const std::string source = c["template"].get<std::string>();
  hf::RenderOptions options;
  options.now = 0;
  std::string out, error;
  try {
    out = hf::ChatTemplate(source).render(c["context"], options);
  } catch (const hf::TemplateError& e) {
    error = e.what();
  }
  if (c.contains("expected")) {
    EXPECT_EQ(error, "");
    EXPECT_EQ(out, c["expected"].get<std::string>());
    return;
  }
  const std::string type = c["error_type"].get<std::string>();
  const std::string message = c["error"].get<std::string>();
  ASSERT_NE(error, "") << "expected " << type << ": " << message << "\nbut rendered: " << out;
  if (type == "TemplateError") {
    EXPECT_EQ(error, message);   // raise_exception(message): exactly the message
    return;
  }
  EXPECT_NE(error.find(message), std::string::npos) << "expected " << type << ": " << message;
  if (type != "TemplateSyntaxError" && type != "SyntaxError") {   // compile errors say where instead
    EXPECT_NE(error.find(type + ": "), std::string::npos) << "expected " << type << ": " << message;
  }
}

INSTANTIATE_TEST_SUITE_P(Jinja2, Jinja2Case, testing::ValuesIn(load_jinja_cases()),
                         [](const testing::TestParamInfo<JinjaCase>& info) { return "case" + std::to_string(info.param.index); });

}  // namespace
