// The components beyond what the fixtures exercise, on small inputs with the results of the Rust
// crate's own unit tests, plus the transformers-level API: padding, truncation, batches,
// DecodeStream, chat templates, threads.
#include <gtest/gtest.h>

#include <fstream>
#include <thread>

#include "hf/tokenizer.h"
#include "tokenizers/pipeline.h"
#include "tokenizers/tokenizer_json.h"

namespace {

using hf::json;
using hf::tok::Piece;

std::vector<std::string> pre_tokenize(const std::string& pre_tokenizer_json, const std::string& text) {
  auto p = hf::tok::make_pre_tokenizer(json::parse(pre_tokenizer_json), "pre_tokenizer");
  std::vector<Piece> pieces{Piece{text, true}};
  p->pre_tokenize(pieces);
  std::vector<std::string> out;
  for (const Piece& x : pieces) out.push_back(x.text);
  return out;
}

std::string normalize(const std::string& normalizer_json, std::string text) {
  hf::tok::make_normalizer(json::parse(normalizer_json), "normalizer")->normalize(text);
  return text;
}

std::string decode(const std::string& decoder_json, std::vector<std::string> tokens) {
  hf::tok::make_decoder(json::parse(decoder_json), "decoder")->decode_chain(tokens);
  std::string s;
  for (const auto& t : tokens) s += t;
  return s;
}

using V = std::vector<std::string>;

TEST(PreTokenizers, SplitBehaviors) {
  auto split = [](const char* behavior, const char* text, const char* pattern = " ") {
    return pre_tokenize(std::string(R"({"type": "Split", "pattern": {"String": ")") + pattern + R"("}, "behavior": ")" +
                            behavior + R"(", "invert": false})",
                        text);
  };
  EXPECT_EQ(split("Removed", "How are you doing?"), (V{"How", "are", "you", "doing?"}));
  EXPECT_EQ(split("Isolated", "How are you doing?"), (V{"How", " ", "are", " ", "you", " ", "doing?"}));
  EXPECT_EQ(split("MergedWithPrevious", "How are you doing?"), (V{"How ", "are ", "you ", "doing?"}));
  EXPECT_EQ(split("MergedWithNext", "How are you doing?"), (V{"How", " are", " you", " doing?"}));
  EXPECT_EQ(split("Contiguous", "The-final--countdown", "-"), (V{"The", "-", "final", "--", "countdown"}));
  EXPECT_EQ(pre_tokenize(R"({"type": "Split", "pattern": {"Regex": "\\s+"}, "behavior": "Removed", "invert": true})",
                         "How are  you"),
            (V{" ", "  "}));
}

TEST(PreTokenizers, WhitespaceFamily) {
  EXPECT_EQ(pre_tokenize(R"({"type": "Whitespace"})", "Hey man!"), (V{"Hey", "man", "!"}));
  EXPECT_EQ(pre_tokenize(R"({"type": "Whitespace"})", "Hey, man, Good?"), (V{"Hey", ",", "man", ",", "Good", "?"}));
  EXPECT_EQ(pre_tokenize(R"({"type": "WhitespaceSplit"})", "Hey man!\u3000ok"), (V{"Hey", "man!", "ok"}));
  EXPECT_EQ(pre_tokenize(R"({"type": "CharDelimiterSplit", "delimiter": "x"})", "axbxxc"), (V{"a", "b", "c"}));
}

TEST(PreTokenizers, PunctuationDigitsBert) {
  EXPECT_EQ(pre_tokenize(R"({"type": "Punctuation", "behavior": "Isolated"})", "Hey friend!     How are you?!?"),
            (V{"Hey friend", "!", "     How are you", "?", "!", "?"}));
  EXPECT_EQ(pre_tokenize(R"({"type": "Digits", "individual_digits": true})", "Hey 123 friend!"),
            (V{"Hey ", "1", "2", "3", " friend!"}));
  EXPECT_EQ(pre_tokenize(R"({"type": "Digits", "individual_digits": false})", "Hey 123 friend!"), (V{"Hey ", "123", " friend!"}));
  EXPECT_EQ(pre_tokenize(R"({"type": "BertPreTokenizer"})", "Hey friend!     How are you?!?"),
            (V{"Hey", "friend", "!", "How", "are", "you", "?", "!", "?"}));
}

