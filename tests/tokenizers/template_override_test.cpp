// A folder with chat_template.jinja (transformers reads it over tokenizer_config.json's template)
// gets a tokenizer that differs from the same folder without it only in its chat template:
// encode_plus's offsets, word ids, special tokens and pair layout included.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "core/json.h"
#include "hf/tokenizer.h"
#include "test_temp.h"

namespace hf {
namespace {

namespace fs = std::filesystem;

void write(const fs::path& p, const std::string& text) { std::ofstream(p) << text; }

// `dir`'s tokenizer files copied into a fresh folder, with a chat_template.jinja.
fs::path with_template(const TestTempDir& tmp, const fs::path& dir) {
  for (const auto& f : fs::directory_iterator(dir))
    if (f.path().filename().string().rfind("tokenizer", 0) == 0 || f.path().filename() == "special_tokens_map.json")
      fs::copy_file(f.path(), tmp / f.path().filename().string());
  write(tmp / "chat_template.jinja", "{% for m in messages %}[{{ m.role }}] {{ m.content }}\n{% endfor %}");
  return tmp.path();
}

void expect_same_encodings(const Tokenizer& a, const Tokenizer& b, const std::string& text, const std::string& pair) {
  SCOPED_TRACE(text + " | " + pair);
  const auto ea = pair.empty() ? a.encode_plus(text) : a.encode_plus(text, pair);
  const auto eb = pair.empty() ? b.encode_plus(text) : b.encode_plus(text, pair);
  ASSERT_EQ(ea.size(), eb.size());
  for (size_t i = 0; i < ea.size(); ++i) {
    EXPECT_EQ(ea[i].input_ids, eb[i].input_ids);
    EXPECT_EQ(ea[i].offsets, eb[i].offsets);
    EXPECT_EQ(ea[i].word_ids, eb[i].word_ids);
    EXPECT_EQ(ea[i].special_tokens_mask, eb[i].special_tokens_mask);
    EXPECT_EQ(ea[i].token_type_ids, eb[i].token_type_ids);
    EXPECT_EQ(ea[i].sequence_ids, eb[i].sequence_ids);
  }
}

TEST(TemplateOverride, EncodePlusEqualsTheFolderWithoutTheTemplateFile) {
  const char* dirs[] = {"tiny-bert/distilbert-ner", "tiny-bert/bert-qa", "tiny-bart-cnn", "tiny-t5"};
  for (const char* d : dirs) {
    SCOPED_TRACE(d);
    const fs::path dir = fs::path(HF_FIXTURES) / d;
    TestTempDir tmp("template-override");
    const Tokenizer plain = AutoTokenizer::from_pretrained(dir.string());
    const Tokenizer over = AutoTokenizer::from_pretrained(with_template(tmp, dir).string());
    ASSERT_TRUE(over.has_chat_template());
    ASSERT_NE(plain.has_chat_template() ? plain.chat_template() : "", over.chat_template());
    expect_same_encodings(plain, over, "Hello world, said the Eiffel tower.", "");
    expect_same_encodings(plain, over, " leading space and   runs", "a second text");
  }
}

TEST(TemplateOverride, KeepsTheTrimmingProcessorsPrefixSpaceRule) {
  // A ByteLevel post-processor with trim_offsets and add_prefix_space (the Rust default) keeps
  // one leading space on a sequence's first token: [0, 6) for " Hello", not [1, 6).
  TestTempDir tmp("template-override-trim");
  json t = read_json_file(fs::path(HF_FIXTURES) / "tokenizers/gpt2/tokenizer.json");
  t["post_processor"] = {{"type", "ByteLevel"}, {"add_prefix_space", true}, {"trim_offsets", true}, {"use_regex", true}};
  write(tmp / "tokenizer.json", t.dump());
  write(tmp / "tokenizer_config.json", R"({"tokenizer_class": "GPT2Tokenizer"})");
  const Tokenizer plain = AutoTokenizer::from_pretrained(tmp.path().string());
  write(tmp / "chat_template.jinja", "{{ messages[0].content }}");
  const Tokenizer over = AutoTokenizer::from_pretrained(tmp.path().string());
  const auto e = over.encode_plus(" Hello world");
  ASSERT_FALSE(e.empty());
  EXPECT_EQ(e[0].offsets.at(0), (std::pair<int64_t, int64_t>{0, 6}));
  expect_same_encodings(plain, over, " Hello world", "");
}

}  // namespace
}  // namespace hf
