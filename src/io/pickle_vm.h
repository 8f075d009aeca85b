#pragma once
// A restricted unpickler: it interprets the pickle opcodes that torch.save produces and builds
// plain values. It never imports or calls anything. A GLOBAL is only a name; the caller decides
// (allow_global) whether that name may appear at all, and gives meaning to REDUCE calls and
// persistent ids through its hooks. This is what makes pytorch_model.bin safe to read.
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace hf {

struct PickleValue;
using PickleRef = std::shared_ptr<PickleValue>;

struct PickleValue {
  enum class Kind { None, Bool, Int, BigInt, Float, String, Bytes, Tuple, List, Dict, Global, Object };
  Kind kind = Kind::None;
  int64_t i = 0;                 // Bool, Int
  double f = 0;                  // Float
  std::string s;                 // String, Bytes, BigInt (little-endian two's complement), Global "module.name"
  std::vector<PickleRef> items;  // Tuple, List
  std::vector<std::pair<PickleRef, PickleRef>> dict;  // Dict, in insertion order
  std::shared_ptr<void> object;  // Object: whatever a hook built (a storage, a tensor...)
  std::string object_type;       // Object: what it is, for error messages and checks

  static PickleRef make(Kind k) { auto v = std::make_shared<PickleValue>(); v->kind = k; return v; }
};

struct PickleHooks {
  // May a GLOBAL with this name appear? Throw or return false to refuse (false → generic error).
  std::function<bool(const std::string& module, const std::string& name)> allow_global;
  // REDUCE / NEWOBJ of an allowed global with an argument tuple.
  std::function<PickleRef(const PickleValue& callable, const PickleValue& args)> reduce;
  // BINPERSID / PERSID.
  std::function<PickleRef(const PickleValue& pid)> persistent_load;
};

// Runs one pickle from the start of `bytes` to its STOP opcode and returns the result.
// `consumed` receives the number of bytes read (several pickles may follow each other).
// Errors (truncation, unknown opcode, refused global, malformed stack) are hf::FileError
// prefixed with `origin` and the byte offset.
PickleRef unpickle(std::span<const unsigned char> bytes, const PickleHooks& hooks, const std::string& origin,
                   size_t* consumed = nullptr);

// Short description of a value's type for error messages ("tuple", "str", "int"...).
const char* pickle_kind_name(PickleValue::Kind k);

}  // namespace hf