TEST(PreTokenizers, MetaspaceAndByteLevel) {
  const char* always = R"({"type": "Metaspace", "replacement": "▁", "prepend_scheme": "always", "split": true})";
  EXPECT_EQ(pre_tokenize(always, "Hey friend!"), (V{"▁Hey", "▁friend!"}));
  EXPECT_EQ(pre_tokenize(always, "Hey   friend!"), (V{"▁Hey", "▁", "▁", "▁friend!"}));
  EXPECT_EQ(pre_tokenize(R"({"type": "Metaspace", "replacement": "▁", "prepend_scheme": "never", "split": false})", "Hey friend"),
            (V{"Hey▁friend"}));
  // "first": only the piece at the start of the input gets the ▁.
  auto p = hf::tok::make_pre_tokenizer(json::parse(R"({"type": "Metaspace", "replacement": "▁", "prepend_scheme": "first", "split": true})"), "p");
  std::vector<Piece> pieces{Piece{"Hey", true}, Piece{"you", false}};
  p->pre_tokenize(pieces);
  ASSERT_EQ(pieces.size(), 2u);
  EXPECT_EQ(pieces[0].text, "▁Hey");
  EXPECT_EQ(pieces[1].text, "you");
  // GPT-2's: regex split, then bytes → characters; add_prefix_space.
  EXPECT_EQ(pre_tokenize(R"({"type": "ByteLevel", "add_prefix_space": true, "use_regex": true})", "Hello my friend, how is your day going?"),
            (V{"ĠHello", "Ġmy", "Ġfriend", ",", "Ġhow", "Ġis", "Ġyour", "Ġday", "Ġgoing", "?"}));
}

TEST(Normalizers, Basic) {
  EXPECT_EQ(normalize(R"({"type": "Lowercase"})", "HeLLo İ ΣΑ"), "hello i\u0307 σα");
  EXPECT_EQ(normalize(R"({"type": "Strip", "strip_left": true, "strip_right": true})", "  \u3000 hi \n"), "hi");
  EXPECT_EQ(normalize(R"({"type": "Strip", "strip_left": false, "strip_right": true})", "  hi  "), "  hi");
  EXPECT_EQ(normalize(R"({"type": "NFKC"})", "ﬁ①Ａ"), "fi1A");
  EXPECT_EQ(normalize(R"({"type": "NFD"})", "é"), "e\u0301");
  EXPECT_EQ(normalize(R"({"type": "Sequence", "normalizers": [{"type": "NFD"}, {"type": "StripAccents"}]})", "héllo"), "hello");
  EXPECT_EQ(normalize(R"({"type": "Replace", "pattern": {"Regex": " {2,}"}, "content": "▁"})", "a   b c"), "a▁b c");
  EXPECT_EQ(normalize(R"({"type": "Replace", "pattern": {"String": "a.b"}, "content": "x"})", "a.b aab"), "x aab");
  EXPECT_EQ(normalize(R"({"type": "Prepend", "prepend": "▁"})", "hi"), "▁hi");
  EXPECT_EQ(normalize(R"({"type": "Prepend", "prepend": "▁"})", ""), "");
}

