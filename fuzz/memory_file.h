#pragma once
// The file readers take paths, as a model folder gives them; a fuzzer has bytes. A memfd is a
// regular file that lives in memory: each input is written into it and opened by the path
// /proc/self/fd/N, with no disk I/O and nothing left behind.
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

class MemoryFile {
 public:
  MemoryFile() : fd_(::memfd_create("hf_fuzz_input", MFD_CLOEXEC)) {
    if (fd_ < 0) std::abort();
  }
  // Replaces the contents with `data` and returns a path that opens them.
  std::string write(const uint8_t* data, size_t size) {
    if (::ftruncate(fd_, 0) != 0 || ::pwrite(fd_, data, size, 0) != static_cast<ssize_t>(size)) std::abort();
    return "/proc/self/fd/" + std::to_string(fd_);
  }

 private:
  int fd_;
};
