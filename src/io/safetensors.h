#pragma once
// safetensors (https://huggingface.co/docs/safetensors): an 8-byte little-endian header length N,
// N bytes of JSON {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {...}},
// then the data section. The file is memory-mapped and tensors are views into it, except tensors
// not aligned to their element size (the format allows any header length), which get() copies.
// Every header field is validated before any tensor is handed out (a corrupt or hostile file must
// produce a clear hf::FileError naming the file and tensor, never a crash or an out-of-range read).
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/mapped_file.h"
#include "io/sharded_weights.h"
#include "io/weight_source.h"

namespace hf {

// One .safetensors file.
class SafetensorsFile : public WeightSource {
 public:
  static std::unique_ptr<SafetensorsFile> open(const std::filesystem::path& path);

  bool has(const std::string& name) const override;
  Tensor get(const std::string& name) const override;
  std::vector<std::string> names() const override;
  std::string describe() const override;
  void release_pages() const override;
  // "__metadata__" string pairs (e.g. {"format": "pt"}).
  const std::map<std::string, std::string>& metadata() const { return metadata_; }

 private:
  struct Entry {
    DType dtype;
    std::vector<int64_t> shape;
    size_t begin, end;  // absolute byte offsets in the file
  };
  std::shared_ptr<const MappedFile> file_;
  std::vector<std::string> order_;
  std::map<std::string, Entry> entries_;
  std::map<std::string, std::string> metadata_;
};

// A model folder's safetensors weights: `model.safetensors`, or the shards of
// `model.safetensors.index.json` (see io/sharded_weights.h).
struct SafetensorsModel {
  static std::unique_ptr<ShardedWeights> open(const std::filesystem::path& dir);
  static bool present(const std::filesystem::path& dir);
};

}  // namespace hf
