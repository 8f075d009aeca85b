#pragma once
// The model every example runs: argv[1], else the tiny test model of this source tree (random
// weights: the text is gibberish, but exactly the one the tests expect), so the examples run
// offline in a fraction of a second. Pass "Qwen/Qwen2.5-0.5B-Instruct" for real answers.
// Decoding is greedy (do_sample = false) so that the output can be checked; drop that line to
// sample as the pipeline does by default.
#include <filesystem>
#include <string>

inline std::string example_model(int argc, char** argv) {
  if (argc > 1) return argv[1];
  return (std::filesystem::path(__FILE__).parent_path().parent_path() / "tests" / "fixtures" / "tiny-qwen2").string();
}
