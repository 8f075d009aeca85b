#include "core/mapped_file.h"

#include <sys/mman.h>

#include <cerrno>
#include <cstring>

#include "core/regular_file.h"
#include "hf/error.h"

namespace hf {

std::shared_ptr<const MappedFile> MappedFile::open(const std::filesystem::path& path) {
  const RegularFile file = RegularFile::open(path);
  std::shared_ptr<MappedFile> f(new MappedFile());
  f->path_ = path;
  f->size_ = file.size();
  if (f->size_ > 0) {
    void* p = ::mmap(nullptr, f->size_, PROT_READ, MAP_PRIVATE, file.fd(), 0);
    if (p == MAP_FAILED) throw FileError(path.string() + ": cannot map: " + std::strerror(errno));
    // Huge pages for the map: 4 KiB page-table entries for a 1 GB model are 250,000 of them, and
    // creating them on first touch was most of a warm load (~170 ms of the first token at the 0.5B
    // shape). With this advice the kernel reads the file into 2 MiB page-cache folios (ext4/xfs
    // with large folios, THP "madvise" or "always") and maps each with one entry, so a later load
    // maps ~500 of them (~15 ms). Advisory: where unsupported, nothing changes.
    ::madvise(p, f->size_, MADV_HUGEPAGE);
    f->data_ = static_cast<const unsigned char*>(p);
  }
  return f;
}

MappedFile::~MappedFile() {
  if (data_) ::munmap(const_cast<unsigned char*>(data_), size_);
}

}  // namespace hf
