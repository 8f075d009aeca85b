#pragma once
// POST /v1/embeddings, served by a sentence-transformers model (`hfcpp serve --embedding-model M`),
// shaped as OpenAI's API: `input` a string, an array of strings, an array of token ids or an
// array of such arrays; `encoding_format` "float" (default) or "base64" (little-endian float32,
// what the official clients ask for by default); `dimensions` only for a model that declares
// Matryoshka training in its config.json (`matryoshka_dimensions` or `is_matryoshka`, as vLLM
// reads it), else 400; `user`; usage counts the tokens each input took.
#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/json.h"
#include "hf/sentence_transformers.h"

namespace httplib {
struct Request;
struct Response;
}  // namespace httplib

namespace hf::server {

struct EmbeddingModel {
  // Loads a sentence-transformers folder; hf::ModelError when it is not one.
  EmbeddingModel(std::string model_id, const std::string& dir);

  std::string id;
  SentenceTransformer model;
  int64_t created = 0;
  bool matryoshka = false;             // `dimensions` may shorten the vectors
  std::vector<int64_t> allowed_dimensions;  // matryoshka_dimensions when the config lists them
};

struct EmbeddingRequest {
  std::string model;
  std::vector<std::string> texts;                // input as text, or
  std::vector<std::vector<int32_t>> token_ids;   // input as token arrays (exactly one is filled)
  bool base64 = false;
  std::optional<int64_t> dimensions;
  std::string user;
};

// Strict, as the completion requests: malformed JSON, an unknown field, a wrong type or an empty
// input is ApiError(400) naming the field.
EmbeddingRequest parse_embedding_request(const std::string& body);

// Answers `req` into `res`; ApiError for a refused request.
void handle_embeddings(const EmbeddingModel& served, const httplib::Request& req, httplib::Response& res);

}  // namespace hf::server
