// Streamers on the real Qwen2.5 tokenizer: transformers' flush rules, no partial UTF-8 character
// ever, pieces concatenate to the final decode, streaming == non-streaming on every fixture case.
#include <gtest/gtest.h>

#include <sstream>
#include <thread>

#include "fixture_util.h"
#include "hf/generation.h"
#include "hf/streamers.h"
#include "hf/tokenizer.h"

namespace {

const hf::Tokenizer& tok() {
  static const hf::Tokenizer t = hf::AutoTokenizer::from_pretrained(fixture::kDir);
  return t;
}

// Collects every piece, checks each is whole UTF-8.
struct Collector : hf::TextStreamer {
  explicit Collector(hf::TextStreamerOptions o) : hf::TextStreamer(tok(), o) {}
  std::vector<std::string> pieces;
  std::vector<bool> ends;
  void on_finalized_text(const std::string& text, bool stream_end) override {
    pieces.push_back(text);
    ends.push_back(stream_end);
  }
  std::string joined() const {
    std::string s;
    for (const auto& p : pieces) s += p;
    return s;
  }
};

// Whole UTF-8 characters only; with `allow_replacement` false, no U+FFFD either.
bool valid_utf8(const std::string& s, bool allow_replacement) {
  for (size_t i = 0; i < s.size();) {
    unsigned char c = s[i];
    size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (n == 0 || i + n > s.size()) return false;
    for (size_t k = 1; k < n; ++k)
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    if (!allow_replacement && s.compare(i, n, "\xEF\xBF\xBD") == 0) return false;
    i += n;
  }
  return true;
}

void stream_ids(hf::BaseStreamer& s, const std::vector<int32_t>& prompt, const std::vector<int32_t>& fresh) {
  s.put(prompt, 1);
  for (int32_t id : fresh) s.put(std::vector<int32_t>{id}, 1);
  s.end();
}

}  // namespace

TEST(TextStreamer, ChineseSplitAcrossByteTokensNeverEmitsHalfACharacter) {
  // Each CJK character of this text is encoded; decode id by id shows which ids are partial.
  const std::string text = "请写一首赞美秋天的五言绝句。秋风萧瑟，落叶纷飞。\n好";
  auto ids = tok().encode(text, false);
  Collector c({});
  stream_ids(c, {}, ids);
  for (const auto& p : c.pieces) EXPECT_TRUE(valid_utf8(p, false)) << p;
  EXPECT_EQ(c.joined(), tok().decode(ids));
}

TEST(TextStreamer, FlushRules) {
  Collector c({});
  // "Hello world" → held until the space; a newline flushes everything.
  auto hello = tok().encode("Hello", false), world = tok().encode(" world", false), nl = tok().encode("\n", false);
  c.put(hello, 1);
  EXPECT_EQ(c.pieces.back(), "");  // no space yet: nothing printable (but a piece is still emitted)
  c.put(world, 1);
  EXPECT_EQ(c.pieces.back(), "Hello ");  // up to the last space
  c.put(nl, 1);
  EXPECT_EQ(c.pieces.back(), "world\n");
  // A CJK ideograph at the end flushes at once.
  auto zh = tok().encode("秋", false);
  c.put(zh, 1);
  EXPECT_EQ(c.joined(), "Hello world\n" + tok().decode(zh));
  c.end();
  EXPECT_TRUE(c.ends.back());
}

TEST(TextStreamer, SkipPromptDropsFirstPutAndRearmsOnEnd) {
  auto prompt = tok().encode("Say hi", false), reply = tok().encode(" hi there", false);
  Collector c({.skip_prompt = true});
  stream_ids(c, prompt, reply);
  EXPECT_EQ(c.joined(), " hi there");
  c.pieces.clear();
  stream_ids(c, prompt, reply);  // reused streamer: skips the next prompt too
  EXPECT_EQ(c.joined(), " hi there");
}

TEST(TextStreamer, BatchOfTwoIsRejected) {
  Collector c({});
  EXPECT_THROW(c.put(std::vector<int32_t>{1, 2}, 2), hf::InputError);
}

TEST(TextStreamer, PrintsToStreamWithNewlineAtEnd) {
  std::ostringstream out;
  hf::TextStreamer s(tok(), {.skip_special_tokens = true}, &out);
  auto ids = tok().encode("你好 world<|im_end|>", false);
  stream_ids(s, {}, ids);
  EXPECT_EQ(out.str(), "你好 world\n");
}

