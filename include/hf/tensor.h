#pragma once
// Tensor: dtype + shape + bytes. The bytes are either owned (activations, weights built in
// memory) or a view into a memory-mapped file (weights as stored on disk: bf16 stays bf16).
// A tensor keeps whatever it points into alive through `keep_alive`.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "hf/export.h"

namespace hf {

// Q8_0 / Q4_0: weights quantized at load in blocks of 32 with one f16 scale each (8 and 4 bits
// per weight; the layout inside a row belongs to src/kernels/quant_format.h). They are never read
// from or written to files.
enum class DType : uint8_t { F32, F16, BF16, F64, I64, I32, I16, I8, U8, BOOL, Q8_0, Q4_0 };

size_t dtype_size(DType t);         // bytes of one element, or of one block for block dtypes
int64_t dtype_block_elems(DType t);  // elements per block: 32 for Q8_0 / Q4_0, 1 otherwise
const char* dtype_name(DType t);    // safetensors spelling: "F32", "BF16", ... ("Q8_0", "Q4_0")

class HF_API Tensor {
 public:
  Tensor() = default;
  // A view of `data` (not copied); `keep_alive` owns the memory it lies in.
  Tensor(DType dtype, std::vector<int64_t> shape, const void* data, std::shared_ptr<const void> keep_alive);
  // A new zero-filled tensor that owns its bytes.
  static Tensor zeros(DType dtype, std::vector<int64_t> shape);

  DType dtype() const { return dtype_; }
  const std::vector<int64_t>& shape() const { return shape_; }
  int64_t dim(int i) const { return shape_.at(i < 0 ? shape_.size() + i : i); }
  int ndim() const { return static_cast<int>(shape_.size()); }
  int64_t numel() const;
  size_t nbytes() const { return numel() / dtype_block_elems(dtype_) * dtype_size(dtype_); }
  bool empty() const { return data_ == nullptr; }

  const void* data() const { return data_; }
  void* mutable_data() { return const_cast<void*>(data_); }  // only for tensors this code owns
  template <class T> const T* data_as() const { return static_cast<const T*>(data_); }
  template <class T> T* mutable_data_as() { return static_cast<T*>(mutable_data()); }

  // The same bytes seen with another shape (same element count).
  Tensor reshaped(std::vector<int64_t> shape) const;
  // Rows [begin, end) of the first dimension, as a view.
  Tensor rows(int64_t begin, int64_t end) const;
  // A float32 copy (for small tensors: norms, biases; never for whole weight matrices).
  std::vector<float> to_f32() const;

  std::string shape_string() const;  // "[151936, 896]"

 private:
  DType dtype_ = DType::F32;
  std::vector<int64_t> shape_;
  const void* data_ = nullptr;
  std::shared_ptr<const void> keep_alive_;
};

// bf16 / f16 <-> f32 conversions (exact widening; round-to-nearest-even narrowing).
HF_API float bf16_to_f32(uint16_t v);
HF_API uint16_t f32_to_bf16(float v);
HF_API float f16_to_f32(uint16_t v);
HF_API uint16_t f32_to_f16(float v);

}  // namespace hf
