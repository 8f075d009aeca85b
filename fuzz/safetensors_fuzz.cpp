// libFuzzer target: a .safetensors file (header length, JSON header, data). Every input must
// either load, with every tensor's bytes readable, or fail with hf::Error.
#include <cstddef>
#include <cstdint>

#include "hf/error.h"
#include "io/safetensors.h"
#include "memory_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static MemoryFile file;
  try {
    auto st = hf::SafetensorsFile::open(file.write(data, size));
    for (const auto& name : st->names()) {
      hf::Tensor t = st->get(name);
      volatile unsigned sum = 0;  // touch every byte: a view outside the map would crash here
      const auto* p = static_cast<const unsigned char*>(t.data());
      for (size_t i = 0; i < t.nbytes(); ++i) sum = sum + p[i];
    }
  } catch (const hf::Error&) {
  }
  return 0;
}
