// Bad input, one test each: malformed JSON, a missing field, an unknown component type (the error
// names the type and the JSON path), a merge naming an unknown token, invalid UTF-8 in the text
// (decided: replaced by U+FFFD, as a decode does), an id out of range in decode.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <string>

#include "hf/tokenizer.h"
#include "tokenizers/tokenizer_json.h"

namespace {

using hf::json;

// A tiny byte-level BPE tokenizer.json; tweak() edits it before it is serialized.
std::string tiny_bpe(const std::function<void(json&)>& tweak = {}) {
  json j = json::parse(R"({
    "version": "1.0", "truncation": null, "padding": null,
    "added_tokens": [{"id": 6, "content": "<eos>", "single_word": false, "lstrip": false, "rstrip": false,
                      "normalized": false, "special": true}],
    "normalizer": null,
    "pre_tokenizer": {"type": "Sequence", "pretokenizers": [
        {"type": "Split", "pattern": {"Regex": "\\s+|\\w+"}, "behavior": "Isolated", "invert": false},
        {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": false, "use_regex": false}]},
    "post_processor": null,
    "decoder": {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": false, "use_regex": false},
    "model": {"type": "BPE", "dropout": null, "unk_token": null, "continuing_subword_prefix": null,
              "end_of_word_suffix": null, "fuse_unk": false, "byte_fallback": false,
              "vocab": {"a": 0, "b": 1, "ab": 2, "Ġ": 3, "c": 4, "abc": 5},
              "merges": ["a b", "ab c"]}
  })");
  if (tweak) tweak(j);
  return j.dump();
}

hf::Tokenizer load(const std::string& text) {
  return hf::Tokenizer::from_impl(hf::tok::tokenizer_from_json_text(text, json::object()));
}

// The error message of what load() throws.
std::string load_error(const std::string& text) {
  try {
    load(text);
  } catch (const hf::TokenizerError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(TokenizerErrors, TinyTokenizerWorks) {
  hf::Tokenizer t = load(tiny_bpe());
  EXPECT_EQ(t.encode("abc ab<eos>"), (std::vector<int32_t>{5, 3, 2, 6}));
  EXPECT_EQ(t.decode(std::vector<int32_t>{5, 3, 2, 6}), "abc ab<eos>");
}

TEST(TokenizerErrors, MalformedJson) {
  std::string text = tiny_bpe();
  std::string msg = load_error(text.substr(0, text.size() / 2));
  EXPECT_NE(msg.find("malformed JSON at byte"), std::string::npos) << msg;
  msg = load_error("{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0,}, \"merges\": []}}");
  EXPECT_NE(msg.find("malformed JSON"), std::string::npos) << msg;
}

TEST(TokenizerErrors, MissingField) {
  std::string msg = load_error(tiny_bpe([](json& j) { j["model"].erase("vocab"); }));
  EXPECT_NE(msg.find("model.vocab: missing field"), std::string::npos) << msg;
  msg = load_error(tiny_bpe([](json& j) { j.erase("model"); }));
  EXPECT_NE(msg.find("model: missing field"), std::string::npos) << msg;
  msg = load_error(tiny_bpe([](json& j) { j["pre_tokenizer"]["pretokenizers"][0].erase("pattern"); }));
  EXPECT_NE(msg.find("pre_tokenizer.pretokenizers[0].pattern: missing field"), std::string::npos) << msg;
}

TEST(TokenizerErrors, UnknownComponentTypeNamesTypeAndPath) {
  std::string msg = load_error(tiny_bpe([](json& j) { j["pre_tokenizer"]["pretokenizers"][1]["type"] = "ByteLevelX"; }));
  EXPECT_NE(msg.find("pre_tokenizer.pretokenizers[1].type"), std::string::npos) << msg;
  EXPECT_NE(msg.find("\"ByteLevelX\""), std::string::npos) << msg;
  msg = load_error(tiny_bpe([](json& j) { j["normalizer"] = json{{"type", "NFX"}}; }));
  EXPECT_NE(msg.find("normalizer.type: unknown normalizer type \"NFX\""), std::string::npos) << msg;
  msg = load_error(tiny_bpe([](json& j) { j["decoder"] = json{{"type", "Sequence"}, {"decoders", {{{"type", "Nope"}}}}}; }));
  EXPECT_NE(msg.find("decoder.decoders[0].type: unknown decoder type \"Nope\""), std::string::npos) << msg;
  msg = load_error(tiny_bpe([](json& j) { j["model"]["type"] = "CharLevel"; }));
  EXPECT_NE(msg.find("model.type: unknown model type \"CharLevel\""), std::string::npos) << msg;
  msg = load_error(tiny_bpe([](json& j) { j["post_processor"] = json{{"type", "Bogus"}}; }));
  EXPECT_NE(msg.find("post_processor.type: unknown post-processor type \"Bogus\""), std::string::npos) << msg;
}

TEST(TokenizerErrors, MergeWithUnknownToken) {
  std::string msg = load_error(tiny_bpe([](json& j) { j["model"]["merges"] = {"a b", "ab zz"}; }));
  EXPECT_NE(msg.find("model.merges[1]"), std::string::npos) << msg;
  EXPECT_NE(msg.find("\"zz\" is not in the vocabulary"), std::string::npos) << msg;
  msg = load_error(tiny_bpe([](json& j) { j["model"]["merges"] = {"a c"}; }));  // "ac" is not a token
  EXPECT_NE(msg.find("merged token \"ac\""), std::string::npos) << msg;
  msg = load_error(tiny_bpe([](json& j) { j["model"]["merges"] = {"abc"}; }));
  EXPECT_NE(msg.find("model.merges[0]"), std::string::npos) << msg;
}

// Documented choice: invalid UTF-8 input is not an error; each maximal invalid subsequence
// becomes U+FFFD before tokenizing, exactly what decoding those bytes gives.
TEST(TokenizerErrors, InvalidUtf8InputBecomesReplacementCharacter) {
  hf::Tokenizer t = hf::AutoTokenizer::from_pretrained(HF_FIXTURES "/tokenizers/qwen2.5");
  EXPECT_EQ(t.encode("a\xFF" "b"), t.encode("a\xEF\xBF\xBD" "b"));
  EXPECT_EQ(t.encode("\xE4\xBD"), t.encode("\xEF\xBF\xBD"));          // truncated 你: one U+FFFD
  EXPECT_EQ(t.encode("x\xC0\xAFy"), t.encode("x\xEF\xBF\xBD\xEF\xBF\xBDy"));  // overlong: two
  EXPECT_EQ(t.decode(t.encode("a\xFF" "b")), "a\xEF\xBF\xBD" "b");
  hf::Tokenizer w = hf::AutoTokenizer::from_pretrained(HF_FIXTURES "/tokenizers/wordpiece");
  EXPECT_NO_THROW(w.encode("\xF0\x9F"));
}

TEST(TokenizerErrors, IdOutOfRangeInDecode) {
  hf::Tokenizer t = load(tiny_bpe());
  EXPECT_THROW(t.decode(std::vector<int32_t>{0, 7}), hf::TokenizerError);
  EXPECT_THROW(t.decode(std::vector<int32_t>{-1}), hf::TokenizerError);
  try {
    t.decode(std::vector<int32_t>{1000});
  } catch (const hf::TokenizerError& e) {
    EXPECT_NE(std::string(e.what()).find("token id 1000 is out of range (vocabulary size 7)"), std::string::npos) << e.what();
  }
  EXPECT_THROW(t.convert_ids_to_tokens(std::vector<int32_t>{7}), hf::TokenizerError);
  EXPECT_EQ(t.id_to_token(7), "");
  hf::DecodeStream s(t);
  EXPECT_THROW(s.put(99), hf::TokenizerError);
}

TEST(TokenizerErrors, DirectoryNamedTokenizerJsonIsAFileError) {
  // Read as a file, a directory once gave std::bad_alloc (its "size" from ftell is LONG_MAX).
  const auto dir = std::filesystem::temp_directory_path() / ("hf_tok_dir_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir / "tokenizer.json");
  try {
    hf::Tokenizer::from_file((dir / "tokenizer.json").string());
    ADD_FAILURE() << "no error";
  } catch (const hf::FileError& e) {
    EXPECT_EQ(std::string(e.what()), (dir / "tokenizer.json").string() + ": is a directory, not a file");
  }
  std::filesystem::remove_all(dir);
}

TEST(TokenizerErrors, MissingFiles) {
  EXPECT_THROW(hf::AutoTokenizer::from_pretrained(HF_FIXTURES "/no-such-folder"), hf::Error);
  EXPECT_THROW(hf::Tokenizer::from_file("/nonexistent/tokenizer.json"), hf::FileError);
  hf::Tokenizer empty;
  EXPECT_THROW(empty.encode("x"), hf::TokenizerError);
}

}  // namespace
