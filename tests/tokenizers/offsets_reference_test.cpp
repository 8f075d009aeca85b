// The offsets mapping of byte-level BPE and Unigram tokenizers as the Rust tokenizers compute it,
// against expectations derived by hand from its code:
// - NormalizedString::prepend (ByteLevel's add_prefix_space, Metaspace's prepend_scheme): the
//   prepended Ġ or ▁ takes the first character's alignment, so a "▁" token of its own has the
//   same offsets as the character after it; a space replaced by ▁ keeps the space's.
// - pre_tokenizers/byte_level.rs process_offsets (the trim_offsets of ByteLevel and
//   RobertaProcessing): the token's own leading/trailing Ġ leave its offsets (a token of spaces
//   only becomes empty at its end), except one leading Ġ on the first token of a sequence or
//   window when the processor's add_prefix_space is on.
// - Special tokens (TemplateProcessing, RobertaProcessing) have (0, 0).
// The tokenizers are tests/fixtures/tokenizers/{gpt2,unigram}, the post-processor swapped for the
// variant under test (written under the build tree).
#include <gtest/gtest.h>

#include <fstream>

#include "core/json.h"
#include "hf/tokenizer.h"
#include "test_temp.h"

namespace hf {
namespace {

using Offsets = std::vector<std::pair<int64_t, int64_t>>;

// The fixture tokenizer `name` with `post_processor` (null: as stored) and, when given, the
// pre-tokenizer's add_prefix_space.
Tokenizer variant(const TestTempDir& tmp, const std::string& name, const json& post_processor, int add_prefix_space = -1) {
  json tok = read_json_file(std::string(HF_FIXTURES) + "/tokenizers/" + name + "/tokenizer.json");
  if (!post_processor.is_null()) tok["post_processor"] = post_processor;
  if (add_prefix_space >= 0) tok["pre_tokenizer"]["add_prefix_space"] = add_prefix_space == 1;
  const auto path = tmp / (name + "-" + std::to_string(std::hash<std::string>{}(tok.dump())) + ".json");
  std::ofstream(path) << tok.dump();
  return Tokenizer::from_file(path.string());
}

json roberta_processing(bool trim, bool add_prefix_space) {
  return {{"type", "RobertaProcessing"}, {"sep", {"</s>", 2}}, {"cls", {"<s>", 0}}, {"trim_offsets", trim}, {"add_prefix_space", add_prefix_space}};
}

TEST(OffsetsReference, ByteLevelWithoutTrimKeepsTheSpaces) {
  TestTempDir tmp("offsets-gpt2");
  const Tokenizer gpt2 = variant(tmp, "gpt2", nullptr);  // ByteLevel, trim_offsets false
  // " Hello  world ": ĠHello | Ġ (the space before " world": \s+(?!\S)) | Ġworld | Ġ
  const Encoding e = gpt2.encode_plus(" Hello  world ")[0];
  EXPECT_EQ(gpt2.convert_ids_to_tokens(e.input_ids), (std::vector<std::string>{"ĠHello", "Ġ", "Ġworld", "Ġ"}));
  EXPECT_EQ(e.offsets, (Offsets{{0, 6}, {6, 7}, {7, 13}, {13, 14}}));
  EXPECT_EQ(gpt2.encode_plus("Hello world")[0].offsets, (Offsets{{0, 5}, {5, 11}}));
}

TEST(OffsetsReference, RobertaTrimsEachTokensOwnSpaces) {
  TestTempDir tmp("offsets-roberta");
  const Tokenizer roberta = variant(tmp, "gpt2", roberta_processing(true, true));
  // <s> | ĠHello: first token, one leading Ġ, add_prefix_space → kept | Ġ: all spaces → empty at
  // its end | Ġworld → without its space | Ġ → empty | </s>
  EXPECT_EQ(roberta.encode_plus(" Hello  world ")[0].offsets, (Offsets{{0, 0}, {0, 6}, {7, 7}, {8, 13}, {14, 14}, {0, 0}}));
  EXPECT_EQ(roberta.encode_plus("Hello world")[0].offsets, (Offsets{{0, 0}, {0, 5}, {6, 11}, {0, 0}}));
  // Without add_prefix_space in the processor, the first token's space goes too.
  const Tokenizer no_prefix = variant(tmp, "gpt2", roberta_processing(true, false));
  EXPECT_EQ(no_prefix.encode_plus(" Hello  world ")[0].offsets, (Offsets{{0, 0}, {1, 6}, {7, 7}, {8, 13}, {14, 14}, {0, 0}}));
  // trim_offsets false: as GPT-2.
  const Tokenizer untrimmed = variant(tmp, "gpt2", roberta_processing(false, true));
  EXPECT_EQ(untrimmed.encode_plus(" Hello  world ")[0].offsets, (Offsets{{0, 0}, {0, 6}, {6, 7}, {7, 13}, {13, 14}, {0, 0}}));
}

TEST(OffsetsReference, RobertaWindowsKeepTheFirstTokensSpace) {
  // process_offsets runs on each overflowing window, where index 0 is the window's first token:
  // with add_prefix_space its one leading Ġ stays, as the Rust crate does.
  TestTempDir tmp("offsets-windows");
  const Tokenizer roberta = variant(tmp, "gpt2", roberta_processing(true, true));
  const auto windows = roberta.encode_plus("Hello world again", {.truncation = "longest_first", .max_length = 3, .return_overflowing_tokens = true});
  ASSERT_EQ(windows.size(), 3u);
  EXPECT_EQ(windows[0].offsets, (Offsets{{0, 0}, {0, 5}, {0, 0}}));
  EXPECT_EQ(windows[1].offsets, (Offsets{{0, 0}, {5, 11}, {0, 0}}));
  EXPECT_EQ(windows[2].offsets, (Offsets{{0, 0}, {11, 17}, {0, 0}}));
}

TEST(OffsetsReference, ByteLevelPrefixSpaceSharesTheFirstCharacter) {
  TestTempDir tmp("offsets-prefix");
  const Tokenizer roberta = variant(tmp, "gpt2", roberta_processing(true, true), /*add_prefix_space=*/1);
  const Encoding e = roberta.encode_plus("Hello world")[0];
  EXPECT_EQ(roberta.convert_ids_to_tokens(e.input_ids), (std::vector<std::string>{"!", "ĠHello", "Ġworld", "#"}));  // ids 0, 2 of this vocabulary
  EXPECT_EQ(e.offsets, (Offsets{{0, 0}, {0, 5}, {6, 11}, {0, 0}}));
}

TEST(OffsetsReference, MetaspacePrependedPieceSharesTheFirstCharacter) {
  TestTempDir tmp("offsets-unigram");
  const Tokenizer unigram = variant(tmp, "unigram", nullptr);  // Metaspace prepend_scheme always, TemplateProcessing A </s>
  const Encoding e = unigram.encode_plus("Hello world")[0];
  EXPECT_EQ(unigram.convert_ids_to_tokens(e.input_ids),
            (std::vector<std::string>{"▁", "H", "e", "l", "l", "o", "▁", "w", "or", "l", "d", "</s>"}));
  EXPECT_EQ(e.offsets, (Offsets{{0, 1}, {0, 1}, {1, 2}, {2, 3}, {3, 4}, {4, 5}, {5, 6}, {6, 7}, {7, 9}, {9, 10}, {10, 11}, {0, 0}}));
  EXPECT_EQ(e.word_ids, (std::vector<int32_t>{0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, -1}));
}

}  // namespace
}  // namespace hf
