#include "tokenizers/marian/marian_tokenizer.h"

#include <sentencepiece_processor.h>

#include <algorithm>
#include <cstring>
#include <unordered_map>

#include "core/json.h"
#include "tokenizers/unicode.h"

namespace hf {
namespace {

namespace fs = std::filesystem;

// A special token as tokenizer_config.json spells it: "</s>" or {"content": "</s>", ...}.
std::string token_string(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_object() && v.contains("content") && v["content"].is_string()) return v["content"].get<std::string>();
  return "";
}

std::unique_ptr<sentencepiece::SentencePieceProcessor> load_spm(const fs::path& path) {
  if (!fs::exists(path))
    throw TokenizerError(path.string() + ": missing (a Marian tokenizer needs source.spm and target.spm)");
  std::string proto;
  try {
    proto = read_text_file(path);  // checked to be a regular file (SentencePiece would block on a FIFO)
  } catch (const FileError& e) {
    throw TokenizerError(e.what());
  }
  auto spm = std::make_unique<sentencepiece::SentencePieceProcessor>();
  auto status = spm->LoadFromSerializedProto(proto);
  if (!status.ok()) throw TokenizerError(path.string() + ": not a SentencePiece model: " + status.ToString());
  return spm;
}

std::unordered_map<std::string, int32_t> load_vocab(const fs::path& path) {
  if (!fs::exists(path)) throw TokenizerError(path.string() + ": missing (the Marian piece → id vocabulary)");
  json j;
  try {
    j = read_json_file(path);
  } catch (const Error& e) {
    throw TokenizerError(e.what());
  }
  if (!j.is_object()) throw TokenizerError(path.string() + ": expected a JSON object of piece → id");
  std::unordered_map<std::string, int32_t> vocab;
  for (const auto& [piece, id] : j.items()) {
    if (!id.is_number_integer() || id.get<int64_t>() < 0 || id.get<int64_t>() > INT32_MAX)
      throw TokenizerError(path.string() + ": " + json_path("", piece) + ": id is not a non-negative integer");
    vocab[piece] = id.get<int32_t>();
  }
  return vocab;
}

class MarianTokenizer : public TokenizerImpl {
 public:
  explicit MarianTokenizer(const fs::path& dir) {
    json cfg = json::object();
    if (fs::exists(dir / "tokenizer_config.json")) cfg = read_json_file(dir / "tokenizer_config.json");
    if (fs::exists(dir / "special_tokens_map.json")) {  // overrides tokenizer_config.json, as in transformers
      const json map = read_json_file(dir / "special_tokens_map.json");
      if (map.is_object())
        for (const auto& [k, v] : map.items()) cfg[k] = v;
    }
    config_.raw = cfg;
    config_.eos_token = cfg.contains("eos_token") ? token_string(cfg["eos_token"]) : "</s>";
    config_.unk_token = cfg.contains("unk_token") ? token_string(cfg["unk_token"]) : "<unk>";
    config_.pad_token = cfg.contains("pad_token") ? token_string(cfg["pad_token"]) : "<pad>";
    config_.model_max_length = 512;  // MarianTokenizer's max_model_input_sizes
    if (cfg.contains("model_max_length") && cfg["model_max_length"].is_number()) {
      double m = cfg["model_max_length"].get<double>();
      if (m > 0 && m < 1e18) config_.model_max_length = static_cast<int64_t>(m);
    }
    if (cfg.contains("padding_side") && cfg["padding_side"].is_string())
      config_.padding_side = cfg["padding_side"].get<std::string>();
    if (cfg.contains("clean_up_tokenization_spaces") && cfg["clean_up_tokenization_spaces"].is_boolean())
      config_.clean_up_tokenization_spaces = cfg["clean_up_tokenization_spaces"].get<bool>();
    bool separate = cfg.value("separate_vocabs", false);

    source_ = load_spm(dir / "source.spm");
    target_ = load_spm(dir / "target.spm");
    encoder_ = load_vocab(dir / "vocab.json");
    const auto target_vocab = separate ? load_vocab(dir / "target_vocab.json") : encoder_;
    for (const auto& [piece, id] : target_vocab) {
      if (static_cast<size_t>(id) >= decoder_.size()) decoder_.resize(id + 1);
      decoder_[id] = piece;
    }
    auto id_of = [&](const std::string& token, const char* what) -> int32_t {
      auto it = encoder_.find(token);
      if (it == encoder_.end())
        throw TokenizerError((dir / "vocab.json").string() + ": has no " + what + " '" + token + "'");
      return it->second;
    };
    unk_id_ = id_of(config_.unk_token, "unk_token");
    eos_id_ = id_of(config_.eos_token, "eos_token");
    specials_ = {config_.eos_token, config_.unk_token, config_.pad_token};
    if (cfg.contains("additional_special_tokens") && cfg["additional_special_tokens"].is_array())
      for (const auto& t : cfg["additional_special_tokens"]) specials_.push_back(token_string(t));
    std::erase(specials_, std::string());
    for (const auto& s : specials_)
      if (auto it = encoder_.find(s); it != encoder_.end()) special_ids_.push_back(it->second);
  }

