#include "io/torch_bin.h"

#include <algorithm>
#include <cstring>
#include <unordered_map>

#include "core/checked_math.h"
#include "core/json.h"
#include "hf/error.h"
#include "io/mapped_pages.h"
#include "io/pickle_vm.h"
#include "io/zip_reader.h"

namespace hf {
namespace {

using K = PickleValue::Kind;

// A storage named by a persistent id: ('storage', torch.XStorage, key, location, numel[, view]).
struct StorageRef {
  std::string key;
  DType dtype;
  // Legacy storage views (view_key, offset, size): elements [view_offset, view_offset + view_size)
  // of the root storage `key`; view_size < 0 when the storage is not a view.
  int64_t view_offset = 0, view_size = -1;
};

// A tensor as _rebuild_tensor_v2 describes it.
struct TensorRef {
  std::shared_ptr<StorageRef> storage;
  int64_t offset = 0;
  std::vector<int64_t> shape, stride;
};

bool storage_dtype(const std::string& name, DType* out) {
  static const std::unordered_map<std::string, DType> kTypes = {
      {"FloatStorage", DType::F32}, {"DoubleStorage", DType::F64}, {"HalfStorage", DType::F16},
      {"BFloat16Storage", DType::BF16}, {"LongStorage", DType::I64}, {"IntStorage", DType::I32},
      {"ShortStorage", DType::I16}, {"CharStorage", DType::I8}, {"ByteStorage", DType::U8},
      {"BoolStorage", DType::BOOL}};
  auto it = kTypes.find(name);
  if (it == kTypes.end()) return false;
  if (out) *out = it->second;
  return true;
}

bool allowed_global(const std::string& module, const std::string& name) {
  if (module == "collections" && name == "OrderedDict") return true;
  if (module == "torch._utils")
    return name == "_rebuild_tensor_v2" || name == "_rebuild_tensor" || name == "_rebuild_parameter" ||
           name == "_rebuild_parameter_with_state";
  if (module == "torch") return name == "Size" || storage_dtype(name, nullptr);
  return false;
}

class StateDictReader {
 public:
  explicit StateDictReader(std::string origin) : origin_(std::move(origin)) {
    hooks_.allow_global = [this](const std::string& m, const std::string& n) {
      if (!allowed_global(m, n))
        throw FileError(origin_ + ": refusing pickle global '" + m + "." + n +
                        "': a weights file needs only tensors, so nothing else is loaded or executed "
                        "(use model.safetensors, or re-save the weights with torch.save(state_dict))");
      return true;
    };
    hooks_.reduce = [this](const PickleValue& fn, const PickleValue& args) { return reduce(fn, args); };
    hooks_.persistent_load = [this](const PickleValue& pid) { return persistent_load(pid); };
  }

  const PickleHooks& hooks() const { return hooks_; }
  const std::string& origin() const { return origin_; }
  // Storage dtypes by key, as referenced by the pickle (the legacy format needs them to step
  // through its storage section).
  const std::unordered_map<std::string, DType>& storage_types() const { return storage_types_; }

  [[noreturn]] void fail(const std::string& what) const { throw FileError(origin_ + ": " + what); }

  // Sizes, offsets and strides: an int >= 0 (a BigInt is always out of range).
  int64_t as_index(const PickleValue& v, const char* what) const {
    if (v.kind != K::Int) fail(std::string(what) + " is a " + pickle_kind_name(v.kind) + ", expected an int");
    if (v.i < 0) fail(std::string(what) + " is negative (" + std::to_string(v.i) + ")");
    return v.i;
  }
  std::vector<int64_t> as_indices(const PickleValue& v, const char* what) const {
    if (v.kind != K::Tuple && v.kind != K::List) fail(std::string(what) + " is not a tuple");
    std::vector<int64_t> out;
    for (const PickleValue* x : v.items) out.push_back(as_index(*x, what));
    return out;
  }
  PickleArena& arena() { return arena_; }