TEST(Streamers, StreamingEqualsNonStreamingForEveryFixturePrompt) {
  hf::AutoModelForCausalLM model(fixture::model(), fixture::model_generation_config());
  for (const auto& c : fixture::expected()["cases"]) {
    if (c["name"] == "long_1540") continue;  // same path, 10x slower
    SCOPED_TRACE(c["name"].get<std::string>());
    const auto ids = fixture::ids_of(c["input_ids"]);
    Collector s({.skip_prompt = true, .skip_special_tokens = true});
    auto out = model.generate({ids}, {.max_new_tokens = 32, .do_sample = false, .streamer = &s});
    const std::string full = tok().decode(out.new_tokens()[0], {.skip_special_tokens = true});
    EXPECT_EQ(s.joined(), full);
    EXPECT_EQ(full, c["greedy_repetition_penalty"]["text"].get<std::string>());
    // The random model does produce invalid byte sequences; their U+FFFD is part of the final
    // decode too (checked by the equality above), but no piece may cut a character.
    for (const auto& p : s.pieces) EXPECT_TRUE(valid_utf8(p, true)) << p;
  }
}

TEST(TextIteratorStreamer, RangeForFromAnotherThread) {
  hf::AutoModelForCausalLM model(fixture::model(), fixture::model_generation_config());
  const auto& c = fixture::find_case("chat_zh");
  hf::TextIteratorStreamer it(tok(), {.skip_prompt = true, .skip_special_tokens = true});
  std::jthread worker([&] {
    model.generate({fixture::ids_of(c["input_ids"])}, {.max_new_tokens = 32, .do_sample = false, .streamer = &it});
  });
  std::string got;
  for (const std::string& piece : it.pieces()) got += piece;
  EXPECT_EQ(got, c["greedy_repetition_penalty"]["text"].get<std::string>());
}

TEST(TextIteratorStreamer, TimeoutThrows) {
  hf::TextIteratorStreamer it(tok(), {}, std::chrono::milliseconds(20));
  EXPECT_THROW(it.next(), hf::StreamerTimeout);
}

TEST(TextIteratorStreamer, ConsumerGoingAwayStopsGeneration) {
  hf::AutoModelForCausalLM model(fixture::model(), fixture::model_generation_config());
  const auto ids = fixture::ids_of(fixture::find_case("plain_en")["input_ids"]);
  hf::GenerateOutput out;
  std::thread worker;
  {
    hf::TextIteratorStreamer it(tok());
    worker = std::thread([&] { out = model.generate({ids}, {.max_new_tokens = 2000, .do_sample = false, .streamer = &it}); });
    it.next();  // the prompt arrived: generation is running
  }  // consumer destroyed here: generate() must stop soon, and the destructor waited for it
  worker.join();
  EXPECT_LT(out.new_tokens()[0].size(), 2000u);
}

TEST(CallbackStreamer, ReceivesPiecesAndEnd) {
  std::string got;
  int ends = 0;
  hf::CallbackStreamer s(tok(), [&](const std::string& t, bool end) {
    got += t;
    ends += end;
  });
  auto ids = tok().encode("秋风 autumn", false);
  stream_ids(s, {}, ids);
  EXPECT_EQ(got, "秋风 autumn");
  EXPECT_EQ(ends, 1);
}

TEST(StopStrings, StopWhenTheStringOverlapsTheLastToken) {
  hf::AutoModelForCausalLM model(fixture::model(), fixture::model_generation_config());
  const auto& c = fixture::find_case("plain_en");
  const std::string full = c["greedy"]["text"].get<std::string>();  // " Checkedêtes招收器械.scala insightful ..."
  hf::Tokenizer t = tok();
  auto out = model.generate({fixture::ids_of(c["input_ids"])},
                            {.max_new_tokens = 32, .stop_strings = std::vector<std::string>{"scala"}, .do_sample = false,
                             .repetition_penalty = 1.0f, .tokenizer = &t});
  const std::string text = t.decode(out.new_tokens()[0]);
  EXPECT_EQ(full.substr(0, text.size()), text);
  ASSERT_NE(text.find("scala"), std::string::npos);
  auto ids = out.new_tokens()[0];
  ids.pop_back();
  EXPECT_EQ(t.decode(ids).find("scala"), std::string::npos);  // stopped on the token completing it
  EXPECT_LT(out.new_tokens()[0].size(), 32u);
}

TEST(TextStreamer, RareCharacterSplitAcrossTokensIsHeldBackThenWhole) {
  // Rare ideographs are several byte-level tokens each: the first ones decode to U+FFFD.
  int split = 0;
  for (const std::string ch : {"𠮷", "龘", "燚", "齉", "𪚥"}) {
    auto ids = tok().encode(ch, false);
    if (ids.size() < 2) continue;
    ++split;
    Collector c({});
    for (size_t i = 0; i + 1 < ids.size(); ++i) {
      c.put(std::vector<int32_t>{ids[i]}, 1);
      EXPECT_EQ(c.pieces.back(), "") << ch;  // never the replacement character
    }
    c.put(std::vector<int32_t>{ids.back()}, 1);
    EXPECT_EQ(c.pieces.back(), ch);  // CJK at the end: flushed whole at once
    c.end();
    EXPECT_EQ(c.joined(), ch);
  }
  EXPECT_GE(split, 1);
}