TEST(Decoders, TextDecoders) {
  EXPECT_EQ(decode(R"({"type": "WordPiece", "prefix": "##", "cleanup": true})", {"##uelo", "Ara", "##új", "##o", "No", "##guera"}),
            "##uelo Araújo Noguera");
  EXPECT_EQ(decode(R"({"type": "BPEDecoder", "suffix": "</w>"})", {"My</w>", "na", "me</w>", "is</w>"}), "My name is");
  EXPECT_EQ(decode(R"({"type": "CTC", "pad_token": "<pad>", "word_delimiter_token": "|", "cleanup": true})",
                   {"<pad>", "h", "e", "e", "l", "l", "<pad>", "l", "o", "o", "o", "<pad>", "|", "w"}),
            "hello w");
  EXPECT_EQ(decode(R"({"type": "Strip", "content": " ", "start": 1, "stop": 1})", {" a ", "  b  "}), "a b ");
  EXPECT_EQ(decode(R"({"type": "Metaspace", "replacement": "▁", "prepend_scheme": "always"})", {"▁Hey", "▁friend!"}), "Hey friend!");
  EXPECT_EQ(decode(R"({"type": "Sequence", "decoders": [{"type": "ByteFallback"}, {"type": "Fuse"}]})", {"<0x61>", "<0xE4>", "b"}),
            "\uFFFD\uFFFDb");  // an invalid run: one U+FFFD per byte token
}

// A WordPiece tokenizer with a BertProcessing post-processor, built in memory.
hf::Tokenizer bert(const json& config = json::object()) {
  json j = json::parse(R"({
    "added_tokens": [{"id": 0, "content": "[PAD]", "special": true, "normalized": false},
                     {"id": 1, "content": "[UNK]", "special": true, "normalized": false},
                     {"id": 2, "content": "[CLS]", "special": true, "normalized": false},
                     {"id": 3, "content": "[SEP]", "special": true, "normalized": false}],
    "normalizer": {"type": "BertNormalizer", "clean_text": true, "handle_chinese_chars": true, "strip_accents": null, "lowercase": true},
    "pre_tokenizer": {"type": "BertPreTokenizer"},
    "post_processor": {"type": "BertProcessing", "sep": ["[SEP]", 3], "cls": ["[CLS]", 2]},
    "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": true},
    "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##", "max_input_chars_per_word": 100,
              "vocab": {"[PAD]": 0, "[UNK]": 1, "[CLS]": 2, "[SEP]": 3, "hello": 4, "world": 5, "un": 6, "##aff": 7,
                        "##able": 8, "!": 9, "a": 10}}
  })");
  return hf::Tokenizer::from_impl(hf::tok::tokenizer_from_json_text(j.dump(), config));
}

TEST(Models, WordPieceAndBertProcessing) {
  hf::Tokenizer t = bert();
  EXPECT_EQ(t.encode("Hello unaffable world!"), (std::vector<int32_t>{2, 4, 6, 7, 8, 5, 9, 3}));
  EXPECT_EQ(t.encode("Hello unaffablex", false), (std::vector<int32_t>{4, 1}));
  EXPECT_EQ(t.decode(t.encode("Hello unaffable world!")), "[CLS] hello unaffable world! [SEP]");
  EXPECT_EQ(t.decode(t.encode("Hello unaffable world!"), {.skip_special_tokens = true}), "hello unaffable world!");
}

TEST(Models, BpeOptions) {
  json j = json::parse(R"({
    "model": {"type": "BPE", "unk_token": "<unk>", "continuing_subword_prefix": "##", "end_of_word_suffix": null,
              "fuse_unk": true, "byte_fallback": false, "ignore_merges": false,
              "vocab": {"<unk>": 0, "a": 1, "##b": 2, "##c": 3, "ab": 4, "abc": 5, "b": 6, "##a": 7},
              "merges": ["a ##b", "ab ##c"]},
    "pre_tokenizer": {"type": "WhitespaceSplit"}
  })");
  hf::Tokenizer t = hf::Tokenizer::from_impl(hf::tok::tokenizer_from_json_text(j.dump(), json::object()));
  EXPECT_EQ(t.encode("abc ab ba", false), (std::vector<int32_t>{5, 4, 6, 7}));
  EXPECT_EQ(t.encode("axyzb", false), (std::vector<int32_t>{1, 0, 2}));  // x y z fused into one <unk>
  j["model"]["fuse_unk"] = false;
  t = hf::Tokenizer::from_impl(hf::tok::tokenizer_from_json_text(j.dump(), json::object()));
  EXPECT_EQ(t.encode("axyzb", false), (std::vector<int32_t>{1, 0, 0, 0, 2}));
}

