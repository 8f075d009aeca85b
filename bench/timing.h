// Wall-clock helpers shared by the benches: time one call, take the median of repeated runs (the
// machine is shared, so medians, never means).
#pragma once

#include <algorithm>
#include <chrono>
#include <vector>

namespace bench {

template <class F>
double seconds(F&& f) {
  auto t0 = std::chrono::steady_clock::now();
  f();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

inline double median(std::vector<double> t) {
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

}  // namespace bench
