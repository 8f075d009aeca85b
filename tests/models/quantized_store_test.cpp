// The quantized-weights cache (models/quantized_store.h, LoadOptions::quantized_cache) on a copy of
// tiny-qwen2: a second load maps the entry (nothing quantized, entry untouched, logits bit-identical);
// a changed weight file is a new entry; a corrupt entry, an unwritable folder, an entry that cannot
// be renamed into place and two loads at once each end with the right logits, at most a warning,
// and no stray files; HFCPP_QUANTIZED_CACHE=0 turns it off.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <atomic>
#include <cstring>
#include <fstream>
#include <iterator>
#include <thread>

#include "core/json.h"
#include "hf/causal_lm.h"
#include "io/model_weights.h"
#include "models/quantize.h"
#include "models/quantized_store.h"
#include "test_temp.h"

namespace hf {
namespace {

namespace fs = std::filesystem;

const fs::path kFixture = HF_FIXTURES "/tiny-qwen2";
const std::vector<int32_t> kIds = {9707, 11, 1879, 0, 358, 1079, 264, 2613};

// A model folder of its own (config and weights copied), so that a test may rewrite the weights.
fs::path copy_model(const TestTempDir& tmp, const std::string& name = "model") {
  const fs::path dir = tmp / name;
  fs::create_directories(dir);
  for (const char* f : {"config.json", "model.safetensors"}) fs::copy_file(kFixture / f, dir / f);
  return dir;
}

std::vector<float> logits(const fs::path& dir, const std::string& q, const fs::path& cache) {
  LoadOptions options;
  options.quantization = q;
  options.quantized_cache = cache;
  auto m = load_causal_lm(dir, options);
  auto kv = m->new_cache(1, int64_t(kIds.size()));
  ForwardInput in;
  in.seq = static_cast<int>(kIds.size());
  in.input_ids = kIds;
  in.all_positions = true;
  Tensor t = m->forward(in, *kv);
  return std::vector<float>(t.data_as<float>(), t.data_as<float>() + t.numel());
}

// A safetensors file's header: its length (the 8 bytes before it) and its JSON.
struct Header {
  uint64_t size = 0;
  json value;
};
Header read_header(std::istream& in) {
  Header h;
  in.read(reinterpret_cast<char*>(&h.size), 8);
  std::string text(h.size, ' ');
  in.read(text.data(), std::streamsize(h.size));
  h.value = json::parse(text);
  return h;
}

std::vector<fs::path> files_in(const fs::path& folder) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(folder, ec)) out.push_back(e.path());
  return out;
}

struct Identity {
  ino_t ino;
  timespec mtime;
};
Identity identity(const fs::path& p) {
  struct stat st {};
  EXPECT_EQ(::stat(p.c_str(), &st), 0) << p;
  return {st.st_ino, st.st_mtim};
}
bool same(const Identity& a, const Identity& b) {
  return a.ino == b.ino && a.mtime.tv_sec == b.mtime.tv_sec && a.mtime.tv_nsec == b.mtime.tv_nsec;
}

// The one entry in `cache` (a test fails when there is not exactly one file).
fs::path entry_in(const fs::path& cache) {
  const auto f = files_in(cache);
  EXPECT_EQ(f.size(), 1u);
  return f.empty() ? fs::path() : f[0];
}

// A WeightSource that counts the tensors asked of it.
class Counting : public WeightSource {
 public:
  explicit Counting(std::shared_ptr<const WeightSource> w) : w_(std::move(w)) {}
  bool has(const std::string& n) const override { return w_->has(n); }
  std::vector<std::string> names() const override { return w_->names(); }
  std::string describe() const override { return w_->describe(); }
  Tensor get(const std::string& n) const override {
    ++gets;
    return w_->get(n);
  }
  mutable std::atomic<int> gets{0};

 private:
  std::shared_ptr<const WeightSource> w_;
};

class QuantizedStoreTest : public ::testing::TestWithParam<std::string> {};