  std::vector<int32_t> encode(std::string_view input, bool add_special_tokens) const override {
    // Invalid UTF-8 becomes U+FFFD first (the hf::Tokenizer contract), as Python's str would hold.
    std::string sanitized;
    std::string_view text = input;
    if (!tok::is_valid_utf8(input)) {
      sanitized = tok::utf8_lossy(input);
      text = sanitized;
    }
    std::vector<int32_t> ids;
    // The slow tokenizer splits special-token strings out of the text before _tokenize.
    size_t pos = 0;
    while (pos <= text.size()) {
      size_t best = std::string_view::npos, best_len = 0;
      for (const auto& s : specials_) {
        size_t at = text.find(s, pos);
        if (at != std::string_view::npos && (at < best || (at == best && s.size() > best_len))) {
          best = at;
          best_len = s.size();
        }
      }
      tokenize_segment(text.substr(pos, best == std::string_view::npos ? std::string_view::npos : best - pos), ids);
      if (best == std::string_view::npos) break;
      ids.push_back(encoder_.at(std::string(text.substr(best, best_len))));
      pos = best + best_len;
    }
    return add_special_tokens ? add_special_tokens_impl(std::move(ids)) : ids;
  }

  std::vector<int32_t> add_special_tokens(std::vector<int32_t> ids) const override {
    return add_special_tokens_impl(std::move(ids));
  }

  std::string decode(std::span<const int32_t> ids, bool skip_special_tokens, bool clean_up) const override {
    // convert_tokens_to_string: runs of ordinary pieces go through the target spm; special tokens
    // (when kept) are written as themselves followed by a space; then ▁ → space and strip.
    std::string out;
    std::vector<std::string> run;
    for (int32_t id : ids) {
      if (id < 0 || (static_cast<size_t>(id) >= decoder_.size() && static_cast<size_t>(id) >= encoder_.size()))
        throw TokenizerError("MarianTokenizer.decode: id " + std::to_string(id) + " is outside the vocabulary");
      const bool special = is_special_id(id);
      if (special && skip_special_tokens) continue;
      std::string piece = static_cast<size_t>(id) < decoder_.size() && !decoder_[id].empty() ? decoder_[id]
                                                                                             : config_.unk_token;
      if (special) {
        out += target_->DecodePieces(run) + piece + " ";
        run.clear();
      } else {
        run.push_back(std::move(piece));
      }
    }
    out += target_->DecodePieces(run);
    std::string spaced;
    for (size_t i = 0; i < out.size(); ++i) {  // "▁" (U+2581, E2 96 81) → " "
      if (out.compare(i, 3, "\xE2\x96\x81") == 0) {
        spaced += ' ';
        i += 2;
      } else {
        spaced += out[i];
      }
    }
    size_t b = spaced.find_first_not_of(" \t\n\r\f\v"), e = spaced.find_last_not_of(" \t\n\r\f\v");
    std::string text = b == std::string::npos ? "" : spaced.substr(b, e - b + 1);
    return clean_up ? clean_up_tokenization(text) : text;
  }

