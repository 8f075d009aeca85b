#include "io/packed_linear.h"

#include "hf/error.h"

namespace hf {

namespace {

// AWQ's GEMM packing: output j of a group of 8 sits in nibble kAwqNibble[j] (the inverse of the
// packer's order {0, 2, 4, 6, 1, 3, 5, 7}; AutoAWQ's AWQ_REVERSE_ORDER).
constexpr int kAwqNibble[8] = {0, 4, 1, 5, 2, 6, 3, 7};

int64_t integer(const json& qc, const char* key, int64_t fallback, const std::string& where) {
  if (!qc.contains(key) || qc[key].is_null()) return fallback;
  if (!qc[key].is_number_integer())
    throw ConfigError(where + ": quantization_config." + key + " is " + qc[key].dump() + ", expected an integer");
  return qc[key].get<int64_t>();
}

std::string text(const json& qc, const char* key, const std::string& fallback, const std::string& where) {
  if (!qc.contains(key) || qc[key].is_null()) return fallback;
  if (!qc[key].is_string())
    throw ConfigError(where + ": quantization_config." + key + " is " + qc[key].dump() + ", expected a string");
  return qc[key].get<std::string>();
}

}  // namespace

PackedQuantConfig PackedQuantConfig::from_json(const json& qc, const std::string& where) {
  if (!qc.is_object()) throw ConfigError(where + ": quantization_config is " + qc.dump() + ", expected an object");
  PackedQuantConfig c;
  c.method = text(qc, "quant_method", "", where);
  if (c.method != "gptq" && c.method != "awq")
    throw ConfigError(where + ": quantization_config.quant_method \"" + c.method +
                      "\" is not supported (hfcpp loads GPTQ and AWQ checkpoints, or quantizes at load with --quantize)");
  const int64_t bits = integer(qc, "bits", 4, where);
  c.group_size = integer(qc, "group_size", 128, where);
  if (c.group_size == 0 || c.group_size < -1)
    throw ConfigError(where + ": quantization_config.group_size is " + std::to_string(c.group_size) +
                      ", expected a positive number or -1 (one group per row)");
  if (c.method == "gptq") {
    // transformers' GPTQConfig accepts 2, 3, 4 and 8; 3-bit words straddle int32 boundaries.
    if (bits != 2 && bits != 4 && bits != 8)
      throw ConfigError(where + ": quantization_config.bits is " + std::to_string(bits) + " (hfcpp loads GPTQ in 2, 4 or 8 bits)");
    const std::string format = text(qc, "checkpoint_format", "gptq", where);
    if (format != "gptq" && format != "gptq_v2")
      throw ConfigError(where + ": quantization_config.checkpoint_format \"" + format + "\" is not supported (gptq or gptq_v2)");
    c.zero_minus_one = format == "gptq";
  } else {
    if (bits != 4) throw ConfigError(where + ": quantization_config.bits is " + std::to_string(bits) + " (AWQ is 4-bit)");
    const std::string version = text(qc, "version", "gemm", where);
    if (version != "gemm" && version != "GEMM")
      throw ConfigError(where + ": quantization_config.version \"" + version +
                        "\" is not supported (hfcpp reads AWQ's GEMM packing, version \"gemm\")");
  }
  c.bits = static_cast<int>(bits);
  return c;
}

PackedLinear::PackedLinear(const WeightSource& w, const std::string& prefix, const PackedQuantConfig& c) : c_(c) {
  auto fail = [&](const std::string& what) { throw ModelError(w.describe() + ": " + prefix + "." + what); };
  auto get = [&](const std::string& field, std::initializer_list<DType> dtypes) {
    if (!w.has(prefix + "." + field)) fail(field + " is missing (" + c.method + " layers have qweight, qzeros and scales)");
    Tensor t = w.get(prefix + "." + field);
    bool ok = false;
    for (DType d : dtypes) ok = ok || t.dtype() == d;
    if (!ok) fail(field + " has dtype " + dtype_name(t.dtype()) + ", expected " + dtype_name(*dtypes.begin()));
    return t;
  };
  const int64_t p = 32 / c.bits;  // values per int32 word
  qweight_ = get("qweight", {DType::I32});
  qzeros_ = get("qzeros", {DType::I32});
  const Tensor scales = get("scales", {DType::F16, DType::BF16, DType::F32});
  if (qweight_.ndim() != 2 || scales.ndim() != 2 || qzeros_.ndim() != 2)
    fail("qweight, qzeros and scales must be 2-D (qweight " + qweight_.shape_string() + ", qzeros " +
         qzeros_.shape_string() + ", scales " + scales.shape_string() + ")");
  const bool gptq = c.method == "gptq";
  N_ = scales.dim(1);
  G_ = scales.dim(0);
  K_ = gptq ? qweight_.dim(0) * p : qweight_.dim(0);
  const std::vector<int64_t> qweight_shape = gptq ? std::vector<int64_t>{K_ / p, N_} : std::vector<int64_t>{K_, N_ / p};
  if (N_ % p != 0 || qweight_.shape() != qweight_shape)
    fail("qweight has shape " + qweight_.shape_string() + " but scales " + scales.shape_string() + " imply " +
         Tensor(DType::I32, qweight_shape, nullptr, nullptr).shape_string() + " at " + std::to_string(c.bits) + " bits");
  if (qzeros_.shape() != std::vector<int64_t>{G_, N_ / p})
    fail("qzeros has shape " + qzeros_.shape_string() + ", expected [" + std::to_string(G_) + ", " + std::to_string(N_ / p) + "]");
  // Whatever the order of the groups (act-order), there are ceil(K / group_size) of them.
  const int64_t groups = c.group_size == -1 ? 1 : (K_ + c.group_size - 1) / c.group_size;
  if (G_ != groups)
    fail("scales has " + std::to_string(G_) + " groups, but " + std::to_string(K_) + " inputs in groups of " +
         std::to_string(c.group_size) + " make " + std::to_string(groups));
  group_.resize(K_);
  for (int64_t k = 0; k < K_; ++k) group_[k] = c.group_size == -1 ? 0 : k / c.group_size;
  if (gptq && w.has(prefix + ".g_idx")) {  // act-order: any input may belong to any group
    const Tensor g = get("g_idx", {DType::I32, DType::I64});
    if (g.shape() != std::vector<int64_t>{K_}) fail("g_idx has shape " + g.shape_string() + ", expected [" + std::to_string(K_) + "]");
    for (int64_t k = 0; k < K_; ++k) {
      group_[k] = g.dtype() == DType::I32 ? g.data_as<int32_t>()[k] : g.data_as<int64_t>()[k];
      if (group_[k] < 0 || group_[k] >= G_)
        fail("g_idx[" + std::to_string(k) + "] is " + std::to_string(group_[k]) + ", outside the " + std::to_string(G_) + " groups of scales");
    }
  }
  scales_ = scales.to_f32();
}

int PackedLinear::field(const Tensor& t, int64_t index, int64_t item) const {
  const auto word = static_cast<uint32_t>(t.data_as<int32_t>()[index]);
  return static_cast<int>((word >> (c_.bits * item)) & ((1u << c_.bits) - 1));
}

void PackedLinear::row(int64_t n, int16_t* values, float* scales) const {
  const int64_t p = 32 / c_.bits;
  const bool gptq = c_.method == "gptq";
  // zero (g, n): column n / p of qzeros, at item n % p (GPTQ) or AWQ's interleaved nibble.
  const int64_t zero_item = gptq ? n % p : kAwqNibble[n % p];
  for (int64_t k = 0; k < K_; ++k) {
    const int64_t g = group_[k];
    const int zero = field(qzeros_, g * (N_ / p) + n / p, zero_item) + (c_.zero_minus_one ? 1 : 0);
    const int q = gptq ? field(qweight_, (k / p) * N_ + n, k % p) : field(qweight_, k * (N_ / p) + n / p, zero_item);
    values[k] = static_cast<int16_t>(q - zero);
    scales[k] = scales_[g * N_ + n];
  }
}

}  // namespace hf
