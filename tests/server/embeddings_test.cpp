// POST /v1/embeddings in process on 127.0.0.1 with the sentence-transformers fixture
// (tiny-bert/sentence-minilm: mean pooling, Normalize, max_seq_length 16): vectors equal to the
// fixture's float64 reference, every input form, base64, dimensions, usage, and each refusal.
#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "core/json.h"
#include "server_fixture.h"
#include "test_temp.h"

namespace hf::server::testing {
namespace {

const std::string kEmbedder = std::string(HF_FIXTURES) + "/tiny-bert/sentence-minilm";

// The reference vectors of the fixture's batch case, by input text.
json expected_case() {
  const json expected = read_json_file(kEmbedder + "/expected.json");  // named: a temporary's items would dangle
  for (const json& c : expected["pipeline_cases"])
    if (c["name"] == "se_batch") return c;
  throw std::runtime_error("no se_batch case");
}

void expect_near(const json& got, const json& want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i].get<double>(), want[i].get<double>(), 1e-5) << "at " << i;
}

std::vector<float> from_base64(const std::string& s) {
  std::string bytes(s.size(), '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(bytes.data()), reinterpret_cast<const unsigned char*>(s.data()),
                                static_cast<int>(s.size()));
  const size_t padding = s.ends_with("==") ? 2 : s.ends_with("=") ? 1 : 0;  // EVP_DecodeBlock keeps them as zeros
  std::vector<float> v((static_cast<size_t>(n) - padding) / sizeof(float));
  std::memcpy(v.data(), bytes.data(), v.size() * sizeof(float));
  return v;
}

ServerOptions embedding_only() {
  ServerOptions o;
  o.model_id = "unused";
  o.embedding_model_id = "minilm";
  return o;
}

class Embeddings : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = new RunningServer(embedding_only(), false);
    server_->server->load("", kEmbedder);
  }
  static void TearDownTestSuite() { delete server_; }
  static RunningServer* server_;
};
RunningServer* Embeddings::server_ = nullptr;

TEST_F(Embeddings, BatchOfTextsEqualsTheReference) {
  const json c = expected_case();
  const json inputs = json::array({c["inputs"][0], c["inputs"][1]});  // the third is longer than max_seq_length
  auto [status, body] = server_->post("/v1/embeddings", {{"model", "minilm"}, {"input", inputs}});
  ASSERT_EQ(status, 200) << body.dump();
  EXPECT_EQ(body["object"], "list");
  EXPECT_EQ(body["model"], "minilm");
  ASSERT_EQ(body["data"].size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(body["data"][i]["object"], "embedding");
    EXPECT_EQ(body["data"][i]["index"], i);
    expect_near(body["data"][i]["embedding"], c["output"][i]);
  }
  // "free code" is 4 tokens with [CLS] and [SEP] (the fixture's debug ids), "the license is gpl." 7.
  EXPECT_EQ(body["usage"], json({{"prompt_tokens", 11}, {"total_tokens", 11}}));
}

TEST_F(Embeddings, AStringTokenIdsAndBase64AreTheSameVector) {
  const json c = expected_case();
  const json ids = read_json_file(kEmbedder + "/expected.json")["debug"]["input_ids"];  // "free code"
  auto [s1, one] = server_->post("/v1/embeddings", {{"model", "minilm"}, {"input", "free code"}, {"encoding_format", "float"}});
  auto [s2, tokens] = server_->post("/v1/embeddings", {{"model", "minilm"}, {"input", ids}});
  auto [s3, nested] = server_->post("/v1/embeddings", {{"model", "minilm"}, {"input", json::array({ids, ids})}});
  auto [s4, b64] = server_->post("/v1/embeddings", {{"model", "minilm"}, {"input", "free code"}, {"encoding_format", "base64"}});
  ASSERT_EQ(s1, 200);
  ASSERT_EQ(s2, 200) << tokens.dump();
  ASSERT_EQ(s3, 200) << nested.dump();
  ASSERT_EQ(s4, 200);
  expect_near(one["data"][0]["embedding"], c["output"][0]);
  expect_near(tokens["data"][0]["embedding"], c["output"][0]);
  ASSERT_EQ(nested["data"].size(), 2u);
  expect_near(nested["data"][1]["embedding"], c["output"][0]);
  EXPECT_EQ(nested["usage"]["prompt_tokens"], 8);
  ASSERT_TRUE(b64["data"][0]["embedding"].is_string());
  const std::vector<float> decoded = from_base64(b64["data"][0]["embedding"]);
  expect_near(json(decoded), one["data"][0]["embedding"]);
}

TEST_F(Embeddings, ModelsListsTheEmbeddingModelAndChatIsRefused) {
  auto c = server_->client();
  auto m = c.Get("/v1/models");
  ASSERT_TRUE(m);
  EXPECT_EQ(json::parse(m->body)["data"], json::array({json::parse(m->body)["data"][0]}));
  EXPECT_EQ(json::parse(m->body)["data"][0]["id"], "minilm");
  auto [status, body] = server_->post("/v1/chat/completions", {{"model", "minilm"}, {"messages", json::array()}});
  EXPECT_EQ(status, 404);
  EXPECT_EQ(body["error"]["code"], "model_not_found");
}