  std::optional<std::string> id_to_token(int32_t id) const override {
    if (id < 0 || static_cast<size_t>(id) >= decoder_.size() || decoder_[id].empty()) return std::nullopt;
    return decoder_[id];
  }
  std::optional<int32_t> token_to_id(std::string_view token) const override {
    auto it = encoder_.find(std::string(token));
    if (it == encoder_.end()) return std::nullopt;
    return it->second;
  }
  size_t vocab_size() const override { return encoder_.size(); }
  bool is_special_id(int32_t id) const override {
    return std::find(special_ids_.begin(), special_ids_.end(), id) != special_ids_.end();
  }
  const TokenizerConfig& config() const override { return config_; }

 private:
  std::vector<int32_t> add_special_tokens_impl(std::vector<int32_t> ids) const {
    ids.push_back(eos_id_);  // Marian: tokens + </s>, no BOS
    return ids;
  }

  // _tokenize: a leading ">>xx<<" language code is one token; the rest goes through source.spm.
  void tokenize_segment(std::string_view text, std::vector<int32_t>& ids) const {
    if (text.starts_with(">>")) {
      size_t end = text.find("<<");
      if (end != std::string_view::npos) {
        ids.push_back(piece_id(std::string(text.substr(0, end + 2))));
        text.remove_prefix(end + 2);
      }
    }
    std::vector<std::string> pieces;
    auto status = source_->Encode(text, &pieces);
    if (!status.ok()) throw TokenizerError("source.spm: cannot encode text: " + status.ToString());
    for (const auto& p : pieces) ids.push_back(piece_id(p));
  }

  int32_t piece_id(const std::string& piece) const {
    auto it = encoder_.find(piece);
    return it == encoder_.end() ? unk_id_ : it->second;
  }

  // transformers' clean_up_tokenization.
  static std::string clean_up_tokenization(std::string s) {
    static const std::pair<const char*, const char*> kRules[] = {
        {" .", "."}, {" ?", "?"}, {" !", "!"}, {" ,", ","}, {" ' ", "'"},
        {" n't", "n't"}, {" 'm", "'m"}, {" 's", "'s"}, {" 've", "'ve"}, {" 're", "'re"}};
    for (const auto& [from, to] : kRules) {
      std::string out;
      const size_t n = std::strlen(from);
      for (size_t i = 0; i < s.size();) {
        if (s.compare(i, n, from) == 0) { out += to; i += n; } else { out += s[i++]; }
      }
      s = std::move(out);
    }
    return s;
  }

  TokenizerConfig config_;
  std::unique_ptr<sentencepiece::SentencePieceProcessor> source_, target_;
  std::unordered_map<std::string, int32_t> encoder_;
  std::vector<std::string> decoder_;
  std::vector<std::string> specials_;
  std::vector<int32_t> special_ids_;
  int32_t unk_id_ = 1, eos_id_ = 0;
};

}  // namespace

bool is_marian_tokenizer_dir(const std::filesystem::path& dir) {
  if (fs::exists(dir / "source.spm") || fs::exists(dir / "target.spm")) return true;
  // A Marian folder that lost a file must still be recognised, so the error names that file.
  auto says = [&](const char* file, const char* key, const char* value) {
    if (!fs::exists(dir / file)) return false;
    try {
      json j = read_json_file(dir / file);
      return j.is_object() && j.contains(key) && j[key] == value;
    } catch (const Error&) {
      return false;
    }
  };
  return says("tokenizer_config.json", "tokenizer_class", "MarianTokenizer") ||
         (!fs::exists(dir / "tokenizer.json") && says("config.json", "model_type", "marian"));
}

std::shared_ptr<const TokenizerImpl> make_marian_tokenizer(const std::filesystem::path& dir) {
  return std::make_shared<MarianTokenizer>(dir);
}

}  // namespace hf
