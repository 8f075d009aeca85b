// safetensors loading: valid files (single, sharded) and one test per header violation.
#include "io/safetensors.h"

#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <random>

#include "hf/error.h"
#include "test_temp.h"

namespace hf {
namespace {

namespace fs = std::filesystem;

class SafetensorsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = test_temp_root() / ("hf_st_test_" + std::to_string(std::random_device{}()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Writes header length + header + data, as the format lays them out.
  fs::path write(const std::string& name, const std::string& header, const std::string& data,
                 int64_t length_override = -1) {
    fs::path p = dir_ / name;
    std::ofstream out(p, std::ios::binary);
    uint64_t n = length_override >= 0 ? uint64_t(length_override) : header.size();
    for (int i = 0; i < 8; ++i) out.put(char((n >> (8 * i)) & 0xff));
    out << header << data;
    return p;
  }
  // Expects open() to throw FileError whose message contains every fragment.
  void expect_error(const fs::path& p, std::initializer_list<std::string> fragments) {
    try {
      SafetensorsFile::open(p);
      FAIL() << "no error for " << p;
    } catch (const FileError& e) {
      std::string msg = e.what();
      EXPECT_NE(msg.find(p.string()), std::string::npos) << msg;
      for (const auto& f : fragments) EXPECT_NE(msg.find(f), std::string::npos) << msg << " lacks " << f;
    }
  }
  static std::string floats(std::initializer_list<float> v) {
    std::string s(v.size() * 4, '\0');
    std::memcpy(s.data(), v.begin(), s.size());
    return s;
  }
  fs::path dir_;
};

TEST_F(SafetensorsTest, ReadsTensorsByNameWithDtypeShapeAndData) {
  std::string data = floats({1, 2, 3, 4, 5, 6});
  uint16_t bf[2] = {f32_to_bf16(1.5f), f32_to_bf16(-2.0f)};
  data.append(reinterpret_cast<const char*>(bf), 4);
  auto p = write("model.safetensors",
                 R"({"__metadata__":{"format":"pt"},"a.weight":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]},)"
                 R"("b":{"dtype":"BF16","shape":[2],"data_offsets":[24,28]}})",
                 data);
  auto st = SafetensorsFile::open(p);
  EXPECT_EQ(st->names(), (std::vector<std::string>{"a.weight", "b"}));
  EXPECT_EQ(st->metadata().at("format"), "pt");
  Tensor a = st->get("a.weight");
  EXPECT_EQ(a.dtype(), DType::F32);
  EXPECT_EQ(a.shape(), (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(a.data_as<float>()[5], 6.0f);
  Tensor b = st->get("b");
  EXPECT_EQ(b.dtype(), DType::BF16);
  EXPECT_EQ(b.to_f32(), (std::vector<float>{1.5f, -2.0f}));
}

TEST_F(SafetensorsTest, TensorOutlivesTheFileObject) {
  auto p = write("x.safetensors", R"({"t":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})", floats({7}));
  Tensor t = SafetensorsFile::open(p)->get("t");
  EXPECT_EQ(t.data_as<float>()[0], 7.0f);
}

TEST_F(SafetensorsTest, TruncatedData) {
  // A download cut short: the header promises 8 bytes of data, 4 arrived.
  expect_error(write("t.safetensors", R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})", floats({1})),
               {"'w'", "truncated file?"});
}

TEST_F(SafetensorsTest, FileShorterThanLengthField) {
  fs::path p = dir_ / "short.safetensors";
  std::ofstream(p, std::ios::binary) << "abc";
  expect_error(p, {"truncated"});
}

TEST_F(SafetensorsTest, HeaderLengthPastEnd) {
  expect_error(write("h.safetensors", R"({})", "", 1000), {"header length 1000", "past the end"});
}

TEST_F(SafetensorsTest, MalformedJson) { expect_error(write("j.safetensors", R"({"a": )", ""), {"malformed JSON"}); }

TEST_F(SafetensorsTest, NumberPastADoubleIsMalformedJson) {   // fuzz_safetensors: nlohmann's out_of_range escaped
  expect_error(write("n.safetensors", R"({"a": {"dtype": 8E00000000000002048684102, "shape": [], "data_offsets": [0, 0]}})", ""),
               {"malformed JSON header", "number overflow"});
}

TEST_F(SafetensorsTest, OffsetsOutOfRange) {
  expect_error(write("o.safetensors", R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})", floats({1})),
               {"'w'", "outside the data section"});
}

TEST_F(SafetensorsTest, OffsetsReversed) {
  expect_error(write("r.safetensors", R"({"w":{"dtype":"F32","shape":[0],"data_offsets":[4,0]}})", floats({1})),
               {"'w'", "outside"});
}

TEST_F(SafetensorsTest, ShapeSizeMismatch) {
  expect_error(write("s.safetensors", R"({"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})", floats({1, 2})),
               {"'w'", "needs 12"});
}

TEST_F(SafetensorsTest, NegativeDimension) {
  expect_error(write("n.safetensors", R"({"w":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}})", floats({1})),
               {"'w'", "negative"});
}

TEST_F(SafetensorsTest, UnknownDtype) {
  expect_error(write("d.safetensors", R"({"w":{"dtype":"F8_E4M3","shape":[4],"data_offsets":[0,4]}})", floats({1})),
               {"'w'", "F8_E4M3"});
}

TEST_F(SafetensorsTest, MissingFields) {
  expect_error(write("m.safetensors", R"({"w":{"shape":[1],"data_offsets":[0,4]}})", floats({1})), {"'w'", "dtype"});
  expect_error(write("m2.safetensors", R"({"w":{"dtype":"F32","shape":[1]}})", floats({1})), {"'w'", "data_offsets"});
}

TEST_F(SafetensorsTest, OverlappingTensors) {
  expect_error(write("ov.safetensors",
                     R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})",
                     floats({1, 2})),
               {"overlaps"});
}

