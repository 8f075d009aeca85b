// libFuzzer target: a .safetensors file (header length, JSON header, data). Every input must
// either load, with every tensor's bytes readable, or fail with hf::Error.
#include <cstddef>
#include <cstdint>

#include "hf/error.h"
#include "io/safetensors.h"
#include "memory_file.h"
#include "read_all_tensors.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static MemoryFile file;
  try {
    read_all_tensors(*hf::SafetensorsFile::open(file.write(data, size)));
  } catch (const hf::Error&) {
  }
  return 0;
}
