// The small pieces: SHA-256, names and URLs, glob patterns, progress bar text.
#include <gtest/gtest.h>

#include <string>

#include "core/progress.h"
#include "core/sha256.h"
#include "fake_hub.h"
#include "hub/http_client.h"
#include "hub/repo_names.h"
#include "hub/snapshot_download.h"

namespace hf::testing {
namespace {

TEST(Sha256, KnownVectors) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(sha256_hex(std::string(1000000, 'a')), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256, IncrementalEqualsOneShotAtEveryBlockBoundary) {
  std::string data = random_bytes(1000, 2);
  for (size_t split : {0u, 1u, 55u, 56u, 63u, 64u, 65u, 127u, 128u, 999u}) {
    Sha256 h;
    h.update(data.substr(0, split));
    h.update(data.substr(split));
    EXPECT_EQ(h.hex_digest(), sha256_hex(data)) << split;
  }
}

TEST(Sha256, DigestResetsForReuse) {
  Sha256 h;
  h.update("abc");
  EXPECT_EQ(h.hex_digest(), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(h.hex_digest(), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");  // empty
  h.update("abc");
  EXPECT_EQ(h.hex_digest(), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(RepoNames, FolderNamesAsPython) {
  EXPECT_EQ(hub::repo_folder_name("Qwen/Qwen2.5-0.5B-Instruct", "model"), "models--Qwen--Qwen2.5-0.5B-Instruct");
  EXPECT_EQ(hub::repo_folder_name("gpt2", "model"), "models--gpt2");
  EXPECT_EQ(hub::repo_folder_name("org/data", "dataset"), "datasets--org--data");
}

TEST(RepoNames, ValidIds) {
  for (const char* ok : {"gpt2", "Qwen/Qwen2.5-0.5B-Instruct", "Helsinki-NLP/opus-mt-zh-en", "a_b/c.d"})
    EXPECT_TRUE(hub::is_valid_repo_id(ok)) << ok;
  for (const char* bad : {"", "/x", "x/", "a/b/c", "a--b/c", "a/b..c", ".a/b", "a/b-", "a/b.git", "a b/c", "a/b?"})
    EXPECT_FALSE(hub::is_valid_repo_id(bad)) << bad;
  EXPECT_FALSE(hub::is_valid_repo_id("org/" + std::string(97, 'x')));
}

TEST(RepoNames, QuotingAsUrllib) {
  EXPECT_EQ(hub::url_quote("refs/pr/1", ""), "refs%2Fpr%2F1");
  EXPECT_EQ(hub::url_quote("v1.0", ""), "v1.0");
  EXPECT_EQ(hub::url_quote("onnx/my model.onnx", "/"), "onnx/my%20model.onnx");
  EXPECT_TRUE(hub::is_commit_hash(std::string(40, 'a')));
  EXPECT_FALSE(hub::is_commit_hash(std::string(40, 'A')));  // uppercase is a ref name, as in Python
  EXPECT_FALSE(hub::is_commit_hash("abc1234"));
}

TEST(HttpClient, OriginsAndRedirectTargets) {
  EXPECT_EQ(hub::url_origin("https://huggingface.co/a/b"), "https://huggingface.co:443");
  EXPECT_EQ(hub::url_origin("HTTPS://HuggingFace.co:443/x"), "https://huggingface.co:443");
  EXPECT_NE(hub::url_origin("http://127.0.0.1:8000/a"), hub::url_origin("http://127.0.0.1:8001/a"));
  EXPECT_EQ(hub::resolve_location("https://h.co/org/m/resolve/main/c.json", "/api/resolve-cache/x?etag=1"),
            "https://h.co/api/resolve-cache/x?etag=1");
  EXPECT_EQ(hub::resolve_location("https://h.co/a/b?q", "c"), "https://h.co/a/c");
  EXPECT_EQ(hub::resolve_location("https://h.co/a", "https://cdn.example/x"), "https://cdn.example/x");
  EXPECT_EQ(hub::resolve_location("https://h.co/a", "//cdn.example/x"), "https://cdn.example/x");
}

TEST(Patterns, ShellGlobsAsHuggingfaceHub) {
  EXPECT_TRUE(hub::matches_patterns("a/b/c.json", {"*.json"}, {}));  // '*' crosses '/'
  EXPECT_TRUE(hub::matches_patterns("onnx/model.onnx", {"onnx/"}, {}));
  EXPECT_FALSE(hub::matches_patterns("Config.JSON", {"*.json"}, {}));  // case-sensitive
  EXPECT_FALSE(hub::matches_patterns("model.bin", {"*.json", "*.safetensors"}, {}));
  EXPECT_FALSE(hub::matches_patterns("x.json", {}, {"*.json"}));
  EXPECT_TRUE(hub::matches_patterns("x.json", {}, {}));
  EXPECT_TRUE(hub::matches_patterns("model-00001-of-00002.safetensors", {"model-0000[0-9]-of-*.safetensors"}, {}));
}

TEST(ProgressBar, Formatting) {
  EXPECT_EQ(ProgressBar::format_size(0), "0");
  EXPECT_EQ(ProgressBar::format_size(999), "999");
  EXPECT_EQ(ProgressBar::format_size(1500), "1.50k");
  EXPECT_EQ(ProgressBar::format_size(988e6), "988M");
  EXPECT_EQ(ProgressBar::format_size(12.3e9), "12.3G");
  EXPECT_EQ(ProgressBar::format_duration(4), "00:04");
  EXPECT_EQ(ProgressBar::format_duration(3725), "1:02:05");
  ProgressBar bar("model.safetensors", 1000000, 0, false);
  bar.update(250000);
  EXPECT_EQ(bar.render(2.0), "model.safetensors:  25%|█████               | 250kB/1.00MB [00:02<00:06, 125kB/s]");
  ProgressBar resumed("x", 100, 40, false);
  resumed.update(10);
  // Speed and ETA count only this run's bytes: 10 in 1 s, 50 left.
  EXPECT_EQ(resumed.render(1.0), "x:  50%|██████████          | 50B/100B [00:01<00:05, 10B/s]");
  ProgressBar shards("Loading checkpoint shards", 4, 0, false, "it");
  shards.update(1);
  EXPECT_EQ(shards.render(1.0), "Loading checkpoint shards:  25%|█████               | 1/4 [00:01<00:03, 1it/s]");
  ProgressBar long_name(std::string(60, 'n') + "tail", 0, 0, false);
  EXPECT_EQ(long_name.render(1.0).rfind("(…)", 0), 0u);
}

TEST_F(HubTest, ProgressBarsPerFileWhenForcedOn) {
  add_model("org/tiny", commit('1'));
  ::setenv("HF_HUB_DISABLE_PROGRESS_BARS", "0", 1);  // false = on even without a terminal
  ::testing::internal::CaptureStderr();
  hf_hub_download("org/tiny", "model.safetensors", opts_);
  std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(err.find("model.safetensors: 100%|"), std::string::npos) << err;
  EXPECT_NE(err.find("20.0kB/20.0kB"), std::string::npos) << err;
  ::setenv("HF_HUB_DISABLE_PROGRESS_BARS", "1", 1);
  ::testing::internal::CaptureStderr();
  hf_hub_download("org/tiny", "tokenizer.json", opts_);
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");
}

}  // namespace
}  // namespace hf::testing
