#include "templates/bigint.h"

#include <algorithm>
#include <cmath>

#include "templates/budget.h"
#include "templates/errors.h"

namespace hf::templates {

namespace {
// CPython 3.11+ refuses decimal conversions of more digits (sys.get_int_max_str_digits()).
constexpr size_t kMaxStrDigits = 4300;
}  // namespace

BigInt::BigInt(int64_t v) {
  negative_ = v < 0;
  uint64_t m = negative_ ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
  while (m) {
    limbs_.push_back(static_cast<uint32_t>(m));
    m >>= 32;
  }
}

void BigInt::trim() {
  while (!limbs_.empty() && limbs_.back() == 0) limbs_.pop_back();
  if (limbs_.empty()) negative_ = false;
}

std::optional<BigInt> BigInt::parse(std::string_view digits, int base) {
  if (base == 10 && digits.size() > kMaxStrDigits)
    throw_value_error("Exceeds the limit (4300 digits) for integer string conversion: value has " +
                      std::to_string(digits.size()) + " digits; use sys.set_int_max_str_digits() to increase the limit");
  Budget::bytes(static_cast<int64_t>(digits.size()));
  Budget::steps(static_cast<int64_t>(digits.size() * digits.size() / 64));
  BigInt r;
  for (char c : digits) {
    int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'z' ? c - 'a' + 10 : c >= 'A' && c <= 'Z' ? c - 'A' + 10 : 99;
    if (d >= base) return std::nullopt;
    uint64_t carry = static_cast<uint64_t>(d);
    for (uint32_t& limb : r.limbs_) {
      uint64_t x = static_cast<uint64_t>(limb) * static_cast<uint64_t>(base) + carry;
      limb = static_cast<uint32_t>(x);
      carry = x >> 32;
    }
    if (carry) r.limbs_.push_back(static_cast<uint32_t>(carry));
  }
  r.trim();
  return r;
}

BigInt BigInt::from_double(double d) {
  d = std::trunc(d);
  if (std::fabs(d) < 9.2233720368547758e18) return BigInt(static_cast<int64_t>(d));
  int exponent;
  double mantissa = std::frexp(std::fabs(d), &exponent);   // |d| = mantissa * 2**exponent, 53 bits
  BigInt r = BigInt(static_cast<int64_t>(std::ldexp(mantissa, 53))) * pow(BigInt(2), static_cast<uint64_t>(exponent - 53));
  return d < 0 ? -r : r;
}

std::optional<int64_t> BigInt::to_int64() const {
  if (limbs_.size() > 2) return std::nullopt;
  uint64_t m = 0;
  for (size_t i = limbs_.size(); i-- > 0;) m = (m << 32) | limbs_[i];
  if (!negative_ && m <= static_cast<uint64_t>(INT64_MAX)) return static_cast<int64_t>(m);
  if (negative_ && m <= static_cast<uint64_t>(INT64_MAX) + 1) return static_cast<int64_t>(0 - m);
  return std::nullopt;
}

size_t BigInt::bits() const {
  if (limbs_.empty()) return 0;
  return 32 * (limbs_.size() - 1) + (32 - static_cast<size_t>(__builtin_clz(limbs_.back())));
}

double BigInt::to_double() const {
  // The top 64 bits, rounded once by the conversion, then scaled: enough for correct rounding
  // except in rare ties far below what a template can observe.
  size_t n = bits();
  if (n > 1024) throw RenderError("OverflowError", "int too large to convert to float");
  double r = 0;
  for (size_t i = limbs_.size(); i-- > 0;) r = r * 4294967296.0 + limbs_[i];
  if (std::isinf(r)) throw RenderError("OverflowError", "int too large to convert to float");
  return negative_ ? -r : r;
}

std::string BigInt::to_string() const {
  if (limbs_.empty()) return "0";
  // 10**9 per step: divide the magnitude repeatedly, collecting nine digits at a time.
  std::vector<uint32_t> m = limbs_;
  std::string digits;
  Budget::steps(static_cast<int64_t>(m.size() * m.size() / 8));
  while (!m.empty()) {
    uint64_t rem = 0;
    for (size_t i = m.size(); i-- > 0;) {
      uint64_t cur = (rem << 32) | m[i];
      m[i] = static_cast<uint32_t>(cur / 1000000000u);
      rem = cur % 1000000000u;
    }
    while (!m.empty() && m.back() == 0) m.pop_back();
    for (int k = 0; k < 9 && (rem || !m.empty()); ++k) {
      digits += static_cast<char>('0' + rem % 10);
      rem /= 10;
    }
    if (digits.size() > kMaxStrDigits)
      throw_value_error("Exceeds the limit (4300 digits) for integer string conversion; use "
                        "sys.set_int_max_str_digits() to increase the limit");
  }
  if (negative_) digits += '-';
  std::reverse(digits.begin(), digits.end());
  return digits;
}

int BigInt::compare_magnitude(const std::vector<uint32_t>& a, const std::vector<uint32_t>& b) {
  if (a.size() != b.size()) return a.size() < b.size() ? -1 : 1;
  for (size_t i = a.size(); i-- > 0;)
    if (a[i] != b[i]) return a[i] < b[i] ? -1 : 1;
  return 0;
}

int compare(const BigInt& a, const BigInt& b) {
  if (a.negative_ != b.negative_) return a.negative_ ? -1 : 1;
  int m = BigInt::compare_magnitude(a.limbs_, b.limbs_);
  return a.negative_ ? -m : m;
}

std::vector<uint32_t> BigInt::add_magnitude(const std::vector<uint32_t>& a, const std::vector<uint32_t>& b) {
  const auto& longer = a.size() >= b.size() ? a : b;
  const auto& shorter = a.size() >= b.size() ? b : a;
  Budget::bytes(static_cast<int64_t>(longer.size() + 1) * 4);
  std::vector<uint32_t> r(longer.size() + 1);
  uint64_t carry = 0;
  for (size_t i = 0; i < longer.size(); ++i) {
    uint64_t x = static_cast<uint64_t>(longer[i]) + (i < shorter.size() ? shorter[i] : 0) + carry;
    r[i] = static_cast<uint32_t>(x);
    carry = x >> 32;
  }
  r.back() = static_cast<uint32_t>(carry);
  return r;
}

std::vector<uint32_t> BigInt::sub_magnitude(const std::vector<uint32_t>& a, const std::vector<uint32_t>& b) {
  std::vector<uint32_t> r(a.size());
  int64_t borrow = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    int64_t x = static_cast<int64_t>(a[i]) - (i < b.size() ? b[i] : 0) - borrow;
    borrow = x < 0;
    r[i] = static_cast<uint32_t>(x + (borrow << 32));
  }
  return r;
}

