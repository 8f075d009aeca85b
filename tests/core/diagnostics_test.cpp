// hf/diagnostics.h: the application decides where warnings, info lines and progress bars go.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "core/log.h"
#include "core/progress.h"
#include "hf/diagnostics.h"

namespace hf {
namespace {

// Every test starts and ends with the defaults and no environment override.
class Diagnostics : public ::testing::Test {
 protected:
  void SetUp() override {
    ::unsetenv("HF_VERBOSITY");
    ::unsetenv("HF_HUB_DISABLE_PROGRESS_BARS");
    reset_diagnostics();
  }
  void TearDown() override {
    reset_diagnostics();
    set_quiet(false);
  }
};

TEST_F(Diagnostics, MessagesGoToTheHandlerNotStderr) {
  std::vector<std::pair<DiagnosticLevel, std::string>> got;
  set_diagnostics_handler([&](DiagnosticLevel level, std::string_view m) { got.emplace_back(level, m); });
  ::testing::internal::CaptureStderr();
  warn("handler: the warning");
  warn("handler: the warning");  // warned once, as transformers' warning_once
  info("handler: an info line");
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0], std::pair(DiagnosticLevel::warning, std::string("handler: the warning")));
  EXPECT_EQ(got[1], std::pair(DiagnosticLevel::info, std::string("handler: an info line")));
}

TEST_F(Diagnostics, EnvironmentAndQuietFilterBeforeTheHandler) {
  std::vector<std::string> got;
  set_diagnostics_handler([&](DiagnosticLevel, std::string_view m) { got.emplace_back(m); });
  set_quiet(true);
  info("quiet: dropped");
  warn("quiet: warnings still pass");
  ::setenv("HF_VERBOSITY", "error", 1);
  warn("verbosity: dropped");
  ::unsetenv("HF_VERBOSITY");
  EXPECT_EQ(got, std::vector<std::string>{"quiet: warnings still pass"});
}

TEST_F(Diagnostics, OffMeansNothingAnywhere) {
  set_diagnostics_handler(nullptr);
  set_progress_handler(nullptr);
  EXPECT_FALSE(progress_bars_enabled());
  ::testing::internal::CaptureStderr();
  warn("off: not shown");
  info("off: not shown either");
  {
    ProgressBar bar("off.bin", 10, 0, true);
    bar.update(10);
  }
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");
}

TEST_F(Diagnostics, DefaultsWriteToStderr) {
  ::testing::internal::CaptureStderr();
  warn("defaults: on stderr");
  info("defaults: info");
  { ProgressBar bar("defaults.bin", 1000, 0, true); bar.update(1000); }
  std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(err.find("hfcpp: warning: defaults: on stderr\n"), std::string::npos) << err;
  EXPECT_NE(err.find("hfcpp: defaults: info\n"), std::string::npos) << err;
  EXPECT_NE(err.find("\rdefaults.bin: 100%|"), std::string::npos) << err;
  EXPECT_EQ(err.back(), '\n');  // the bar's last draw ends its line
}

TEST_F(Diagnostics, ProgressEventsCarryTheNumbersAndTheDrawnLine) {
  std::vector<ProgressEvent> events;
  std::vector<std::string> lines;  // the event's views live only during the call
  set_progress_handler([&](const ProgressEvent& e) {
    events.push_back(e);
    lines.emplace_back(e.line);
    EXPECT_EQ(e.description, "model.safetensors");
    EXPECT_EQ(e.unit, "B");
  });
  // A handler of the application gets events even though stderr is not a terminal here.
  EXPECT_TRUE(progress_bars_enabled());
  ::testing::internal::CaptureStderr();
  {
    ProgressBar bar("model.safetensors", 2000, 0, progress_bars_enabled());
    bar.update(500);
    bar.update(1500);
  }
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");
  ASSERT_GE(events.size(), 2u);
  EXPECT_EQ(events.front().done, 0u);
  EXPECT_FALSE(events.front().finished);
  EXPECT_EQ(events.back().done, 2000u);
  EXPECT_EQ(events.back().total, 2000u);
  EXPECT_TRUE(events.back().finished);
  EXPECT_NE(lines.back().find("model.safetensors: 100%|"), std::string::npos) << lines.back();
  EXPECT_NE(lines.back().find("2.00kB/2.00kB"), std::string::npos) << lines.back();
}

TEST_F(Diagnostics, EnvironmentStillDisablesBarsForAHandler) {
  int calls = 0;
  set_progress_handler([&](const ProgressEvent&) { ++calls; });
  ::setenv("HF_HUB_DISABLE_PROGRESS_BARS", "1", 1);
  EXPECT_FALSE(progress_bars_enabled());
  { ProgressBar bar("x", 10, 0, progress_bars_enabled()); bar.update(10); }
  ::unsetenv("HF_HUB_DISABLE_PROGRESS_BARS");
  EXPECT_EQ(calls, 0);
}

}  // namespace
}  // namespace hf
