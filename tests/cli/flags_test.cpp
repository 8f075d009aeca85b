// The command line as a whole: usage, unknown commands, --version, the flags every command
// shares (and their llama.cpp aliases), values no generation can use, and failures that must
// read as one clear `hfcpp: error:` line.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "cli/run_program.h"
#include "core/json.h"
#include "hf/version.h"

namespace {
const std::string kMarian = HF_FIXTURES "/tiny-marian-zh-en";
const std::string kChat = kHfcpp + " chat " + quote(kModel) + " -p hi ";

// One line on stderr, `hfcpp: error: ...` holding `what`, exit status `status`, nothing on stdout.
void expect_error(const ProgramResult& r, const std::string& what, int status = 1) {
  EXPECT_EQ(r.status, status) << r.err;
  EXPECT_EQ(r.err.rfind("hfcpp: error: ", 0), 0u) << r.err;
  EXPECT_NE(r.err.find(what), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("internal error"), std::string::npos) << r.err;
  EXPECT_EQ(r.out, "");
}
}  // namespace

TEST(Usage, NoArgumentsPrintsTheShortUsageAndExits2) {
  auto r = run_program(kHfcpp);
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.err.rfind("usage: hfcpp COMMAND", 0), 0u) << r.err;
  EXPECT_NE(r.err.find("chat"), std::string::npos) << r.err;
  EXPECT_LT(std::count(r.err.begin(), r.err.end(), '\n'), 4) << "short: " << r.err;
}

TEST(Usage, UnknownCommandNamesTheClosestOnes) {
  auto r = run_program(kHfcpp + " run " + quote(kModel));
  expect_error(r, "unknown command 'run'; did you mean 'chat'?", 2);
  EXPECT_NE(r.err.find("download"), std::string::npos) << r.err;
  r = run_program(kHfcpp + " chta");  // a typo
  expect_error(r, "did you mean 'chat'?", 2);
  r = run_program(kHfcpp + " pull x");  // ollama's habit
  expect_error(r, "did you mean 'download'?", 2);
}

TEST(Usage, WrongOptionsAreUsageErrorsWithExit2) {
  auto r = run_program(kHfcpp + " chat --no-such-flag");
  expect_error(r, "--no-such-flag", 2);
  r = run_program(kChat + "--threads abc");
  expect_error(r, "abc", 2);
}

TEST(Version, NamesVersionCommitAndSimdTargets) {
  auto r = run_program(kHfcpp + " --version");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out.rfind(std::string("hfcpp ") + HF_VERSION_STRING + " (commit " + HF_GIT_COMMIT + ")", 0), 0u) << r.out;
  EXPECT_EQ(std::string(HF_VERSION_STRING).rfind("0.2", 0), 0u);
  EXPECT_NE(r.out.find("SIMD targets compiled: "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("SIMD target on this CPU: "), std::string::npos) << r.out;
  // The chosen target is one of those compiled (hfcpp info names the same one).
  const std::string chosen = r.out.substr(r.out.find("on this CPU: ") + 13, r.out.find('\n', r.out.find("on this CPU: ")) - r.out.find("on this CPU: ") - 13);
  const std::string compiled = r.out.substr(r.out.find("compiled: "), r.out.find('\n', r.out.find("compiled: ")) - r.out.find("compiled: "));
  EXPECT_NE((compiled + " ").find(" " + chosen + " "), std::string::npos) << r.out;
  auto info = run_program(kHfcpp + " info " + quote(kModel) + " --json");
  EXPECT_EQ(hf::json::parse(info.out)["simd_target"], chosen);
}

TEST(Threads, ZeroNegativeAndNonNumbersAreRejectedAndTooManyAreCapped) {
  expect_error(run_program(kChat + "--threads 0"), "--threads 0: the number of threads must be >= 1");
  expect_error(run_program(kChat + "-t -1"), "the number of threads must be >= 1");
  expect_error(run_program("HF_NUM_THREADS=abc " + kChat), "HF_NUM_THREADS='abc' is not a number of threads");
  expect_error(run_program("HF_NUM_THREADS=abc " + kHfcpp + " info " + quote(kModel)), "HF_NUM_THREADS='abc'");
  auto r = run_program(kHfcpp + " info " + quote(kModel) + " --json -t 100000");
  // info has no -t: a usage error; bench and chat have it.
  EXPECT_EQ(r.status, 2);
  r = run_program("HF_NUM_THREADS=100000 " + kHfcpp + " info " + quote(kModel) + " --json");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.err.find("more than the"), std::string::npos) << r.err;
  EXPECT_LE(hf::json::parse(r.out)["threads"].get<int>(), 4096);
  EXPECT_EQ(hf::json::parse(r.out)["threads"].get<unsigned>(), std::max(1u, std::thread::hardware_concurrency()));
  r = run_program(kChat + "--greedy -n 2 --threads 100000");
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.err.find("--threads 100000 is more than the"), std::string::npos) << r.err;
}

