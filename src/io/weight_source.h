#pragma once
// WeightSource: named tensors of a model, whatever the file format (safetensors single or
// sharded, pytorch_model.bin). Models bind their weights by Hugging Face name through it, so a
// model never knows which format it was loaded from.
#include <memory>
#include <string>
#include <vector>

#include "hf/tensor.h"

namespace hf {

class WeightSource {
 public:
  virtual ~WeightSource() = default;
  virtual bool has(const std::string& name) const = 0;
  // The tensor `name` (a view into the mapped file, kept alive by the tensor); hf::ModelError
  // naming the file(s) and the tensor when there is none.
  virtual Tensor get(const std::string& name) const = 0;
  // Every tensor name, in file order.
  virtual std::vector<std::string> names() const = 0;
  // The file or folder, for messages.
  virtual std::string describe() const = 0;
  // Hands back the pages of the mapped file(s) that this process touched (the page cache keeps
  // them). After a load that copied every weight it uses (quantized or unpacked at load), the
  // file's pages it read would otherwise stay resident beside the copies; a tensor that is still
  // a view is mapped again on its next touch, so this is never wrong, only wasted on such views.
  virtual void release_pages() const {}
};

}  // namespace hf
