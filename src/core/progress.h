#pragma once
// A tqdm-like progress bar for long byte transfers and loads:
//   model.safetensors:  45%|█████▍      | 443MB/988MB [00:04<00:05, 102MB/s]
// Each redraw is a ProgressEvent for the application's progress handler (hf/diagnostics.h; by
// default drawn on stderr while it is a terminal). HF_HUB_DISABLE_PROGRESS_BARS decides first
// (true: never, false: always), as huggingface_hub does: see progress_bars_enabled() in
// core/log.h. Redraws at most ~8 times a second so a fast transfer does not spend its time
// printing. Not thread-safe: one owner updates a bar.
#include <chrono>
#include <cstdint>
#include <string>

#include "core/log.h"

namespace hf {

class ProgressBar {
 public:
  // `total` in units (0 = unknown); `initial` counts units already done (a resumed download).
  // `unit` is printed after scaled counts, as tqdm's unit with unit_scale: "B" gives 1.00MB, 125kB/s.
  ProgressBar(std::string description, uint64_t total, uint64_t initial = 0, bool enabled = progress_bars_enabled(),
              std::string unit = "B");
  ~ProgressBar();  // finishes the line if close() was not called
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  void update(uint64_t delta);
  void reset(uint64_t done);  // e.g. a server ignored Range and the transfer restarts at 0
  void set_total(uint64_t total) { total_ = total; }
  void close();               // final redraw and newline
  uint64_t done() const { return done_; }

  // Pieces of the line, exposed for tests: "988M", "00:04".
  static std::string format_size(double bytes);
  static std::string format_duration(double seconds);
  std::string render(double elapsed_seconds) const;

 private:
  void draw(bool final_draw);
  std::string count(uint64_t n) const;

  std::string description_, unit_;
  uint64_t total_, initial_, done_;
  bool enabled_, closed_ = false;
  std::chrono::steady_clock::time_point start_, last_draw_;
};

}  // namespace hf
