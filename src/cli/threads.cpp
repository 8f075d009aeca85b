#include "cli/threads.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <string>
#include <thread>

#include "core/log.h"
#include "core/thread_pool.h"
#include "hf/error.h"

namespace hf::cli {

void configure_threads(std::optional<int> flag) {
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  std::optional<long long> asked;
  std::string source = "--threads";
  if (flag) {
    asked = *flag;
  } else if (const char* env = std::getenv("HF_NUM_THREADS"); env && *env) {
    source = "HF_NUM_THREADS";
    char* end = nullptr;
    errno = 0;
    const long long v = std::strtoll(env, &end, 10);
    if (*end != '\0' || errno == ERANGE)
      throw InputError("HF_NUM_THREADS='" + std::string(env) + "' is not a number of threads; set a whole number >= 1 "
                       "(this machine has " + std::to_string(cores) + " cores) or unset it");
    asked = v;
  }
  if (!asked) return;  // the pool's default: every core
  if (*asked < 1)
    throw InputError(source + " " + std::to_string(*asked) + ": the number of threads must be >= 1 (this machine has " +
                     std::to_string(cores) + " cores; leave it unset to use them all)");
  int threads = static_cast<int>(std::min<long long>(*asked, cores));
  if (*asked > cores)
    warn(source + " " + std::to_string(*asked) + " is more than the " + std::to_string(cores) +
         " cores of this machine; using " + std::to_string(cores));
  ThreadPool::set_default_threads(threads);
}

}  // namespace hf::cli
