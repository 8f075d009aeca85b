// The safe pytorch_model.bin reader against real torch.save files (tests/fixtures/torch-bin) and
// against archives built here byte by byte (refused globals, bad opcodes, truncation, bounds).
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "core/json.h"
#include "hf/error.h"
#include "io/torch_bin.h"
#include "test_temp.h"

namespace fs = std::filesystem;
using namespace hf;

namespace {

const fs::path kDir = fs::path(HF_FIXTURES) / "torch-bin";

double value_at(const Tensor& t, int64_t i) {
  switch (t.dtype()) {
    case DType::F32: return t.data_as<float>()[i];
    case DType::BF16: return bf16_to_f32(t.data_as<uint16_t>()[i]);
    default: ADD_FAILURE() << "unexpected dtype"; return 0;
  }
}

void check_against_expected(const TorchBinFile& f) {
  json expected = read_json_file(kDir / "expected.json");
  ASSERT_EQ(f.names().size(), expected.size());
  for (const auto& [name, e] : expected.items()) {
    SCOPED_TRACE(name);
    ASSERT_TRUE(f.has(name));
    Tensor t = f.get(name);
    EXPECT_EQ(t.shape(), e["shape"].get<std::vector<int64_t>>());
    EXPECT_EQ(t.dtype(), e["dtype"] == "bfloat16" ? DType::BF16 : DType::F32);
    double sum = 0, sum_abs = 0;
    for (int64_t i = 0; i < t.numel(); ++i) {
      sum += value_at(t, i);
      sum_abs += std::fabs(value_at(t, i));
    }
    EXPECT_NEAR(sum, e["sum"].get<double>(), 1e-6 * (1 + std::fabs(e["sum_abs"].get<double>())));
    EXPECT_NEAR(sum_abs, e["sum_abs"].get<double>(), 1e-6 * (1 + e["sum_abs"].get<double>()));
    EXPECT_EQ(value_at(t, 0), e["first"].get<double>());
    EXPECT_EQ(value_at(t, t.numel() - 1), e["last"].get<double>());
  }
}

// A zip archive of stored entries, as torch.save lays them out.
std::string make_zip(const std::vector<std::pair<std::string, std::string>>& files, uint16_t method = 0) {
  std::string out, central;
  auto u16 = [](std::string& s, uint32_t v) { s.push_back(char(v & 0xff)); s.push_back(char(v >> 8)); };
  auto u32 = [&](std::string& s, uint32_t v) { u16(s, v & 0xffff); u16(s, v >> 16); };
  for (const auto& [name, data] : files) {
    uint32_t offset = out.size();
    u32(out, 0x04034b50); u16(out, 20); u16(out, 0); u16(out, method); u32(out, 0); u32(out, 0);
    u32(out, data.size()); u32(out, data.size()); u16(out, name.size()); u16(out, 0);
    out += name + data;
    u32(central, 0x02014b50); u16(central, 20); u16(central, 20); u16(central, 0); u16(central, method);
    u32(central, 0); u32(central, 0); u32(central, data.size()); u32(central, data.size());
    u16(central, name.size()); u16(central, 0); u16(central, 0); u16(central, 0); u16(central, 0);
    u32(central, 0); u32(central, offset);
    central += name;
  }
  uint32_t cd_offset = out.size();
  out += central;
  u32(out, 0x06054b50); u16(out, 0); u16(out, 0); u16(out, files.size()); u16(out, files.size());
  u32(out, central.size()); u32(out, cd_offset); u16(out, 0);
  return out;
}

std::string floats(std::vector<float> v) { return std::string(reinterpret_cast<const char*>(v.data()), v.size() * 4); }

// Pickle pieces, spelled out so that the test shows the opcodes.
std::string unicode(const std::string& s) {
  uint32_t n = s.size();
  return "X" + std::string(reinterpret_cast<const char*>(&n), 4) + s;
}
std::string small_int(int v) { return std::string("K") + char(v); }
std::string long1(int64_t v) { return std::string("\x8a\x08") + std::string(reinterpret_cast<const char*>(&v), 8); }
std::string bin_int(int32_t v) { return "J" + std::string(reinterpret_cast<const char*>(&v), 4); }

// data.pkl for {"w": _rebuild_tensor_v2(storage '0' of `n` floats, offset, size, stride)} with
// each argument spelled as pickle opcodes, so that any 64-bit value can be written.
std::string tensor_pickle_ops(int n, const std::string& offset, const std::string& size, const std::string& stride) {
  return "\x80\x02}(" + unicode("w") + "ctorch._utils\n_rebuild_tensor_v2\n((" + unicode("storage") +
         "ctorch\nFloatStorage\n" + unicode("0") + unicode("cpu") + small_int(n) + "tQ" + offset + "(" + size + "t(" +
         stride + "t\x89" "ccollections\nOrderedDict\n)RtRu.";
}

// data.pkl for {"w": _rebuild_tensor_v2(storage '0' of n floats, offset, size, stride)}.
std::string tensor_pickle(int n, int offset, std::vector<int> size, std::vector<int> stride) {
  std::string p = "\x80\x02}(" + unicode("w") + "ctorch._utils\n_rebuild_tensor_v2\n((" + unicode("storage") +
                  "ctorch\nFloatStorage\n" + unicode("0") + unicode("cpu") + small_int(n) + "tQ" + small_int(offset) + "(";
  for (int s : size) p += small_int(s);
  p += "t(";
  for (int s : stride) p += small_int(s);
  p += "t\x89" "ccollections\nOrderedDict\n)RtRu.";
  return p;
}

fs::path write_temp(const std::string& name, const std::string& bytes) {
  fs::path p = test_temp_root() / ("hf_torch_bin_test_" + std::to_string(::getpid()) + "_" + name);
  std::ofstream(p, std::ios::binary) << bytes;
  return p;
}

std::string error_of(const fs::path& p) {
  try {
    TorchBinFile::open(p);
  } catch (const FileError& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST(TorchBin, ZipFormatMatchesExpected) { check_against_expected(*TorchBinFile::open(kDir / "pytorch_model.bin")); }

TEST(TorchBin, LegacyFormatMatchesExpected) {
  check_against_expected(*TorchBinFile::open(kDir / "pytorch_model_legacy.bin"));
}

TEST(TorchBin, TiedWeightsShareOneStorage) {
  auto f = TorchBinFile::open(kDir / "pytorch_model.bin");
  EXPECT_EQ(f->get("model.decoder.embed_tokens.weight").data(), f->get("model.shared.weight").data());
}

TEST(TorchBin, TransposedViewIsTheTransposeOfItsBase) {
  auto f = TorchBinFile::open(kDir / "pytorch_model.bin");
  Tensor t = f->get("extra.transposed_view");
  ASSERT_EQ(t.shape(), (std::vector<int64_t>{64, 128}));
  // Whatever it is a view of, a [64,128] weight of the fixture transposed is fc1.weight [128, 64].
  Tensor base = f->get("model.encoder.layers.0.fc1.weight");
  bool found = false;
  for (const auto& n : f->names()) {
    Tensor b = f->get(n);
    if (b.shape() != std::vector<int64_t>{128, 64}) continue;
    bool same = true;
    for (int i = 0; i < 64 && same; ++i)
      for (int j = 0; j < 128 && same; ++j) same = t.data_as<float>()[i * 128 + j] == b.data_as<float>()[j * 64 + i];
    found |= same;
  }
  EXPECT_TRUE(found) << base.shape_string();
}

TEST(TorchBin, RefusesOsSystem) {
  std::string e = error_of(kDir / "malicious_os_system.bin");
  EXPECT_NE(e.find("refusing pickle global"), std::string::npos) << e;
  EXPECT_TRUE(e.find("os.system") != std::string::npos || e.find("posix.system") != std::string::npos) << e;
}

TEST(TorchBin, RefusesEval) {
  std::string e = error_of(kDir / "malicious_eval.bin");
  // Python 3 pickles builtins.eval under its protocol-2 name __builtin__.eval.
  EXPECT_TRUE(e.find("builtins.eval") != std::string::npos || e.find("__builtin__.eval") != std::string::npos) << e;
}

TEST(TorchBin, TruncatedFileIsAClearError) {
  std::string e = error_of(kDir / "truncated.bin");
  EXPECT_NE(e.find("truncated.bin"), std::string::npos) << e;
}

TEST(TorchBin, EveryPrefixOfTheLegacyFileFailsCleanly) {
  std::ifstream in(kDir / "pytorch_model_legacy.bin", std::ios::binary);
  std::string all((std::istreambuf_iterator<char>(in)), {});
  for (size_t n : {size_t{0}, size_t{1}, size_t{10}, size_t{20}, size_t{300}, all.size() / 2, all.size() - 1}) {
    fs::path p = write_temp("prefix.bin", all.substr(0, n));
    EXPECT_NE(error_of(p), "(no error)") << n;
    fs::remove(p);
  }
}

TEST(TorchBin, BuiltArchiveWithStridedView) {
  // storage [0..11], tensor of size (3, 2) stride (1, 3) from offset 2: rows [2,5], [3,6], [4,7].
  std::vector<float> data(12);
  for (int i = 0; i < 12; ++i) data[i] = float(i);
  fs::path p = write_temp("strided.bin", make_zip({{"archive/data.pkl", tensor_pickle(12, 2, {3, 2}, {1, 3})},
                                                   {"archive/data/0", floats(data)}}));
  auto f = TorchBinFile::open(p);
  Tensor t = f->get("w");
  ASSERT_EQ(t.shape(), (std::vector<int64_t>{3, 2}));
  EXPECT_EQ(t.to_f32(), (std::vector<float>{2, 5, 3, 6, 4, 7}));
  fs::remove(p);
}

TEST(TorchBin, BuiltArchiveContiguousViewWithOffset) {
  std::vector<float> data{0, 1, 2, 3, 4, 5};
  fs::path p = write_temp("offset.bin", make_zip({{"archive/data.pkl", tensor_pickle(6, 2, {2, 2}, {2, 1})},
                                                  {"archive/data/0", floats(data)}}));
  EXPECT_EQ(TorchBinFile::open(p)->get("w").to_f32(), (std::vector<float>{2, 3, 4, 5}));
  fs::remove(p);
}

TEST(TorchBin, OutOfBoundsViewIsRefused) {
  std::vector<float> data{0, 1, 2, 3};
  fs::path p = write_temp("oob.bin", make_zip({{"archive/data.pkl", tensor_pickle(4, 2, {2, 2}, {2, 1})},
                                               {"archive/data/0", floats(data)}}));
  std::string e = error_of(p);
  EXPECT_NE(e.find("tensor 'w': size (2, 2), stride (2, 1) from offset 2 reads element 5 of a storage of 4"),
            std::string::npos) << e;
  fs::remove(p);
}

TEST(TorchBin, UnknownOpcodeIsRefused) {
  std::string pkl = tensor_pickle(4, 0, {4}, {1});
  pkl.insert(2, "\xff");
  fs::path p = write_temp("opcode.bin", make_zip({{"archive/data.pkl", pkl}, {"archive/data/0", floats({1, 2, 3, 4})}}));
  std::string e = error_of(p);
  EXPECT_NE(e.find("unsupported pickle opcode 0xff"), std::string::npos) << e;
  EXPECT_NE(e.find("pickle byte 2"), std::string::npos) << e;
  fs::remove(p);
}

TEST(TorchBin, TruncatedPickleIsRefused) {
  std::string pkl = tensor_pickle(4, 0, {4}, {1});
  fs::path p = write_temp("shortpkl.bin", make_zip({{"archive/data.pkl", pkl.substr(0, 40)},
                                                    {"archive/data/0", floats({1, 2, 3, 4})}}));
  EXPECT_NE(error_of(p).find("truncated"), std::string::npos) << error_of(p);
  fs::remove(p);
}

TEST(TorchBin, MissingStorageEntryIsRefused) {
  fs::path p = write_temp("nostorage.bin", make_zip({{"archive/data.pkl", tensor_pickle(4, 0, {4}, {1})}}));
  EXPECT_NE(error_of(p).find("storage '0' is missing"), std::string::npos) << error_of(p);
  fs::remove(p);
}

TEST(TorchBin, CompressedEntriesAreRefused) {
  fs::path p = write_temp("deflate.bin", make_zip({{"archive/data.pkl", tensor_pickle(4, 0, {4}, {1})},
                                                   {"archive/data/0", floats({1, 2, 3, 4})}}, 8));
  EXPECT_NE(error_of(p).find("compressed"), std::string::npos) << error_of(p);
  fs::remove(p);
}

TEST(TorchBin, GlobalOutsideTheAllowListIsNamed) {
  std::string pkl = "\x80\x02" "csubprocess\nPopen\n)R.";
  fs::path p = write_temp("popen.bin", make_zip({{"archive/data.pkl", pkl}}));
  EXPECT_NE(error_of(p).find("'subprocess.Popen'"), std::string::npos) << error_of(p);
  fs::remove(p);
}

TEST(TorchBin, NotACheckpoint) {
  fs::path p = write_temp("text.bin", "hello world");
  EXPECT_NE(error_of(p).find("neither a zip nor a legacy PyTorch checkpoint"), std::string::npos);
  fs::remove(p);
}

TEST(TorchBin, ModelFolderOpensPytorchModelBin) {
  auto m = TorchBinModel::open(fs::path(HF_FIXTURES) / "torch-bin");
  EXPECT_TRUE(m->has("final_logits_bias"));
  EXPECT_THROW(m->get("nope"), ModelError);
}

TEST(TorchBin, ShardedIndex) {
  fs::path dir = test_temp_root() / ("hf_torch_bin_shards_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  fs::copy_file(kDir / "pytorch_model.bin", dir / "pytorch_model-00001-of-00001.bin", fs::copy_options::overwrite_existing);
  json index = {{"metadata", json::object()}, {"weight_map", json::object()}};
  const json expected = read_json_file(kDir / "expected.json");
  for (const auto& [name, _] : expected.items()) index["weight_map"][name] = "pytorch_model-00001-of-00001.bin";
  std::ofstream(dir / "pytorch_model.bin.index.json") << index.dump();
  EXPECT_TRUE(TorchBinModel::present(dir));
  auto m = TorchBinModel::open(dir);
  EXPECT_EQ(m->names().size(), index["weight_map"].size());
  EXPECT_EQ(m->get("final_logits_bias").shape(), (std::vector<int64_t>{1, 3290}));

  index["weight_map"]["not.in.the.shard"] = "pytorch_model-00001-of-00001.bin";
  std::ofstream(dir / "pytorch_model.bin.index.json") << index.dump();
  try {
    TorchBinModel::open(dir);
    ADD_FAILURE();
  } catch (const FileError& e) {
    EXPECT_NE(std::string(e.what()).find("tensor 'not.in.the.shard' is not in shard"), std::string::npos) << e.what();
  }
  index["weight_map"]["x"] = "../escape.bin";
  std::ofstream(dir / "pytorch_model.bin.index.json") << index.dump();
  EXPECT_THROW(TorchBinModel::open(dir), FileError);
  fs::remove_all(dir);
}

// Hostile files found by probing: each is a clear FileError within bounded time and memory.

TEST(TorchBinHostile, NestingAMillionDeepIsRefusedWithoutRecursion) {
  // (((...None,),),) a million levels deep: destroying it recursively overflows the stack.
  std::string pkl = "\x80\x02N" + std::string(1000000, '\x85') + ".";
  fs::path p = write_temp("deep.bin", make_zip({{"archive/data.pkl", pkl}}));
  std::string e = error_of(p);
  EXPECT_NE(e.find("values nested more than 1000 deep"), std::string::npos) << e;
  EXPECT_NE(e.find("pickle byte 1003"), std::string::npos) << e;  // the 1001st tuple
  fs::remove(p);
}

TEST(TorchBinHostile, SelfReferencingListIsFreed) {
  // l = []; l.append(l): memo + APPEND make a cycle, which reference counting leaks (the
  // sanitizer build's leak checker fails this test if it does).
  fs::path p = write_temp("cycle.bin", make_zip({{"archive/data.pkl", std::string("\x80\x02]q\x00h\x00" "a.", 9)}}));
  EXPECT_NE(error_of(p).find("the pickle holds a list, not a state dict"), std::string::npos) << error_of(p);
  fs::remove(p);
}

TEST(TorchBinHostile, ValueCountIsBounded) {
  std::string pkl = "\x80\x02" + std::string((1 << 20) + 1, 'N') + ".";
  fs::path p = write_temp("many.bin", make_zip({{"archive/data.pkl", pkl}}));
  EXPECT_NE(error_of(p).find("more than 1048576 values"), std::string::npos) << error_of(p);
  fs::remove(p);
  pkl = "\x80\x02N" + std::string((1 << 20) + 1, '2') + ".";  // DUP: a stack of references
  p = write_temp("stack.bin", make_zip({{"archive/data.pkl", pkl}}));
  EXPECT_NE(error_of(p).find("stack deeper than 1048576"), std::string::npos) << error_of(p);
  fs::remove(p);
}

TEST(TorchBinHostile, StrideNearTwoToTheSixtyThreeIsRefused) {
  // size (3,), stride (2^62,): the last element, 2 * 2^62, wraps a 64-bit sum to a negative
  // number that passes an unchecked bound and reads far outside the storage.
  const std::string stride = long1(int64_t{1} << 62);
  fs::path p = write_temp("stride.bin", make_zip({{"archive/data.pkl", tensor_pickle_ops(4, small_int(0), small_int(3), stride)},
                                                  {"archive/data/0", floats({1, 2, 3, 4})}}));
  std::string e = error_of(p);
  EXPECT_NE(e.find("tensor 'w': size (3,), stride (4611686018427387904,) from offset 0 reads past element 2^63"),
            std::string::npos) << e;
  fs::remove(p);
  // An offset near 2^63 plus a small extent wraps the same way.
  p = write_temp("offset.bin", make_zip({{"archive/data.pkl", tensor_pickle_ops(4, long1(INT64_MAX - 1), small_int(4), small_int(1))},
                                         {"archive/data/0", floats({1, 2, 3, 4})}}));
  EXPECT_NE(error_of(p).find("reads past element 2^63"), std::string::npos) << error_of(p);
  fs::remove(p);
}

TEST(TorchBinHostile, SizeWhoseProductOverflowsIsRefused) {
  const std::string big = long1(int64_t{1} << 32);
  fs::path p = write_temp("numel.bin", make_zip({{"archive/data.pkl", tensor_pickle_ops(4, small_int(0), big + big, small_int(0) + small_int(0))},
                                                 {"archive/data/0", floats({1, 2, 3, 4})}}));
  EXPECT_NE(error_of(p).find("has more than 2^63 elements"), std::string::npos) << error_of(p);
  fs::remove(p);
}

TEST(TorchBinHostile, BroadcastLargerThanTheFileIsRefused) {
  // stride 0 repeats one element: 2^40 floats would be copied out of a 4-element storage.
  fs::path p = write_temp("expand.bin", make_zip({{"archive/data.pkl", tensor_pickle_ops(4, small_int(0), long1(int64_t{1} << 40), small_int(0))},
                                                  {"archive/data/0", floats({1, 2, 3, 4})}}));
  EXPECT_NE(error_of(p).find("beyond the size of the file"), std::string::npos) << error_of(p);
  fs::remove(p);
}

// A legacy (pre-zip) checkpoint of one tensor "w" = storage '0' of 4 floats, seen through the
// view (view_key, view_offset, view_size) of the root storage, with `size` elements.
std::string legacy_with_view(int32_t view_offset, int32_t view_size, int size) {
  const std::string magic = "\x80\x02\x8a\x0a" + std::string("\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19", 10) + ".";
  const std::string protocol = "\x80\x02M\xe9\x03.";
  const std::string sys_info = "\x80\x02}.";
  const std::string pid = "(" + unicode("storage") + "ctorch\nFloatStorage\n" + unicode("0") + unicode("cpu") + small_int(4) +
                          "(" + unicode("v") + bin_int(view_offset) + bin_int(view_size) + "tt";
  const std::string state = "\x80\x02}(" + unicode("w") + "ctorch._utils\n_rebuild_tensor_v2\n(" + pid + "Q" + small_int(0) +
                            "(" + small_int(size) + "t(" + small_int(1) + "t\x89" "ccollections\nOrderedDict\n)RtRu.";
  const std::string keys = "\x80\x02(" + unicode("0") + "l.";
  int64_t numel = 4;
  return magic + protocol + sys_info + state + keys + std::string(reinterpret_cast<const char*>(&numel), 8) +
         floats({1, 2, 3, 4});
}

TEST(TorchBinHostile, LegacyViewIsReadInsideItsRootStorage) {
  fs::path p = write_temp("view.bin", legacy_with_view(1, 2, 2));
  EXPECT_EQ(TorchBinFile::open(p)->get("w").to_f32(), (std::vector<float>{2, 3}));
  fs::remove(p);
}

TEST(TorchBinHostile, LegacyViewWithNegativeOffsetIsRefused) {
  fs::path p = write_temp("negview.bin", legacy_with_view(-2, 2, 2));
  EXPECT_NE(error_of(p).find("storage view offset is negative (-2)"), std::string::npos) << error_of(p);
  fs::remove(p);
}

TEST(TorchBinHostile, LegacyViewOutsideItsStorageIsRefused) {
  fs::path p = write_temp("bigview.bin", legacy_with_view(3, 2, 2));
  EXPECT_NE(error_of(p).find("storage view [3, +2) lies outside its storage of 4 elements"), std::string::npos) << error_of(p);
  fs::remove(p);
  p = write_temp("viewext.bin", legacy_with_view(1, 2, 3));  // inside the storage, past the view
  EXPECT_NE(error_of(p).find("reads element 2 of a storage of 2"), std::string::npos) << error_of(p);
  fs::remove(p);
}
