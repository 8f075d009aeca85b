// `hfcpp translate` on tests/fixtures/tiny-marian-zh-en: arguments, --json, stdin lines (batched,
// blank lines kept), --num-beams, and the errors for bad input.
#include <gtest/gtest.h>

#include "cli/run_program.h"
#include "models/marian_expected.h"

using hf::json;
using hf::test::kTinyMarian;
using hf::test::marian_expected;

namespace {

std::string model_flag() { return " --model " + quote(kTinyMarian.string()); }

const json& find_case(const std::string& name) {
  for (const auto& c : marian_expected()["cases"])
    if (c["name"] == name) return c;
  throw std::runtime_error("no case " + name);
}

std::string text_of(const std::string& name) { return find_case(name)["text"].get<std::string>(); }
std::string translation_of(const std::string& name) {
  return find_case(name)["pipeline_output"][0]["translation_text"].get<std::string>();
}

}  // namespace

TEST(TranslateCli, TextArgumentsOneLineEach) {
  auto r = run_program(kHfcpp + " translate" + model_flag() + " " + quote(text_of("weather")) + " " +
                       quote(text_of("single_char")));
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, translation_of("weather") + "\n" + translation_of("single_char") + "\n");
}

TEST(TranslateCli, JsonOutputIsTransformersShaped) {
  auto r = run_program(kHfcpp + " translate --json" + model_flag() + " " + quote(text_of("weather")));
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(json::parse(r.out), json::array({find_case("weather")["pipeline_output"][0]}));
}

TEST(TranslateCli, StdinLinesAreTranslatedInBatchesAndBlankLinesKept) {
  const std::string input = text_of("weather") + "\n\n" + text_of("punctuation") + "\n" + text_of("single_char") + "\n";
  auto r = run_program("printf '%s' " + quote(input) + " | " + kHfcpp + " translate --batch-size 2" + model_flag());
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, translation_of("weather") + "\n\n" + translation_of("punctuation") + "\n" +
                       translation_of("single_char") + "\n");
}

TEST(TranslateCli, NumBeamsOne) {
  auto r = run_program(kHfcpp + " translate --num-beams 1" + model_flag() + " " + quote(text_of("weather")));
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, find_case("weather")["greedy"]["text"].get<std::string>() + "\n");
}

TEST(TranslateCli, MissingVocabIsNamed) {
  const std::string dir = (test_temp_root() / ("hf_translate_cli_novocab_" + std::to_string(getpid()))).string();
  std::filesystem::create_directories(dir);
  for (const auto& f : std::filesystem::directory_iterator(kTinyMarian))
    if (f.path().filename() != "vocab.json")
      std::filesystem::copy_file(f.path(), dir / f.path().filename(), std::filesystem::copy_options::overwrite_existing);
  auto r = run_program(kHfcpp + " translate --model " + quote(dir) + " hello");
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("vocab.json: missing"), std::string::npos) << r.err;
  std::filesystem::remove_all(dir);
}

TEST(TranslateCli, BadBatchSizeIsAnError) {
  auto r = run_program(kHfcpp + " translate" + model_flag() + " --batch-size 0 hello");
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("--batch-size must be >= 1"), std::string::npos) << r.err;
}
