#include "io/pickle_vm.h"

#include <algorithm>
#include <cstring>
#include <unordered_map>

#include "hf/error.h"

namespace hf {

const char* pickle_kind_name(PickleValue::Kind k) {
  using K = PickleValue::Kind;
  switch (k) {
    case K::None: return "None";
    case K::Bool: return "bool";
    case K::Int: case K::BigInt: return "int";
    case K::Float: return "float";
    case K::String: return "str";
    case K::Bytes: return "bytes";
    case K::Tuple: return "tuple";
    case K::List: return "list";
    case K::Dict: return "dict";
    case K::Global: return "global";
    case K::Object: return "object";
  }
  return "?";
}

namespace {

using K = PickleValue::Kind;

class Machine {
 public:
  Machine(std::span<const unsigned char> bytes, const PickleHooks& hooks, const std::string& origin,
          PickleArena& arena)
      : b_(bytes), hooks_(hooks), origin_(origin), arena_(arena) {}

  PickleValue* run(size_t* consumed);

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw FileError(origin_ + ": pickle byte " + std::to_string(op_pos_) + ": " + what);
  }
  const unsigned char* take(size_t n) {
    if (n > b_.size() - pos_) fail("truncated (needs " + std::to_string(n) + " more bytes; the file is incomplete)");
    const unsigned char* p = b_.data() + pos_;
    pos_ += n;
    return p;
  }
  uint64_t le(size_t n) {
    const unsigned char* p = take(n);
    uint64_t v = 0;
    for (size_t i = n; i-- > 0;) v = (v << 8) | p[i];
    return v;
  }
  std::string line() {  // text opcodes: up to '\n'
    size_t start = pos_;
    while (pos_ < b_.size() && b_[pos_] != '\n') ++pos_;
    if (pos_ >= b_.size()) fail("truncated text argument");
    return std::string(reinterpret_cast<const char*>(b_.data() + start), pos_++ - start);
  }
  PickleValue* make(K kind) {
    if (arena_.size() >= kPickleMaxValues)
      fail("more than " + std::to_string(kPickleMaxValues) + " values (not a state dict; the file is corrupt)");
    return arena_.make(kind);
  }
  // A container holding `items` is one level deeper than the deepest of them.
  void nest(PickleValue& container, std::span<PickleValue* const> items) {
    for (const PickleValue* v : items) container.depth = std::max(container.depth, v->depth + 1);
    if (container.depth > kPickleMaxDepth)
      fail("values nested more than " + std::to_string(kPickleMaxDepth) + " deep (not a state dict; the file is corrupt)");
  }
  PickleValue* pop() {
    if (stack_.size() <= (marks_.empty() ? 0 : marks_.back())) fail("stack underflow");
    PickleValue* v = stack_.back();
    stack_.pop_back();
    return v;
  }
  PickleValue* top() {
    if (stack_.size() <= (marks_.empty() ? 0 : marks_.back())) fail("stack underflow");
    return stack_.back();
  }
  std::vector<PickleValue*> pop_mark() {
    if (marks_.empty()) fail("no MARK on the stack");
    size_t m = marks_.back();
    marks_.pop_back();
    std::vector<PickleValue*> items(stack_.begin() + m, stack_.end());
    stack_.resize(m);
    return items;
  }
  void mark() {
    if (marks_.size() >= kPickleMaxStack) fail("more than " + std::to_string(kPickleMaxStack) + " MARKs");
    marks_.push_back(stack_.size());
  }
  void push(PickleValue* v) {
    if (stack_.size() >= kPickleMaxStack) fail("stack deeper than " + std::to_string(kPickleMaxStack) + " values");
    stack_.push_back(v);
  }
  PickleValue* str(K kind, size_t n) {
    auto v = make(kind);
    const unsigned char* p = take(n);
    v->s.assign(reinterpret_cast<const char*>(p), n);
    return v;
  }
  PickleValue* integer(int64_t i) { auto v = make(K::Int); v->i = i; return v; }
  PickleValue* sequence(K kind, std::vector<PickleValue*> items) {
    auto v = make(kind);
    nest(*v, items);
    v->items = std::move(items);
    return v;
  }
  PickleValue* tuple(std::vector<PickleValue*> items) { return sequence(K::Tuple, std::move(items)); }
  PickleValue* global(const std::string& module, const std::string& name) {
    if (!hooks_.allow_global || !hooks_.allow_global(module, name))
      fail("refusing global '" + module + "." + name + "': only tensor data may be loaded");
    auto v = make(K::Global);
    v->s = module + "." + name;
    return v;
  }
  PickleValue* big_int(size_t n) {
    const unsigned char* p = take(n);
    if (n <= 8) {
      uint64_t u = 0;
      for (size_t i = n; i-- > 0;) u = (u << 8) | p[i];
      if (n > 0 && n < 8 && (p[n - 1] & 0x80)) u |= ~uint64_t{0} << (8 * n);  // sign-extend
      return integer(static_cast<int64_t>(u));
    }
    auto v = make(K::BigInt);
    v->s.assign(reinterpret_cast<const char*>(p), n);
    return v;
  }
  void set_items(PickleValue& d, const std::vector<PickleValue*>& kv) {
    if (d.kind != K::Dict) fail(std::string("SETITEM(S) on a ") + pickle_kind_name(d.kind));
    if (kv.size() % 2) fail("SETITEMS with an odd number of items");
    nest(d, kv);
    for (size_t i = 0; i < kv.size(); i += 2) {
      bool replaced = false;
      if (kv[i]->kind == K::String)  // dict semantics: a repeated string key replaces the value
        for (auto& [k, val] : d.dict)
          if (k->kind == K::String && k->s == kv[i]->s) { val = kv[i + 1]; replaced = true; break; }
      if (!replaced) d.dict.emplace_back(kv[i], kv[i + 1]);
    }
  }
  void append(PickleValue& l, const std::vector<PickleValue*>& items) {
    if (l.kind != K::List) fail(std::string("APPEND(S) on a ") + pickle_kind_name(l.kind));
    nest(l, items);
    l.items.insert(l.items.end(), items.begin(), items.end());
  }
  PickleValue* call(const PickleValue* callable, const PickleValue* args) {
    if (callable->kind != K::Global) fail(std::string("REDUCE on a ") + pickle_kind_name(callable->kind));
    if (args->kind != K::Tuple) fail("REDUCE arguments are not a tuple");
    if (!hooks_.reduce) fail("no reducer for '" + callable->s + "'");
    return hooks_.reduce(*callable, *args);
  }
  void memo_put(uint64_t key) {
    if (memo_.size() >= kPickleMaxMemo && !memo_.count(key))
      fail("more than " + std::to_string(kPickleMaxMemo) + " memo entries");
    memo_[key] = top();
  }
  PickleValue* memo_get(uint64_t key) {
    auto it = memo_.find(key);
    if (it == memo_.end()) fail("memo key " + std::to_string(key) + " not defined");
    return it->second;
  }