TEST_P(QuantizedStoreTest, SecondLoadMapsTheEntryAndGivesTheSameLogits) {
  TestTempDir tmp("qstore-hit");
  const fs::path dir = copy_model(tmp), cache = tmp / "cache";
  const std::vector<float> fresh = logits(dir, GetParam(), {});
  EXPECT_FALSE(fs::exists(cache));
  EXPECT_EQ(logits(dir, GetParam(), cache), fresh);  // miss: quantized, then written
  const fs::path entry = entry_in(cache);
  const Identity written = identity(entry);
  ::testing::internal::CaptureStderr();
  EXPECT_EQ(logits(dir, GetParam(), cache), fresh);  // hit: bit-identical
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");  // nothing printed on a hit
  EXPECT_TRUE(same(identity(entry), written));  // not written again
  EXPECT_EQ(files_in(cache).size(), 1u);

  // What a hit costs the quantizer: nothing. Every matrix comes from the entry.
  const DType type = GetParam() == "int8" ? DType::Q8_0 : DType::Q4_0;
  std::shared_ptr<const WeightSource> source = open_model_weights(dir);
  auto config = ModelConfig::from_file(dir / "config.json");
  LoadOptions options;
  options.quantization = GetParam();
  auto quantizer = std::make_shared<Counting>(quantized_weights(source, config, options));
  QuantizedStore store(source, quantizer, dir, type, cache);
  EXPECT_EQ(store.path(), entry);
  int matrices = 0;
  for (const std::string& n : source->names())
    if (store.get(n).dtype() != source->get(n).dtype()) ++matrices;
  EXPECT_EQ(matrices, 1 + 2 * 7);  // the embedding (tied head) and seven projections a layer
  EXPECT_EQ(store.hits(), matrices);
  EXPECT_EQ(store.misses(), 0);
  EXPECT_EQ(quantizer->gets, 0);
  store.save();
  EXPECT_TRUE(same(identity(entry), written));
}

TEST_P(QuantizedStoreTest, ChangedWeightsAreANewEntry) {
  TestTempDir tmp("qstore-changed");
  const fs::path dir = copy_model(tmp), cache = tmp / "cache";
  const std::vector<float> before = logits(dir, GetParam(), cache);
  const fs::path old_entry = entry_in(cache);
  // Flip the sign of layer 0's q_proj in place (same size, same inode, a new mtime).
  const fs::path st = dir / "model.safetensors";
  std::fstream f(st, std::ios::in | std::ios::out | std::ios::binary);
  const Header h = read_header(f);
  const uint64_t n = h.size;
  const auto off = h.value["model.layers.0.self_attn.q_proj.weight"]["data_offsets"];
  const uint64_t b = off[0].get<uint64_t>(), e = off[1].get<uint64_t>();
  std::string bytes(e - b, '\0');
  f.seekg(std::streamoff(8 + n + b));
  f.read(bytes.data(), std::streamsize(bytes.size()));
  for (size_t i = 1; i < bytes.size(); i += 2) bytes[i] = char(bytes[i] ^ 0x80);  // bf16 sign bits
  f.seekp(std::streamoff(8 + n + b));
  f.write(bytes.data(), std::streamsize(bytes.size()));
  f.close();

  const std::vector<float> expected = logits(dir, GetParam(), {});
  EXPECT_NE(expected, before);
  ::testing::internal::CaptureStderr();
  EXPECT_EQ(logits(dir, GetParam(), cache), expected);
  const std::string err = ::testing::internal::GetCapturedStderr();
  // The old entry's key no longer matches: a new entry, and the old one, which no load can ask
  // for again, is removed.
  EXPECT_EQ(files_in(cache).size(), 1u);
  EXPECT_NE(entry_in(cache), old_entry);
  EXPECT_FALSE(fs::exists(old_entry));
  EXPECT_NE(err.find("hfcpp: removed " + old_entry.string() + ": the weights it was quantized from have changed or are gone"),
            std::string::npos)
      << err;
  EXPECT_EQ(logits(dir, GetParam(), cache), expected);
}

// Writing an entry removes the entries of models that are gone, and only those: another model's
// entry, the same model's entry of the other type, and files that are not entries stay.
TEST(QuantizedStore, EntriesOfDeletedModelsAreRemovedWhenAnotherIsWritten) {
  TestTempDir tmp("qstore-stale");
  const fs::path a = copy_model(tmp, "a"), b = copy_model(tmp, "b"), c = copy_model(tmp, "c");
  const fs::path cache = tmp / "cache";
  logits(a, "int8", cache);
  logits(a, "int4", cache);
  logits(b, "int4", cache);
  ASSERT_EQ(files_in(cache).size(), 3u);
  std::ofstream(cache / "notes.safetensors") << "not an entry";
  std::ofstream(cache / "README") << "a file of the user's";
  std::vector<fs::path> before = files_in(cache);

  fs::remove_all(b);
  logits(a, "int8", cache);  // a hit writes nothing and removes nothing
  EXPECT_EQ(files_in(cache).size(), 5u);
  logits(c, "int8", cache);  // a write: b's entry goes
  std::vector<fs::path> after = files_in(cache);
  EXPECT_EQ(after.size(), 5u);
  int kept = 0;
  for (const fs::path& p : before) kept += fs::exists(p);
  EXPECT_EQ(kept, 4);
  EXPECT_TRUE(fs::exists(cache / "notes.safetensors"));
  EXPECT_TRUE(fs::exists(cache / "README"));
  // What is left still loads a and c from their entries.
  ::testing::internal::CaptureStderr();
  EXPECT_EQ(logits(a, "int4", cache), logits(a, "int4", {}));
  EXPECT_EQ(logits(c, "int8", cache), logits(c, "int8", {}));
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");
}

