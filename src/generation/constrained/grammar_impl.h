#pragma once
// hf::Grammar's implementation: the compiled graph and, per vocabulary, its shared TokenMasks.
#include <map>
#include <memory>
#include <mutex>

#include "generation/constrained/graph.h"
#include "generation/constrained/token_masks.h"
#include "hf/constrained.h"

namespace hf {

struct Grammar::Impl {
  constrained::Graph graph;
  // The masks of this grammar over one tokenizer's vocabulary (created on first use).
  std::shared_ptr<constrained::TokenMasks> masks_for(const Tokenizer& tokenizer) const;

 private:
  mutable std::mutex mu_;
  mutable std::map<const constrained::Vocabulary*, std::shared_ptr<constrained::TokenMasks>> masks_;
};

}  // namespace hf