 private:
  PickleValue* persistent_load(const PickleValue& pid) {
    if (pid.kind != K::Tuple || pid.items.size() < 5 || pid.items[0]->kind != K::String ||
        pid.items[0]->s != "storage")
      fail("unsupported persistent id (expected ('storage', type, key, location, size))");
    const PickleValue& type = *pid.items[1];
    const PickleValue& key = *pid.items[2];
    DType dtype;
    if (type.kind != K::Global || type.s.rfind("torch.", 0) != 0 || !storage_dtype(type.s.substr(6), &dtype))
      fail("persistent id names no torch storage type");
    if (key.kind != K::String) fail("storage key is not a string");
    auto st = std::make_shared<StorageRef>(StorageRef{key.s, dtype});
    if (pid.items.size() > 5 && pid.items[5]->kind == K::Tuple) {  // legacy view of a root storage
      const auto& view = pid.items[5]->items;
      if (view.size() != 3) fail("bad storage view metadata");
      st->view_offset = as_index(*view[1], "storage view offset");
      st->view_size = as_index(*view[2], "storage view size");
    }
    auto known = storage_types_.emplace(key.s, dtype);
    if (known.first->second != dtype) fail("storage '" + key.s + "' is used with two different dtypes");
    auto v = arena_.make(K::Object);
    v->object = st;
    v->object_type = "storage";
    return v;
  }

  PickleValue* reduce(const PickleValue& fn, const PickleValue& args) {
    const auto& a = args.items;
    if (fn.s == "collections.OrderedDict") {
      if (!a.empty()) fail("OrderedDict with constructor arguments is not supported");
      return arena_.make(K::Dict);
    }
    if (fn.s == "torch.Size") {
      if (a.size() != 1) fail("torch.Size expects one tuple");
      auto v = arena_.make(K::Tuple);
      v->items = a[0]->items;
      return v;
    }
    if (fn.s == "torch._utils._rebuild_parameter" || fn.s == "torch._utils._rebuild_parameter_with_state") {
      if (a.empty() || a[0]->kind != K::Object || a[0]->object_type != "tensor")
        fail(fn.s + " without a tensor");
      return a[0];  // a Parameter is its data; requires_grad and hooks do not matter here
    }
    if (fn.s == "torch._utils._rebuild_tensor_v2" || fn.s == "torch._utils._rebuild_tensor") {
      // (storage, storage_offset, size, stride[, requires_grad, backward_hooks[, metadata]])
      if (a.size() < 4) fail(fn.s + " with " + std::to_string(a.size()) + " arguments");
      if (a[0]->kind != K::Object || a[0]->object_type != "storage") fail(fn.s + " without a storage");
      auto t = std::make_shared<TensorRef>();
      t->storage = std::static_pointer_cast<StorageRef>(a[0]->object);
      t->offset = as_index(*a[1], "storage_offset");
      t->shape = as_indices(*a[2], "tensor size");
      t->stride = as_indices(*a[3], "tensor stride");
      if (t->shape.size() != t->stride.size()) fail("tensor size and stride differ in length");
      auto v = arena_.make(K::Object);
      v->object = t;
      v->object_type = "tensor";
      return v;
    }
    fail("cannot call '" + fn.s + "' here");
  }

