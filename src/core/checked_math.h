#pragma once
// Overflow-checked integer arithmetic for every size, offset and stride that comes from a file.
// A hostile header can hold any 64-bit value, and a wrapped product (a shape of [2^62] times a
// 4-byte dtype is 0 bytes) turns a bounds check into a lie. Each helper returns std::nullopt
// when the exact result does not fit, so the caller must say what overflowed and where.
#include <concepts>
#include <cstdint>
#include <optional>
#include <span>

namespace hf {

template <std::integral T>
[[nodiscard]] constexpr std::optional<T> checked_add(T a, T b) {
  T r;
  if (__builtin_add_overflow(a, b, &r)) return std::nullopt;
  return r;
}

template <std::integral T>
[[nodiscard]] constexpr std::optional<T> checked_mul(T a, T b) {
  T r;
  if (__builtin_mul_overflow(a, b, &r)) return std::nullopt;
  return r;
}

// The element count of a shape of non-negative dimensions. The product of the non-zero
// dimensions must fit too: then no partial product in any order can wrap, whatever code later
// multiplies the same dimensions (a shape [0, 2^40, 2^40] holds nothing but is still refused).
[[nodiscard]] constexpr std::optional<int64_t> checked_numel(std::span<const int64_t> shape) {
  int64_t nonzero = 1;
  bool empty = false;
  for (int64_t d : shape) {
    if (d < 0) return std::nullopt;
    if (d == 0) { empty = true; continue; }
    auto p = checked_mul(nonzero, d);
    if (!p) return std::nullopt;
    nonzero = *p;
  }
  return empty ? 0 : nonzero;
}

}  // namespace hf
