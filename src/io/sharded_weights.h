#pragma once
// A model folder's weights in one file (`model.safetensors`, `pytorch_model.bin`) or in shards
// listed by `<file>.index.json` ("weight_map": {tensor: shard file}), whatever the file format:
// each format only says how to open one file. Every shard is opened once, shard names must be
// plain file names inside the folder, and every tensor of the index must be in the shard it names.
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "io/weight_source.h"

namespace hf {

class ShardedWeights : public WeightSource {
 public:
  using OpenFile = std::function<std::unique_ptr<WeightSource>(const std::filesystem::path&)>;

  // True when `dir` holds `file_name` or `file_name`.index.json.
  static bool present(const std::filesystem::path& dir, const std::string& file_name);
  // hf::FileError naming the folder when neither is there, the index for a bad weight_map.
  static std::unique_ptr<ShardedWeights> open(const std::filesystem::path& dir, const std::string& file_name,
                                              const OpenFile& open_file);

  bool has(const std::string& name) const override;
  Tensor get(const std::string& name) const override;
  std::vector<std::string> names() const override;
  std::string describe() const override;
  void release_pages() const override;

 private:
  std::filesystem::path dir_;
  std::vector<std::unique_ptr<WeightSource>> shards_;
  std::vector<std::string> order_;
  std::map<std::string, const WeightSource*> where_;
};

}  // namespace hf
