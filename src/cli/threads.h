#pragma once
// The number of compute threads: -t/--threads N, else HF_NUM_THREADS, else every core. Checked
// before the pool starts (its size is fixed at first use): a count below 1 or a variable that is
// not a number is an error; more threads than cores is capped to the cores with a warning (a
// typo like 100000 would otherwise start that many threads and starve the machine).
#include <optional>

namespace hf::cli {

void configure_threads(std::optional<int> flag);

}  // namespace hf::cli
