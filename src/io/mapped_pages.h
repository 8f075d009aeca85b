#pragma once
// Handing back a mapped weight file's pages (WeightSource::release_pages).
#include "core/mapped_file.h"

namespace hf {

// Drops this process's pages of `file` (MADV_DONTNEED): the page cache keeps them, and a later
// touch maps them again from it. The map is read-only and private, never written, so nothing is
// lost: only what the process holds resident changes.
void release_mapped_pages(const MappedFile& file);

}  // namespace hf