BigInt operator-(BigInt a) {
  if (!a.is_zero()) a.negative_ = !a.negative_;
  return a;
}

BigInt operator+(const BigInt& a, const BigInt& b) {
  BigInt r;
  if (a.negative_ == b.negative_) {
    r.limbs_ = BigInt::add_magnitude(a.limbs_, b.limbs_);
    r.negative_ = a.negative_;
  } else if (BigInt::compare_magnitude(a.limbs_, b.limbs_) >= 0) {
    r.limbs_ = BigInt::sub_magnitude(a.limbs_, b.limbs_);
    r.negative_ = a.negative_;
  } else {
    r.limbs_ = BigInt::sub_magnitude(b.limbs_, a.limbs_);
    r.negative_ = b.negative_;
  }
  r.trim();
  return r;
}

BigInt operator-(const BigInt& a, const BigInt& b) { return a + (-b); }

BigInt operator*(const BigInt& a, const BigInt& b) {
  BigInt r;
  if (a.is_zero() || b.is_zero()) return r;
  Budget::bytes(static_cast<int64_t>(a.limbs_.size() + b.limbs_.size()), 4);
  Budget::steps(static_cast<int64_t>(a.limbs_.size()) * static_cast<int64_t>(b.limbs_.size()) / 16);
  r.limbs_.assign(a.limbs_.size() + b.limbs_.size(), 0);
  for (size_t i = 0; i < a.limbs_.size(); ++i) {
    uint64_t carry = 0;
    for (size_t j = 0; j < b.limbs_.size(); ++j) {
      uint64_t x = static_cast<uint64_t>(a.limbs_[i]) * b.limbs_[j] + r.limbs_[i + j] + carry;
      r.limbs_[i + j] = static_cast<uint32_t>(x);
      carry = x >> 32;
    }
    r.limbs_[i + b.limbs_.size()] = static_cast<uint32_t>(carry);
  }
  r.negative_ = a.negative_ != b.negative_;
  r.trim();
  return r;
}

void BigInt::floor_divmod(const BigInt& a, const BigInt& b, BigInt& quotient, BigInt& remainder) {
  // Truncating division of the magnitudes, bit by bit (shift and subtract), then Python's
  // floor adjustment: when the signs differ and something remains, q -= 1 and r += b.
  size_t n = a.bits();
  Budget::steps(static_cast<int64_t>(n) * static_cast<int64_t>(b.limbs_.size() + 1) / 16);
  BigInt q, r;
  q.limbs_.assign(a.limbs_.size(), 0);
  for (size_t i = n; i-- > 0;) {
    // r = r * 2 + bit i of a
    uint32_t carry = (a.limbs_[i / 32] >> (i % 32)) & 1u;
    for (uint32_t& limb : r.limbs_) {
      uint32_t top = limb >> 31;
      limb = (limb << 1) | carry;
      carry = top;
    }
    if (carry) r.limbs_.push_back(carry);
    if (compare_magnitude(r.limbs_, b.limbs_) >= 0) {
      r.limbs_ = sub_magnitude(r.limbs_, b.limbs_);
      r.trim();
      q.limbs_[i / 32] |= 1u << (i % 32);
    }
  }
  q.negative_ = a.negative_ != b.negative_;
  r.negative_ = a.negative_;
  q.trim();
  r.trim();
  if (!r.is_zero() && r.negative_ != b.negative_) {
    q = q - BigInt(1);
    r = r + b;
  }
  quotient = std::move(q);
  remainder = std::move(r);
}

BigInt BigInt::pow(const BigInt& base, uint64_t exponent) {
  // The result has about bits(base) * exponent bits: charge it before computing anything.
  const double result_bits = static_cast<double>(base.bits() ? base.bits() - 1 : 0) * static_cast<double>(exponent);
  Budget::bytes(result_bits / 8 > 1e18 ? INT64_MAX / 2 : static_cast<int64_t>(result_bits / 8));
  BigInt result(1), b = base;
  for (uint64_t e = exponent; e > 0; e >>= 1) {
    if (e & 1) result = result * b;
    if (e > 1) b = b * b;
  }
  return result;
}

}  // namespace hf::templates
