#pragma once
// A read-only view of the entries of a zip archive held in memory (a mapped file). Only what
// PyTorch's checkpoint writer produces is supported: "stored" (uncompressed) entries, optionally
// zip64. Entry bytes are returned as spans into the archive, never copied.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace hf {

class ZipReader {
 public:
  struct Entry {
    std::string name;
    uint64_t data_offset = 0;  // from the start of the archive
    uint64_t size = 0;
    uint16_t method = 0;       // 0 = stored; anything else is rejected by data()
  };

  // Parses the central directory of `bytes`. `origin` (a file path) prefixes error messages.
  // Throws hf::FileError on anything malformed or truncated.
  ZipReader(std::span<const unsigned char> bytes, std::string origin);

  const std::vector<Entry>& entries() const { return entries_; }
  const Entry* find(const std::string& name) const;
  // The bytes of a stored entry; hf::FileError for compressed entries.
  std::span<const unsigned char> data(const Entry& e) const;

  static bool looks_like_zip(std::span<const unsigned char> bytes);

 private:
  [[noreturn]] void fail(const std::string& what) const;

  std::span<const unsigned char> bytes_;
  std::string origin_;
  std::vector<Entry> entries_;
};

}  // namespace hf
