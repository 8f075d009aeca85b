#include "io/sharded_weights.h"

#include "core/json.h"
#include "hf/error.h"

namespace hf {

bool ShardedWeights::present(const std::filesystem::path& dir, const std::string& file_name) {
  return std::filesystem::exists(dir / file_name) || std::filesystem::exists(dir / (file_name + ".index.json"));
}

std::unique_ptr<ShardedWeights> ShardedWeights::open(const std::filesystem::path& dir, const std::string& file_name,
                                                     const OpenFile& open_file) {
  auto m = std::unique_ptr<ShardedWeights>(new ShardedWeights());
  m->dir_ = dir;
  const auto index_path = dir / (file_name + ".index.json");
  if (!std::filesystem::exists(index_path)) {
    if (!std::filesystem::exists(dir / file_name))
      throw FileError(dir.string() + ": no " + file_name + " or " + file_name + ".index.json");
    m->shards_.push_back(open_file(dir / file_name));
    m->order_ = m->shards_[0]->names();
    for (const auto& n : m->order_) m->where_[n] = m->shards_[0].get();
    return m;
  }
  const json index = read_json_file(index_path);
  const std::string where = index_path.string();
  if (!index.is_object() || !index.contains("weight_map") || !index["weight_map"].is_object())
    throw FileError(where + ": no \"weight_map\" object");
  std::map<std::string, const WeightSource*> by_file;
  for (const auto& [tensor, file] : index["weight_map"].items()) {
    const std::string at = where + ": " + json_path("weight_map", tensor);
    if (!file.is_string()) throw FileError(at + ": not a file name");
    const std::string fname = file.get<std::string>();
    // A shard name from a downloaded index must not reach outside the model folder.
    if (fname.find('/') != std::string::npos || fname.find('\\') != std::string::npos || fname.find("..") != std::string::npos)
      throw FileError(at + ": shard '" + fname + "' is not a plain file name inside the model folder");
    auto it = by_file.find(fname);
    if (it == by_file.end()) {
      m->shards_.push_back(open_file(dir / fname));
      it = by_file.emplace(fname, m->shards_.back().get()).first;
    }
    if (!it->second->has(tensor)) throw FileError(where + ": tensor '" + tensor + "' is not in shard '" + fname + "'");
    m->order_.push_back(tensor);
    m->where_[tensor] = it->second;
  }
  return m;
}

bool ShardedWeights::has(const std::string& name) const { return where_.count(name) > 0; }

Tensor ShardedWeights::get(const std::string& name) const {
  auto it = where_.find(name);
  if (it == where_.end()) throw ModelError(describe() + ": no tensor '" + name + "'");
  return it->second->get(name);
}

std::vector<std::string> ShardedWeights::names() const { return order_; }

std::string ShardedWeights::describe() const {
  return shards_.size() == 1 ? shards_[0]->describe() : dir_.string() + " (" + std::to_string(shards_.size()) + " shards)";
}

void ShardedWeights::release_pages() const {
  for (const auto& shard : shards_) shard->release_pages();
}

}  // namespace hf