TEST(GenerationFlagValues, UnusableValuesAreRejectedBeforeLoading) {
  expect_error(run_program(kChat + "--num-beams 1000000"), "--num-beams 1000000 must be between 1 and 256");
  expect_error(run_program(kChat + "--top-p 0"), "--top-p 0.000000 must be in (0, 1]");
  expect_error(run_program(kChat + "--top-p nan"), "--top-p nan is not a finite number");
  expect_error(run_program(kChat + "--temperature inf"), "--temp inf is not a finite number");
  expect_error(run_program(kChat + "--temp -1"), "must be >= 0");
  expect_error(run_program(kChat + "--greedy --do-sample"), "--greedy and --do-sample contradict each other");
  expect_error(run_program(kChat + "--temp 0 --do-sample"), "--temp 0 means greedy decoding");
  expect_error(run_program(kChat + "--do-sample --temperature 0"), "--temp 0 means greedy decoding");
  expect_error(run_program(kChat + "-c 0"), "-c/--ctx-size 0 must be >= 1");
  // The model itself is never touched: a missing model still reports the flag first.
  expect_error(run_program(kHfcpp + " chat /nonexistent -p hi --top-p 2"), "--top-p");
}

TEST(GenerationFlagAliases, LlamaCppSpellingsMeanTheSame) {
  auto full = run_program(kHfcpp + " chat --model " + quote(kModel) + " -p hi --greedy --max-new-tokens 6 --threads 1");
  ASSERT_EQ(full.status, 0) << full.err;
  auto alias = run_program(kHfcpp + " chat -m " + quote(kModel) + " -p hi --temp 0 -n 6 -t 1");
  ASSERT_EQ(alias.status, 0) << alias.err;
  EXPECT_EQ(alias.out, full.out);
  // --temp 0 is greedy even though the model's generation_config.json samples.
  auto again = run_program(kHfcpp + " chat -m " + quote(kModel) + " -p hi --temp 0 -n 6 --seed 7");
  EXPECT_EQ(again.out, full.out);
}

TEST(GenerationFlagAliases, NumBeamsAloneRunsBeamSearch) {
  // tiny-qwen2's generation_config.json has do_sample = true; --num-beams alone must not turn
  // into beam sampling (unsupported) but into beam search.
  auto alone = run_program(kChat + "--num-beams 3 -n 6");
  ASSERT_EQ(alone.status, 0) << alone.err;
  auto greedy = run_program(kChat + "--num-beams 3 -n 6 --greedy");
  EXPECT_EQ(alone.out, greedy.out);
}

TEST(GenerateCommand, GreedyByDefaultWithSamplingFlagsAsChat) {
  auto plain = run_program(kHfcpp + " generate " + quote(kModel) + " --ids 9707,11,1879 -n 5 --json");
  ASSERT_EQ(plain.status, 0) << plain.err;
  auto greedy = run_program(kHfcpp + " generate -m " + quote(kModel) + " --ids 9707,11,1879 -n 5 --json --greedy");
  EXPECT_EQ(plain.out, greedy.out);
  EXPECT_EQ(hf::json::parse(plain.out)["new_tokens"].size(), 5u);
  auto s1 = run_program(kHfcpp + " generate " + quote(kModel) + " --ids 9707,11,1879 -n 5 --json --do-sample --seed 1 --top-k 50");
  auto s2 = run_program(kHfcpp + " generate " + quote(kModel) + " --ids 9707,11,1879 -n 5 --json --do-sample --seed 1 --top-k 50");
  ASSERT_EQ(s1.status, 0) << s1.err;
  EXPECT_EQ(s1.out, s2.out);  // seeded sampling is reproducible
}

TEST(GenerateCommand, ChecksTheContextLength) {
  expect_error(run_program(kHfcpp + " generate " + quote(kModel) + " --ids 1,2,3,4,5,6,7,8 -n 5 -c 10"),
               "the prompt has 8 tokens and -n asks for 5 more, but the context is 10 tokens");
  auto fits = run_program(kHfcpp + " generate " + quote(kModel) + " --ids 1,2,3,4,5 -n 5 -c 10 --json");
  EXPECT_EQ(fits.status, 0) << fits.err;
}

