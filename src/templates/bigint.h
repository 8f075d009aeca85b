#pragma once
// Python's unbounded int, for the results that do not fit in 64 bits (2**64, 12345678901234567890,
// 9223372036854775807 + 1). Values keep int64_t while they fit (value.h holds a BigInt only
// beyond it), so this is the slow path: sign and magnitude in 32-bit limbs, schoolbook
// arithmetic charged to the render's budgets (2**10**9 is a clear budget error, not a hang).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hf::templates {

class BigInt {
 public:
  BigInt() = default;
  explicit BigInt(int64_t v);
  // Digits (no sign, no underscores) in a base from 2 to 36; nullopt if one is not a digit.
  static std::optional<BigInt> parse(std::string_view digits, int base);
  static BigInt from_double(double d);   // int(d): truncated toward zero, exactly; d finite

  bool negative() const { return negative_; }
  bool is_zero() const { return limbs_.empty(); }
  std::optional<int64_t> to_int64() const;
  double to_double() const;          // OverflowError past the largest double, as Python
  std::string to_string() const;     // decimal; ValueError past 4300 digits, as CPython

  friend int compare(const BigInt& a, const BigInt& b);   // -1, 0, 1
  friend BigInt operator-(BigInt a);
  friend BigInt operator+(const BigInt& a, const BigInt& b);
  friend BigInt operator-(const BigInt& a, const BigInt& b);
  friend BigInt operator*(const BigInt& a, const BigInt& b);
  // Python's // and % (the quotient rounds toward negative infinity); b must not be zero.
  static void floor_divmod(const BigInt& a, const BigInt& b, BigInt& quotient, BigInt& remainder);
  static BigInt pow(const BigInt& base, uint64_t exponent);

  size_t bits() const;

 private:
  static int compare_magnitude(const std::vector<uint32_t>& a, const std::vector<uint32_t>& b);
  static std::vector<uint32_t> add_magnitude(const std::vector<uint32_t>& a, const std::vector<uint32_t>& b);
  static std::vector<uint32_t> sub_magnitude(const std::vector<uint32_t>& a, const std::vector<uint32_t>& b);  // a >= b
  void trim();

  bool negative_ = false;
  std::vector<uint32_t> limbs_;   // little-endian magnitude, no leading zero limbs; zero is empty
};

}  // namespace hf::templates
