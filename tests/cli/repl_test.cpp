// The chat REPL at a terminal (through a pseudo-terminal): commands answered locally, history,
// multi-line messages, the conversation's KV cache reused per turn, and a conversation that
// outgrows its context.
#include <gtest/gtest.h>

#include <regex>

#include "cli/pty_session.h"
#include "cli/run_program.h"
#include "hf/generation.h"
#include "hf/tokenizer.h"

namespace {

std::vector<std::string> chat_args(std::vector<std::string> extra) {
  std::vector<std::string> a{kHfcpp, "chat", kModel, "--greedy", "-n", "8"};
  a.insert(a.end(), extra.begin(), extra.end());
  return a;
}

size_t count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

struct TurnStats {
  int prompt = 0, prefilled = 0, cached = 0;
};
// The stats lines "hfcpp: P prompt tokens (F prefilled, C cached), ..." in order.
std::vector<TurnStats> turn_stats(const std::string& transcript) {
  std::vector<TurnStats> out;
  const std::regex line(R"((\d+) prompt tokens \((\d+) prefilled, (\d+) cached\))");
  for (std::sregex_iterator it(transcript.begin(), transcript.end(), line), end; it != end; ++it)
    out.push_back({std::stoi((*it)[1]), std::stoi((*it)[2]), std::stoi((*it)[3])});
  return out;
}

// The greedy reply the library gives for `messages` from scratch (no cache), as chat prints it.
std::string fresh_reply(const hf::Messages& messages, int max_new_tokens) {
  const auto tok = hf::AutoTokenizer::from_pretrained(kModel);
  const auto model = hf::AutoModelForCausalLM::from_pretrained(kModel);
  const auto ids = tok.apply_chat_template_ids(messages, {.add_generation_prompt = true});
  const auto out = model.generate(std::vector<std::vector<int32_t>>{ids}, {.max_new_tokens = max_new_tokens, .do_sample = false});
  return tok.decode(out.new_tokens()[0], {.skip_special_tokens = true});
}
}  // namespace

TEST(ChatRepl, HelpByeAndUnknownCommandsNeverReachTheModel) {
  auto r = run_on_pty(chat_args({}), {"/help", "/frobnicate now", "/bye"});
  EXPECT_EQ(r.status, 0) << r.transcript;
  EXPECT_NE(r.transcript.find("/reset"), std::string::npos) << r.transcript;  // the help lists the commands
  EXPECT_NE(r.transcript.find("unknown command '/frobnicate'"), std::string::npos) << r.transcript;
  EXPECT_EQ(count(r.transcript, "prompt tokens"), 0u) << r.transcript;  // no turn ran
}

TEST(ChatRepl, ExitQuitsAndArrowUpRecallsTheLastMessage) {
  // Up-arrow then Enter sends "/help" again: the help is printed twice (libedit's history).
  auto r = run_on_pty(chat_args({}), {"/help", "\x1b[A", "/exit"});
  EXPECT_EQ(r.status, 0) << r.transcript;
  EXPECT_EQ(count(r.transcript, "forget the conversation"), 2u) << r.transcript;
}

TEST(ChatRepl, EachTurnPrefillsOnlyItsNewTokensAndMatchesAFreshPrefill) {
  auto r = run_on_pty(chat_args({}), {"Hello there", "And then?", "/bye"});
  ASSERT_EQ(r.status, 0) << r.transcript;
  const auto stats = turn_stats(r.transcript);
  ASSERT_EQ(stats.size(), 2u) << r.transcript;
  EXPECT_EQ(stats[0].cached, 0);
  EXPECT_EQ(stats[0].prefilled, stats[0].prompt);

  // Turn 2's prompt re-renders turn 1; everything the cache holds that the new prompt starts
  // with is reused, so only the new turn is prefilled.
  const auto tok = hf::AutoTokenizer::from_pretrained(kModel);
  const auto model = hf::AutoModelForCausalLM::from_pretrained(kModel);
  const auto ids1 = tok.apply_chat_template_ids(hf::Messages{{"user", "Hello there"}}, {.add_generation_prompt = true});
  const auto out1 = model.generate(std::vector<std::vector<int32_t>>{ids1}, {.max_new_tokens = 8, .do_sample = false});
  const std::string reply1 = tok.decode(out1.new_tokens()[0], {.skip_special_tokens = true});
  const hf::Messages history{{"user", "Hello there"}, {"assistant", reply1}, {"user", "And then?"}};
  const auto ids2 = tok.apply_chat_template_ids(history, {.add_generation_prompt = true});
  std::vector<int32_t> held = out1.sequences[0];
  held.pop_back();  // the last new token is never run through the model
  size_t common = 0;
  while (common < held.size() && common + 1 < ids2.size() && held[common] == ids2[common]) ++common;
  EXPECT_EQ(stats[1].prompt, int(ids2.size()));
  EXPECT_EQ(stats[1].cached, int(common));
  EXPECT_EQ(stats[1].prefilled, int(ids2.size() - common));
  EXPECT_GE(stats[1].cached, int(ids1.size())) << "turn 1's whole prompt is reused";
  EXPECT_LT(stats[1].prefilled, stats[1].prompt);
  // The reply equals a fresh full prefill of the same conversation (greedy).
  EXPECT_NE(r.transcript.find(fresh_reply(history, 8)), std::string::npos) << r.transcript;
}

TEST(ChatRepl, MultiLineMessagesWithBackslashAndTripleQuotes) {
  const std::string expected = fresh_reply({{"user", "first line\nsecond line"}}, 8);
  auto r = run_on_pty(chat_args({}), {"first line\\", "second line", "/reset", "\"\"\"", "first line", "second line\"\"\"", "/bye"});
  ASSERT_EQ(r.status, 0) << r.transcript;
  const auto stats = turn_stats(r.transcript);
  ASSERT_EQ(stats.size(), 2u) << r.transcript;
  EXPECT_EQ(stats[0].prompt, stats[1].prompt);  // both messages are the same two lines
  EXPECT_EQ(count(r.transcript, expected), 2u) << r.transcript;
}

TEST(ChatRepl, OutgrowingTheContextDropsTheOldestTurnsWithANotice) {
  // Each turn is about 20 prompt tokens + 8 new ones; a 64-token context holds about two.
  auto r = run_on_pty(chat_args({"-c", "64"}), {"one", "two", "three", "four", "/bye"});
  ASSERT_EQ(r.status, 0) << r.transcript;
  const auto stats = turn_stats(r.transcript);
  ASSERT_EQ(stats.size(), 4u) << r.transcript;
  EXPECT_NE(r.transcript.find("dropped the oldest"), std::string::npos) << r.transcript;
  for (const auto& s : stats) EXPECT_LE(s.prompt + 8, 64);
}

TEST(ChatRepl, AMessageTooLongForTheContextIsAnErrorAndTheConversationGoesOn) {
  // The template's default system message alone takes 30 tokens: 40 leave room for "hi".
  auto r = run_on_pty(chat_args({"-c", "40"}), {std::string(200, 'x') + " " + std::string(200, 'y'), "hi", "/bye"});
  EXPECT_EQ(r.status, 0) << r.transcript;
  EXPECT_NE(r.transcript.find("hfcpp: error: chat: the message makes a prompt of"), std::string::npos) << r.transcript;
  EXPECT_EQ(turn_stats(r.transcript).size(), 1u) << r.transcript;  // "hi" still got its reply
}
