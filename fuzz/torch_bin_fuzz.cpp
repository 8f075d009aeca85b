// libFuzzer target: pytorch_model.bin (the zip reader, the restricted pickle machine and the
// tensor views, in both the zip and the legacy format). Every input must either load, with every
// tensor's bytes readable, or fail with hf::Error.
#include <cstddef>
#include <cstdint>

#include "hf/error.h"
#include "io/torch_bin.h"
#include "memory_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static MemoryFile file;
  try {
    auto bin = hf::TorchBinFile::open(file.write(data, size));
    for (const auto& name : bin->names()) {
      hf::Tensor t = bin->get(name);
      volatile unsigned sum = 0;
      const auto* p = static_cast<const unsigned char*>(t.data());
      for (size_t i = 0; i < t.nbytes(); ++i) sum = sum + p[i];
    }
  } catch (const hf::Error&) {
  }
  return 0;
}