INSTANTIATE_TEST_SUITE_P(Types, QuantizedStoreTest, ::testing::Values("int8", "int4"));

// Rewrites the safetensors header of `path` through `edit`, padded with spaces to its old length, or
// grown by whole multiples of 64 bytes when the edit made it longer (how much room the writer's padding
// leaves depends on the entry's key and paths), so that the data section keeps its alignment.
void edit_header(const fs::path& path, const std::function<void(json&)>& edit) {
  std::ifstream in(path, std::ios::binary);
  Header header = read_header(in);
  const uint64_t n = header.size;
  const std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  in.close();
  json& h = header.value;
  edit(h);
  std::string out = h.dump();
  const uint64_t grown = out.size() <= n ? n : n + (out.size() - n + 63) / 64 * 64;
  out.resize(grown, ' ');
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(reinterpret_cast<const char*>(&grown), 8);
  f.write(out.data(), std::streamsize(grown));
  f.write(data.data(), std::streamsize(data.size()));
}

TEST(QuantizedStore, CorruptEntriesAreAMissWithAWarning) {
  TestTempDir tmp("qstore-corrupt");
  const fs::path dir = copy_model(tmp), cache = tmp / "cache";
  const std::vector<float> expected = logits(dir, "int4", {});
  const std::string q = "model.layers.1.self_attn.q_proj.weight";
  const std::vector<std::pair<std::string, std::function<void(const fs::path&)>>> damages = {
      {"truncated", [](const fs::path& p) { fs::resize_file(p, fs::file_size(p) / 2); }},
      {"garbage header",
       [](const fs::path& p) {
         std::fstream f(p, std::ios::in | std::ios::out | std::ios::binary);
         f.seekp(8);
         f.write("{\"x\": [[[", 9);
       }},
      {"header length past the end",
       [](const fs::path& p) {
         std::fstream f(p, std::ios::in | std::ios::out | std::ios::binary);
         f.write("\xff\xff\xff\xff\xff\xff\xff\x7f", 8);
       }},
      {"wrong dtype", [&](const fs::path& p) { edit_header(p, [&](json& h) { h[q]["dtype"] = "I8"; }); }},
      {"wrong shape",
       [&](const fs::path& p) {
         edit_header(p, [&](json& h) {
           const uint64_t n = h[q]["shape"][0].get<uint64_t>();
           h[q]["shape"] = {n / 2, 2};
         });
       }},
      {"wrong size",
       [&](const fs::path& p) {
         edit_header(p, [&](json& h) {
           const uint64_t n = h[q]["shape"][0].get<uint64_t>();
           h[q]["shape"] = {n - 2};
           h[q]["data_offsets"][1] = h[q]["data_offsets"][1].get<uint64_t>() - 2;
         });
       }},
      {"misaligned",
       [&](const fs::path& p) {
         edit_header(p, [&](json& h) {
           h[q]["data_offsets"][0] = h[q]["data_offsets"][0].get<uint64_t>() + 1;
           h[q]["data_offsets"][1] = h[q]["data_offsets"][1].get<uint64_t>() + 1;
         });
       }},
      {"offsets outside the file",  // the last tensor ends a byte past the data (as many digits: the header fits)
       [&](const fs::path& p) {
         uint64_t n = 0;
         std::ifstream(p, std::ios::binary).read(reinterpret_cast<char*>(&n), 8);
         const uint64_t data = fs::file_size(p) - 8 - n;
         edit_header(p, [&](json& h) {
           std::string last;
           for (auto& [name, v] : h.items())
             if (name != "__metadata__" && (last.empty() || v["data_offsets"][1] > h[last]["data_offsets"][1])) last = name;
           h[last]["data_offsets"][1] = data + 1;
         });
       }},
      {"missing tensor", [&](const fs::path& p) { edit_header(p, [&](json& h) { h.erase(q); }); }},
      {"another key",  // longer than the padding leaves room for: the header grows
       [&](const fs::path& p) { edit_header(p, [&](json& h) { h["__metadata__"]["key"] = std::string(100, 'f'); }); }},
  };
  EXPECT_EQ(logits(dir, "int4", cache), expected);
  const fs::path entry = entry_in(cache);
  for (const auto& [what, damage] : damages) {
    SCOPED_TRACE(what);
    damage(entry);
    ::testing::internal::CaptureStderr();
    EXPECT_EQ(logits(dir, "int4", cache), expected);
    const std::string err = ::testing::internal::GetCapturedStderr();
    EXPECT_NE(err.find("hfcpp: warning: "), std::string::npos) << err;
    EXPECT_NE(err.find("quantizing again"), std::string::npos) << err;
    // Written anew: the next load is a quiet hit.
    EXPECT_EQ(entry_in(cache), entry);
    ::testing::internal::CaptureStderr();
    EXPECT_EQ(logits(dir, "int4", cache), expected);
    EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");
  }
}

