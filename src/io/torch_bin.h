#pragma once
// pytorch_model.bin, read safely. torch.save writes a pickle whose objects rebuild tensors from
// raw storages; unpickling it the Python way can run arbitrary code. This reader interprets the
// pickle with a restricted machine (io/pickle_vm.h) that knows only the globals a state dict
// needs (collections.OrderedDict, torch._utils._rebuild_tensor_v2 / _rebuild_parameter,
// torch.Size, torch.*Storage) and refuses every other one by name, executing nothing.
//
// Both formats torch.save has written are supported:
//  * zip (PyTorch >= 1.6): <archive>/data.pkl, <archive>/data/<key> raw storages, stored entries;
//  * legacy (before mid-2020): magic, protocol, sys-info pickles, the object pickle, the list of
//    storage keys, then each storage as an int64 element count followed by its bytes.
// Tensors that are row-major views of their storage are views into the mapped file (tied
// weights share bytes); strided views, or storages not aligned to their element size, are
// copied into contiguous owned tensors. Sizes, offsets and strides come from the file, so they
// are combined in checked arithmetic (core/checked_math.h) and every element a tensor reads is
// proven to lie inside its storage (or legacy storage view) before any byte is touched.
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/mapped_file.h"
#include "io/sharded_weights.h"
#include "io/weight_source.h"

namespace hf {

class TorchBinFile : public WeightSource {
 public:
  // Parses the whole file (the pickle and the storage table; tensor bytes stay mapped).
  // hf::FileError naming the file for anything malformed, truncated or refused.
  static std::unique_ptr<TorchBinFile> open(const std::filesystem::path& path);

  bool has(const std::string& name) const override;
  Tensor get(const std::string& name) const override;
  std::vector<std::string> names() const override;
  std::string describe() const override;
  void release_pages() const override;

 private:
  std::shared_ptr<const MappedFile> file_;
  std::vector<std::string> order_;
  std::map<std::string, Tensor> tensors_;
};

// A model folder's PyTorch weights: pytorch_model.bin, or the shards of
// pytorch_model.bin.index.json (see io/sharded_weights.h).
struct TorchBinModel {
  static std::unique_ptr<ShardedWeights> open(const std::filesystem::path& dir);
  static bool present(const std::filesystem::path& dir);
};

}  // namespace hf