TEST(Models, WordLevel) {
  json j = json::parse(R"({"model": {"type": "WordLevel", "unk_token": "<unk>", "vocab": {"<unk>": 0, "hello": 1, "world": 2}},
                           "pre_tokenizer": {"type": "Whitespace"}})");
  hf::Tokenizer t = hf::Tokenizer::from_impl(hf::tok::tokenizer_from_json_text(j.dump(), json::object()));
  EXPECT_EQ(t.encode("hello big world", false), (std::vector<int32_t>{1, 0, 2}));
  EXPECT_EQ(t.decode(std::vector<int32_t>{1, 2}), "hello world");  // no decoder: tokens joined by spaces
}

TEST(Api, PaddingTruncationBatch) {
  hf::Tokenizer t = bert(json{{"pad_token", "[PAD]"}, {"unk_token", "[UNK]"}, {"model_max_length", 6}});
  hf::BatchEncoding b = t({"hello", "hello world unaffable"}, {.padding = "longest"});
  EXPECT_EQ(b.input_ids[0], (std::vector<int32_t>{2, 4, 3, 0, 0, 0, 0}));
  EXPECT_EQ(b.attention_mask[0], (std::vector<int32_t>{1, 1, 1, 0, 0, 0, 0}));
  EXPECT_EQ(b.input_ids[1], (std::vector<int32_t>{2, 4, 5, 6, 7, 8, 3}));
  b = t({"hello", "hello world unaffable"}, {.padding = "longest", .padding_side = "left"});
  EXPECT_EQ(b.input_ids[0], (std::vector<int32_t>{0, 0, 0, 0, 2, 4, 3}));
  EXPECT_EQ(b.attention_mask[0], (std::vector<int32_t>{0, 0, 0, 0, 1, 1, 1}));
  // Truncation keeps room for [CLS] and [SEP]; max_length 0 = model_max_length.
  EXPECT_EQ(t.encode("hello world unaffable", {.truncation = true}), (std::vector<int32_t>{2, 4, 5, 6, 7, 3}));
  EXPECT_EQ(t.encode("hello world unaffable", {.truncation = true, .max_length = 4}), (std::vector<int32_t>{2, 4, 5, 3}));
  b = t({"hello"}, {.padding = "max_length", .max_length = 5});
  EXPECT_EQ(b.input_ids[0], (std::vector<int32_t>{2, 4, 3, 0, 0}));
  EXPECT_EQ(t.batch_decode({{4, 5}, {6, 7}}), (std::vector<std::string>{"hello world", "unaff"}));
  EXPECT_EQ(t.convert_tokens_to_ids({"hello", "nope"}), (std::vector<int32_t>{4, 1}));
  EXPECT_EQ(t.pad_token_id(), 0);
  EXPECT_EQ(t.model_max_length(), 6);
  hf::Tokenizer no_pad = bert();
  EXPECT_THROW(no_pad({"a", "hello world"}, {.padding = "longest"}), hf::InputError);
}

