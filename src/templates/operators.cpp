#include "templates/operators.h"

#include <algorithm>
#include <cmath>

#include "templates/bigint.h"
#include "templates/budget.h"
#include "templates/errors.h"
#include "templates/filters.h"
#include "templates/pyformat.h"
#include "templates/text.h"

namespace hf::templates {

namespace {

const char* symbol(BinOp op) {
  switch (op) {
    case BinOp::Add: return "+";
    case BinOp::Sub: return "-";
    case BinOp::Mul: return "*";
    case BinOp::Div: return "/";
    case BinOp::FloorDiv: return "//";
    case BinOp::Mod: return "%";
    case BinOp::Pow: return "** or pow()";
  }
  return "?";
}

[[noreturn]] void unsupported(BinOp op, const Value& a, const Value& b) {
  throw_type_error(std::string("unsupported operand type(s) for ") + symbol(op) + ": '" +
                   type_name(a) + "' and '" + type_name(b) + "'");
}


// seq * times, charged to the memory budget before anything is built (times may be 2**62).
Value repeat(const Value& seq, int64_t times) {
  times = std::max<int64_t>(times, 0);
  if (seq.is_string()) {
    const std::string& s = seq.as_string();
    Budget::bytes(times, static_cast<int64_t>(s.size()));
    std::string out;
    out.reserve(s.size() * static_cast<size_t>(times));
    for (int64_t i = 0; i < times; ++i) out += s;
    return Value::string_like(seq, std::move(out));   // Markup * n is Markup
  }
  const List& l = *seq.as_list();
  Budget::bytes(times, shallow_bytes(seq) + 1);
  auto r = List::make();
  r->is_tuple = l.is_tuple;
  r->items.reserve(l.items.size() * static_cast<size_t>(times));
  for (int64_t i = 0; i < times; ++i) r->items.insert(r->items.end(), l.items.begin(), l.items.end());
  return r;
}

bool is_sequence(const Value& v) {
  return v.is_string() || (v.kind() == Kind::List && !v.as_list()->is_generator);
}

Value float_arith(BinOp op, double x, double y);

// Python's int arithmetic past 64 bits (int_arith comes here when a result does not fit).
Value big_arith(BinOp op, const BigInt& x, const BigInt& y) {
  switch (op) {
    case BinOp::Add: return Value(x + y);
    case BinOp::Sub: return Value(x - y);
    case BinOp::Mul: return Value(x * y);
    case BinOp::Div: {
      if (y.is_zero()) throw RenderError("ZeroDivisionError", "division by zero");
      // The top 64 bits of each magnitude divided, then scaled by the bits dropped: the quotient
      // to double precision; past the largest double it is Python's OverflowError.
      auto top = [](const BigInt& v, int& dropped) {
        BigInt magnitude = v.negative() ? -v : v, high, rest;
        dropped = static_cast<int>(magnitude.bits() > 64 ? magnitude.bits() - 64 : 0);
        BigInt::floor_divmod(magnitude, BigInt::pow(BigInt(2), static_cast<uint64_t>(dropped)), high, rest);
        return high.to_double();
      };
      int dx = 0, dy = 0;
      const double hx = top(x, dx), hy = top(y, dy);   // before dx - dy is read
      double q = std::ldexp(hx / hy, dx - dy);
      if (std::isinf(q)) throw RenderError("OverflowError", "integer division result too large for a float");
      return x.negative() != y.negative() ? -q : q;
    }
    case BinOp::FloorDiv:
    case BinOp::Mod: {
      if (y.is_zero()) throw RenderError("ZeroDivisionError", "integer division or modulo by zero");
      BigInt q, r;
      BigInt::floor_divmod(x, y, q, r);
      return Value(op == BinOp::FloorDiv ? q : r);
    }
    case BinOp::Pow: {
      if (y.negative()) return float_arith(BinOp::Pow, x.to_double(), y.to_double());
      if (auto e = y.to_int64()) return Value(BigInt::pow(x, static_cast<uint64_t>(*e)));
      // An exponent past 2**63: only 0, 1 and -1 give a result that fits in any memory.
      if (compare(x, BigInt(1)) == 0 || x.is_zero()) return Value(x);
      if (compare(x, BigInt(-1)) == 0) {
        BigInt q, parity;
        BigInt::floor_divmod(y, BigInt(2), q, parity);
        return Value(parity.is_zero() ? BigInt(1) : x);
      }
      return Value(BigInt::pow(x, UINT64_MAX));   // charged first: a memory budget error
    }
  }
  return Value();
}

// Markup.__add__ / __radd__: the str operand is escaped, the result is Markup; anything else is
// NotImplemented, so Python's TypeError names both types.
Value markup_concat(const Value& a, const Value& b) {
  if (!a.is_string() || !b.is_string()) unsupported(BinOp::Add, a, b);
  auto html = [](const Value& v) { return v.is_markup() ? v.as_string() : filters::escape_html(v.as_string()); };
  std::string out = html(a);
  out += html(b);
  Budget::bytes(static_cast<int64_t>(out.size()));
  return Value::markup(std::move(out));
}

Value int_arith(BinOp op, int64_t x, int64_t y) {
  int64_t r;
  switch (op) {
    case BinOp::Add: if (__builtin_add_overflow(x, y, &r)) return big_arith(op, BigInt(x), BigInt(y)); return r;
    case BinOp::Sub: if (__builtin_sub_overflow(x, y, &r)) return big_arith(op, BigInt(x), BigInt(y)); return r;
    case BinOp::Mul: if (__builtin_mul_overflow(x, y, &r)) return big_arith(op, BigInt(x), BigInt(y)); return r;
    case BinOp::Div:
      if (y == 0) throw RenderError("ZeroDivisionError", "division by zero");
      return static_cast<double>(x) / static_cast<double>(y);
    case BinOp::FloorDiv:
    case BinOp::Mod: {
      if (y == 0) throw RenderError("ZeroDivisionError", "integer division or modulo by zero");
      if (y == -1) {   // x / -1 traps (SIGFPE) for INT64_MIN, whose quotient 2**63 does not fit
        if (op == BinOp::Mod) return int64_t{0};
        if (x == INT64_MIN) return Value(-BigInt(x));   // 2**63
        return -x;
      }
      int64_t q = x / y, m = x % y;
      if (m != 0 && ((m < 0) != (y < 0))) {   // Python rounds toward negative infinity
        --q;
        m += y;
      }
      return op == BinOp::FloorDiv ? q : m;
    }
    case BinOp::Pow: {
      if (y < 0) return float_arith(BinOp::Pow, static_cast<double>(x), static_cast<double>(y));
      int64_t result = 1, base = x;
      for (int64_t e = y; e > 0; e >>= 1) {
        if ((e & 1) && __builtin_mul_overflow(result, base, &result)) return big_arith(op, BigInt(x), BigInt(y));
        if (e > 1 && __builtin_mul_overflow(base, base, &base)) return big_arith(op, BigInt(x), BigInt(y));
      }
      return result;
    }
  }
  return Value();
}

Value float_arith(BinOp op, double x, double y) {
  switch (op) {
    case BinOp::Add: return x + y;
    case BinOp::Sub: return x - y;
    case BinOp::Mul: return x * y;
    case BinOp::Div:
      if (y == 0) throw RenderError("ZeroDivisionError", "float division by zero");
      return x / y;
    case BinOp::FloorDiv: {   // CPython's float_floor_div: exact via fmod, not floor(x / y)
      if (y == 0) throw RenderError("ZeroDivisionError", "float floor division by zero");
      double mod = std::fmod(x, y), div = (x - mod) / y;
      if (mod != 0 && ((y < 0) != (mod < 0))) div -= 1.0;
      if (div == 0) return std::copysign(0.0, x / y);
      double floordiv = std::floor(div);
      return div - floordiv > 0.5 ? floordiv + 1.0 : floordiv;
    }
    case BinOp::Mod: {
      if (y == 0) throw RenderError("ZeroDivisionError", "float modulo");
      double m = std::fmod(x, y);
      if (m != 0) {
        if ((m < 0) != (y < 0)) m += y;
      } else {
        m = std::copysign(0.0, y);   // Python: the zero takes the divisor's sign
      }
      return m;
    }
    case BinOp::Pow:
      if (x == 0 && y < 0) throw RenderError("ZeroDivisionError", "0.0 cannot be raised to a negative power");
      return std::pow(x, y);
  }
  return Value();
}

}  // namespace

Value binary_op(BinOp op, const Value& a, const Value& b) {
  if (a.is_undefined()) a.fail_undefined();
  if (op == BinOp::Mod && a.is_string())
    return Value::string_like(a, percent_format(a.as_string(), b, a.is_markup()));
  if (b.is_undefined()) b.fail_undefined();
  if (a.is_number() && b.is_number()) {
    if (a.kind() == Kind::Float || b.kind() == Kind::Float) return float_arith(op, a.as_float(), b.as_float());
    if (a.is_big() || b.is_big()) return big_arith(op, a.as_big(), b.as_big());
    return int_arith(op, a.as_int(), b.as_int());
  }
  if (op == BinOp::Add) {
    if (a.is_markup() || b.is_markup()) return markup_concat(a, b);
    if (a.is_string()) {
      if (!b.is_string())
        throw_type_error("can only concatenate str (not \"" + type_name(b) + "\") to str");
      Budget::bytes(static_cast<int64_t>(a.as_string().size() + b.as_string().size()));
      return a.as_string() + b.as_string();
    }
    if (a.kind() == Kind::List && !a.as_list()->is_generator) {
      const List& x = *a.as_list();
      if (b.kind() != Kind::List || b.as_list()->is_generator || b.as_list()->is_tuple != x.is_tuple)
        throw_type_error("can only concatenate " + type_name(a) + " (not \"" + type_name(b) + "\") to " +
                         type_name(a));
      Budget::bytes(shallow_bytes(a) + shallow_bytes(b));
      auto r = List::make(x.items);
      r->is_tuple = x.is_tuple;
      const auto& more = b.as_list()->items;
      r->items.insert(r->items.end(), more.begin(), more.end());
      return r;
    }
  }
  if (op == BinOp::Mul) {
    if ((is_sequence(a) && b.is_big()) || (a.is_big() && is_sequence(b)))
      throw RenderError("OverflowError", "cannot fit 'int' into an index-sized integer");
    if (is_sequence(a) && b.is_integer()) return repeat(a, b.as_int());
    if (a.is_integer() && is_sequence(b)) return repeat(b, a.as_int());
    if (is_sequence(a) || is_sequence(b))
      throw_type_error("can't multiply sequence by non-int of type '" +
                       type_name(is_sequence(a) ? b : a) + "'");
  }
  unsupported(op, a, b);
}

Value negate(const Value& v) {
  if (v.is_undefined()) v.fail_undefined();
  if (v.kind() == Kind::Float) return -v.as_float();
  if (v.is_integer()) {
    if (v.is_big() || v.as_int() == INT64_MIN) return Value(-v.as_big());
    return -v.as_int();
  }
  throw_type_error("bad operand type for unary -: '" + type_name(v) + "'");
}

bool contains(const Value& container, const Value& item) {
  switch (container.kind()) {
    case Kind::Undefined: return false;
    case Kind::String:
      if (!item.is_string())
        throw_type_error("'in <string>' requires string as left operand, not " + type_name(item));
      return container.as_string().find(item.as_string()) != std::string::npos;
    case Kind::Dict:
      if (item.kind() == Kind::Dict || (item.kind() == Kind::List && !item.as_list()->is_tuple))
        throw_type_error("unhashable type: '" + type_name(item) + "'");
      return container.as_dict()->find(item) != nullptr;
    case Kind::List: {
      const List& l = *container.as_list();
      size_t start = l.is_generator ? std::min(l.consumed, l.items.size()) : 0;
      for (size_t i = start; i < l.items.size(); ++i) {
        if (equal(l.items[i], item)) {
          if (l.is_generator) l.consumed = i + 1;
          return true;
        }
      }
      if (l.is_generator) l.consumed = l.items.size();
      return false;
    }
    default:
      throw_type_error("argument of type '" + type_name(container) + "' is not iterable");
  }
}

namespace {
// PySlice_AdjustIndices: clamps start/stop for a sequence of `length` items.
int64_t slice_bound(const Value& v, int64_t length, int64_t step, bool is_start) {
  if (v.is_none() || v.is_undefined()) {
    if (step > 0) return is_start ? 0 : length;
    return is_start ? length - 1 : -1;
  }
  if (!v.is_integer())
    throw_type_error("slice indices must be integers or None or have an __index__ method");
  int64_t i = v.as_int();
  if (i < 0) {
    i += length;
    if (i < 0) i = step < 0 ? -1 : 0;
  } else if (i >= length) {
    i = step < 0 ? length - 1 : length;
  }
  return i;
}
}  // namespace

Value slice(const Value& obj, const Value& start, const Value& stop, const Value& step_value) {
  int64_t step = 1;
  if (!step_value.is_none() && !step_value.is_undefined()) {
    if (!step_value.is_integer()) throw_type_error("slice indices must be integers or None");
    step = step_value.as_int();
    if (step == 0) throw_value_error("slice step cannot be zero");
  }
  auto pick = [&](int64_t length, auto&& take) {
    int64_t b = slice_bound(start, length, step, true);
    int64_t e = slice_bound(stop, length, step, false);
    for (int64_t i = b; step > 0 ? i < e : i > e;) {
      take(static_cast<size_t>(i));
      if (__builtin_add_overflow(i, step, &i)) break;   // a step near 2**63 leaves the sequence
    }
  };
  if (obj.is_string()) {
    auto cps = text::code_points(obj.as_string());
    std::string out;
    pick(static_cast<int64_t>(cps.size()), [&](size_t i) { text::append_utf8(out, cps[i]); });
    return Value::string_like(obj, std::move(out));   // Markup[a:b] is Markup
  }
  if (obj.kind() == Kind::List && !obj.as_list()->is_generator) {
    const List& l = *obj.as_list();
    auto r = List::make();
    r->is_tuple = l.is_tuple;
    pick(static_cast<int64_t>(l.items.size()), [&](size_t i) { r->items.push_back(l.items[i]); });
    return r;
  }
  if (obj.is_undefined()) obj.fail_undefined();
  return Value();   // Jinja: a failed subscript is undefined
}

}  // namespace hf::templates
