#include "io/zip_reader.h"

#include <algorithm>
#include <cstring>

#include "hf/error.h"

namespace hf {
namespace {

constexpr uint32_t kLocalHeader = 0x04034b50;
constexpr uint32_t kCentralHeader = 0x02014b50;
constexpr uint32_t kEndOfCentralDir = 0x06054b50;
constexpr uint32_t kZip64EndOfCentralDir = 0x06064b50;
constexpr uint32_t kZip64Locator = 0x07064b50;

uint64_t read_le(const unsigned char* p, int n) {
  uint64_t v = 0;
  for (int i = n - 1; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

}  // namespace

bool ZipReader::looks_like_zip(std::span<const unsigned char> bytes) {
  return bytes.size() >= 4 && read_le(bytes.data(), 4) == kLocalHeader;
}

void ZipReader::fail(const std::string& what) const {
  throw FileError(origin_ + ": " + what + " (the file is not a complete zip archive: re-download it)");
}

ZipReader::ZipReader(std::span<const unsigned char> bytes, std::string origin)
    : bytes_(bytes), origin_(std::move(origin)) {
  const size_t n = bytes_.size();
  const unsigned char* b = bytes_.data();
  auto need = [&](uint64_t off, uint64_t len, const char* what) {
    if (off > n || len > n - off) fail(std::string("truncated ") + what + " at byte " + std::to_string(off));
  };
  // The end-of-central-directory record is in the last 22 + 65535 (comment) bytes.
  if (n < 22) fail("too short for a zip archive");
  size_t eocd = std::string::npos;
  for (size_t i = n - 22 + 1; i-- > (n > 22 + 65535 ? n - 22 - 65535 : 0);) {
    if (read_le(b + i, 4) == kEndOfCentralDir) { eocd = i; break; }
  }
  if (eocd == std::string::npos) fail("no end-of-central-directory record");
  uint64_t count = read_le(b + eocd + 10, 2);
  uint64_t cd_size = read_le(b + eocd + 12, 4);
  uint64_t cd_offset = read_le(b + eocd + 16, 4);
  // zip64: the real values live in the zip64 end record, found through the locator before EOCD.
  if ((count == 0xFFFF || cd_size == 0xFFFFFFFF || cd_offset == 0xFFFFFFFF) && eocd >= 20 &&
      read_le(b + eocd - 20, 4) == kZip64Locator) {
    uint64_t z64 = read_le(b + eocd - 20 + 8, 8);
    need(z64, 56, "zip64 end record");
    if (read_le(b + z64, 4) != kZip64EndOfCentralDir) fail("bad zip64 end record signature");
    count = read_le(b + z64 + 32, 8);
    cd_size = read_le(b + z64 + 40, 8);
    cd_offset = read_le(b + z64 + 48, 8);
  }
  need(cd_offset, cd_size, "central directory");
  uint64_t p = cd_offset;
  entries_.reserve(std::min<uint64_t>(count, n / 46));
  for (uint64_t i = 0; i < count; ++i) {
    need(p, 46, "central directory entry");
    if (read_le(b + p, 4) != kCentralHeader) fail("bad central directory entry " + std::to_string(i));
    Entry e;
    e.method = static_cast<uint16_t>(read_le(b + p + 10, 2));
    uint64_t csize = read_le(b + p + 20, 4);
    e.size = read_le(b + p + 24, 4);
    uint64_t name_len = read_le(b + p + 28, 2), extra_len = read_le(b + p + 30, 2),
             comment_len = read_le(b + p + 32, 2);
    uint64_t local = read_le(b + p + 42, 4);
    need(p + 46, name_len + extra_len + comment_len, "central directory entry");
    e.name.assign(reinterpret_cast<const char*>(b + p + 46), name_len);
    // zip64 extra field: the 64-bit values, in this order, for those whose 32-bit field is all ones.
    for (uint64_t x = p + 46 + name_len, end = x + extra_len; x + 4 <= end;) {
      uint64_t id = read_le(b + x, 2), len = read_le(b + x + 2, 2);
      if (x + 4 + len > end) break;
      if (id == 0x0001) {
        uint64_t q = x + 4, qend = q + len;
        auto take = [&](uint64_t& field) {
          if (field == 0xFFFFFFFF && q + 8 <= qend) { field = read_le(b + q, 8); q += 8; }
        };
        take(e.size);
        take(csize);
        take(local);
      }
      x += 4 + len;
    }
    if (e.method == 0 && csize != e.size) fail("stored entry '" + e.name + "' has inconsistent sizes");
    need(local, 30, "local header");
    if (read_le(b + local, 4) != kLocalHeader) fail("bad local header for entry '" + e.name + "'");
    e.data_offset = local + 30 + read_le(b + local + 26, 2) + read_le(b + local + 28, 2);
    need(e.data_offset, csize, ("data of entry '" + e.name + "'").c_str());
    entries_.push_back(std::move(e));
    p += 46 + name_len + extra_len + comment_len;
  }
}

const ZipReader::Entry* ZipReader::find(const std::string& name) const {
  for (const Entry& e : entries_)
    if (e.name == name) return &e;
  return nullptr;
}

std::span<const unsigned char> ZipReader::data(const Entry& e) const {
  if (e.method != 0)
    throw FileError(origin_ + ": entry '" + e.name + "' is compressed (zip method " + std::to_string(e.method) +
                    "); only stored entries, as torch.save writes them, are supported");
  return bytes_.subspan(e.data_offset, e.size);
}

}  // namespace hf
