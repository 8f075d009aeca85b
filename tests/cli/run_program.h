#pragma once
// Runs a built program through the shell; stdout captured, stderr to a file, exit status kept.
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

#include "test_temp.h"

// The hfcpp built with the tests, and the tiny chat model most command-line tests run it on.
inline const std::string kHfcpp = HF_BINARY_DIR "/hfcpp";
inline const std::string kModel = HF_FIXTURES "/tiny-qwen2";

struct ProgramResult {
  int status = -1;
  std::string out, err;
};

inline ProgramResult run_program(const std::string& command) {
  // One file per test process: ctest runs tests in parallel, and a shared name let one test read
  // another's stderr.
  const std::string err_file = (test_temp_root() / ("hfcpp_test_stderr_" + std::to_string(getpid()) + ".txt")).string();
  ProgramResult r;
  FILE* p = popen((command + " 2>" + err_file).c_str(), "r");
  if (!p) return r;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  int st = pclose(p);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  std::ifstream f(err_file);
  std::stringstream ss;
  ss << f.rdbuf();
  r.err = ss.str();
  std::remove(err_file.c_str());
  return r;
}

// A file for one test, under the build tree: the name carries the process id, since ctest runs
// tests in parallel.
inline std::string write_temp(const std::string& name, const std::string& text) {
  std::string path = (test_temp_root() / ("hfcpp_test_" + std::to_string(getpid()) + "_" + name)).string();
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

inline std::string quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}