TEST_F(SafetensorsTest, DuplicateKey) {
  expect_error(write("dup.safetensors",
                     R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})",
                     floats({1, 2})),
               {"'a'", "twice"});
}

TEST_F(SafetensorsTest, MissingTensorNamesFileAndTensor) {
  auto p = write("model.safetensors", R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})", floats({1}));
  auto st = SafetensorsFile::open(p);
  EXPECT_FALSE(st->has("b"));
  try {
    st->get("b");
    FAIL();
  } catch (const ModelError& e) {
    EXPECT_NE(std::string(e.what()).find("'b'"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find(p.string()), std::string::npos);
  }
}

TEST_F(SafetensorsTest, ShardedModelThroughIndex) {
  write("model-00001-of-00002.safetensors", R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})", floats({1}));
  write("model-00002-of-00002.safetensors", R"({"b":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})", floats({2, 3}));
  std::ofstream(dir_ / "model.safetensors.index.json")
      << R"({"metadata":{},"weight_map":{"a":"model-00001-of-00002.safetensors","b":"model-00002-of-00002.safetensors"}})";
  ASSERT_TRUE(SafetensorsModel::present(dir_));
  auto m = SafetensorsModel::open(dir_);
  EXPECT_EQ(m->names(), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(m->get("b").data_as<float>()[1], 3.0f);
  EXPECT_THROW(m->get("c"), ModelError);
}

TEST_F(SafetensorsTest, IndexNamingATensorItsShardLacks) {
  write("s1.safetensors", R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})", floats({1}));
  std::ofstream(dir_ / "model.safetensors.index.json") << R"({"weight_map":{"a":"s1.safetensors","z":"s1.safetensors"}})";
  try {
    SafetensorsModel::open(dir_);
    FAIL();
  } catch (const FileError& e) {
    EXPECT_NE(std::string(e.what()).find("'z'"), std::string::npos) << e.what();
  }
}

TEST_F(SafetensorsTest, IndexNamingAMissingShard) {
  std::ofstream(dir_ / "model.safetensors.index.json") << R"({"weight_map":{"a":"gone.safetensors"}})";
  try {
    SafetensorsModel::open(dir_);
    FAIL();
  } catch (const FileError& e) {
    EXPECT_NE(std::string(e.what()).find("gone.safetensors"), std::string::npos) << e.what();
  }
}

TEST_F(SafetensorsTest, FolderWithoutWeights) {
  EXPECT_FALSE(SafetensorsModel::present(dir_));
  EXPECT_THROW(SafetensorsModel::open(dir_), FileError);
}

