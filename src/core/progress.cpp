#include "core/progress.h"

#include <cmath>
#include <cstdio>

namespace hf {

namespace {
// Descriptions longer than this are shortened to "(…)" + their end, as huggingface_hub does.
constexpr size_t kMaxDescription = 40;
}  // namespace

ProgressBar::ProgressBar(std::string description, uint64_t total, uint64_t initial, bool enabled, std::string unit)
    : description_(std::move(description)), unit_(std::move(unit)), total_(total), initial_(initial), done_(initial), enabled_(enabled),
      start_(std::chrono::steady_clock::now()), last_draw_{} {
  if (description_.size() > kMaxDescription)
    description_ = "(…)" + description_.substr(description_.size() - kMaxDescription);
  if (enabled_) draw(false);
}

ProgressBar::~ProgressBar() { close(); }

void ProgressBar::update(uint64_t delta) {
  done_ += delta;
  if (!enabled_) return;
  auto now = std::chrono::steady_clock::now();
  if (now - last_draw_ >= std::chrono::milliseconds(120)) draw(false);
}

void ProgressBar::reset(uint64_t done) {
  done_ = initial_ = done;
  start_ = std::chrono::steady_clock::now();
}

void ProgressBar::close() {
  if (closed_) return;
  closed_ = true;
  if (enabled_) draw(true);
}

std::string ProgressBar::format_size(double bytes) {
  static const char* units[] = {"", "k", "M", "G", "T", "P"};
  int u = 0;
  while (std::fabs(bytes) >= 999.5 && u < 5) {
    bytes /= 1000;
    ++u;
  }
  char buf[32];
  if (u == 0) std::snprintf(buf, sizeof buf, "%.0f", bytes);
  else if (bytes < 9.995) std::snprintf(buf, sizeof buf, "%.2f%s", bytes, units[u]);
  else if (bytes < 99.95) std::snprintf(buf, sizeof buf, "%.1f%s", bytes, units[u]);
  else std::snprintf(buf, sizeof buf, "%.0f%s", bytes, units[u]);
  return buf;
}

std::string ProgressBar::format_duration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "?";
  long s = std::lround(seconds);
  char buf[32];
  if (s >= 3600) std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
  else std::snprintf(buf, sizeof buf, "%02ld:%02ld", s / 60, s % 60);
  return buf;
}

std::string ProgressBar::count(uint64_t n) const {
  // Bytes are scaled (tqdm's unit_scale): 1.00MB; other units are plain counts: 3/24.
  return unit_ == "B" ? format_size(double(n)) + unit_ : std::to_string(n);
}

std::string ProgressBar::render(double elapsed) const {
  // Speed counts only this run's bytes: a resumed file did not arrive at infinite speed.
  double rate = elapsed > 0 ? double(done_ - initial_) / elapsed : 0;
  std::string speed = (rate > 0 ? format_size(rate) : "?") + unit_ + "/s";
  std::string line = description_ + ": ";
  if (total_ > 0) {
    double frac = std::min(1.0, double(done_) / double(total_));
    char pct[8];
    std::snprintf(pct, sizeof pct, "%3d%%", int(frac * 100));
    constexpr int kWidth = 20;
    static const char* eighths[] = {"", "▏", "▎", "▍", "▌", "▋", "▊", "▉"};
    int cells8 = int(frac * kWidth * 8);
    std::string bar;
    for (int i = 0; i < cells8 / 8; ++i) bar += "█";
    int used = cells8 / 8;
    if (used < kWidth) {
      bar += eighths[cells8 % 8];
      bar += std::string(kWidth - used - (cells8 % 8 ? 1 : 0), ' ');
    }
    double eta = rate > 0 ? double(total_ - std::min(done_, total_)) / rate : NAN;
    line += std::string(pct) + "|" + bar + "| " + count(done_) + "/" + count(total_) +
            " [" + format_duration(elapsed) + "<" + format_duration(eta) + ", " + speed + "]";
  } else {
    line += count(done_) + " [" + format_duration(elapsed) + ", " + speed + "]";
  }
  return line;
}

void ProgressBar::draw(bool final_draw) {
  auto now = std::chrono::steady_clock::now();
  last_draw_ = now;
  double elapsed = std::chrono::duration<double>(now - start_).count();
  std::string line = render(elapsed);
  report_progress({.description = description_, .unit = unit_, .done = done_, .total = total_,
                   .finished = final_draw, .line = line});
}

}  // namespace hf