  std::string origin_;
  PickleHooks hooks_;
  PickleArena arena_;
  std::unordered_map<std::string, DType> storage_types_;
};

std::string dims(const std::vector<int64_t>& v) {
  std::string out = "(";
  for (size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + std::to_string(v[i]);
  return out + (v.size() == 1 ? ",)" : ")");
}

// Builds the hf::Tensor of `t` from its storage bytes, proving first (in checked arithmetic) that
// every element it reads lies inside the storage, or inside the legacy view of it.
Tensor materialize(const std::string& origin, const std::string& name, const TensorRef& t,
                   std::span<const unsigned char> storage, const std::shared_ptr<const MappedFile>& file) {
  const std::string at = origin + ": tensor '" + name + "'";
  const DType dt = t.storage->dtype;
  const int64_t es = static_cast<int64_t>(dtype_size(dt));
  int64_t storage_numel = static_cast<int64_t>(storage.size()) / es;
  if (const StorageRef& st = *t.storage; st.view_size >= 0) {
    auto end = checked_add(st.view_offset, st.view_size);
    if (!end || *end > storage_numel)
      throw FileError(at + ": storage view [" + std::to_string(st.view_offset) + ", +" + std::to_string(st.view_size) +
                      ") lies outside its storage of " + std::to_string(storage_numel) + " elements (the file is corrupt)");
    storage = storage.subspan(st.view_offset * es, st.view_size * es);
    storage_numel = st.view_size;
  }
  auto numel = checked_numel(t.shape);
  if (!numel) throw FileError(at + ": size " + dims(t.shape) + " has more than 2^63 elements (the file is corrupt)");
  if (*numel == 0) return Tensor::zeros(dt, t.shape);
  // The last element read: offset + sum of (size - 1) * stride, every term non-negative.
  std::optional<int64_t> last = t.offset;
  for (size_t d = 0; d < t.shape.size() && last; ++d)
    if (auto step = checked_mul(t.shape[d] - 1, t.stride[d])) last = checked_add(*last, *step);
    else last.reset();
  if (!last || *last >= storage_numel)
    throw FileError(at + ": size " + dims(t.shape) + ", stride " + dims(t.stride) + " from offset " +
                    std::to_string(t.offset) + " reads " +
                    (last ? "element " + std::to_string(*last) : std::string("past element 2^63")) +
                    " of a storage of " + std::to_string(storage_numel) + " (the file is corrupt)");
  bool contiguous = true;
  int64_t expect = 1;  // row-major stride of dimension d (cannot wrap: the size's product fits)
  for (size_t d = t.shape.size(); d-- > 0; expect *= t.shape[d])
    if (t.shape[d] > 1 && t.stride[d] != expect) contiguous = false;
  const unsigned char* base = storage.data() + t.offset * es;
  if (contiguous && reinterpret_cast<uintptr_t>(base) % es == 0) return Tensor(dt, t.shape, base, file);
  // Strided (or misaligned) view: gather into a contiguous row-major copy. A stride of 0 repeats
  // elements, so the copy is bounded by the size of the file, which a genuine view never exceeds.
  if (*numel > static_cast<int64_t>(file->size()) / es)
    throw FileError(at + ": size " + dims(t.shape) + " expands a storage of " + std::to_string(storage_numel) +
                    " elements beyond the size of the file (the file is corrupt)");
  Tensor out = Tensor::zeros(dt, t.shape);
  auto* dst = static_cast<unsigned char*>(out.mutable_data());
  std::vector<int64_t> index(t.shape.size(), 0);
  for (int64_t i = 0; i < *numel; ++i) {
    int64_t off = 0;
    for (size_t d = 0; d < index.size(); ++d) off += index[d] * t.stride[d];
    std::memcpy(dst + i * es, base + off * es, es);
    for (size_t d = index.size(); d-- > 0;) {
      if (++index[d] < t.shape[d]) break;
      index[d] = 0;
    }
  }
  return out;
}

// The state dict: a dict of name → tensor (non-tensor entries, e.g. metadata, are skipped).
const PickleValue& state_dict_of(const StateDictReader& r, const PickleValue* root) {
  if (root->kind != K::Dict) r.fail(std::string("the pickle holds a ") + pickle_kind_name(root->kind) +
                                    ", not a state dict");
  return *root;
}

}  // namespace

std::unique_ptr<TorchBinFile> TorchBinFile::open(const std::filesystem::path& path) {
  auto self = std::unique_ptr<TorchBinFile>(new TorchBinFile());
  self->file_ = MappedFile::open(path);
  const std::string origin = path.string();
  std::span<const unsigned char> bytes(self->file_->data(), self->file_->size());
  StateDictReader reader(origin);
  PickleValue* root = nullptr;
  std::unordered_map<std::string, std::span<const unsigned char>> storages;

  if (ZipReader::looks_like_zip(bytes)) {
    ZipReader zip(bytes, origin);
    const ZipReader::Entry* pkl = nullptr;
    for (const auto& e : zip.entries())
      if (e.name == "data.pkl" || (e.name.size() > 9 && e.name.ends_with("/data.pkl"))) { pkl = &e; break; }
    if (!pkl) throw FileError(origin + ": zip archive without data.pkl: not a torch.save checkpoint");
    const std::string prefix = pkl->name.substr(0, pkl->name.size() - 8);
    if (const auto* bo = zip.find(prefix + "byteorder")) {
      auto d = zip.data(*bo);
      if (std::string(reinterpret_cast<const char*>(d.data()), d.size()) != "little")
        throw FileError(origin + ": big-endian checkpoint; only little-endian files are supported");
    }
    root = unpickle(zip.data(*pkl), reader.hooks(), origin + " (" + pkl->name + ")", reader.arena());
    for (const auto& [key, dtype] : reader.storage_types()) {
      const auto* e = zip.find(prefix + "data/" + key);
      if (!e) throw FileError(origin + ": storage '" + key + "' is missing from the archive (the file is corrupt)");
      storages[key] = zip.data(*e);
    }
  } else if (bytes.size() >= 2 && bytes[0] == 0x80) {
    // Legacy: magic number, protocol version, sys info, the objects, the storage keys, the data.
    size_t pos = 0, used = 0;
    auto next = [&](const char* what) {
      PickleValue* v = unpickle(bytes.subspan(pos), reader.hooks(), origin + " (" + what + ")", reader.arena(), &used);
      pos += used;
      return v;
    };
    PickleValue* magic = next("magic number");
    static const std::string kMagic("\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19", 10);
    if (magic->kind != K::BigInt || magic->s != kMagic)
      throw FileError(origin + ": not a PyTorch checkpoint (bad magic number)");
    PickleValue* protocol = next("protocol version");
    if (protocol->kind != K::Int || protocol->i != 1001)
      throw FileError(origin + ": unsupported legacy checkpoint protocol version");
    PickleValue* sys_info = next("system info");
    if (sys_info->kind == K::Dict)
      for (const auto& [k, v] : sys_info->dict)
        if (k->kind == K::String && k->s == "little_endian" && v->kind == K::Bool && !v->i)
          throw FileError(origin + ": big-endian checkpoint; only little-endian files are supported");
    root = next("state dict");
    PickleValue* keys = next("storage keys");
    if (keys->kind != K::List) throw FileError(origin + ": legacy checkpoint without its storage key list");
    for (const auto& k : keys->items) {
      if (k->kind != K::String) throw FileError(origin + ": storage key is not a string");
      auto type = reader.storage_types().find(k->s);
      if (type == reader.storage_types().end())
        throw FileError(origin + ": storage '" + k->s + "' is listed but never used");
      if (bytes.size() - pos < 8) throw FileError(origin + ": truncated in the storage section");
      int64_t numel;
      std::memcpy(&numel, bytes.data() + pos, 8);
      pos += 8;
      const size_t es = dtype_size(type->second);
      if (numel < 0 || static_cast<uint64_t>(numel) > (bytes.size() - pos) / es)
        throw FileError(origin + ": storage '" + k->s + "' is truncated (the file is incomplete)");
      storages[k->s] = bytes.subspan(pos, numel * es);
      pos += numel * es;
    }
  } else {
    throw FileError(origin + ": neither a zip nor a legacy PyTorch checkpoint (an old tar-format file?); "
                             "only torch.save files are supported");
  }

  for (const auto& [k, v] : state_dict_of(reader, root).dict) {
    if (k->kind != K::String || v->kind != K::Object || v->object_type != "tensor") continue;
    const auto& t = *std::static_pointer_cast<TensorRef>(v->object);
    auto st = storages.find(t.storage->key);
    if (st == storages.end())
      throw FileError(origin + ": tensor '" + k->s + "' uses storage '" + t.storage->key + "' which has no data");
    if (!self->tensors_.count(k->s)) self->order_.push_back(k->s);
    self->tensors_[k->s] = materialize(origin, k->s, t, st->second, self->file_);
  }
  return self;
}

bool TorchBinFile::has(const std::string& name) const { return tensors_.count(name) > 0; }

Tensor TorchBinFile::get(const std::string& name) const {
  auto it = tensors_.find(name);
  if (it == tensors_.end()) throw ModelError(describe() + ": no tensor '" + name + "'");
  return it->second;
}

std::vector<std::string> TorchBinFile::names() const { return order_; }
std::string TorchBinFile::describe() const { return file_->path().string(); }

void TorchBinFile::release_pages() const { release_mapped_pages(*file_); }

bool TorchBinModel::present(const std::filesystem::path& dir) {
  return ShardedWeights::present(dir, "pytorch_model.bin");
}

std::unique_ptr<ShardedWeights> TorchBinModel::open(const std::filesystem::path& dir) {
  return ShardedWeights::open(dir, "pytorch_model.bin", [](const auto& path) { return TorchBinFile::open(path); });
}

}  // namespace hf
