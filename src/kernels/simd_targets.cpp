// HWY_TARGETS is fixed by the build flags, plus AVX3_DL where a kernel file asks for it
// (HWY_WANT_AVX3_DL in vector_ops.cpp and qmatmul.cpp: VNNI): asking here too lists the union of
// the targets foreach_target.h compiled in the kernel files.
#define HWY_WANT_AVX3_DL
#include "kernels/simd_targets.h"

#include <hwy/targets.h>

namespace hf::kernels {

std::vector<std::string> compiled_simd_targets() {
  std::vector<std::string> names;
  // Highway gives better targets lower bits: walk from the lowest set bit up.
  for (int64_t bits = HWY_TARGETS; bits != 0; bits &= bits - 1) names.emplace_back(hwy::TargetName(bits & -bits));
  return names;
}

}  // namespace hf::kernels
