#pragma once
// A restricted unpickler: it interprets the pickle opcodes that torch.save produces and builds
// plain values. It never imports or calls anything. A GLOBAL is only a name; the caller decides
// (allow_global) whether that name may appear at all, and gives meaning to REDUCE calls and
// persistent ids through its hooks. This is what makes pytorch_model.bin safe to read.
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace hf {

// A pickled value. Values point at each other with plain pointers and are owned by the
// PickleArena that made them: a pickle can share values (memo) and even make a list contain
// itself (memo + APPEND), which reference counting would leak, and a value nested 10^6 deep
// would overflow the stack if each value destroyed its children. The arena frees them in a flat
// loop instead.
struct PickleValue {
  enum class Kind { None, Bool, Int, BigInt, Float, String, Bytes, Tuple, List, Dict, Global, Object };
  Kind kind = Kind::None;
  int64_t i = 0;                 // Bool, Int
  double f = 0;                  // Float
  std::string s;                 // String, Bytes, BigInt (little-endian two's complement), Global "module.name"
  std::vector<PickleValue*> items;                          // Tuple, List
  std::vector<std::pair<PickleValue*, PickleValue*>> dict;  // Dict, in insertion order
  std::shared_ptr<void> object;  // Object: whatever a hook built (a storage, a tensor...)
  std::string object_type;       // Object: what it is, for error messages and checks
  int depth = 0;                 // containers nested inside this one, as built (bounded by unpickle)
};

// Owns every value of one or more pickles.
class PickleArena {
 public:
  PickleValue* make(PickleValue::Kind kind) {
    PickleValue& v = values_.emplace_back();
    v.kind = kind;
    return &v;
  }
  size_t size() const { return values_.size(); }

 private:
  std::deque<PickleValue> values_;  // a deque never moves its elements
};

struct PickleHooks {
  // May a GLOBAL with this name appear? Throw or return false to refuse (false → generic error).
  std::function<bool(const std::string& module, const std::string& name)> allow_global;
  // REDUCE / NEWOBJ of an allowed global with an argument tuple.
  std::function<PickleValue*(const PickleValue& callable, const PickleValue& args)> reduce;
  // BINPERSID / PERSID.
  std::function<PickleValue*(const PickleValue& pid)> persistent_load;
};

// Bounds of one pickle, so that memory stays a small multiple of what a real checkpoint needs
// (a state dict makes about twenty values per tensor and nests a handful of levels): a hostile
// pickle of a few MB could otherwise make GBs of values, and the stack and memo grow by one
// entry per opcode without making any.
inline constexpr size_t kPickleMaxValues = size_t{1} << 20;
inline constexpr int kPickleMaxDepth = 1000;
inline constexpr size_t kPickleMaxStack = size_t{1} << 20;
inline constexpr size_t kPickleMaxMemo = size_t{1} << 20;

// Runs one pickle from the start of `bytes` to its STOP opcode and returns the result.
// `consumed` receives the number of bytes read (several pickles may follow each other).
// Errors (truncation, unknown opcode, refused global, malformed stack, a bound exceeded) are hf::FileError
// prefixed with `origin` and the byte offset.
// The values live in `arena`, which must outlive the result.
PickleValue* unpickle(std::span<const unsigned char> bytes, const PickleHooks& hooks, const std::string& origin,
                      PickleArena& arena, size_t* consumed = nullptr);

// Short description of a value's type for error messages ("tuple", "str", "int"...).
const char* pickle_kind_name(PickleValue::Kind k);

}  // namespace hf