  std::span<const unsigned char> b_;
  const PickleHooks& hooks_;
  const std::string& origin_;
  PickleArena& arena_;
  size_t pos_ = 0, op_pos_ = 0;
  std::vector<PickleValue*> stack_;
  std::vector<size_t> marks_;
  std::unordered_map<uint64_t, PickleValue*> memo_;
};

PickleValue* Machine::run(size_t* consumed) {
  for (;;) {
    op_pos_ = pos_;
    unsigned char op = *take(1);
    switch (op) {
      case 0x80: le(1); break;              // PROTO
      case 0x95: le(8); break;              // FRAME: framing is only a read-ahead hint
      case '.': {                           // STOP
        PickleValue* v = pop();
        if (consumed) *consumed = pos_;
        return v;
      }
      case '(': mark(); break;                           // MARK
      case '0': pop(); break;                            // POP
      case '1': pop_mark(); break;                       // POP_MARK
      case '2': push(top()); break;                      // DUP
      case 'N': push(make(K::None)); break;
      case 0x88: case 0x89: {                            // NEWTRUE / NEWFALSE
        auto v = make(K::Bool);
        v->i = op == 0x88;
        push(v);
        break;
      }
      case 'J': push(integer(static_cast<int32_t>(le(4)))); break;  // BININT
      case 'K': push(integer(static_cast<int64_t>(le(1)))); break;  // BININT1
      case 'M': push(integer(static_cast<int64_t>(le(2)))); break;  // BININT2
      case 0x8a: { size_t n = le(1); push(big_int(n)); break; }      // LONG1
      case 0x8b: {                                                    // LONG4
        uint64_t n = le(4);
        if (n > b_.size()) fail("LONG4 length beyond the end of the data");
        push(big_int(n));
        break;
      }
      case 'I': {                                                     // INT (text; I00/I01 = bool)
        std::string t = line();
        if (t == "00" || t == "01") {
          auto v = make(K::Bool);
          v->i = t == "01";
          push(v);
        } else {
          try { push(integer(std::stoll(t))); } catch (const std::exception&) { fail("bad INT '" + t + "'"); }
        }
        break;
      }
      case 'G': {                                                     // BINFLOAT (big-endian double)
        const unsigned char* p = take(8);
        uint64_t u = 0;
        for (int i = 0; i < 8; ++i) u = (u << 8) | p[i];
        auto v = make(K::Float);
        std::memcpy(&v->f, &u, 8);
        push(v);
        break;
      }
      case 'X': push(str(K::String, le(4))); break;     // BINUNICODE
      case 0x8c: push(str(K::String, le(1))); break;    // SHORT_BINUNICODE
      case 0x8d: push(str(K::String, le(8))); break;    // BINUNICODE8
      case 'T': push(str(K::String, le(4))); break;     // BINSTRING (py2 str)
      case 'U': push(str(K::String, le(1))); break;     // SHORT_BINSTRING
      case 'B': push(str(K::Bytes, le(4))); break;      // BINBYTES
      case 'C': push(str(K::Bytes, le(1))); break;      // SHORT_BINBYTES
      case 0x8e: push(str(K::Bytes, le(8))); break;     // BINBYTES8
      case ')': push(tuple({})); break;                 // EMPTY_TUPLE
      case 't': push(tuple(pop_mark())); break;         // TUPLE
      case 0x85: { auto a = pop(); push(tuple({a})); break; }
      case 0x86: { auto b = pop(), a = pop(); push(tuple({a, b})); break; }
      case 0x87: { auto c = pop(), b = pop(), a = pop(); push(tuple({a, b, c})); break; }
      case ']': push(make(K::List)); break;                // EMPTY_LIST
      case 'l': push(sequence(K::List, pop_mark())); break;  // LIST
      case 'a': { auto v = pop(); append(*top(), {v}); break; }  // APPEND
      case 'e': { auto items = pop_mark(); append(*top(), items); break; }         // APPENDS
      case '}': push(make(K::Dict)); break;                // EMPTY_DICT
      case 'd': {                                          // DICT
        auto kv = pop_mark();
        auto v = make(K::Dict);
        set_items(*v, kv);
        push(v);
        break;
      }
      case 's': {                                          // SETITEM
        auto val = pop(), key = pop();
        set_items(*top(), {key, val});
        break;
      }
      case 'u': { auto kv = pop_mark(); set_items(*top(), kv); break; }  // SETITEMS
      case 'c': {                                          // GLOBAL "module\nname\n"
        std::string module = line();
        std::string name = line();
        push(global(module, name));
        break;
      }
      case 0x93: {                                         // STACK_GLOBAL
        auto name = pop(), module = pop();
        if (module->kind != K::String || name->kind != K::String) fail("STACK_GLOBAL needs two strings");
        push(global(module->s, name->s));
        break;
      }
      case 'R': { auto args = pop(), fn = pop(); push(call(fn, args)); break; }     // REDUCE
      case 0x81: { auto args = pop(), cls = pop(); push(call(cls, args)); break; }  // NEWOBJ
      case 'b': pop(); top(); break;  // BUILD: state (e.g. a state dict's _metadata) is not needed
      case 'Q': {                                          // BINPERSID
        auto pid = pop();
        if (!hooks_.persistent_load) fail("persistent id without a loader");
        push(hooks_.persistent_load(*pid));
        break;
      }
      case 'P': {                                          // PERSID (text)
        auto pid = make(K::String);
        pid->s = line();
        if (!hooks_.persistent_load) fail("persistent id without a loader");
        push(hooks_.persistent_load(*pid));
        break;
      }
      case 'q': memo_put(le(1)); break;                    // BINPUT
      case 'r': memo_put(le(4)); break;                    // LONG_BINPUT
      case 0x94: memo_put(memo_.size()); break;            // MEMOIZE
      case 'h': push(memo_get(le(1))); break;              // BINGET
      case 'j': push(memo_get(le(4))); break;              // LONG_BINGET
      default: {
        char hex[8];
        std::snprintf(hex, sizeof hex, "0x%02x", op);
        fail(std::string("unsupported pickle opcode ") + hex +
             " (not used by torch.save for tensors; the file is corrupt or not a weights file)");
      }
    }
  }
}

}  // namespace

PickleValue* unpickle(std::span<const unsigned char> bytes, const PickleHooks& hooks, const std::string& origin,
                      PickleArena& arena, size_t* consumed) {
  return Machine(bytes, hooks, origin, arena).run(consumed);
}

}  // namespace hf
