#pragma once
// Which SIMD instruction sets the kernels were compiled for (`hfcpp --version`); the one chosen on
// this CPU is kernels::simd_target() in kernels.h.
#include <string>
#include <vector>

namespace hf::kernels {

// Highway's names ("AVX3_SPR", "AVX3", "AVX2", "SSE4", "EMU128", ...), best first.
std::vector<std::string> compiled_simd_targets();

}  // namespace hf::kernels
