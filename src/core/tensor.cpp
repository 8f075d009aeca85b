#include "hf/tensor.h"

#include <cstring>
#include <numeric>

#include "hf/error.h"

namespace hf {

size_t dtype_size(DType t) {
  switch (t) {
    case DType::F64: case DType::I64: return 8;
    case DType::F32: case DType::I32: return 4;
    case DType::F16: case DType::BF16: case DType::I16: return 2;
    case DType::I8: case DType::U8: case DType::BOOL: return 1;
    case DType::Q8_0: return 34;  // 32 int8 + one f16 scale
    case DType::Q4_0: return 18;  // 32 nibbles + one f16 scale
  }
  return 0;
}

int64_t dtype_block_elems(DType t) { return t == DType::Q8_0 || t == DType::Q4_0 ? 32 : 1; }

const char* dtype_name(DType t) {
  switch (t) {
    case DType::F32: return "F32";
    case DType::F16: return "F16";
    case DType::BF16: return "BF16";
    case DType::F64: return "F64";
    case DType::I64: return "I64";
    case DType::I32: return "I32";
    case DType::I16: return "I16";
    case DType::I8: return "I8";
    case DType::U8: return "U8";
    case DType::BOOL: return "BOOL";
    case DType::Q8_0: return "Q8_0";
    case DType::Q4_0: return "Q4_0";
  }
  return "?";
}

Tensor::Tensor(DType dtype, std::vector<int64_t> shape, const void* data, std::shared_ptr<const void> keep_alive)
    : dtype_(dtype), shape_(std::move(shape)), data_(data), keep_alive_(std::move(keep_alive)) {}

Tensor Tensor::zeros(DType dtype, std::vector<int64_t> shape) {
  int64_t n = std::accumulate(shape.begin(), shape.end(), int64_t{1}, std::multiplies<>());
  // 64-byte aligned so SIMD kernels may use aligned loads on owned buffers.
  size_t bytes = (static_cast<size_t>(n / dtype_block_elems(dtype)) * dtype_size(dtype) + 63) / 64 * 64;
  void* p = ::operator new(bytes ? bytes : 64, std::align_val_t{64});
  std::memset(p, 0, bytes);
  std::shared_ptr<const void> owner(p, [](const void* q) { ::operator delete(const_cast<void*>(q), std::align_val_t{64}); });
  return Tensor(dtype, std::move(shape), p, std::move(owner));
}

int64_t Tensor::numel() const {
  return std::accumulate(shape_.begin(), shape_.end(), int64_t{1}, std::multiplies<>());
}

Tensor Tensor::reshaped(std::vector<int64_t> shape) const {
  int64_t n = std::accumulate(shape.begin(), shape.end(), int64_t{1}, std::multiplies<>());
  if (n != numel()) throw Error("reshape " + shape_string() + " to a shape of " + std::to_string(n) + " elements");
  return Tensor(dtype_, std::move(shape), data_, keep_alive_);
}

Tensor Tensor::rows(int64_t begin, int64_t end) const {
  if (shape_.empty() || begin < 0 || end > shape_[0] || begin > end)
    throw Error("rows [" + std::to_string(begin) + ", " + std::to_string(end) + ") of " + shape_string());
  // Q8_0 / Q4_0 rows are stored in panels of 16 (kernels/quant_format.h): a slice must not cut one
  // (kernels::slice_rows copies such a slice into panels of its own).
  if ((dtype_ == DType::Q8_0 || dtype_ == DType::Q4_0) && (begin % 16 != 0 || (end % 16 != 0 && end != shape_[0])))
    throw Error("rows [" + std::to_string(begin) + ", " + std::to_string(end) + ") of " + shape_string() + " " +
                dtype_name(dtype_) + ": quantized rows are stored in panels of 16");
  std::vector<int64_t> s = shape_;
  s[0] = end - begin;
  size_t row_bytes = shape_[0] ? nbytes() / shape_[0] : 0;
  return Tensor(dtype_, std::move(s), static_cast<const char*>(data_) + begin * row_bytes, keep_alive_);
}

std::vector<float> Tensor::to_f32() const {
  std::vector<float> out(numel());
  for (int64_t i = 0; i < numel(); ++i) {
    switch (dtype_) {
      case DType::F32: out[i] = data_as<float>()[i]; break;
      case DType::F16: out[i] = f16_to_f32(data_as<uint16_t>()[i]); break;
      case DType::BF16: out[i] = bf16_to_f32(data_as<uint16_t>()[i]); break;
      case DType::F64: out[i] = static_cast<float>(data_as<double>()[i]); break;
      case DType::I64: out[i] = static_cast<float>(data_as<int64_t>()[i]); break;
      case DType::I32: out[i] = static_cast<float>(data_as<int32_t>()[i]); break;
      default: throw Error(std::string("to_f32 of dtype ") + dtype_name(dtype_));
    }
  }
  return out;
}

std::string Tensor::shape_string() const {
  std::string s = "[";
  for (size_t i = 0; i < shape_.size(); ++i) s += (i ? ", " : "") + std::to_string(shape_[i]);
  return s + "]";
}

float bf16_to_f32(uint16_t v) {
  uint32_t bits = static_cast<uint32_t>(v) << 16;
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

uint16_t f32_to_bf16(float v) {
  uint32_t bits;
  std::memcpy(&bits, &v, 4);
  if ((bits & 0x7fffffff) > 0x7f800000) return static_cast<uint16_t>((bits >> 16) | 0x40);  // NaN stays NaN
  bits += 0x7fff + ((bits >> 16) & 1);
  return static_cast<uint16_t>(bits >> 16);
}

float f16_to_f32(uint16_t h) {
  uint32_t sign = (h & 0x8000u) << 16, exp = (h >> 10) & 0x1f, mant = h & 0x3ff, bits;
  if (exp == 0) {
    if (mant == 0) {
      bits = sign;
    } else {  // subnormal: normalise
      exp = 127 - 15 + 1;
      while (!(mant & 0x400)) { mant <<= 1; --exp; }
      bits = sign | (exp << 23) | ((mant & 0x3ff) << 13);
    }
  } else if (exp == 31) {
    bits = sign | 0x7f800000u | (mant << 13);
  } else {
    bits = sign | ((exp + 127 - 15) << 23) | (mant << 13);
  }
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

uint16_t f32_to_f16(float v) {
  uint32_t x;
  std::memcpy(&x, &v, 4);
  uint32_t sign = (x >> 16) & 0x8000;
  int32_t exp = static_cast<int32_t>((x >> 23) & 0xff) - 127 + 15;
  uint32_t mant = x & 0x7fffff;
  if (((x >> 23) & 0xff) == 0xff) return static_cast<uint16_t>(sign | 0x7c00 | (mant ? 0x200 : 0));
  if (exp >= 31) return static_cast<uint16_t>(sign | 0x7c00);
  if (exp <= 0) {
    if (exp < -10) return static_cast<uint16_t>(sign);
    mant |= 0x800000;
    uint32_t shift = static_cast<uint32_t>(14 - exp);
    uint32_t half = mant >> shift, rem = mant & ((1u << shift) - 1), mid = 1u << (shift - 1);
    if (rem > mid || (rem == mid && (half & 1))) ++half;
    return static_cast<uint16_t>(sign | half);
  }
  uint32_t half = sign | (static_cast<uint32_t>(exp) << 10) | (mant >> 13);
  uint32_t rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem == 0x1000 && (half & 1))) ++half;
  return static_cast<uint16_t>(half);
}

}  // namespace hf
