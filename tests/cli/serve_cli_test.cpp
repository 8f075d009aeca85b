// `hfcpp serve` command-line errors, found before anything binds or loads: each is one error line
// on stderr and a non-zero exit (2 for a malformed flag, 1 for a wrong combination).
#include <gtest/gtest.h>

#include "cli/run_program.h"

namespace {

const std::string kBin = HF_BINARY_DIR "/hfcpp";

void expect_one_line_error(const std::string& args, int status, const std::string& needle) {
  const ProgramResult r = run_program(kBin + " serve " + args + " --port 0");
  EXPECT_EQ(r.status, status) << args << ": " << r.err;
  EXPECT_NE(r.err.find(needle), std::string::npos) << args << ": " << r.err;
  // One error line (a command-line error adds the CLI's usual `Run hfcpp --help` hint).
  EXPECT_EQ(r.err.rfind("hfcpp: error: ", 0), 0u) << args << ": " << r.err;
  EXPECT_EQ(r.err.find("hfcpp: error: ", 1), std::string::npos) << args << ": " << r.err;
}

TEST(ServeCli, BadFlagsAreOneLineErrors) {
  expect_one_line_error("", 1, "give a MODEL, an --embedding-model, or both");
  expect_one_line_error("--embedding-model x --served-model-name y", 1, "--served-model-name names MODEL");
  expect_one_line_error(HF_FIXTURES "/tiny-qwen2 --quantize int3", 2, "--quantize");
}

}  // namespace
