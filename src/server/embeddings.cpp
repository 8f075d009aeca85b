// POST /v1/embeddings: OpenAI's request and response shapes over a SentenceTransformer.
#include "server/embeddings.h"

#include <httplib.h>
#include <openssl/evp.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <ctime>
#include <filesystem>

#include "hf/error.h"
#include "server/api_error.h"

namespace hf::server {
namespace {

// OpenAI's limit on the number of inputs of one request.
constexpr size_t kMaxInputs = 2048;

ApiError wrong_input(const std::string& message) { return invalid_param("input", message); }

// `input`: "text" | ["text", ...] | [id, ...] | [[id, ...], ...]
void parse_input(const json& v, EmbeddingRequest& r) {
  auto ids = [](const json& a, const std::string& where) {
    std::vector<int32_t> out;
    for (const json& x : a) {
      if (!x.is_number_integer() || x.get<int64_t>() < 0 || x.get<int64_t>() > INT32_MAX)
        throw wrong_input(where + " must hold token ids: integers from 0.");
      out.push_back(static_cast<int32_t>(x.get<int64_t>()));
    }
    if (out.empty()) throw wrong_input(where + " is an empty list of token ids.");
    return out;
  };
  if (v.is_string()) {
    r.texts.push_back(v.get<std::string>());
  } else if (!v.is_array() || v.empty()) {
    throw wrong_input("'input' must be a non-empty string, an array of strings, an array of token ids or an array of arrays of token ids.");
  } else if (v.size() > kMaxInputs) {
    throw wrong_input("'input' has " + std::to_string(v.size()) + " items; at most " + std::to_string(kMaxInputs) + " are allowed.");
  } else if (v[0].is_number()) {
    r.token_ids.push_back(ids(v, "'input'"));
  } else {
    for (size_t i = 0; i < v.size(); ++i) {
      const std::string where = "'input[" + std::to_string(i) + "]'";
      if (v[i].is_string() && r.token_ids.empty()) r.texts.push_back(v[i].get<std::string>());
      else if (v[i].is_array() && r.texts.empty()) r.token_ids.push_back(ids(v[i], where));
      else throw wrong_input(where + " must be of the same kind as input[0]: all strings or all arrays of token ids.");
    }
  }
  for (size_t i = 0; i < r.texts.size(); ++i)
    if (r.texts[i].empty()) throw wrong_input("'input' holds an empty string (item " + std::to_string(i) + "); every input must have text.");
}

std::string base64(const std::vector<float>& v) {
  static_assert(std::endian::native == std::endian::little, "base64 embeddings are little-endian float32");
  std::string out(4 * ((v.size() * sizeof(float) + 2) / 3), '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), reinterpret_cast<const unsigned char*>(v.data()),
                                static_cast<int>(v.size() * sizeof(float)));
  out.resize(static_cast<size_t>(n));
  return out;
}

// Matryoshka: the first `d` values, normalized again when the model normalizes (vLLM's order).
void shorten(std::vector<float>& v, int64_t d, bool normalize) {
  v.resize(static_cast<size_t>(d));
  if (!normalize) return;
  double sq = 0;
  for (float x : v) sq += double(x) * x;
  const double norm = std::max(std::sqrt(sq), 1e-12);
  for (float& x : v) x = static_cast<float>(x / norm);
}

}  // namespace

EmbeddingModel::EmbeddingModel(std::string model_id, const std::string& dir)
    : id(std::move(model_id)), model(SentenceTransformer::from_pretrained(dir)), created(static_cast<int64_t>(std::time(nullptr))) {
  const json config = read_json_file(std::filesystem::path(dir) / "config.json");
  if (config.contains("matryoshka_dimensions") && config["matryoshka_dimensions"].is_array()) {
    matryoshka = true;
    for (const json& d : config["matryoshka_dimensions"])
      if (d.is_number_integer()) allowed_dimensions.push_back(d.get<int64_t>());
  }
  if (config.value("is_matryoshka", false)) matryoshka = true;
}

EmbeddingRequest parse_embedding_request(const std::string& body) {
  json doc;
  try {
    doc = parse_json(body);
  } catch (const json::parse_error& e) {
    throw ApiError(400, std::string("We could not parse the JSON body of your request: ") + e.what(), "", "invalid_json");
  }
  if (!doc.is_object()) throw ApiError(400, "The request body must be a JSON object.", "", "invalid_json");
  EmbeddingRequest r;
  auto text = [](const json& v, const std::string& param) {
    if (!v.is_string()) throw invalid_param(param, "'" + param + "' must be a string.");
    return v.get<std::string>();
  };
  for (const auto& [key, v] : doc.items()) {
    if (v.is_null() && key != "input" && key != "model") continue;  // null = not given
    if (key == "model") {
      r.model = text(v, "model");
    } else if (key == "input") {
      parse_input(v, r);
    } else if (key == "encoding_format") {
      const std::string f = text(v, "encoding_format");
      if (f != "float" && f != "base64")
        throw invalid_param("encoding_format", "Invalid value: '" + f + "'. Supported values are: 'float' and 'base64'.");
      r.base64 = f == "base64";
    } else if (key == "dimensions") {
      if (!v.is_number_integer() || v.get<int64_t>() < 1) throw invalid_param("dimensions", "'dimensions' must be an integer of at least 1.");
      r.dimensions = v.get<int64_t>();
    } else if (key == "user") {
      r.user = text(v, "user");
    } else {
      throw ApiError(400, "Unrecognized request argument supplied: " + key, key, "unknown_parameter");
    }
  }
  if (!doc.contains("model")) throw invalid_param("model", "Missing required parameter: 'model'.");
  if (!doc.contains("input")) throw invalid_param("input", "Missing required parameter: 'input'.");
  return r;
}

void handle_embeddings(const EmbeddingModel& m, const httplib::Request& req, httplib::Response& res) {
  const EmbeddingRequest r = parse_embedding_request(req.body);
  if (r.model != m.id)
    throw ApiError(404, "The model `" + r.model + "` does not exist or you do not have access to it.", "model", "model_not_found");
  const int64_t full = static_cast<int64_t>(m.model.dimension());
  if (r.dimensions) {
    if (!m.matryoshka) throw invalid_param("dimensions", "This model does not support specifying dimensions.");
    const auto& ok = m.allowed_dimensions;
    if (*r.dimensions > full || (!ok.empty() && std::find(ok.begin(), ok.end(), *r.dimensions) == ok.end()))
      throw invalid_param("dimensions", "'dimensions' " + std::to_string(*r.dimensions) + " is not one this model was trained for (" +
                                            (ok.empty() ? "at most " + std::to_string(full) : json(ok).dump()) + ").");
  }
  // OpenAI refuses an input longer than the model's limit rather than cutting it silently.
  const int64_t limit = m.model.max_seq_length();
  auto check_length = [&](size_t i, int64_t n) {
    if (n > limit)
      throw invalid_param("input", "This model's maximum context length is " + std::to_string(limit) + " tokens, however you requested " +
                                       std::to_string(n) + " tokens in input[" + std::to_string(i) + "]. Please reduce your input.");
  };
  std::vector<std::vector<float>> vectors;
  int64_t tokens = 0;
  for (size_t i = 0; i < r.texts.size(); ++i) {
    const int64_t n = static_cast<int64_t>(m.model.tokenizer().encode(r.texts[i], true).size());
    check_length(i, n);
    tokens += n;
  }
  for (size_t i = 0; i < r.token_ids.size(); ++i) {
    check_length(i, static_cast<int64_t>(r.token_ids[i].size()));
    tokens += static_cast<int64_t>(r.token_ids[i].size());
  }
  try {
    for (const std::string& t : r.texts) vectors.push_back(m.model.encode(t));
    for (const auto& ids : r.token_ids) vectors.push_back(m.model.encode_ids(ids));
  } catch (const InputError& e) {
    throw invalid_param("input", e.what());
  }
  json data = json::array();
  for (size_t i = 0; i < vectors.size(); ++i) {
    if (r.dimensions) shorten(vectors[i], *r.dimensions, m.model.normalizes());
    json e{{"object", "embedding"}, {"index", i}};
    e["embedding"] = r.base64 ? json(base64(vectors[i])) : json(vectors[i]);
    data.push_back(std::move(e));
  }
  json out{{"object", "list"}, {"data", std::move(data)}, {"model", m.id}, {"usage", {{"prompt_tokens", tokens}, {"total_tokens", tokens}}}};
  res.set_content(out.dump(), "application/json");
}

}  // namespace hf::server