TEST_F(SafetensorsTest, ByteCountThatWrapsSixtyFourBitsIsRefused) {
  // [2^62] floats are 2^64 bytes, which wraps to 0: the empty data range must not match it.
  auto p = write("wrap.safetensors", R"({"t":{"dtype":"F32","shape":[4611686018427387904],"data_offsets":[0,0]}})", "");
  expect_error(p, {"tensor 't'", "shape [4611686018427387904] of F32 is more than 2^63 bytes"});
  p = write("wrap2.safetensors", R"({"t":{"dtype":"BF16","shape":[4294967296,4294967296,0],"data_offsets":[0,0]}})", "");
  expect_error(p, {"tensor 't'", "is more than 2^63 bytes"});
  p = write("wrap3.safetensors", R"({"t":{"dtype":"U8","shape":[18446744073709551615],"data_offsets":[0,0]}})", "");
  expect_error(p, {"tensor 't'", "has a dimension of 2^63 or more"});
}

TEST_F(SafetensorsTest, HeaderNestedTooDeepIsRefused) {
  // A shape nested 10^5 deep once overflowed the stack (printing it for the error recursed).
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  auto p = write("deep.safetensors", R"({"t":{"dtype":"F32","shape":)" + deep + R"(,"data_offsets":[0,0]}})", "");
  expect_error(p, {"malformed JSON header at byte 539", "nested deeper than 512 levels"});
}

TEST_F(SafetensorsTest, MisalignedDataIsCopiedIntoAnAlignedTensor) {
  // A 57-byte header puts the data at file offset 65: every float is misaligned in the map.
  const std::string header = R"({"t":{"dtype":"F32","shape":[3],"data_offsets":[0,12]}}  )";
  ASSERT_EQ(header.size() % 4, 1u);
  auto st = SafetensorsFile::open(write("odd.safetensors", header, floats({1.5f, -2, 3})));
  Tensor t = st->get("t");
  EXPECT_EQ(reinterpret_cast<uintptr_t>(t.data()) % alignof(float), 0u);
  EXPECT_EQ(t.data_as<float>()[0], 1.5f);
  EXPECT_EQ(t.to_f32(), (std::vector<float>{1.5f, -2, 3}));
}

// Resident kB of the process's mappings of `path` (/proc/self/smaps).
int64_t resident_kb(const fs::path& path) {
  std::ifstream smaps("/proc/self/smaps");
  const std::string name = fs::canonical(path).string();
  int64_t kb = 0;
  bool ours = false;
  for (std::string line; std::getline(smaps, line);) {
    if (line.substr(0, line.find(' ')).find('-') != std::string::npos)  // "start-end perms ... path"
      ours = line.size() >= name.size() && line.compare(line.size() - name.size(), name.size(), name) == 0;
    else if (ours && line.rfind("Rss:", 0) == 0) kb += std::stoll(line.substr(4));
  }
  return kb;
}

// After a load that copied its weights, the file's pages go back; a view read afterwards still
// reads the file's bytes (the pages come back from the page cache), never zeros.
TEST_F(SafetensorsTest, ReleasedPagesLeaveTheProcessAndViewsStillReadTheFile) {
  const int64_t n = 1 << 20;  // 4 MiB of floats
  std::string data(n * 4, '\0');
  for (int64_t i = 0; i < n; ++i) {
    const float v = float(i % 1000) - 500.0f;
    std::memcpy(data.data() + i * 4, &v, 4);
  }
  std::string header = R"({"t":{"dtype":"F32","shape":[)" + std::to_string(n) + R"(],"data_offsets":[0,)" +
                       std::to_string(n * 4) + "]}}";
  header.append((8 - header.size() % 8) % 8, ' ');  // aligned data: the tensor is a view of the map
  const fs::path p = write("big.safetensors", header, data);
  auto st = SafetensorsFile::open(p);
  Tensor t = st->get("t");
  const std::vector<float> before = t.to_f32();  // touches every page
  EXPECT_GE(resident_kb(p), 3 * 1024);
  st->release_pages();
  EXPECT_LT(resident_kb(p), 256);
  EXPECT_EQ(t.to_f32(), before);
  EXPECT_EQ(t.data_as<float>()[n - 1], float((n - 1) % 1000) - 500.0f);
}

TEST(SafetensorsFixture, TinyQwen2LoadsEveryTensor) {
  auto m = SafetensorsModel::open(HF_FIXTURES "/tiny-qwen2");
  Tensor emb = m->get("model.embed_tokens.weight");
  EXPECT_EQ(emb.dtype(), DType::BF16);
  EXPECT_EQ(emb.shape(), (std::vector<int64_t>{151936, 64}));
  EXPECT_TRUE(m->has("model.layers.1.self_attn.q_proj.bias"));
  EXPECT_FALSE(m->has("lm_head.weight"));
}

}  // namespace
}  // namespace hf
