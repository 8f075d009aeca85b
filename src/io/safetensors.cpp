#include "io/safetensors.h"

#include <algorithm>
#include <cstring>
#include <set>

#include "core/checked_math.h"
#include "core/json.h"
#include "core/log.h"
#include "hf/error.h"
#include "io/mapped_pages.h"

namespace hf {

namespace {

// safetensors dtype names we can hold in an hf::Tensor.
bool parse_dtype(const std::string& s, DType& out) {
  static const std::map<std::string, DType> known = {
      {"F32", DType::F32}, {"F16", DType::F16}, {"BF16", DType::BF16}, {"F64", DType::F64},
      {"I64", DType::I64}, {"I32", DType::I32}, {"I16", DType::I16},   {"I8", DType::I8},
      {"U8", DType::U8},   {"BOOL", DType::BOOL}};
  auto it = known.find(s);
  if (it == known.end()) return false;
  out = it->second;
  return true;
}

// Parses the header JSON, rejecting duplicate top-level keys (nlohmann would keep the last one
// silently, and two tensors of one name is a corrupt file, not a choice to make quietly).
json parse_header(const std::string& text, const std::string& where) {
  std::set<std::string> seen;
  std::string duplicate;
  auto callback = [&](int depth, json::parse_event_t event, json& parsed) {
    if (depth == 1 && event == json::parse_event_t::key && parsed.is_string()) {
      if (!seen.insert(parsed.get<std::string>()).second && duplicate.empty()) duplicate = parsed.get<std::string>();
    }
    return true;
  };
  json header;
  try {
    check_json_depth(text);
    header = json::parse(text, callback);
  } catch (const json::parse_error& e) {
    throw FileError(where + ": malformed JSON header at byte " + std::to_string(e.byte) +
                    " (the file is corrupt or not safetensors): " + e.what());
  } catch (const json::out_of_range& e) {   // a number past a double's range (found by fuzz_safetensors)
    throw FileError(where + ": malformed JSON header (the file is corrupt or not safetensors): " + e.what());
  }
  if (!duplicate.empty()) throw FileError(where + ": tensor '" + duplicate + "' appears twice in the header");
  if (!header.is_object()) throw FileError(where + ": the header is not a JSON object");
  return header;
}

bool non_negative_int(const json& v) { return v.is_number_unsigned() || (v.is_number_integer() && v.get<int64_t>() >= 0); }

}  // namespace

std::unique_ptr<SafetensorsFile> SafetensorsFile::open(const std::filesystem::path& path) {
  auto st = std::unique_ptr<SafetensorsFile>(new SafetensorsFile());
  st->file_ = MappedFile::open(path);
  const std::string where = path.string();
  const size_t size = st->file_->size();
  if (size < 8) throw FileError(where + ": truncated (" + std::to_string(size) + " bytes, not even a header length)");
  uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = (n << 8) | st->file_->data()[i];  // little-endian u64
  if (n > size - 8)
    throw FileError(where + ": header length " + std::to_string(n) + " runs past the end of the file (" +
                    std::to_string(size) + " bytes; truncated download?)");
  const std::string text(reinterpret_cast<const char*>(st->file_->data() + 8), n);
  json header = parse_header(text, where);
  const size_t data_start = 8 + n, data_size = size - data_start;

  std::vector<std::pair<size_t, std::string>> spans;  // (begin, name) for the overlap check
  for (auto& [name, v] : header.items()) {
    const std::string at = where + ": tensor '" + name + "'";
    if (name == "__metadata__") {
      if (!v.is_object()) throw FileError(where + ": __metadata__ is not an object");
      for (auto& [k, val] : v.items())
        if (val.is_string()) st->metadata_[k] = val.get<std::string>();
      continue;
    }
    if (!v.is_object()) throw FileError(at + ": entry is not an object");
    if (!v.contains("dtype") || !v["dtype"].is_string()) throw FileError(at + ": missing dtype");
    Entry e;
    const std::string dt = v["dtype"].get<std::string>();
    if (!parse_dtype(dt, e.dtype))
      throw FileError(at + ": unknown or unsupported dtype '" + dt +
                      "' (supported: F32 F16 BF16 F64 I64 I32 I16 I8 U8 BOOL)");
    if (!v.contains("shape") || !v["shape"].is_array()) throw FileError(at + ": missing shape");
    for (auto& d : v["shape"]) {
      if (!non_negative_int(d)) throw FileError(at + ": shape " + v["shape"].dump() + " has a non-integer or negative dimension");
      if (d.get<uint64_t>() > uint64_t(INT64_MAX)) throw FileError(at + ": shape " + v["shape"].dump() + " has a dimension of 2^63 or more");
      e.shape.push_back(d.get<int64_t>());
    }
    const auto numel = checked_numel(e.shape);
    const auto nbytes = numel ? checked_mul<int64_t>(*numel, dtype_size(e.dtype)) : std::nullopt;
    if (!nbytes) throw FileError(at + ": shape " + v["shape"].dump() + " of " + dt + " is more than 2^63 bytes");
    const json& off = v.contains("data_offsets") ? v["data_offsets"] : json();
    if (!off.is_array() || off.size() != 2 || !non_negative_int(off[0]) || !non_negative_int(off[1]))
      throw FileError(at + ": data_offsets must be [begin, end] with non-negative integers");
    uint64_t b = off[0].get<uint64_t>(), en = off[1].get<uint64_t>();
    if (b > en || en > data_size)
      throw FileError(at + ": data_offsets [" + std::to_string(b) + ", " + std::to_string(en) +
                      "] lie outside the data section (" + std::to_string(data_size) + " bytes; truncated file?)");
    if (en - b != static_cast<uint64_t>(*nbytes))
      throw FileError(at + ": " + std::to_string(en - b) + " bytes of data but dtype " + dt + " × shape " +
                      v["shape"].dump() + " needs " + std::to_string(*nbytes));
    e.begin = data_start + b;
    e.end = data_start + en;
    if (en > b) spans.emplace_back(e.begin, name);
    st->order_.push_back(name);
    st->entries_.emplace(name, std::move(e));
  }
  std::sort(spans.begin(), spans.end());
  for (size_t i = 1; i < spans.size(); ++i) {
    const Entry& prev = st->entries_.at(spans[i - 1].second);
    if (spans[i].first < prev.end)
      throw FileError(where + ": tensor '" + spans[i].second + "' overlaps tensor '" + spans[i - 1].second + "'");
  }
  return st;
}

bool SafetensorsFile::has(const std::string& name) const { return entries_.count(name) > 0; }

Tensor SafetensorsFile::get(const std::string& name) const {
  auto it = entries_.find(name);
  if (it == entries_.end()) throw ModelError(describe() + ": no tensor '" + name + "'");
  const Entry& e = it->second;
  const unsigned char* data = file_->data() + e.begin;
  if (reinterpret_cast<uintptr_t>(data) % dtype_size(e.dtype) != 0) {
    // The format does not require aligned data: a header of odd length is valid, and Hub files
    // have them (DeepSeek-R1-Distill-Qwen-1.5B's data starts at an odd offset). Loading a
    // misaligned float is undefined behaviour, so such a tensor is copied into an aligned buffer.
    warn(describe() + ": tensors are not aligned to their element size; they are copied into memory instead of "
                      "mapped (re-saving the file with safetensors' padded header avoids the copy)");
    Tensor t = Tensor::zeros(e.dtype, e.shape);
    std::memcpy(t.mutable_data(), data, e.end - e.begin);
    return t;
  }
  // The tensor keeps the mapping alive (aliasing constructor: owner = file_, pointer = the data).
  std::shared_ptr<const void> keep(file_, file_->data() + e.begin);
  return Tensor(e.dtype, e.shape, file_->data() + e.begin, std::move(keep));
}

std::vector<std::string> SafetensorsFile::names() const { return order_; }
std::string SafetensorsFile::describe() const { return file_->path().string(); }

void SafetensorsFile::release_pages() const { release_mapped_pages(*file_); }

bool SafetensorsModel::present(const std::filesystem::path& dir) {
  return ShardedWeights::present(dir, "model.safetensors");
}

std::unique_ptr<ShardedWeights> SafetensorsModel::open(const std::filesystem::path& dir) {
  return ShardedWeights::open(dir, "model.safetensors", [](const auto& path) { return SafetensorsFile::open(path); });
}

}  // namespace hf
