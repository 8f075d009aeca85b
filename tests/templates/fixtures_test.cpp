// Every case of tests/fixtures/chat_templates: 39 real chat templates × 16 conversations, rendered
// byte for byte as Python transformers does, or failing as it fails (raise_exception's own text).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "core/json.h"
#include "hf/chat_template.h"

namespace {

struct Case {
  std::string template_dir;
  std::string id;
  std::string line;   // the JSON of the case, parsed in the test (keeps failures local)
};
void PrintTo(const Case& c, std::ostream* os) { *os << c.template_dir << "/" << c.id; }

std::vector<Case> load_cases() {
  std::vector<Case> cases;
  std::filesystem::path root = std::filesystem::path(HF_FIXTURES) / "chat_templates";
  std::vector<std::filesystem::path> dirs;
  for (const auto& entry : std::filesystem::directory_iterator(root))
    if (entry.is_directory()) dirs.push_back(entry.path());
  std::sort(dirs.begin(), dirs.end());
  for (const auto& dir : dirs) {
    std::ifstream in(dir / "cases.jsonl");
    std::string line;
    while (std::getline(in, line)) {
      if (line.empty()) continue;
      cases.push_back({dir.filename().string(), hf::json::parse(line)["id"].get<std::string>(), line});
    }
  }
  return cases;
}

std::string test_name(const testing::TestParamInfo<Case>& info) {
  std::string name = info.param.template_dir + "__" + info.param.id;
  for (char& c : name)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  return name;
}

class ChatTemplateFixture : public testing::TestWithParam<Case> {};

TEST_P(ChatTemplateFixture, RendersAsTransformers) {
  const Case& c = GetParam();
  std::string dir = std::string(HF_FIXTURES) + "/chat_templates/" + c.template_dir;
  hf::ChatTemplate tmpl(hf::read_text_file(dir + "/template.jinja"));
  hf::json inputs = hf::json::parse(c.line);
  if (inputs.contains("expected")) {
    EXPECT_EQ(hf::render_chat_inputs(tmpl, inputs), inputs["expected"].get<std::string>());
    return;
  }
  std::string error_type = inputs["error_type"].get<std::string>();
  std::string python_error = inputs["error"].get<std::string>();
  try {
    std::string out = hf::render_chat_inputs(tmpl, inputs);
    ADD_FAILURE() << "expected " << error_type << ": " << python_error << "\nbut rendered:\n" << out;
  } catch (const hf::TemplateError& e) {
    if (error_type == "TemplateError") {
      EXPECT_EQ(std::string(e.what()), python_error);   // raise_exception(msg): exactly msg
    } else {
      // Other errors name the Python exception class and carry the template line.
      EXPECT_NE(std::string(e.what()).find(error_type), std::string::npos) << e.what();
    }
  }
}

INSTANTIATE_TEST_SUITE_P(AllTemplates, ChatTemplateFixture, testing::ValuesIn(load_cases()), test_name);

}  // namespace
