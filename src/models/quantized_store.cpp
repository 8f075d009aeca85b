#include "models/quantized_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <algorithm>
#include <optional>
#include <random>
#include <sstream>

#include "core/env.h"
#include "core/log.h"
#include "core/sha256.h"
#include "hf/error.h"
#include "hf/json.h"
#include "io/safetensors.h"
#include "kernels/kernels.h"
#include "models/quantize.h"

namespace hf {

namespace fs = std::filesystem;

namespace {

constexpr size_t kAlign = 64;  // each tensor's data, so that kernels read aligned panels
const char* const kFormat = "hfcpp-quantized";
// The entry file's own structure (the header's fields, the alignment): bump it with a change here.
// The quantized bytes' layout (kernels/quant_format.h) is keyed by layout_fingerprint() instead.
constexpr int kEntryVersion = 1;

size_t aligned(size_t n) { return (n + kAlign - 1) / kAlign * kAlign; }

bool is_weight_file(const fs::path& p) {
  const std::string name = p.filename().string();
  return name.ends_with(".safetensors") || name.ends_with(".bin");
}

// The SHA-256 of a fixed 17 x 128 matrix quantized to `type` now (a panel, a row left over, two
// chunks a row, every block a different scale): any change to the panel order, the scales' place
// or the rounding (kernels/quant_format.h, the quantizers) changes it, so entries written by an
// older layout can never be read as this one's. A version number would have to be bumped by
// hand by whoever edits the kernels. Computed once a process (a few microseconds).
std::string compute_layout_fingerprint(DType type) {
  Tensor w = Tensor::zeros(DType::BF16, {17, 128});
  uint16_t* v = w.mutable_data_as<uint16_t>();
  for (int64_t i = 0; i < w.numel(); ++i) v[i] = f32_to_bf16(float((i * 7919) % 255 - 127) / float(1 + i / 32));
  const Tensor q = kernels::quantize(w, type);
  return sha256_hex(std::string(static_cast<const char*>(q.data()), q.nbytes())).substr(0, 16);
}

const std::string& layout_fingerprint(DType type) {
  static const std::string q8 = compute_layout_fingerprint(DType::Q8_0), q4 = compute_layout_fingerprint(DType::Q4_0);
  return type == DType::Q4_0 ? q4 : q8;
}

// The key an entry was written for, or nothing when the file is not one of ours.
std::optional<std::string> entry_key(const SafetensorsFile& f) {
  const auto& meta = f.metadata();
  auto format = meta.find("format"), key = meta.find("key");
  if (format == meta.end() || format->second != kFormat || key == meta.end()) return std::nullopt;
  return key->second;
}

// The entry at `path` when it is one of ours for `key`, else null (a warning when a file is there
// but unusable: it will be written again).
std::shared_ptr<const WeightSource> open_entry(const fs::path& path, const std::string& key) {
  std::error_code ec;
  if (!fs::exists(path, ec)) return nullptr;
  try {
    std::shared_ptr<const SafetensorsFile> f = SafetensorsFile::open(path);
    if (entry_key(*f) == key) return f;
    warn(path.string() + ": not an entry for these weights; quantizing again and writing it anew");
  } catch (const Error& e) {
    warn(std::string(e.what()) + "; quantizing again and writing the entry anew");
  }
  return nullptr;
}

// One weight file's line of a key: its canonical path, size, modification time and device:inode.
std::string file_identity(const fs::path& real) {
  struct stat st {};
  if (::stat(real.c_str(), &st) != 0) throw FileError(real.string() + ": " + std::strerror(errno));
  std::ostringstream line;
  line << real.string() << " " << st.st_size << " " << st.st_mtim.tv_sec << "." << st.st_mtim.tv_nsec << " "
       << st.st_dev << ":" << st.st_ino;
  return line.str();
}

// Whether every weight file an entry's key names (the lines after the first) is still there as it
// was when the entry was written; if not, no load can ask for that key again.
bool sources_unchanged(const std::string& key) {
  std::istringstream lines(key);
  std::string line;
  std::getline(lines, line);  // the layout line
  int files = 0;
  while (std::getline(lines, line)) {
    size_t at = line.size();  // the path may hold spaces, the three fields after it do not
    for (int field = 0; field < 3 && at != std::string::npos && at > 0; ++field) at = line.rfind(' ', at - 1);
    if (at == std::string::npos || at == 0) return true;  // not a line this code writes: keep the entry
    try {
      if (file_identity(line.substr(0, at)) != line) return false;
    } catch (const Error&) {
      return false;  // gone
    }
    ++files;
  }
  return files > 0;
}

}  // namespace

fs::path default_quantized_cache() {
  if (auto off = env_value("HFCPP_QUANTIZED_CACHE"); off && *off == "0") return {};
  if (auto c = env_value("HFCPP_CACHE")) return fs::path(*c) / "quantized";
  if (auto x = env_value("XDG_CACHE_HOME")) return fs::path(*x) / "hfcpp" / "quantized";
  if (auto h = env_value("HOME")) return fs::path(*h) / ".cache" / "hfcpp" / "quantized";
  return {};
}

std::string quantized_store_key(const fs::path& model_dir, DType type) {
  std::ostringstream key;
  // The quantized bytes are the same on every SIMD target (the SIMD quantizers are tested
  // bit-identical to the scalar twin), so the target is not part of the key.
  key << "hfcpp quantized weights, entry " << kEntryVersion << ", " << dtype_name(type) << " layout "
      << layout_fingerprint(type) << ", embedding and lm_head Q8_0 layout " << layout_fingerprint(DType::Q8_0) << "\n";
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(model_dir))
    if (is_weight_file(e.path())) files.push_back(e.path());
  std::sort(files.begin(), files.end());
  for (const fs::path& f : files)
    key << file_identity(fs::canonical(f)) << "\n";  // a Hub snapshot's link: its content-addressed blob
  return key.str();
}

