#pragma once
// Argument checks shared by the reference and SIMD kernels, so both reject the same inputs with
// the same message.
#include <cstdint>
#include <string>

#include "hf/error.h"
#include "hf/tensor.h"

namespace hf::kernels {

inline bool is_float_weight(DType t) { return t == DType::F32 || t == DType::F16 || t == DType::BF16; }
inline bool is_quantized(DType t) { return t == DType::Q8_0 || t == DType::Q4_0; }
inline bool is_weight(DType t) { return is_float_weight(t) || is_quantized(t); }

inline void check_matmul_weight(const Tensor& W, int64_t K) {
  if (W.ndim() != 2 || W.dim(1) != K || !is_weight(W.dtype()))
    throw Error("matmul: weight " + W.shape_string() + " " + dtype_name(W.dtype()) +
                " is not a 2-D F32/F16/BF16/Q8_0/Q4_0 matrix with " + std::to_string(K) + " columns");
}

inline void check_embedding_ids(const Tensor& table, const int32_t* ids, int64_t n) {
  if (table.ndim() != 2 || !is_weight(table.dtype()))
    throw Error("embedding: table " + table.shape_string() + " is not a 2-D F32/F16/BF16/Q8_0/Q4_0 matrix");
  for (int64_t i = 0; i < n; ++i)
    if (ids[i] < 0 || ids[i] >= table.dim(0))
      throw InputError("token id " + std::to_string(ids[i]) + " is outside the vocabulary [0, " +
                       std::to_string(table.dim(0)) + ")");
}

}  // namespace hf::kernels
