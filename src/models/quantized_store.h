#pragma once
// A model's weights as --quantize makes them, kept in a file (LoadOptions::quantized_cache), so
// that the next load maps them as a bf16 load maps the safetensors instead of quantizing ~1 GB
// again (int4 at the 0.5B shape: ~0.5 s of quantizing against ~0.05 s of mapping).
//
// An entry is a safetensors file (the project's hardened reader reads it back) whose tensors are
// the quantized matrices' bytes as U8, each at a 64-byte aligned offset (gaps between tensors,
// which this reader allows; nothing but hfcpp reads these files). Its name is the SHA-256 of a
// key text that changes whenever the bytes would: the entry format's version, a fingerprint of
// the quantized layout (a small fixed matrix quantized by this build: kernels/quant_format.h), the
// requested type, and each weight file's canonical path, size, modification time and inode (Hub
// snapshots resolve to content-addressed blobs). The quantized bytes are the same on every SIMD
// target (the SIMD quantizers are tested bit-identical to the scalar twin), so the target is not
// part of the key. Everything read back is checked against what the model asks for (dtype and
// shape of the source, byte size, alignment); an entry that does not fit is a miss with a warning
// and is written again. A new entry is written to a temporary file and renamed into place, so no
// reader ever sees half of one; failing to write it is a warning, never a failed load. Writing one
// also removes the folder's entries whose weight files changed or are gone (no load can ask for
// their keys again).
#include <filesystem>
#include <memory>

#include "hf/tensor.h"
#include "io/weight_source.h"

namespace hf {

class QuantizedStore : public WeightSource {
 public:
  // `quantized` hands out the model's quantized matrices (quantized_weights()) over `source`;
  // `folder` holds the entries (created when an entry is written); `type` is the requested one.
  QuantizedStore(std::shared_ptr<const WeightSource> source, std::shared_ptr<const WeightSource> quantized,
                 const std::filesystem::path& model_dir, DType type, std::filesystem::path folder);

  bool has(const std::string& name) const override { return quantized_->has(name); }
  std::vector<std::string> names() const override { return quantized_->names(); }
  std::string describe() const override { return quantized_->describe(); }
  void release_pages() const override { quantized_->release_pages(); }
  // A matrix that `quantized` would quantize comes from the entry when the entry holds it as
  // expected, else from `quantized` (and the entry will be written again). Not thread-safe: a
  // model's load asks for its tensors one after the other (DecoderLM's constructor).
  Tensor get(const std::string& name) const override;

  // After the model is built: writes the entry when any matrix did not come from it.
  void save() const;
  // The entry's file (whether or not it exists yet).
  const std::filesystem::path& path() const { return path_; }
  // Matrices served from the entry / quantized here, so far.
  int hits() const { return hits_; }
  int misses() const { return misses_; }

 private:
  std::shared_ptr<const WeightSource> source_, quantized_;
  DType type_;
  std::filesystem::path path_;
  std::string key_;
  mutable std::shared_ptr<const WeightSource> entry_;  // null when absent or unusable
  mutable std::vector<std::pair<std::string, Tensor>> served_;  // every quantized matrix handed out, in order
  mutable int hits_ = 0, misses_ = 0;
};

// Where the `hfcpp` command keeps entries: ${HFCPP_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/hfcpp}/quantized;
// empty (nothing kept) when HFCPP_QUANTIZED_CACHE=0 or none of those variables is set.
std::filesystem::path default_quantized_cache();

// The key text of a model folder's weights quantized to `type` (its SHA-256 names the entry).
std::string quantized_store_key(const std::filesystem::path& model_dir, DType type);

// Removes the entries in `folder` whose weight files changed or are gone (one info line each),
// as writing an entry does; `hfcpp cache rm` calls it after deleting a model. Never throws.
void remove_stale_quantized_entries(const std::filesystem::path& folder, const std::filesystem::path& keep = {});

// The entries in `folder` and the bytes they take (`hfcpp cache ls`); zeros for a missing folder.
struct QuantizedCacheUsage {
  size_t entries = 0;
  uint64_t bytes = 0;
};
QuantizedCacheUsage quantized_cache_usage(const std::filesystem::path& folder);

}  // namespace hf