QuantizedStore::QuantizedStore(std::shared_ptr<const WeightSource> source, std::shared_ptr<const WeightSource> quantized,
                               const fs::path& model_dir, DType type, fs::path folder)
    : source_(std::move(source)), quantized_(std::move(quantized)), type_(type) {
  try {
    key_ = quantized_store_key(model_dir, type);
  } catch (const std::exception& e) {  // a weight file that cannot be stat'ed: no entry, no failed load
    warn(std::string("quantized weights not kept: ") + e.what());
    return;
  }
  path_ = folder / (sha256_hex(key_).substr(0, 32) + ".safetensors");
  entry_ = open_entry(path_, key_);
}

Tensor QuantizedStore::get(const std::string& name) const {
  Tensor source = source_->get(name);  // a view of the file: its shape, no page read
  const DType type = quantized_type_of(name, source, type_);
  if (type == source.dtype()) return source;
  for (const auto& [n, t] : served_)  // a tied head asks for the embedding twice
    if (n == name) return t;
  if (entry_ && !entry_->has(name)) {
    warn(path_.string() + ": no tensor '" + name + "'; quantizing again and writing the entry anew");
    entry_.reset();
  }
  if (entry_) {
    const Tensor bytes = entry_->get(name);
    const int64_t need = Tensor(type, source.shape(), nullptr, nullptr).nbytes();
    if (bytes.dtype() == DType::U8 && bytes.ndim() == 1 && bytes.dim(0) == need &&
        reinterpret_cast<uintptr_t>(bytes.data()) % kAlign == 0) {
      auto keep = std::make_shared<const Tensor>(bytes);  // keeps the mapping alive
      Tensor t(type, source.shape(), bytes.data(), std::shared_ptr<const void>(keep, keep->data()));
      served_.emplace_back(name, t);
      ++hits_;
      return t;
    }
    const bool at = reinterpret_cast<uintptr_t>(bytes.data()) % kAlign == 0;
    warn(path_.string() + ": tensor '" + name + "' holds " + dtype_name(bytes.dtype()) + " " + bytes.shape_string() +
         (at ? "" : " not 64-byte aligned") + ", not the " + std::to_string(need) + " bytes of " + dtype_name(type) +
         " " + source.shape_string() + " this model needs; quantizing again and writing the entry anew");
    entry_.reset();
  }
  Tensor t = quantized_->get(name);
  served_.emplace_back(name, t);
  ++misses_;
  return t;
}

