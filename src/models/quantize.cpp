#include "models/quantize.h"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <new>
#include <string>

#include "hf/error.h"
#include "kernels/kernels.h"

namespace hf {

namespace {

bool ends_with(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

// The stored bytes of a tensor that was just quantized are not read again: hand their pages
// back (for a mapped file this unmaps them from the process, the page cache keeps them), so peak
// memory holds the quantized model plus one matrix, not the bf16 model as well.
void release_tensor_pages(const Tensor& t) {
  const uintptr_t page = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
  const uintptr_t b = reinterpret_cast<uintptr_t>(t.data()), e = b + t.nbytes();
  const uintptr_t first = (b + page - 1) / page * page, last = e / page * page;
  if (last > first) madvise(reinterpret_cast<void*>(first), last - first, MADV_DONTNEED);
}

// A tensor of `type` and `shape` in an anonymous mapping of its own, not written here: the kernel
// hands out its pages already zeroed as the quantizing threads first store into them.
// Tensor::zeros memset every matrix on the loading thread first (page faults one after the
// other, then the threads wrote it again): int4 load at the 0.5B shape 0.63 -> 0.52 s on 2
// threads. Huge-page advice made it slower (0.70 s): the kernel compacts memory to find 2 MiB
// pages and clears each whole, a cost the quantizers' one pass does not repay.
Tensor untouched_tensor(DType type, std::vector<int64_t> shape) {
  const size_t bytes = std::max<size_t>(Tensor(type, shape, nullptr, nullptr).nbytes(), 1);
  void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) throw std::bad_alloc();
  std::shared_ptr<const void> owner(p, [bytes](const void* q) { munmap(const_cast<void*>(q), bytes); });
  return Tensor(type, std::move(shape), p, std::move(owner));
}

class QuantizedWeights : public WeightSource {
 public:
  static constexpr int64_t kRowsPerBlock = 4096;  // a multiple of 16: blocks keep whole panels (quant_format.h)
  QuantizedWeights(std::shared_ptr<const WeightSource> inner, DType type) : inner_(std::move(inner)), type_(type) {}
  bool has(const std::string& name) const override { return inner_->has(name); }
  std::vector<std::string> names() const override { return inner_->names(); }
  std::string describe() const override { return inner_->describe(); }
  void release_pages() const override { inner_->release_pages(); }
  Tensor get(const std::string& name) const override {
    Tensor t = inner_->get(name);
    const DType type = quantized_type_of(name, t, type_);
    if (type == t.dtype()) return t;
    // Row blocks, each source block released once quantized: the embedding alone is 272 MiB of
    // bf16 at the 0.5B shape, more than a quarter of the int4 model, so quantizing it whole kept
    // both copies resident at once (int4 peak RSS was 1.25x the weights).
    const int64_t N = t.dim(0);
    Tensor q = untouched_tensor(type, t.shape());
    const size_t row_bytes = q.nbytes() / static_cast<size_t>(N);
    for (int64_t n0 = 0; n0 < N; n0 += kRowsPerBlock) {
      const Tensor rows = t.rows(n0, std::min(N, n0 + kRowsPerBlock));
      kernels::quantize_into(rows, type, q.mutable_data_as<uint8_t>() + n0 * row_bytes);
      release_tensor_pages(rows);
    }
    return q;
  }

 private:
  std::shared_ptr<const WeightSource> inner_;
  DType type_;
};

}  // namespace

DType quantized_type_of(const std::string& name, const Tensor& t, DType type) {
  const bool head = ends_with(name, "embed_tokens.weight") || ends_with(name, "lm_head.weight");
  if (!(head || ends_with(name, "_proj.weight")) || !kernels::can_quantize(t)) return t.dtype();
  return head ? DType::Q8_0 : type;
}

DType quantization_dtype(const LoadOptions& o) {
  if (o.load_in_8bit && o.load_in_4bit) throw ConfigError("load options: load_in_8bit and load_in_4bit are both set");
  const std::string flag = o.load_in_8bit ? "int8" : o.load_in_4bit ? "int4" : "";
  if (!flag.empty() && !o.quantization.empty() && o.quantization != flag)
    throw ConfigError("load options: quantization \"" + o.quantization + "\" contradicts load_in_" + flag.substr(3) + "bit");
  const std::string q = o.quantization.empty() ? flag : o.quantization;
  if (q.empty() || q == "none") return DType::F32;
  if (q == "int8") return DType::Q8_0;
  if (q == "int4") return DType::Q4_0;
  throw ConfigError("load options: unknown quantization \"" + q + "\" (expected int8 or int4)");
}

std::shared_ptr<const WeightSource> quantized_weights(std::shared_ptr<const WeightSource> weights,
                                                      const ModelConfig& config, const LoadOptions& options) {
  const DType type = quantization_dtype(options);
  if (type == DType::F32) return weights;
  // GPT-2 stores its projections transposed (Conv1D [in, out]); the model transposes them itself.
  if (config.model_type == "gpt2")
    throw ConfigError("load options: quantization is not supported for model_type gpt2 yet");
  return std::make_shared<QuantizedWeights>(std::move(weights), type);
}

}  // namespace hf