TEST(QuantizedStore, UnwritableFolderIsAWarningAndTheLoadGoesOn) {
  TestTempDir tmp("qstore-unwritable");
  const fs::path dir = copy_model(tmp);
  const std::vector<float> expected = logits(dir, "int8", {});
  // A folder that cannot be created (its parent is a file): works whoever runs the test.
  std::ofstream(tmp / "file") << "x";
  ::testing::internal::CaptureStderr();
  EXPECT_EQ(logits(dir, "int8", tmp / "file" / "quantized"), expected);
  std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(err.find("hfcpp: warning: could not keep the quantized weights"), std::string::npos) << err;
  EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << err;
  // The temporary file is written but cannot be renamed (a folder holds the entry's name): it is
  // removed, and the load goes on.
  const fs::path cache = tmp / "cache";
  std::shared_ptr<const WeightSource> source = open_model_weights(dir);
  const fs::path entry = QuantizedStore(source, source, dir, DType::Q8_0, cache).path();
  fs::create_directories(entry / "in-the-way");
  ::testing::internal::CaptureStderr();
  EXPECT_EQ(logits(dir, "int8", cache), expected);
  err = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(err.find("hfcpp: warning: could not keep the quantized weights"), std::string::npos) << err;
  EXPECT_EQ(files_in(cache), std::vector<fs::path>{entry});  // no temporary file left behind
  // A read-only folder: root writes there anyway, so only another user can check it.
  if (::geteuid() != 0) {
    const fs::path ro = tmp / "ro";
    fs::create_directories(ro);
    fs::permissions(ro, fs::perms::owner_read | fs::perms::owner_exec);
    ::testing::internal::CaptureStderr();
    EXPECT_EQ(logits(dir, "int8", ro), expected);
    err = ::testing::internal::GetCapturedStderr();
    EXPECT_NE(err.find("hfcpp: warning: could not keep the quantized weights"), std::string::npos) << err;
    EXPECT_TRUE(files_in(ro).empty());  // no temporary file left behind
    fs::permissions(ro, fs::perms::owner_all);
  }
}

TEST(QuantizedStore, OptOutWritesNothing) {
  TestTempDir tmp("qstore-optout");
  const fs::path dir = copy_model(tmp);
  const fs::path before_home = default_quantized_cache();
  ::setenv("HFCPP_CACHE", (tmp / "hfcpp").c_str(), 1);
  EXPECT_EQ(default_quantized_cache(), tmp / "hfcpp" / "quantized");
  ::setenv("HFCPP_QUANTIZED_CACHE", "0", 1);
  EXPECT_EQ(default_quantized_cache(), fs::path());
  ::unsetenv("HFCPP_QUANTIZED_CACHE");
  ::unsetenv("HFCPP_CACHE");
  EXPECT_EQ(default_quantized_cache(), before_home);
  logits(dir, "int4", {});  // the option: no folder, nothing written
  for (const auto& e : fs::recursive_directory_iterator(tmp.path()))
    EXPECT_TRUE(e.path().parent_path() == dir || e.path() == dir) << e.path();
}

TEST(QuantizedStore, TwoLoadsAtOnceLeaveOneValidEntry) {
  TestTempDir tmp("qstore-race");
  const fs::path dir = copy_model(tmp), cache = tmp / "cache";
  const std::vector<float> expected = logits(dir, "int4", {});
  std::vector<float> a, b;
  std::thread t1([&] { a = logits(dir, "int4", cache); }), t2([&] { b = logits(dir, "int4", cache); });
  t1.join();
  t2.join();
  EXPECT_EQ(a, expected);
  EXPECT_EQ(b, expected);
  const fs::path entry = entry_in(cache);  // exactly one file: no temporary left
  EXPECT_EQ(entry.extension(), ".safetensors");
  const Identity id = identity(entry);
  ::testing::internal::CaptureStderr();
  EXPECT_EQ(logits(dir, "int4", cache), expected);
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");
  EXPECT_TRUE(same(identity(entry), id));
}

}  // namespace
}  // namespace hf