void QuantizedStore::save() const {
  if (misses_ == 0 || key_.empty()) return;
  const fs::path folder = path_.parent_path();
  // A name no other process or thread can hold (O_EXCL checks it), in the entry's folder so that
  // the rename is atomic: two loads at once each write their own file and the last rename wins,
  // both entries being whole and equal.
  const fs::path tmp = folder / (path_.filename().string() + ".tmp-" + std::to_string(::getpid()) + "-" +
                                 std::to_string(std::random_device{}()));
  int fd = -1;
  try {
    // Header: every matrix as U8 bytes at a 64-byte aligned offset of the data section, which
    // starts 64-byte aligned too (the header text is padded with spaces, as safetensors allows).
    json header = json::object();
    header["__metadata__"] = {{"format", kFormat}, {"key", key_}};
    size_t offset = 0;
    for (const auto& [name, t] : served_) {
      const size_t n = static_cast<size_t>(t.nbytes());
      header[name] = {{"dtype", "U8"}, {"shape", {n}}, {"data_offsets", {offset, offset + n}}};
      offset = aligned(offset + n);
    }
    std::string text = header.dump();
    text.append(aligned(8 + text.size()) - 8 - text.size(), ' ');
    fs::create_directories(folder);
    fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) throw FileError(tmp.string() + ": " + std::strerror(errno));
    auto put = [&](const void* data, size_t n) {
      for (auto p = static_cast<const char*>(data); n > 0;) {
        const ssize_t w = ::write(fd, p, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) throw FileError(tmp.string() + ": " + std::strerror(w < 0 ? errno : ENOSPC));
        p += w;
        n -= static_cast<size_t>(w);
      }
    };
    unsigned char le[8];
    for (int i = 0; i < 8; ++i) le[i] = static_cast<unsigned char>(uint64_t(text.size()) >> (8 * i));
    put(le, 8);
    put(text.data(), text.size());
    const char zeros[kAlign] = {};
    size_t written = 0;
    for (const auto& [name, t] : served_) {
      const size_t n = static_cast<size_t>(t.nbytes());
      put(t.data(), n);
      put(zeros, aligned(written + n) - written - n);
      written = aligned(written + n);
    }
    // No fsync: an entry cut short by a crash is a miss with a warning on the next load (the
    // reader checks every offset against the file's size), which costs less than syncing ~1 GB.
    if (::close(fd) != 0) {
      fd = -1;
      throw FileError(tmp.string() + ": " + std::strerror(errno));
    }
    fd = -1;
    fs::rename(tmp, path_);
    info("quantized weights kept in " + path_.string() + " (" + std::to_string(written >> 20) +
         " MiB): the next load maps them (HFCPP_QUANTIZED_CACHE=0 or --no-quantized-cache: not kept)");
    remove_stale_quantized_entries(folder, path_);
  } catch (const std::exception& e) {
    if (fd >= 0) ::close(fd);
    std::error_code ec;
    fs::remove(tmp, ec);
    warn("could not keep the quantized weights in " + folder.string() + " (" + e.what() +
         "); this load is not affected, the next one quantizes again");
  }
}

// So that the folder does not grow with every new revision of a model. Files that are not entries,
// or cannot be read, are left alone.
void remove_stale_quantized_entries(const fs::path& folder, const fs::path& keep) {
  std::error_code ec;
  if (!fs::is_directory(folder, ec)) return;
  try {
    for (const auto& e : fs::directory_iterator(folder)) {
      const fs::path p = e.path();
      if (p == keep || p.extension() != ".safetensors") continue;
      try {
        const std::optional<std::string> key = entry_key(*SafetensorsFile::open(p));
        if (!key || sources_unchanged(*key)) continue;
      } catch (const Error&) {
        continue;
      }
      if (fs::remove(p, ec)) info("removed " + p.string() + ": the weights it was quantized from have changed or are gone");
    }
  } catch (const std::exception& e) {  // a folder that cannot be listed: nothing removed
    warn("could not look for stale quantized weights in " + folder.string() + ": " + e.what());
  }
}

QuantizedCacheUsage quantized_cache_usage(const fs::path& folder) {
  QuantizedCacheUsage usage;
  std::error_code ec;
  for (fs::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->path().extension() != ".safetensors") continue;
    const uintmax_t size = it->file_size(ec);
    if (ec) continue;
    ++usage.entries;
    usage.bytes += size;
  }
  return usage;
}

}  // namespace hf
