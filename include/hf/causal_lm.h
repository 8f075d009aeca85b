#pragma once
// The decoder-only language model contract used by generation: a forward pass over new tokens
// that appends to a KV cache and returns float32 logits. forward() is const and thread-safe: a
// loaded model is shared, each generate call owns its cache.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>

#include "hf/export.h"
#include "hf/model_config.h"
#include "hf/tensor.h"

namespace hf {

struct HF_API ForwardInput {
  int batch = 1, seq = 0;                    // `seq` new tokens in each of `batch` rows
  std::span<const int32_t> input_ids;        // batch * seq, row-major
  std::span<const int32_t> position_ids;     // batch * seq (left padding: cumsum(mask) - 1); empty = cache_len + i
  std::span<const uint8_t> attention_mask;   // batch * (cache_len + seq), 1 = attend; empty = all 1
  bool all_positions = false;                // logits of every position ([batch, seq, vocab]), else the last
};

// Keys and values of every layer for `batch` rows, up to `capacity` positions per row.
class HF_API KVCache {
 public:
  virtual ~KVCache() = default;
  virtual int batch() const = 0;
  virtual int64_t capacity() const = 0;
  virtual int64_t length() const = 0;         // positions filled (the same in every row)
  // Row i of the cache becomes old row rows[i] (beam search); rows.size() may change the batch.
  virtual void reorder(std::span<const int32_t> rows) = 0;
  // Drops positions from `length` on (rewinding; length <= length()).
  virtual void truncate(int64_t length) = 0;
  // Bytes of keys and values the cache holds in memory (its allocated positions); 0 = unknown.
  virtual int64_t memory_bytes() const { return 0; }
};

struct HF_API LoadOptions {
  // Weights quantized at load, explicit and never silent: "" = as stored (the default), "int8" =
  // blocks of 32 int8 weights with one f16 scale (llama.cpp's q8_0), "int4" = the same blocks in
  // 4 bits (q4_0) for the layers' matrices while the embedding / lm_head stay int8. Matrices whose
  // rows are not a multiple of 64 stay as stored. Other values: hf::ConfigError.
  std::string quantization;
  // transformers' spellings (`load_in_8bit=True` / `load_in_4bit=True`): the same as "int8" / "int4".
  bool load_in_8bit = false, load_in_4bit = false;
  // Element type of the KV cache: "" or "f32" = float32 (exact, the default), "f16" / "bf16" =
  // half the memory, keys and values rounded when stored (docs/ARCHITECTURE.md gives the measured
  // difference). Other values: hf::ConfigError.
  std::string kv_cache_dtype;
  // Arithmetic of prompt processing (products of 16 or more token rows) with bf16 weights:
  // "" or "float32" = activations stay float32 (the default: results match the float64 reference
  // to ~1e-5 × std), "bf16" = activations rounded to bfloat16 and multiplied with AVX-512 BF16 dot
  // products (as llama.cpp's bf16 and a torch bfloat16 model): about twice the prefill speed,
  // logits moved by a few percent of their standard deviation (docs/ARCHITECTURE.md). Decode is
  // unchanged; CPUs without AVX-512 BF16 keep float32 (with a warning). Other values:
  // hf::ConfigError.
  std::string matmul_precision;
  // With a quantization: a folder where the quantized weights are kept after the first load, so
  // that later loads of the same files map them instead of quantizing again (the `hfcpp` command
  // uses ${HFCPP_CACHE:-${XDG_CACHE_HOME:-~/.cache}/hfcpp}/quantized). Empty (the default): nothing
  // is written. An entry is keyed by the weight files' identity and the quantized layout; writing
  // one that fails is a warning, never a failed load.
  std::filesystem::path quantized_cache;
};

// One step of one sequence in a multi-sequence pass (continuous batching): `input_ids` are the
// new tokens of that sequence, appended to its own single-row `cache` at positions
// cache->length() + i. Sequences of one pass may have different lengths and cache depths.
struct HF_API SequenceInput {
  std::span<const int32_t> input_ids;
  KVCache* cache = nullptr;
};

class HF_API CausalLM {
 public:
  virtual ~CausalLM() = default;
  virtual const ModelConfig& config() const = 0;
  // A cache for `batch` rows of at most `capacity` positions (prompt + new tokens).
  virtual std::unique_ptr<KVCache> new_cache(int batch, int64_t capacity) const = 0;
  // Runs the new tokens, appends their keys/values to `cache`, returns float32 logits
  // [batch, vocab] (last position) or [batch, seq, vocab] (all_positions).
  // hf::InputError for inconsistent sizes, ids outside the vocabulary or a full cache.
  virtual Tensor forward(const ForwardInput& input, KVCache& cache) const = 0;
  // Several independent sequences advanced in one pass (a server's continuous batching): returns
  // float32 logits [sequences.size(), vocab] of each sequence's last new token. An implementation
  // should run the projections over all sequences' tokens at once, so the weights are read once
  // per pass; this default runs forward() once per sequence (same results, no sharing).
  virtual Tensor forward_sequences(std::span<const SequenceInput> sequences) const;
  // Bytes of weights in memory (as stored) and the number of parameters.
  virtual int64_t weight_bytes() const = 0;
  virtual int64_t num_parameters() const = 0;
};

// Loads the model in local folder `dir` (config.json + safetensors, single or sharded).
// hf::ConfigError / hf::ModelError / hf::FileError say what is wrong and where.
HF_API std::shared_ptr<const CausalLM> load_causal_lm(const std::filesystem::path& dir, const LoadOptions& options = {});

}  // namespace hf