TEST_F(Embeddings, RefusalsNameTheField) {
  struct Case {
    json body;
    int status;
    std::string param;
  };
  const std::vector<Case> cases = {
      {{{"model", "minilm"}}, 400, "input"},
      {{{"input", "x"}}, 400, "model"},
      {{{"model", "other"}, {"input", "x"}}, 404, "model"},
      {{{"model", "minilm"}, {"input", ""}}, 400, "input"},
      {{{"model", "minilm"}, {"input", json::array()}}, 400, "input"},
      {{{"model", "minilm"}, {"input", json::array({"a", json::array({1})})}}, 400, "input"},
      {{{"model", "minilm"}, {"input", json::array({1, -2})}}, 400, "input"},
      {{{"model", "minilm"}, {"input", json::array({1, 100000})}}, 400, "input"},  // outside the vocabulary
      {{{"model", "minilm"}, {"input", json::array({json::array()})}}, 400, "input"},
      {{{"model", "minilm"}, {"input", 5}}, 400, "input"},
      {{{"model", "minilm"}, {"input", std::string(400, 'a') + " b c d e f g h i j k l m n o p q"}}, 400, "input"},  // > 16 tokens
      {{{"model", "minilm"}, {"input", "x"}, {"encoding_format", "int8"}}, 400, "encoding_format"},
      {{{"model", "minilm"}, {"input", "x"}, {"dimensions", 8}}, 400, "dimensions"},  // not a Matryoshka model
      {{{"model", "minilm"}, {"input", "x"}, {"truncate", true}}, 400, "truncate"},
  };
  for (const Case& c : cases) {
    auto [status, body] = server_->post("/v1/embeddings", c.body);
    EXPECT_EQ(status, c.status) << c.body.dump() << " -> " << body.dump();
    EXPECT_EQ(body["error"]["param"], c.param) << c.body.dump();
    EXPECT_EQ(body["error"]["type"], "invalid_request_error") << c.body.dump();
  }
  auto [status, body] = server_->post_raw("/v1/embeddings", "{\"model\": ");
  EXPECT_EQ(status, 400);
  EXPECT_EQ(body["error"]["code"], "invalid_json");
}

TEST(EmbeddingsServer, TooManyInputsIsRefused) {
  RunningServer s(embedding_only(), false);
  s.server->load("", kEmbedder);
  auto [status, body] = s.post("/v1/embeddings", {{"model", "minilm"}, {"input", json(std::vector<std::string>(2049, "a"))}});
  EXPECT_EQ(status, 400);
  EXPECT_EQ(body["error"]["param"], "input");
}

// A model whose config.json declares Matryoshka dimensions accepts `dimensions`: the first d
// values, normalized again.
TEST(EmbeddingsServer, MatryoshkaDimensions) {
  TestTempDir dir("matryoshka");
  const auto folder = dir / "model";
  std::filesystem::copy(kEmbedder, folder, std::filesystem::copy_options::recursive);
  json config = read_json_file(folder / "config.json");
  config["matryoshka_dimensions"] = {32, 16, 8};
  std::ofstream(folder / "config.json") << config.dump();
  RunningServer s(embedding_only(), false);
  s.server->load("", folder.string());
  auto [full_status, full] = s.post("/v1/embeddings", {{"model", "minilm"}, {"input", "free code"}});
  auto [status, body] = s.post("/v1/embeddings", {{"model", "minilm"}, {"input", "free code"}, {"dimensions", 8}});
  ASSERT_EQ(full_status, 200);
  ASSERT_EQ(status, 200) << body.dump();
  const json v = body["data"][0]["embedding"], w = full["data"][0]["embedding"];
  ASSERT_EQ(v.size(), 8u);
  double norm = 0, head = 0;
  for (size_t i = 0; i < 8; ++i) {
    norm += v[i].get<double>() * v[i].get<double>();
    head += w[i].get<double>() * w[i].get<double>();
  }
  EXPECT_NEAR(norm, 1.0, 1e-5);
  for (size_t i = 0; i < 8; ++i) EXPECT_NEAR(v[i].get<double>(), w[i].get<double>() / std::sqrt(head), 1e-6);
  auto [bad, err] = s.post("/v1/embeddings", {{"model", "minilm"}, {"input", "x"}, {"dimensions", 12}});
  EXPECT_EQ(bad, 400);
  EXPECT_EQ(err["error"]["param"], "dimensions");
}

// One process serves the chat model and the embedding model side by side.
TEST(EmbeddingsServer, BesideAChatModel) {
  ServerOptions o;
  o.embedding_model_id = "minilm";
  RunningServer s(o, false);
  s.server->load(kModel, kEmbedder);
  auto m = s.client().Get("/v1/models");
  ASSERT_TRUE(m);
  const json data = json::parse(m->body)["data"];
  ASSERT_EQ(data.size(), 2u);
  EXPECT_EQ(data[0]["id"], "tiny-qwen2");
  EXPECT_EQ(data[1]["id"], "minilm");
  EXPECT_EQ(data[0]["task"], "text-generation");
  EXPECT_EQ(data[1]["task"], "feature-extraction");
  EXPECT_EQ(s.post("/v1/embeddings", {{"model", "minilm"}, {"input", "free code"}}).first, 200);
  EXPECT_EQ(s.post("/v1/embeddings", {{"model", "tiny-qwen2"}, {"input", "free code"}}).first, 404);
  const json chat = {{"model", "tiny-qwen2"}, {"messages", json::array({{{"role", "user"}, {"content", "hi"}}})}, {"max_tokens", 2}};
  EXPECT_EQ(s.post("/v1/chat/completions", chat).first, 200);
}

// Without --embedding-model the endpoint is a 404 that says how to get one.
TEST(EmbeddingsServer, NoEmbeddingModel) {
  RunningServer s;
  auto [status, body] = s.post("/v1/embeddings", {{"model", "tiny-qwen2"}, {"input", "x"}});
  EXPECT_EQ(status, 404);
  EXPECT_NE(body["error"]["message"].get<std::string>().find("--embedding-model"), std::string::npos);
}

}  // namespace
}  // namespace hf::server::testing