TEST(Api, SpecialTokenAccessors) {
  hf::Tokenizer q = hf::AutoTokenizer::from_pretrained(HF_FIXTURES "/tokenizers/qwen2.5");
  EXPECT_EQ(q.eos_token(), "<|im_end|>");
  EXPECT_EQ(q.eos_token_id(), 151645);
  EXPECT_EQ(q.pad_token_id(), 151643);
  EXPECT_FALSE(q.bos_token_id().has_value());
  EXPECT_EQ(q.bos_token(), "");
  EXPECT_TRUE(q.is_special_id(151644));
  EXPECT_FALSE(q.is_special_id(151657));  // <tool_call>: added, not special
  EXPECT_EQ(q.vocab_size(), 151665u);
  EXPECT_EQ(q.token_to_id("<|im_start|>"), 151644);
  EXPECT_EQ(q.id_to_token(151644), "<|im_start|>");
  hf::Tokenizer l = hf::AutoTokenizer::from_pretrained(HF_FIXTURES "/tokenizers/llama2");
  EXPECT_EQ(l.bos_token_id(), 1);
  EXPECT_EQ(l.unk_token_id(), 0);
  EXPECT_GT(l.model_max_length(), int64_t(1) << 40);  // 1e30 in the config: "very large"
}

TEST(Api, DecodeStreamHoldsPartialCharacters) {
  hf::Tokenizer q = hf::AutoTokenizer::from_pretrained(HF_FIXTURES "/tokenizers/qwen2.5");
  auto ids = q.encode("你好😀 ok", false);
  hf::DecodeStream s(q);
  std::vector<std::string> pieces;
  for (int32_t id : ids) pieces.push_back(s.put(id));
  pieces.push_back(s.finish());
  std::string joined;
  for (const auto& p : pieces) joined += p;
  EXPECT_EQ(joined, "你好😀 ok");
  EXPECT_EQ(s.finish(), "");
}

// apply_chat_template on the tiny model's folder (Qwen2.5-Instruct's template) against the
// chat-template fixtures of that template.
TEST(Api, ChatTemplateMatchesFixtures) {
  hf::Tokenizer t = hf::AutoTokenizer::from_pretrained(HF_FIXTURES "/tiny-qwen2");
  std::ifstream in(HF_FIXTURES "/chat_templates/Qwen-Qwen2.5-7B-Instruct/cases.jsonl");
  std::string line;
  int checked = 0;
  while (std::getline(in, line)) {
    json c = json::parse(line);
    if (!c.contains("expected") || c.contains("kwargs")) continue;
    hf::ChatTemplateOptions o;
    o.add_generation_prompt = c.value("add_generation_prompt", false);
    o.continue_final_message = c.value("continue_final_message", false);
    if (c.contains("tools")) o.tools = c["tools"];
    if (c.contains("documents")) o.documents = c["documents"];
    EXPECT_EQ(t.apply_chat_template(c["messages"], o), c["expected"].get<std::string>()) << c["id"];
    ++checked;
  }
  EXPECT_GT(checked, 10);
  hf::Messages m{{"user", "你好"}};
  std::string text = t.apply_chat_template(m, {.add_generation_prompt = true});
  EXPECT_EQ(t.apply_chat_template_ids(m, {.add_generation_prompt = true}), t.encode(text, false));
  EXPECT_THROW(t.apply_chat_template(m, {.add_generation_prompt = true, .continue_final_message = true}), hf::InputError);
  EXPECT_THROW(t.apply_chat_template(m, {.template_name = "nope"}), hf::TokenizerError);
}

TEST(Api, ThreadsShareOneTokenizer) {
  hf::Tokenizer t = hf::AutoTokenizer::from_pretrained(HF_FIXTURES "/tokenizers/qwen2.5");
  std::vector<std::string> texts;
  for (int i = 0; i < 200; ++i) texts.push_back("秋风送爽 " + std::to_string(i * 7919) + " autumn leaves #" + std::to_string(i));
  std::vector<std::vector<int32_t>> expected;
  for (const auto& s : texts) expected.push_back(t.encode(s));
  std::vector<std::thread> threads;
  std::atomic<int> mismatches{0};
  for (int k = 0; k < 4; ++k)
    threads.emplace_back([&, k] {
      hf::Tokenizer copy = t;
      for (size_t i = k; i < texts.size() * 4; i += 3)
        if (copy.encode(texts[i % texts.size()]) != expected[i % texts.size()]) ++mismatches;
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(mismatches.load(), 0);
}

}  // namespace
