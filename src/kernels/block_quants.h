#pragma once
// Q8_0 / Q4_0 tensors built from integer quants that already exist (a GPTQ / AWQ checkpoint's
// `q - zero` with its group scales), as opposed to kernels::quantize, which rounds floats. The
// result is bit-for-bit the weight those integers and scales describe, in the layout every
// quantized kernel reads (kernels/quant_format.h).
#include <cstdint>

#include "hf/tensor.h"

namespace hf::kernels {

// W [N, K] of `type` (Q8_0 or Q4_0; K a multiple of 64) whose element (n, k) is
// values[n * K + k] × f16 scales[n * K / 32 + k / 32]. Values must fit the type (Q8_0: -127..127,
// Q4_0: -8..7); hf::Error otherwise, or for another type or K.
Tensor pack_block_quants(DType type, int64_t N, int64_t K, const int8_t* values, const uint16_t* scales);

}  // namespace hf::kernels
