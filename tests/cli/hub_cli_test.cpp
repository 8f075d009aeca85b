// `hfcpp download` and `hfcpp cache ls/rm`, run as a user would, against the local fake Hub.
#include <gtest/gtest.h>

#include <algorithm>

#include "hub/fake_hub.h"
#include "run_program.h"

namespace hf::testing {
namespace {

class HubCliTest : public HubTest {
 protected:
  // Runs hfcpp with the fake Hub as HF_ENDPOINT, the test's cache as HF_HUB_CACHE and a folder of
  // the test's as HFCPP_CACHE (--quantize keeps its weights in quantized() there).
  ProgramResult hfcpp(const std::string& args, const std::string& more_env = "") {
    return run_program("HF_ENDPOINT=" + hub_->endpoint() + " HF_HUB_CACHE=" + quote(cache_.string()) +
                       " HFCPP_CACHE=" + quote((hub_->root() / "hfcpp").string()) + " " + more_env + " " +
                       std::string(HF_BINARY_DIR) + "/hfcpp " + args);
  }
  fs::path quantized() const { return hub_->root() / "hfcpp" / "quantized"; }
  // The tiny Qwen2 fixture as the repo Qwen-test/tiny-qwen2 at commit('1').
  void add_tiny_qwen2() {
    std::map<std::string, std::string> files;
    for (const auto& e : fs::directory_iterator(HF_FIXTURES "/tiny-qwen2"))
      if (e.path().extension() == ".json" || e.path().extension() == ".safetensors")
        files[e.path().filename().string()] = slurp(e.path());
    files.erase("expected.json");
    hub_->add_repo("Qwen-test/tiny-qwen2", {{"refs", {{"main", commit('1')}}}}, {{commit('1'), files}});
  }
};

TEST_F(HubCliTest, DownloadPrintsTheSnapshotFolder) {
  add_model("org/tiny", commit('1'));
  ProgramResult r = hfcpp("download org/tiny");
  ASSERT_EQ(r.status, 0) << r.err;
  fs::path snap = cache_ / "models--org--tiny" / "snapshots" / commit('1');
  EXPECT_EQ(r.out, snap.string() + "\n");
  EXPECT_TRUE(fs::exists(snap / "model.safetensors"));
  EXPECT_EQ(r.err, "");  // stderr is not a terminal: no progress bars

  hub_->clear_log();
  r = hfcpp("download org/tiny --offline");
  EXPECT_EQ(r.out, snap.string() + "\n") << r.err;
  EXPECT_TRUE(hub_->requests().empty());
}

TEST_F(HubCliTest, DownloadIncludeAndRevision) {
  hub_->add_repo("org/multi", {{"refs", {{"main", commit('2')}, {"v1", commit('1')}}}},
                 {{commit('1'), {{"config.json", "{}"}, {"a.txt", "a"}}}, {commit('2'), {{"config.json", "{}"}}}});
  ProgramResult r = hfcpp("download org/multi --revision v1 --include '*.txt'");
  ASSERT_EQ(r.status, 0) << r.err;
  fs::path snap = cache_ / "models--org--multi" / "snapshots" / commit('1');
  EXPECT_EQ(r.out, snap.string() + "\n");
  EXPECT_TRUE(fs::exists(snap / "a.txt"));
  EXPECT_FALSE(fs::exists(snap / "config.json"));
}

TEST_F(HubCliTest, DownloadErrorsAreOneLine) {
  ProgramResult r = hfcpp("download org/nope");
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err.rfind("hfcpp: error: repository org/nope not found", 0), 0u) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
}

TEST_F(HubCliTest, CacheLsAndRm) {
  add_model("org/tiny", commit('1'));
  ASSERT_EQ(hfcpp("download org/tiny").status, 0);
  ProgramResult ls = hfcpp("cache ls");
  ASSERT_EQ(ls.status, 0) << ls.err;
  EXPECT_NE(ls.out.find("org/tiny"), std::string::npos) << ls.out;
  EXPECT_NE(ls.out.find(commit('1').substr(0, 8) + " (main)"), std::string::npos) << ls.out;
  EXPECT_NE(ls.out.find("1 repo(s)"), std::string::npos) << ls.out;

  ProgramResult rm = hfcpp("cache rm org/tiny");
  EXPECT_EQ(rm.status, 0) << rm.err;
  EXPECT_FALSE(fs::exists(cache_ / "models--org--tiny"));
  EXPECT_NE(hfcpp("cache ls").out.find("0 repo(s)"), std::string::npos);
  EXPECT_EQ(hfcpp("cache rm org/tiny").status, 1);
}

// `cache ls` says where the weights --quantize kept are and what they take; `cache rm` of a model
// also removes the ones made from its files, which no load can ask for again.
TEST_F(HubCliTest, CacheRmAlsoRemovesTheModelsQuantizedWeights) {
  add_tiny_qwen2();
  add_model("org/tiny", commit('2'));
  ASSERT_EQ(hfcpp("download org/tiny").status, 0);
  ProgramResult ls = hfcpp("cache ls");
  EXPECT_NE(ls.out.find("quantized weights (--quantize): 0 file(s), 0B on disk in " + quantized().string()),
            std::string::npos) << ls.out;
  for (const char* type : {"int8", "int4"}) {
    ProgramResult r = hfcpp(std::string("info Qwen-test/tiny-qwen2 --quantize ") + type);
    ASSERT_EQ(r.status, 0) << r.err;
  }
  ls = hfcpp("cache ls");
  EXPECT_NE(ls.out.find("quantized weights (--quantize): 2 file(s), "), std::string::npos) << ls.out;
  EXPECT_NE(ls.out.find("2 repo(s)"), std::string::npos) << ls.out;

  ProgramResult rm = hfcpp("cache rm org/tiny");  // another model: its entries stay
  ASSERT_EQ(rm.status, 0) << rm.err;
  EXPECT_EQ(rm.err, "");
  rm = hfcpp("cache rm Qwen-test/tiny-qwen2");
  ASSERT_EQ(rm.status, 0) << rm.err;
  EXPECT_NE(rm.err.find("hfcpp: removed " + quantized().string() + "/"), std::string::npos) << rm.err;
  EXPECT_NE(rm.err.find(": the weights it was quantized from have changed or are gone"), std::string::npos) << rm.err;
  EXPECT_TRUE(fs::is_empty(quantized()));
  EXPECT_NE(hfcpp("cache ls").out.find("quantized weights (--quantize): 0 file(s)"), std::string::npos);
}

// The whole path a user takes: a Hub id → download through HF_ENDPOINT → a model that loads;
// then the same command offline, answered from the cache without a request.
TEST_F(HubCliTest, ModelFromTheHubLoadsOnlineThenOffline) {
  add_tiny_qwen2();
  ProgramResult online = hfcpp("info Qwen-test/tiny-qwen2");
  ASSERT_EQ(online.status, 0) << online.err;
  EXPECT_NE(online.out.find("Qwen2ForCausalLM"), std::string::npos) << online.out;
  EXPECT_EQ(hub_->count("GET", "/lfs/", "cdn"), 1u);  // the weights, once

  hub_->clear_log();
  ProgramResult offline = hfcpp("info Qwen-test/tiny-qwen2", "HF_HUB_OFFLINE=1");
  ASSERT_EQ(offline.status, 0) << offline.err;
  EXPECT_EQ(offline.out, online.out);
  EXPECT_TRUE(hub_->requests().empty());
}

}  // namespace
}  // namespace hf::testing
