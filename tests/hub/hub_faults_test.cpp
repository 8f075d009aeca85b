// What goes wrong between us and the Hub: access errors, missing things, broken transfers,
// corrupted bodies, server errors, an unreachable network, two processes at once.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include "core/sha256.h"
#include "fake_hub.h"

namespace hf::testing {
namespace {

const std::string kFaultsRepo = "org/tiny";
const std::string kFaultsFolder = "models--org--tiny";

template <class E, class F>
std::string message_of(F&& f) {
  try {
    f();
  } catch (const E& e) {
    return e.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "wrong exception type: " << e.what();
    return "";
  }
  ADD_FAILURE() << "no exception";
  return "";
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

class GatedTest : public HubTest {
 protected:
  void SetUp() override {
    HubTest::SetUp();
    std::string c = commit('1');
    hub_->add_repo("org/gated", {{"refs", {{"main", c}}}, {"gated", "manual"}, {"tokens", {"hf_good"}}},
                   {{c, {{"config.json", "{}"}, {"model.safetensors", random_bytes(5000, 3)}}}});
  }
};

TEST_F(GatedTest, WithoutTokenSaysSetHfToken) {
  std::string m = message_of<GatedRepoError>([&] { resolve_model("org/gated", opts_); });
  EXPECT_TRUE(contains(m, "HF_TOKEN")) << m;
  EXPECT_TRUE(contains(m, "401")) << m;
  EXPECT_FALSE(fs::exists(storage("models--org--gated") / "snapshots"));
}

TEST_F(GatedTest, WrongTokenSaysAcceptTheLicenseAtTheModelPage) {
  ::setenv("HF_TOKEN", "hf_wrong", 1);
  std::string m = message_of<GatedRepoError>([&] { resolve_model("org/gated", opts_); });
  ::unsetenv("HF_TOKEN");
  EXPECT_TRUE(contains(m, "accept the license at " + hub_->endpoint() + "/org/gated")) << m;
  EXPECT_TRUE(contains(m, "403")) << m;
}

TEST_F(GatedTest, GoodTokenWorksAndNeverReachesTheCdn) {
  ::setenv("HF_TOKEN", "hf_good", 1);
  fs::path snap = resolve_model("org/gated", opts_);
  ::unsetenv("HF_TOKEN");
  EXPECT_EQ(slurp(snap / "model.safetensors"), random_bytes(5000, 3));
  size_t main_requests = 0, cdn_requests = 0;
  for (const auto& r : hub_->requests()) {
    if (r["port"] == "main") {
      ++main_requests;
      EXPECT_EQ(r["auth"], "Bearer hf_good") << r.dump();
    } else {
      ++cdn_requests;
      EXPECT_TRUE(r["auth"].is_null()) << "token leaked to another host: " << r.dump();
    }
  }
  EXPECT_GT(main_requests, 0u);
  EXPECT_EQ(cdn_requests, 1u);
}

TEST_F(GatedTest, TokenSourcesInPrecedenceOrder) {
  // The token file under HF_HOME is the last resort...
  spit(home_ / "token", "  hf_good\n");
  EXPECT_NO_THROW(hf_hub_download("org/gated", "config.json", opts_));
  // ...HUGGINGFACE_TOKEN (the tutorials' name) comes before it...
  ::setenv("HUGGINGFACE_TOKEN", "hf_wrong", 1);
  opts_.force_download = true;
  EXPECT_THROW(hf_hub_download("org/gated", "config.json", opts_), GatedRepoError);
  // ...HUGGING_FACE_HUB_TOKEN before that, HF_TOKEN first, an explicit token above all.
  ::setenv("HUGGING_FACE_HUB_TOKEN", "hf_good", 1);
  EXPECT_NO_THROW(hf_hub_download("org/gated", "config.json", opts_));
  ::setenv("HF_TOKEN", "hf_wrong", 1);
  EXPECT_THROW(hf_hub_download("org/gated", "config.json", opts_), GatedRepoError);
  opts_.token = "hf_good";
  EXPECT_NO_THROW(hf_hub_download("org/gated", "config.json", opts_));
  for (const char* v : {"HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "HUGGINGFACE_TOKEN"}) ::unsetenv(v);
}

TEST_F(GatedTest, DisabledImplicitTokenSendsOnlyAnExplicitOne) {
  ::setenv("HF_TOKEN", "hf_good", 1);
  ::setenv("HF_HUB_DISABLE_IMPLICIT_TOKEN", "1", 1);
  EXPECT_THROW(hf_hub_download("org/gated", "config.json", opts_), GatedRepoError);
  opts_.token = "hf_good";
  EXPECT_NO_THROW(hf_hub_download("org/gated", "config.json", opts_));
  ::unsetenv("HF_TOKEN");
  ::unsetenv("HF_HUB_DISABLE_IMPLICIT_TOKEN");
}

TEST_F(HubTest, MissingRepoMayBePrivate) {
  std::string m = message_of<RepositoryNotFoundError>([&] { resolve_model("org/nope", opts_); });
  EXPECT_TRUE(contains(m, "org/nope")) << m;
  EXPECT_TRUE(contains(m, "private")) << m;
  EXPECT_TRUE(contains(m, "HF_TOKEN")) << m;
}

TEST_F(HubTest, MissingFileIsEntryNotFoundAndRecorded) {
  add_model(kFaultsRepo, commit('1'));
  std::string m = message_of<EntryNotFoundError>([&] { hf_hub_download(kFaultsRepo, "nope.json", opts_); });
  EXPECT_TRUE(contains(m, "nope.json")) << m;
  EXPECT_TRUE(contains(m, hub_->endpoint() + "/org/tiny/tree/main")) << m;
  EXPECT_TRUE(fs::exists(storage(kFaultsFolder) / ".no_exist" / commit('1') / "nope.json"));
  // A ref is never left pointing at a missing snapshot folder (Python's cache scan would flag it).
  EXPECT_TRUE(fs::is_directory(storage(kFaultsFolder) / "snapshots" / commit('1')));
  EXPECT_EQ(try_hf_hub_download(kFaultsRepo, "nope.json", opts_), std::nullopt);
  // Known missing at a commit: no request at all the next time.
  hub_->clear_log();
  HubOptions o = opts_;
  o.revision = commit('1');
  EXPECT_EQ(try_hf_hub_download(kFaultsRepo, "nope.json", o), std::nullopt);
  EXPECT_TRUE(hub_->requests().empty());
}

TEST_F(HubTest, MirrorAnsweringABare404MeansAbsentForOptionalFiles) {
  add_model(kFaultsRepo, commit('1'));
  hub_->set_faults(json::array({{{"method", "HEAD"}, {"path_contains", "/vocab.json"}, {"action", "status"}, {"status", 404}}}));
  fs::path snap = resolve_model(kFaultsRepo, opts_);
  EXPECT_FALSE(fs::exists(snap / "vocab.json"));
  EXPECT_THROW(hf_hub_download(kFaultsRepo, "vocab.json", opts_), EntryNotFoundError);
}

TEST_F(HubTest, MissingRevisionSaysSo) {
  add_model(kFaultsRepo, commit('1'));
  opts_.revision = "v9";
  std::string m = message_of<RevisionNotFoundError>([&] { resolve_model(kFaultsRepo, opts_); });
  EXPECT_TRUE(contains(m, "'v9'")) << m;
  EXPECT_THROW(snapshot_download(kFaultsRepo, opts_), RevisionNotFoundError);
}

TEST_F(HubTest, DroppedConnectionResumesWithoutFetchingBytesTwice) {
  std::string weights = random_bytes(200000, 5);
  add_model(kFaultsRepo, commit('1'), weights);
  hub_->set_faults(json::array({{{"port", "cdn"}, {"method", "GET"}, {"action", "drop"}, {"after_bytes", 70000}, {"times", 1}}}));
  fs::path p = hf_hub_download(kFaultsRepo, "model.safetensors", opts_);
  EXPECT_EQ(slurp(p), weights);
  std::vector<json> gets;
  for (const auto& r : hub_->requests())
    if (r["port"] == "cdn" && r["method"] == "GET") gets.push_back(r);
  ASSERT_EQ(gets.size(), 2u);
  EXPECT_TRUE(gets[0]["range"].is_null());
  EXPECT_EQ(gets[1]["range"], "bytes=70000-");
  EXPECT_EQ(gets[0]["bytes"].get<size_t>() + gets[1]["bytes"].get<size_t>(), weights.size());
}

TEST_F(HubTest, PartialFileOfAnEarlierRunIsResumed) {
  std::string weights = random_bytes(100000, 6);
  add_model(kFaultsRepo, commit('1'), weights);
  spit(storage(kFaultsFolder) / "blobs" / (sha256_hex(weights) + ".incomplete"), weights.substr(0, 40000));
  fs::path p = hf_hub_download(kFaultsRepo, "model.safetensors", opts_);
  EXPECT_EQ(slurp(p), weights);
  ASSERT_EQ(hub_->count("GET", "", "cdn"), 1u);
  for (const auto& r : hub_->requests())
    if (r["port"] == "cdn") {
      EXPECT_EQ(r["range"], "bytes=40000-");
      EXPECT_EQ(r["bytes"], 60000);
    }
}

TEST_F(HubTest, ServerIgnoringRangeRestartsTheFileFromZero) {
  std::string weights = random_bytes(100000, 6);
  add_model(kFaultsRepo, commit('1'), weights);
  spit(storage(kFaultsFolder) / "blobs" / (sha256_hex(weights) + ".incomplete"), weights.substr(0, 40000));
  hub_->set_faults(json::array({{{"port", "cdn"}, {"method", "GET"}, {"action", "ignore_range"}}}));
  EXPECT_EQ(slurp(hf_hub_download(kFaultsRepo, "model.safetensors", opts_)), weights);
  for (const auto& r : hub_->requests())
    if (r["port"] == "cdn") {
      EXPECT_EQ(r["range"], "bytes=40000-");
      EXPECT_EQ(r["status"], 200);
    }
}

TEST_F(HubTest, PartialFileLongerThanTheBlobIsDiscarded) {
  std::string weights = random_bytes(1000, 6);
  add_model(kFaultsRepo, commit('1'), weights);
  spit(storage(kFaultsFolder) / "blobs" / (sha256_hex(weights) + ".incomplete"), random_bytes(5000, 1));
  EXPECT_EQ(slurp(hf_hub_download(kFaultsRepo, "model.safetensors", opts_)), weights);
}

TEST_F(HubTest, CorruptedBodyIsCaughtAndLeavesNothingBehind) {
  std::string weights = random_bytes(30000, 8);
  add_model(kFaultsRepo, commit('1'), weights);
  hub_->set_faults(json::array({{{"port", "cdn"}, {"method", "GET"}, {"action", "corrupt"}, {"times", 1}}}));
  std::string m = message_of<HubError>([&] { hf_hub_download(kFaultsRepo, "model.safetensors", opts_); });
  EXPECT_TRUE(contains(m, "sha256")) << m;
  std::string sha = sha256_hex(weights);
  EXPECT_FALSE(fs::exists(storage(kFaultsFolder) / "blobs" / sha));
  EXPECT_FALSE(fs::exists(storage(kFaultsFolder) / "blobs" / (sha + ".incomplete")));
  EXPECT_FALSE(fs::exists(storage(kFaultsFolder) / "snapshots" / commit('1') / "model.safetensors"));
  // The next attempt (the fault was one-shot) succeeds.
  EXPECT_EQ(slurp(hf_hub_download(kFaultsRepo, "model.safetensors", opts_)), weights);
}

TEST_F(HubTest, ServerErrorOnceIsRetried) {
  add_model(kFaultsRepo, commit('1'));
  hub_->set_faults(json::array({{{"method", "HEAD"}, {"path_contains", "/resolve/main/config.json"},
                                 {"action", "status"}, {"status", 500}, {"times", 1}}}));
  EXPECT_EQ(slurp(hf_hub_download(kFaultsRepo, "config.json", opts_)), R"({"model_type": "qwen2"})");
  EXPECT_EQ(hub_->count("HEAD", "/resolve/main/config.json"), 2u);
}

TEST_F(HubTest, ServerErrorOnDownloadIsRetried) {
  add_model(kFaultsRepo, commit('1'));
  hub_->set_faults(json::array({{{"port", "cdn"}, {"method", "GET"}, {"action", "status"}, {"status", 503}, {"times", 1}}}));
  EXPECT_EQ(slurp(hf_hub_download(kFaultsRepo, "model.safetensors", opts_)), random_bytes(20000, 7));
  EXPECT_EQ(hub_->count("GET", "", "cdn"), 2u);
}

int closed_port() {
  int s = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(s, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(s);  // nobody listens there any more
  return ntohs(a.sin_port);
}

TEST_F(HubTest, UnreachableHubFallsBackToTheCacheWithAWarning) {
  add_model(kFaultsRepo, commit('1'));
  fs::path snap = resolve_model(kFaultsRepo, opts_);
  HubOptions o = opts_;
  o.endpoint = "http://127.0.0.1:" + std::to_string(closed_port());
  ::testing::internal::CaptureStderr();
  EXPECT_EQ(resolve_model(kFaultsRepo, o), snap);
  std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_TRUE(contains(err, "warning")) << err;
  EXPECT_TRUE(contains(err, "cached")) << err;
  // Nothing cached for another repo: a clear error naming the endpoint, quickly (no retry storm).
  std::string m = message_of<LocalEntryNotFoundError>([&] { resolve_model("org/other", o); });
  EXPECT_TRUE(contains(m, "cannot reach " + o.endpoint)) << m;
  EXPECT_TRUE(contains(m, "config.json")) << m;
}

TEST_F(HubTest, UnreachableHubSkipsOptionalFilesTheCacheCannotVouchFor) {
  add_model(kFaultsRepo, commit('1'));
  fs::path snap = resolve_model(kFaultsRepo, opts_);
  fs::remove_all(storage(kFaultsFolder) / ".no_exist");  // e.g. a cache filled by another tool
  HubOptions o = opts_;
  o.endpoint = "http://127.0.0.1:" + std::to_string(closed_port());
  ::testing::internal::CaptureStderr();
  EXPECT_EQ(resolve_model(kFaultsRepo, o), snap);
  std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_TRUE(contains(err, "skipping 'generation_config.json'")) << err;
  // A required file is still an error.
  EXPECT_THROW(hf_hub_download(kFaultsRepo, "generation_config.json", o), LocalEntryNotFoundError);
}

TEST_F(HubTest, SnapshotDownloadFallsBackToTheCacheWhenUnreachable) {
  add_model(kFaultsRepo, commit('1'));
  fs::path snap = snapshot_download(kFaultsRepo, opts_);
  HubOptions o = opts_;
  o.endpoint = "http://127.0.0.1:" + std::to_string(closed_port());
  ::testing::internal::CaptureStderr();
  EXPECT_EQ(snapshot_download(kFaultsRepo, o), snap);
  EXPECT_TRUE(contains(::testing::internal::GetCapturedStderr(), "using the cached snapshot"));
  EXPECT_THROW(snapshot_download("org/other", o), LocalEntryNotFoundError);
}

TEST_F(HubTest, UnauthorizedAfterCachingStillServesTheCache) {
  add_model(kFaultsRepo, commit('1'));
  fs::path snap = resolve_model(kFaultsRepo, opts_);
  hub_->set_faults(json::array({{{"method", "HEAD"}, {"action", "status"}, {"status", 403}}}));
  ::testing::internal::CaptureStderr();
  EXPECT_EQ(resolve_model(kFaultsRepo, opts_), snap);
  ::testing::internal::GetCapturedStderr();
}

TEST_F(HubTest, TwoProcessesDownloadingTheSameModel) {
  std::string weights = random_bytes(400000, 9);
  add_model(kFaultsRepo, commit('1'), weights);
  // Slow the LFS transfer so both processes are inside the download at once.
  hub_->set_faults(json::array({{{"port", "cdn"}, {"method", "GET"}, {"action", "slow"}, {"delay_s", 0.02}}}));
  pid_t kids[2];
  for (pid_t& k : kids) {
    k = ::fork();
    if (k == 0) {
      int rc = 1;
      try {
        rc = slurp(resolve_model(kFaultsRepo, opts_) / "model.safetensors") == weights ? 0 : 2;
      } catch (...) {
        rc = 3;
      }
      ::_exit(rc);
    }
  }
  for (pid_t k : kids) {
    int status = 0;
    ::waitpid(k, &status, 0);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "child status " << status;
  }
  // The lock made the second process wait and reuse the first one's blob.
  EXPECT_EQ(hub_->count("GET", "", "cdn"), 1u);
  EXPECT_EQ(slurp(storage(kFaultsFolder) / "snapshots" / commit('1') / "model.safetensors"), weights);
}

}  // namespace
}  // namespace hf::testing

namespace hf::testing {
namespace {

// Python's filelock (UnixFileLock) takes fcntl.flock(LOCK_EX) on .locks/<repo>/<etag>.lock. A
// Python process holding it while it writes the blob must make us wait, then reuse its blob.
TEST_F(HubTest, PythonHoldingTheBlobLockMakesUsWaitAndReuseItsBlob) {
  std::string weights = random_bytes(10000, 4);
  add_model("org/tiny", commit('1'), weights);
  std::string sha = sha256_hex(weights);
  fs::path lock = cache_ / ".locks" / "models--org--tiny" / (sha + ".lock");
  fs::path blob = cache_ / "models--org--tiny" / "blobs" / sha;
  fs::path ready = hub_->root() / "python-has-lock";
  fs::path source = hub_->repo_dir("org/tiny") / "commits" / commit('1') / "model.safetensors";
  std::string script =
      "import fcntl, os, shutil, sys, time\n"
      "lock, blob, ready, source = sys.argv[1:5]\n"
      "os.makedirs(os.path.dirname(lock), exist_ok=True)\n"
      "fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o664)\n"
      "fcntl.flock(fd, fcntl.LOCK_EX)\n"
      "open(ready, 'w').close()\n"
      "time.sleep(0.5)\n"
      "os.makedirs(os.path.dirname(blob), exist_ok=True)\n"
      "shutil.copyfile(source, blob + '.tmp'); os.replace(blob + '.tmp', blob)\n"
      "fcntl.flock(fd, fcntl.LOCK_UN)\n";
  spit(hub_->root() / "holder.py", script);
  pid_t py = ::fork();
  if (py == 0) {
    std::string s = (hub_->root() / "holder.py").string();
    ::execl("/usr/bin/python3", "python3", s.c_str(), lock.c_str(), blob.c_str(), ready.c_str(), source.c_str(),
            (char*)nullptr);
    ::_exit(127);
  }
  for (int i = 0; i < 400 && !fs::exists(ready); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  fs::path p = hf_hub_download("org/tiny", "model.safetensors", opts_);
  ::waitpid(py, nullptr, 0);
  EXPECT_EQ(slurp(p), weights);
  EXPECT_EQ(hub_->count("GET", "", "cdn"), 0u);  // we waited and used the blob Python wrote
}

// A mirror (HF_ENDPOINT) is as untrusted as a model file: its JSON answers go through the same
// bounded parsing (core/json.h), and each hostile one is a one-line HubError naming the URL.
TEST_F(HubTest, HostileMirrorAnswersAreClearErrorsNamingTheUrl) {
  add_model(kFaultsRepo, commit('1'));
  struct Case {
    std::string path, body;
    long repeat;
    std::string says;
  };
  const std::string deep(1000000, '[');
  for (const Case& c : std::vector<Case>{{"/revision/", R"({"sha": 1e400})", 1, "number out of range"},
                                         {"/revision/", deep, 1, "nested deeper than 512 levels"},
                                         {"/revision/", "[1,", 1, "not valid JSON"},
                                         {"/revision/", R"({"sha": "main"})", 1, "no commit hash in 'sha'"},
                                         {"/tree/", R"([{"type": "file", "path": "a", "size": 1e400}])", 1,
                                          "number out of range"},
                                         {"/tree/", deep, 1, "nested deeper than 512 levels"},
                                         {"/tree/", " ", 70L << 20, "larger than 64 MiB"}}) {
    SCOPED_TRACE(c.path + " " + c.says);
    hub_->set_faults(json::array(
        {{{"path_contains", c.path}, {"action", "body"}, {"body", c.body}, {"repeat", c.repeat}}}));
    std::string m = message_of<HubError>([&] { snapshot_download(kFaultsRepo, opts_); });
    EXPECT_TRUE(contains(m, hub_->endpoint() + "/api/models/" + kFaultsRepo + c.path)) << m;
    EXPECT_TRUE(contains(m, c.says)) << m;
    EXPECT_EQ(m.find('\n'), std::string::npos) << m;
  }
}

}  // namespace
}  // namespace hf::testing