TEST(EveryFamily, InfoBenchAndGenerateRunMarian) {
  auto info = run_program(kHfcpp + " info " + quote(kMarian) + " --json");
  ASSERT_EQ(info.status, 0) << info.err;
  const auto i = hf::json::parse(info.out);
  EXPECT_EQ(i["model_type"], "marian");
  EXPECT_EQ(i["is_encoder_decoder"], true);
  EXPECT_GT(i["parameters"].get<int64_t>(), 0);
  auto bench = run_program(kHfcpp + " bench " + quote(kMarian) + " --prompt-tokens 8 --gen-tokens 4 -t 1 --json");
  ASSERT_EQ(bench.status, 0) << bench.err;
  EXPECT_GT(hf::json::parse(bench.out)["decode_tok_s"].get<double>(), 0.0);
  // generate: the ids are the encoder's input; greedy through the library's seq2seq generate().
  auto tok = run_program(kHfcpp + " tokenize " + quote(kMarian) + " " + quote("今天天气真好") + " --json");
  ASSERT_EQ(tok.status, 0) << tok.err;
  std::string ids;
  const hf::json encoded = hf::json::parse(tok.out);  // kept alive while iterating
  for (const auto& id : encoded["ids"]) ids += (ids.empty() ? "" : ",") + std::to_string(id.get<int>());
  auto gen = run_program(kHfcpp + " generate " + quote(kMarian) + " --ids " + ids + " -n 6 --json");
  ASSERT_EQ(gen.status, 0) << gen.err;
  const auto g = hf::json::parse(gen.out);
  EXPECT_GE(g["new_tokens"].size(), 1u);
  EXPECT_LE(g["new_tokens"].size(), 6u);
  expect_error(run_program(kHfcpp + " generate " + quote(kMarian) + " --ids " + ids + " --logits 3"),
               "--logits is available for decoder-only models only");
}

TEST(Stdin, PipelineInputsAndTemplateMessages) {
  auto piped = run_program("printf 'Hello\\n\\n你好\\n' | " + kHfcpp + " pipeline text-generation -m " + quote(kModel) +
                           " --greedy -n 4 --json");
  ASSERT_EQ(piped.status, 0) << piped.err;
  auto args = run_program(kHfcpp + " pipeline text-generation -m " + quote(kModel) + " Hello 你好 --greedy -n 4 --json");
  EXPECT_EQ(piped.out, args.out);
  const std::string messages = R"([{"role": "user", "content": "hi"}])";
  auto from_stdin = run_program("printf '%s' " + quote(messages) + " | " + kHfcpp + " template " + quote(kModel) +
                                " --messages - --add-generation-prompt");
  ASSERT_EQ(from_stdin.status, 0) << from_stdin.err;
  const std::string file = write_temp("messages.json", messages);
  auto from_file = run_program(kHfcpp + " template " + quote(kModel) + " --messages " + quote(file) + " --add-generation-prompt");
  std::remove(file.c_str());
  EXPECT_EQ(from_stdin.out, from_file.out);
  EXPECT_NE(from_stdin.out.find("<|im_start|>user\nhi<|im_end|>"), std::string::npos) << from_stdin.out;
}

TEST(Failures, NeverAnInternalError) {
  // A folder where a JSON file should be, a malformed messages file, a missing file: each is one
  // clear line with exit status 1.
  const TestTempDir temp("hfcpp_failures");
  const auto& dir = temp.path();
  std::filesystem::create_directories(dir / "messages.json");
  expect_error(run_program(kHfcpp + " template " + quote(kModel) + " --messages " + quote((dir / "messages.json").string())),
               "messages.json");
  std::ofstream(dir / "bad.json") << "[{\"role\": ";
  expect_error(run_program(kHfcpp + " template " + quote(kModel) + " --messages " + quote((dir / "bad.json").string())),
               "bad.json");
  expect_error(run_program(kHfcpp + " template " + quote(kModel) + " --messages " + quote((dir / "missing.json").string())),
               "missing.json");
  expect_error(run_program("printf '[1' | " + kHfcpp + " template " + quote(kModel) + " --messages -"), "stdin: not valid JSON");
}

TEST(ChatDefaults, TheDefaultModelIsTheTutorialsAlways) {
  // Offline and with an empty cache, the default model cannot be found: the error names it.
  const TestTempDir cache("hfcpp_empty_cache");
  auto r = run_program("HF_HUB_CACHE=" + quote(cache.path().string()) + " HF_HUB_OFFLINE=1 " + kHfcpp + " chat -p hi");
  EXPECT_EQ(r.status, 1) << r.err;
  EXPECT_NE(r.err.find("Qwen/Qwen2.5-0.5B-Instruct"), std::string::npos) << r.err;
  auto help = run_program(kHfcpp + " chat --help");
  EXPECT_NE(help.out.find("default: Qwen/Qwen2.5-0.5B-Instruct"), std::string::npos) << help.out;
  EXPECT_EQ(help.out.find("tests/fixtures"), std::string::npos) << help.out;
}
