#pragma once
// A read-only memory map of a whole file. Weights are used straight from the map, so loading a
// model costs page faults, not copies; the OS shares the pages between processes.
#include <cstddef>
#include <filesystem>
#include <memory>

namespace hf {

class MappedFile {
 public:
  // Throws hf::FileError naming the path when it cannot be opened or mapped.
  static std::shared_ptr<const MappedFile> open(const std::filesystem::path& path);
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  const unsigned char* data() const { return data_; }
  size_t size() const { return size_; }
  const std::filesystem::path& path() const { return path_; }

 private:
  MappedFile() = default;
  const unsigned char* data_ = nullptr;
  size_t size_ = 0;
  std::filesystem::path path_;
};

}  // namespace hf
