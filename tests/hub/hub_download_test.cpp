// hf_hub_download / resolve_model against the local fake Hub: first download, cache reuse,
// offline, mirror, revisions, the cache layout Python expects.
#include <gtest/gtest.h>

#include "core/sha256.h"
#include "fake_hub.h"

namespace hf::testing {
namespace {

const std::string kRepo = "org/tiny";
const std::string kFolder = "models--org--tiny";

TEST_F(HubTest, FirstDownloadLaysOutTheCacheAsPython) {
  std::string weights = random_bytes(50000, 1);
  add_model(kRepo, commit('1'), weights);
  fs::path snap = resolve_model(kRepo, opts_);

  EXPECT_EQ(snap, storage(kFolder) / "snapshots" / commit('1'));
  EXPECT_EQ(slurp(snap / "config.json"), R"({"model_type": "qwen2"})");
  EXPECT_EQ(slurp(snap / "model.safetensors"), weights);
  // refs/main holds the bare commit, no newline.
  EXPECT_EQ(slurp(storage(kFolder) / "refs" / "main"), commit('1'));
  // The LFS blob is named by its sha256, the pointer is a relative symlink.
  std::string sha = sha256_hex(weights);
  EXPECT_TRUE(fs::is_regular_file(storage(kFolder) / "blobs" / sha));
  ASSERT_TRUE(fs::is_symlink(snap / "model.safetensors"));
  EXPECT_EQ(fs::read_symlink(snap / "model.safetensors"), fs::path("../../blobs") / sha);
  EXPECT_TRUE(fs::is_symlink(snap / "config.json"));
  // Optional files the repo lacks are recorded as Python does.
  EXPECT_TRUE(fs::exists(storage(kFolder) / ".no_exist" / commit('1') / "generation_config.json"));
  EXPECT_TRUE(fs::exists(storage(kFolder) / ".no_exist" / commit('1') / "vocab.json"));
  EXPECT_TRUE(fs::exists(cache_ / ".locks" / kFolder / (sha + ".lock")));
  EXPECT_EQ(slurp(cache_ / "CACHEDIR.TAG").rfind("Signature: 8a477f597d28d172789f06886806bc55", 0), 0u);
  // No temp file left behind.
  for (const auto& e : fs::directory_iterator(storage(kFolder) / "blobs"))
    EXPECT_EQ(e.path().string().find(".incomplete"), std::string::npos) << e.path();
  // The content went through one GET each, LFS from the CDN (another origin).
  EXPECT_EQ(hub_->count("GET", "", "cdn"), 1u);
}

TEST_F(HubTest, SecondLoadMakesNoGet) {
  add_model(kRepo, commit('1'));
  fs::path first = resolve_model(kRepo, opts_);
  hub_->clear_log();
  EXPECT_EQ(resolve_model(kRepo, opts_), first);
  EXPECT_EQ(hub_->count("GET"), 0u);
  // One HEAD to learn whether main moved; the rest is pinned to the commit and read from the cache.
  EXPECT_EQ(hub_->count("HEAD", "/resolve/"), 1u);
}

TEST_F(HubTest, OfflineMakesNoRequestAtAll) {
  add_model(kRepo, commit('1'));
  fs::path first = resolve_model(kRepo, opts_);
  hub_->clear_log();
  for (const char* var : {"HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"}) {
    ::setenv(var, "1", 1);
    EXPECT_EQ(resolve_model(kRepo, opts_), first);
    ::unsetenv(var);
  }
  HubOptions o = opts_;
  o.offline = true;
  EXPECT_EQ(resolve_model(kRepo, o), first);
  EXPECT_EQ(hf_hub_download(kRepo, "config.json", o), first / "config.json");
  EXPECT_TRUE(hub_->requests().empty());
}

TEST_F(HubTest, OfflineWithoutCacheSaysWhichFileAndWhatToDo) {
  add_model(kRepo, commit('1'));
  HubOptions o = opts_;
  o.offline = true;
  try {
    resolve_model(kRepo, o);
    FAIL() << "expected LocalEntryNotFoundError";
  } catch (const LocalEntryNotFoundError& e) {
    std::string m = e.what();
    EXPECT_NE(m.find("config.json"), std::string::npos) << m;
    EXPECT_NE(m.find("org/tiny"), std::string::npos) << m;
    EXPECT_NE(m.find("HF_HUB_OFFLINE"), std::string::npos) << m;
  }
  EXPECT_TRUE(hub_->requests().empty());
}

TEST_F(HubTest, HfHubOfflineZeroWinsOverTransformersOffline) {
  add_model(kRepo, commit('1'));
  ::setenv("HF_HUB_OFFLINE", "0", 1);
  ::setenv("TRANSFORMERS_OFFLINE", "1", 1);
  EXPECT_NO_THROW(hf_hub_download(kRepo, "config.json", opts_));
  ::unsetenv("HF_HUB_OFFLINE");
  ::unsetenv("TRANSFORMERS_OFFLINE");
  EXPECT_EQ(hub_->count("HEAD", "/resolve/"), 1u);
}

TEST_F(HubTest, MirrorThroughHfEndpoint) {
  add_model(kRepo, commit('1'));
  ::setenv("HF_ENDPOINT", (hub_->endpoint() + "/").c_str(), 1);  // a trailing slash is tolerated
  HubOptions o = opts_;
  o.endpoint.clear();
  fs::path p = hf_hub_download(kRepo, "config.json", o);
  ::unsetenv("HF_ENDPOINT");
  EXPECT_EQ(slurp(p), R"({"model_type": "qwen2"})");
  EXPECT_GE(hub_->count("HEAD", "/org/tiny/resolve/main/config.json"), 1u);
}

TEST_F(HubTest, HfHubCacheAndHfHomeChooseTheCache) {
  add_model(kRepo, commit('1'));
  HubOptions o = opts_;
  o.cache_dir.clear();
  EXPECT_EQ(hub_cache_dir(o), home_ / "hub");
  fs::path custom = hub_->root() / "custom-cache";
  ::setenv("HF_HUB_CACHE", custom.c_str(), 1);
  EXPECT_EQ(hub_cache_dir(o), custom);
  fs::path p = hf_hub_download(kRepo, "config.json", o);
  ::unsetenv("HF_HUB_CACHE");
  EXPECT_EQ(p, custom / kFolder / "snapshots" / commit('1') / "config.json");
}

TEST_F(HubTest, CacheDirFallbacksAndExpansion) {
  HubOptions o;
  ::unsetenv("HF_HOME");
  ::setenv("XDG_CACHE_HOME", "/xdg", 1);
  EXPECT_EQ(hub_cache_dir(o), fs::path("/xdg/huggingface/hub"));
  ::unsetenv("XDG_CACHE_HOME");
  ::setenv("HF_HOME", "~/hfhome", 1);
  EXPECT_EQ(hub_cache_dir(o), fs::path(std::getenv("HOME")) / "hfhome" / "hub");
  ::setenv("HF_HOME", "$HOME/x", 1);
  EXPECT_EQ(hub_cache_dir(o), fs::path(std::getenv("HOME")) / "x" / "hub");
  ::setenv("HF_HOME", "", 1);  // empty = unset (Python would use a relative "hub")
  EXPECT_EQ(hub_cache_dir(o), fs::path(std::getenv("HOME")) / ".cache" / "huggingface" / "hub");
  ::setenv("HF_HOME", home_.c_str(), 1);
}

TEST_F(HubTest, DatasetReposUseTheirPrefixAndFolder) {
  hub_->add_repo("org/data", {{"refs", {{"main", commit('1')}}}}, {{commit('1'), {{"train.csv", "a,b"}}}});
  opts_.repo_type = "dataset";
  fs::path p = hf_hub_download("org/data", "train.csv", opts_);
  EXPECT_EQ(p, storage("datasets--org--data") / "snapshots" / commit('1') / "train.csv");
  EXPECT_EQ(hub_->count("HEAD", "/datasets/org/data/resolve/main/train.csv"), 1u);
}

TEST_F(HubTest, TagsAndCommitsAsRevisions) {
  hub_->add_repo(kRepo, {{"refs", {{"main", commit('2')}, {"v1.0", commit('1')}}}},
                 {{commit('1'), {{"config.json", "old"}}}, {commit('2'), {{"config.json", "new"}}}});
  HubOptions o = opts_;
  o.revision = "v1.0";
  EXPECT_EQ(slurp(hf_hub_download(kRepo, "config.json", o)), "old");
  EXPECT_EQ(slurp(storage(kFolder) / "refs" / "v1.0"), commit('1'));
  EXPECT_EQ(slurp(hf_hub_download(kRepo, "config.json", opts_)), "new");
  EXPECT_EQ(slurp(storage(kFolder) / "refs" / "main"), commit('2'));
  // A full commit hash: served from the cache with no request, and no refs/ file for it.
  hub_->clear_log();
  o.revision = commit('1');
  EXPECT_EQ(slurp(hf_hub_download(kRepo, "config.json", o)), "old");
  EXPECT_TRUE(hub_->requests().empty());
  EXPECT_FALSE(fs::exists(storage(kFolder) / "refs" / commit('1')));
}

TEST_F(HubTest, BranchThatMovedIsFollowed) {
  add_model(kRepo, commit('1'));
  resolve_model(kRepo, opts_);
  add_model(kRepo, commit('2'));  // main now points at a new commit with the same files
  fs::remove_all(hub_->repo_dir(kRepo) / "commits" / commit('1'));
  hub_->clear_log();
  fs::path snap = resolve_model(kRepo, opts_);
  EXPECT_EQ(snap.filename(), commit('2'));
  EXPECT_EQ(slurp(storage(kFolder) / "refs" / "main"), commit('2'));
  // Same content = same blobs: the new snapshot only links them, nothing is downloaded again.
  EXPECT_EQ(hub_->count("GET"), 0u);
  EXPECT_EQ(slurp(snap / "config.json"), R"({"model_type": "qwen2"})");
}

TEST_F(HubTest, PythonLaidOutCacheIsUsedOffline) {
  // Exactly what huggingface_hub writes: blobs named by etag, relative links (nested ones too),
  // refs/main without newline, .no_exist for an optional file.
  fs::path repo = storage("models--someone--py-model");
  std::string c = commit('a');
  spit(repo / "blobs" / "a751", R"({"model_type": "llama"})");
  spit(repo / "blobs" / "b862", "{}");
  spit(repo / "blobs" / "c973", "weights");
  spit(repo / "refs" / "main", c);
  fs::create_directories(repo / "snapshots" / c / "sub");
  fs::create_symlink("../../blobs/a751", repo / "snapshots" / c / "config.json");
  fs::create_symlink("../../blobs/b862", repo / "snapshots" / c / "tokenizer.json");
  fs::create_symlink("../../blobs/c973", repo / "snapshots" / c / "model.safetensors");
  fs::create_symlink("../../../blobs/b862", repo / "snapshots" / c / "sub" / "extra.json");
  spit(repo / ".no_exist" / c / "generation_config.json", "");

  ::setenv("HF_HUB_OFFLINE", "1", 1);
  fs::path snap = resolve_model("someone/py-model", opts_);
  EXPECT_EQ(snap, repo / "snapshots" / c);
  EXPECT_EQ(slurp(snap / "config.json"), R"({"model_type": "llama"})");
  EXPECT_EQ(try_hf_hub_download("someone/py-model", "generation_config.json", opts_), std::nullopt);
  EXPECT_EQ(slurp(hf_hub_download("someone/py-model", "sub/extra.json", opts_)), "{}");
  ::unsetenv("HF_HUB_OFFLINE");
  EXPECT_TRUE(hub_->requests().empty());
  // A commit revision online needs no request either.
  HubOptions o = opts_;
  o.revision = c;
  EXPECT_EQ(hf_hub_download("someone/py-model", "model.safetensors", o), snap / "model.safetensors");
  EXPECT_TRUE(hub_->requests().empty());
}

TEST_F(HubTest, RefWithTrailingNewlineIsReadTolerantly) {
  fs::path repo = storage("models--someone--nl");
  spit(repo / "refs" / "main", commit('b') + "\n");
  spit(repo / "snapshots" / commit('b') / "config.json", "{}");
  HubOptions o = opts_;
  o.offline = true;
  EXPECT_EQ(hf_hub_download("someone/nl", "config.json", o), repo / "snapshots" / commit('b') / "config.json");
}

TEST_F(HubTest, SubfolderFilesGetNestedRelativeLinks) {
  hub_->add_repo(kRepo, {{"refs", {{"main", commit('1')}}}},
                 {{commit('1'), {{"config.json", "{}"}, {"onnx/model.onnx", "onnx bytes"}}}});
  fs::path p = hf_hub_download(kRepo, "onnx/model.onnx", opts_);
  ASSERT_TRUE(fs::is_symlink(p));
  EXPECT_EQ(fs::read_symlink(p).string().rfind("../../../blobs/", 0), 0u);
  EXPECT_EQ(slurp(p), "onnx bytes");
}

TEST_F(HubTest, DisabledSymlinksPutTheFileInTheSnapshot) {
  add_model(kRepo, commit('1'));
  ::setenv("HF_HUB_DISABLE_SYMLINKS", "1", 1);
  fs::path p = hf_hub_download(kRepo, "model.safetensors", opts_);
  ::unsetenv("HF_HUB_DISABLE_SYMLINKS");
  EXPECT_FALSE(fs::is_symlink(p));
  EXPECT_EQ(slurp(p), random_bytes(20000, 7));
}

TEST_F(HubTest, RenamedRepoIsFollowedAndCachedUnderTheAskedId) {
  add_model("org/new-name", commit('1'));
  hub_->add_repo("org/old-name", {{"renamed_to", "org/new-name"}}, {});
  fs::path p = hf_hub_download("org/old-name", "config.json", opts_);
  EXPECT_EQ(p, storage("models--org--old-name") / "snapshots" / commit('1') / "config.json");
}

TEST_F(HubTest, LocalFolderIsReturnedAsIs) {
  EXPECT_EQ(resolve_model(HF_FIXTURES "/tiny-qwen2", opts_), fs::path(HF_FIXTURES "/tiny-qwen2"));
  EXPECT_THROW(resolve_model("./no/such/folder", opts_), FileError);
  EXPECT_TRUE(hub_->requests().empty());
}

}  // namespace
}  // namespace hf::testing
