// Whole-repo operations: sharded weights, snapshot_download with patterns and a paginated
// listing, the safetensors conversion PR, path safety of server-given names, the cache scanner.
#include <gtest/gtest.h>

#include "fake_hub.h"

namespace hf::testing {
namespace {

const std::string kShardedRepo = "org/sharded";
const std::string kShardedFolder = "models--org--sharded";

std::string index_json(const std::vector<std::pair<std::string, std::string>>& weight_map) {
  json wm = json::object();
  for (const auto& [t, f] : weight_map) wm[t] = f;
  return json{{"metadata", {{"total_size", 10}}}, {"weight_map", wm}}.dump();
}

TEST_F(HubTest, ShardedWeightsFetchEveryShardNamedInTheIndex) {
  std::string c = commit('3');
  hub_->add_repo(kShardedRepo, {{"refs", {{"main", c}}}},
                 {{c,
                   {{"config.json", "{}"},
                    {"model.safetensors.index.json",
                     index_json({{"a", "model-00001-of-00002.safetensors"},
                                 {"b", "model-00002-of-00002.safetensors"},
                                 {"c", "model-00001-of-00002.safetensors"}})},
                    {"model-00001-of-00002.safetensors", random_bytes(3000, 1)},
                    {"model-00002-of-00002.safetensors", random_bytes(4000, 2)},
                    {"unrelated.safetensors", "not needed"}}}});
  fs::path snap = resolve_model(kShardedRepo, opts_);
  EXPECT_EQ(slurp(snap / "model-00001-of-00002.safetensors"), random_bytes(3000, 1));
  EXPECT_EQ(slurp(snap / "model-00002-of-00002.safetensors"), random_bytes(4000, 2));
  EXPECT_FALSE(fs::exists(snap / "unrelated.safetensors"));
  EXPECT_TRUE(fs::exists(storage(kShardedFolder) / ".no_exist" / c / "model.safetensors"));
  EXPECT_EQ(hub_->count("GET", "", "cdn"), 2u);  // each shard once, though listed twice
}

TEST_F(HubTest, ShardsDownloadInParallelUnderOneBarAndFailTogether) {
  std::string c = commit('3');
  std::map<std::string, std::string> files = {{"config.json", "{}"}};
  std::vector<std::pair<std::string, std::string>> weight_map;
  for (int i = 1; i <= 6; ++i) {
    std::string name = "model-0000" + std::to_string(i) + "-of-00006.safetensors";
    files[name] = random_bytes(5000 + i, unsigned(i));
    weight_map.push_back({"t" + std::to_string(i), name});
  }
  files["model.safetensors.index.json"] = index_json(weight_map);
  hub_->add_repo(kShardedRepo, {{"refs", {{"main", c}}}}, {{c, files}});
  hub_->set_faults(json::array({{{"port", "cdn"}, {"method", "GET"}, {"action", "corrupt"}, {"times", 1}}}));
  EXPECT_THROW(resolve_model(kShardedRepo, opts_), HubError);  // one shard arrived corrupted
  hub_->set_faults(json::array());
  ::setenv("HF_HUB_DISABLE_PROGRESS_BARS", "0", 1);
  ::testing::internal::CaptureStderr();
  fs::path snap = resolve_model(kShardedRepo, opts_);
  std::string err = ::testing::internal::GetCapturedStderr();
  ::setenv("HF_HUB_DISABLE_PROGRESS_BARS", "1", 1);
  for (const auto& [name, content] : files) EXPECT_EQ(slurp(snap / name), content) << name;
  EXPECT_NE(err.find("Fetching 6 files: 100%|"), std::string::npos) << err;
  EXPECT_EQ(err.find("model-00001-of-00006.safetensors:"), std::string::npos) << err;  // no per-file bars
}

TEST_F(HubTest, IndexNamingAFileOutsideTheRepoIsRejected) {
  for (const std::string evil : {"../../../evil.safetensors", "/etc/passwd", "sub/../../x.safetensors"}) {
    std::string c = commit('4');
    fs::remove_all(hub_->repo_dir(kShardedRepo));
    fs::remove_all(cache_);
    hub_->add_repo(kShardedRepo, {{"refs", {{"main", c}}}},
                   {{c, {{"config.json", "{}"}, {"model.safetensors.index.json", index_json({{"a", evil}})}}}});
    try {
      resolve_model(kShardedRepo, opts_);
      ADD_FAILURE() << "accepted " << evil;
    } catch (const HubError& e) {
      EXPECT_NE(std::string(e.what()).find("unsafe file name"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("model.safetensors.index.json"), std::string::npos) << e.what();
    }
    EXPECT_EQ(hub_->count("HEAD", "evil"), 0u);
    EXPECT_FALSE(fs::exists(hub_->root() / "evil.safetensors"));
  }
}

TEST_F(HubTest, MalformedIndexIsAClearError) {
  std::string c = commit('4');
  hub_->add_repo(kShardedRepo, {{"refs", {{"main", c}}}},
                 {{c, {{"config.json", "{}"}, {"model.safetensors.index.json", R"({"metadata": {}})"}}}});
  try {
    resolve_model(kShardedRepo, opts_);
    FAIL() << "accepted an index without weight_map";
  } catch (const HubError& e) {
    EXPECT_NE(std::string(e.what()).find("model.safetensors.index.json: no 'weight_map' object"), std::string::npos)
        << e.what();
  }
  spit(hub_->repo_dir(kShardedRepo) / "commits" / c / "model.safetensors.index.json", R"({"weight_map": {"a": 3}})");
  fs::remove_all(cache_);
  EXPECT_THROW(resolve_model(kShardedRepo, opts_), HubError);
}

TEST_F(HubTest, UnknownRepoTypeIsRejected) {
  opts_.repo_type = "modelz";
  EXPECT_THROW(hf_hub_download("org/x", "config.json", opts_), InputError);
}

TEST_F(HubTest, ListingNamingAFileOutsideTheRepoIsRejected) {
  std::string c = commit('5');
  hub_->add_repo(kShardedRepo, {{"refs", {{"main", c}}}, {"extra_tree_paths", {"../../escape.json"}}},
                 {{c, {{"config.json", "{}"}}}});
  try {
    snapshot_download(kShardedRepo, opts_);
    FAIL() << "accepted a ../ path from the server";
  } catch (const HubError& e) {
    EXPECT_NE(std::string(e.what()).find("unsafe file name '../../escape.json' from the server"), std::string::npos)
        << e.what();
  }
}

TEST_F(HubTest, UnsafeNamesFromTheCallerAreRejectedBeforeAnyRequest) {
  for (const std::string f : {"../x", "/abs", "a//b", "a\\b", "./x"})
    EXPECT_THROW(hf_hub_download("org/tiny", f, opts_), HubError) << f;
  EXPECT_THROW(resolve_model("../etc", opts_), FileError);  // looks like a path: no such folder
  for (const std::string id : {"a/b/c", "org--x/y", "-org/x", "org/x.git", "org/"})
    EXPECT_THROW(resolve_model(id, opts_), InputError) << id;
  HubOptions o = opts_;
  o.revision = "../../x";
  EXPECT_THROW(hf_hub_download("org/tiny", "config.json", o), InputError);
  EXPECT_TRUE(hub_->requests().empty());
}

TEST_F(HubTest, SnapshotDownloadWithPatternsAndPaginatedListing) {
  std::string c = commit('6');
  hub_->add_repo("org/many", {{"refs", {{"main", c}}}, {"tree_page_size", 2}},
                 {{c,
                   {{"config.json", "{}"},
                    {"a.txt", "a"},
                    {"onnx/model.onnx", "o"},
                    {"onnx/extra.json", "e"},
                    {"model.safetensors", "w"}}}});
  opts_.allow_patterns = {"*.json", "onnx/"};
  opts_.ignore_patterns = {"onnx/extra*"};
  fs::path snap = snapshot_download("org/many", opts_);
  EXPECT_TRUE(fs::exists(snap / "config.json"));
  EXPECT_TRUE(fs::exists(snap / "onnx/model.onnx"));  // "onnx/" = everything under it
  EXPECT_FALSE(fs::exists(snap / "onnx/extra.json"));
  EXPECT_FALSE(fs::exists(snap / "a.txt"));
  EXPECT_FALSE(fs::exists(snap / "model.safetensors"));
  EXPECT_EQ(hub_->count("GET", "/tree/"), 3u);  // 5 files, 2 per page
  // Again: one API call to learn the commit, nothing else (files are pinned to it and cached).
  hub_->clear_log();
  EXPECT_EQ(snapshot_download("org/many", opts_), snap);
  EXPECT_EQ(hub_->count("GET", "/revision/main"), 1u);
  EXPECT_EQ(hub_->count("HEAD"), 0u);
  EXPECT_EQ(hub_->count("GET", "/resolve"), 0u);
  // Offline: no request, the ref leads to the snapshot.
  hub_->clear_log();
  opts_.offline = true;
  EXPECT_EQ(snapshot_download("org/many", opts_), snap);
  EXPECT_TRUE(hub_->requests().empty());
  // resolve_model with patterns is snapshot_download (hfcpp download --include).
  EXPECT_EQ(resolve_model("org/many", opts_), snap);
}

class ConversionTest : public HubTest {
 protected:
  // main has only pytorch_model.bin; the bot's PR #2 adds model.safetensors on top of main.
  void SetUp() override {
    HubTest::SetUp();
    std::string main = commit('7'), pr = commit('8');
    json discussions = json::array(
        {{{"num", 1}, {"title", "Adding `safetensors` variant of this model"}, {"status", "open"},
          {"isPullRequest", true}, {"author", {{"name", "someone-else"}}}},
         {{"num", 2}, {"title", "Adding `safetensors` variant of this model"}, {"status", "open"},
          {"isPullRequest", true}, {"author", {{"name", "SFconvertbot"}}}}});
    hub_->add_repo("org/old", {{"refs", {{"main", main}, {"refs/pr/2", pr}}}, {"parents", {{pr, main}}},
                               {"discussions", discussions}},
                   {{main, {{"config.json", "{}"}, {"pytorch_model.bin", "pickle"}}},
                    {pr, {{"config.json", "{}"}, {"pytorch_model.bin", "pickle"}, {"model.safetensors", "safe"}}}});
  }
};

TEST_F(ConversionTest, UsesTheBotsConversionPrLikeTransformers) {
  fs::path snap = resolve_model("org/old", opts_);
  EXPECT_EQ(snap.filename(), commit('8'));
  EXPECT_EQ(slurp(snap / "model.safetensors"), "safe");
  EXPECT_FALSE(fs::exists(snap / "pytorch_model.bin"));
  EXPECT_EQ(slurp(storage("models--org--old") / "refs" / "refs" / "pr" / "2"), commit('8'));
  EXPECT_EQ(hub_->count("GET", "pytorch_model.bin"), 0u);
  // Offline later: the cached conversion snapshot is found without a request.
  hub_->clear_log();
  opts_.offline = true;
  EXPECT_EQ(resolve_model("org/old", opts_), snap);
  EXPECT_TRUE(hub_->requests().empty());
}

TEST_F(ConversionTest, UseSafetensorsFalseLoadsTheBin) {
  opts_.use_safetensors = false;
  fs::path snap = resolve_model("org/old", opts_);
  EXPECT_EQ(snap.filename(), commit('7'));
  EXPECT_EQ(slurp(snap / "pytorch_model.bin"), "pickle");
  EXPECT_EQ(hub_->count("GET", "/discussions"), 0u);
}

TEST_F(ConversionTest, StalePrIsIgnored) {
  // main moved on since the PR was opened: its other files would be stale, use the .bin.
  json meta = json::parse(slurp(hub_->repo_dir("org/old") / "repo.json"));
  meta["parents"][commit('8')] = commit('6');
  spit(hub_->repo_dir("org/old") / "repo.json", meta.dump());
  fs::path snap = resolve_model("org/old", opts_);
  EXPECT_EQ(snap.filename(), commit('7'));
  EXPECT_TRUE(fs::exists(snap / "pytorch_model.bin"));
}

TEST_F(ConversionTest, RequiredSafetensorsWithoutPrIsAClearError) {
  json meta = json::parse(slurp(hub_->repo_dir("org/old") / "repo.json"));
  meta["discussions"] = json::array();
  spit(hub_->repo_dir("org/old") / "repo.json", meta.dump());
  opts_.use_safetensors = true;
  EXPECT_THROW(resolve_model("org/old", opts_), EntryNotFoundError);
}

TEST_F(HubTest, ScanAndDeleteTheCache) {
  add_model("org/one", commit('1'));
  hub_->add_repo("org/two", {{"refs", {{"main", commit('2')}, {"v1", commit('1')}}}},
                 {{commit('1'), {{"config.json", "same"}}}, {commit('2'), {{"config.json", "same"}, {"x.bin", "12345"}}}});
  resolve_model("org/one", opts_);
  hf_hub_download("org/two", "config.json", opts_);
  hf_hub_download("org/two", "x.bin", opts_);
  HubOptions v1 = opts_;
  v1.revision = "v1";
  hf_hub_download("org/two", "config.json", v1);

  HFCacheInfo info = scan_cache_dir(cache_);
  EXPECT_TRUE(info.warnings.empty()) << info.warnings.front();
  ASSERT_EQ(info.repos.size(), 2u);
  const CachedRepoInfo& two = info.repos[1];
  EXPECT_EQ(two.repo_id, "org/two");
  EXPECT_EQ(two.repo_type, "model");
  ASSERT_EQ(two.revisions.size(), 2u);
  EXPECT_EQ(two.revisions[0].refs, std::vector<std::string>{"v1"});
  EXPECT_EQ(two.revisions[1].refs, std::vector<std::string>{"main"});
  EXPECT_EQ(two.revisions[1].size_on_disk, 4u + 5u);
  EXPECT_EQ(two.size_on_disk, 9u);  // "same" is one blob shared by both revisions
  EXPECT_EQ(two.nb_files, 2u);

  EXPECT_TRUE(delete_cached_repo("org/two", opts_));
  EXPECT_FALSE(delete_cached_repo("org/two", opts_));
  EXPECT_FALSE(fs::exists(storage("models--org--two")));
  EXPECT_EQ(scan_cache_dir(cache_).repos.size(), 1u);
}

TEST_F(HubTest, ScanReportsCorruption) {
  spit(cache_ / "models--org--broken" / "refs" / "main", commit('9'));
  fs::create_directories(cache_ / "models--org--broken" / "snapshots");
  spit(cache_ / "not-a-repo" / "x", "");
  HFCacheInfo info = scan_cache_dir(cache_);
  ASSERT_EQ(info.warnings.size(), 2u);
}

}  // namespace
}  // namespace hf::testing
