#include "io/mapped_pages.h"

#include <sys/mman.h>

namespace hf {

void release_mapped_pages(const MappedFile& file) {
  if (file.size() > 0) ::madvise(const_cast<unsigned char*>(file.data()), file.size(), MADV_DONTNEED);
}

}  // namespace hf
