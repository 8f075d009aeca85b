#pragma once
// The one way a model file is opened. Model folders come from strangers, and a name promises
// nothing: a FIFO named model.safetensors blocks open() forever waiting for a writer, a directory
// named tokenizer.json opens fine and then reads as garbage sizes, a device never ends. So the
// file is opened without blocking and checked to be a regular file before a byte is read; every
// failure is an hf::FileError naming the path.
#include <cstddef>
#include <filesystem>

namespace hf {

class RegularFile {
 public:
  static RegularFile open(const std::filesystem::path& path);
  ~RegularFile();
  RegularFile(RegularFile&& other) noexcept : fd_(other.fd_), size_(other.size_) { other.fd_ = -1; }
  RegularFile(const RegularFile&) = delete;
  RegularFile& operator=(const RegularFile&) = delete;
  RegularFile& operator=(RegularFile&&) = delete;

  int fd() const { return fd_; }
  size_t size() const { return size_; }  // at open time

 private:
  RegularFile(int fd, size_t size) : fd_(fd), size_(size) {}
  int fd_;
  size_t size_;
};

}  // namespace hf
