#pragma once
// SHA-256 (FIPS 180-4). The Hub names LFS files by the SHA-256 of their content, so a download
// is checked against that name before it enters the cache. Incremental, so the hash is computed
// while bytes arrive and a resumed download only re-reads its partial file once.
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace hf {

class Sha256 {
 public:
  // use_hardware=false forces the portable code (tests compare the two).
  explicit Sha256(bool use_hardware = true);
  static bool hardware_accelerated();
  void update(const void* data, size_t size);
  void update(std::string_view s) { update(s.data(), s.size()); }
  // Finishes and returns the 64 lowercase hex digits; the object is then reset for reuse.
  std::string hex_digest();

 private:
  void block(const uint8_t* p);                 // scalar reference
  void blocks(const uint8_t* p, size_t count);  // SHA-NI when the CPU has it
  std::array<uint32_t, 8> h_;
  std::array<uint8_t, 64> buf_;
  size_t buf_len_ = 0;
  uint64_t total_ = 0;
  bool use_hardware_ = true;
};

std::string sha256_hex(std::string_view data);

}  // namespace hf
