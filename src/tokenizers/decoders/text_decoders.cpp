// Decoders that rewrite token text: Metaspace, Fuse, Strip, Replace, WordPiece, BPEDecoder, CTC.
#include "tokenizers/decoders/decoders.h"
#include "tokenizers/regex.h"
#include "tokenizers/unicode.h"

namespace hf::tok {

std::string replace_all(std::string_view s, std::string_view from, std::string_view to) {
  std::string out;
  size_t prev = 0;
  for (size_t pos = s.find(from); pos != std::string_view::npos; pos = s.find(from, prev)) {
    out.append(s.data() + prev, pos - prev);
    out.append(to);
    prev = pos + from.size();
  }
  out.append(s.data() + prev, s.size() - prev);
  return out;
}

std::string wordpiece_cleanup(std::string s) {
  static const std::pair<const char*, const char*> kRules[] = {
      {" .", "."},     {" ?", "?"},     {" !", "!"},           {" ,", ","},     {" ' ", "'"},    {" n't", "n't"},
      {" 'm", "'m"},   {" do not", " don't"}, {" 's", "'s"}, {" 've", "'ve"}, {" 're", "'re"}};
  for (auto [from, to] : kRules)
    if (s.find(from) != std::string::npos) s = replace_all(s, from, to);
  return s;
}

namespace {

// Every replacement character becomes a space, except in the first token (prepend_scheme != never),
// where they are dropped.
class MetaspaceDecoder : public Decoder {
 public:
  MetaspaceDecoder(std::string rep, bool strip_first) : rep_(std::move(rep)), strip_first_(strip_first) {}
  void decode_chain(std::vector<std::string>& tokens) const override {
    for (size_t i = 0; i < tokens.size(); ++i) tokens[i] = replace_all(tokens[i], rep_, i == 0 && strip_first_ ? "" : " ");
  }

 private:
  std::string rep_;
  bool strip_first_;
};

class Fuse : public Decoder {
 public:
  void decode_chain(std::vector<std::string>& tokens) const override {
    std::string all;
    for (const std::string& t : tokens) all += t;
    tokens.assign(1, std::move(all));
  }
};

// Removes up to `start` leading and `stop` trailing `content` characters of every token.
class Strip : public Decoder {
 public:
  Strip(std::string content, size_t start, size_t stop) : content_(std::move(content)), start_(start), stop_(stop) {}
  void decode_chain(std::vector<std::string>& tokens) const override {
    for (std::string& t : tokens) {
      size_t b = 0, e = t.size();
      for (size_t k = 0; k < start_ && t.compare(b, content_.size(), content_) == 0 && b < e; ++k) b += content_.size();
      for (size_t k = 0; k < stop_ && e >= b + content_.size() && t.compare(e - content_.size(), content_.size(), content_) == 0; ++k)
        e -= content_.size();
      t = t.substr(b, e - b);
    }
  }

 private:
  std::string content_;
  size_t start_, stop_;
};

class ReplaceDecoder : public Decoder {
 public:
  ReplaceDecoder(const std::string& pattern, bool is_regex, std::string content, const std::string& path)
      : content_(std::move(content)) {
    if (is_regex) regex_ = std::make_unique<Regex>(pattern, path);
    else literal_ = pattern;
  }
  void decode_chain(std::vector<std::string>& tokens) const override {
    for (std::string& t : tokens) {
      if (regex_) t = regex_->replace_all(t, content_);
      else if (!literal_.empty()) t = replace_all(t, literal_, content_);
    }
  }

 private:
  std::unique_ptr<Regex> regex_;
  std::string literal_, content_;
};

class WordPieceDecoder : public Decoder {
 public:
  WordPieceDecoder(std::string prefix, bool cleanup) : prefix_(std::move(prefix)), cleanup_(cleanup) {}
  void decode_chain(std::vector<std::string>& tokens) const override {
    for (size_t i = 0; i < tokens.size(); ++i) {
      std::string& t = tokens[i];
      if (i != 0) {
        if (t.compare(0, prefix_.size(), prefix_) == 0) t.erase(0, prefix_.size());
        else t.insert(0, " ");
      }
      if (cleanup_) t = wordpiece_cleanup(std::move(t));
    }
  }

 private:
  std::string prefix_;
  bool cleanup_;
};

// The suffix marks word ends: a space, except after the last token.
class BPEDecoder : public Decoder {
 public:
  explicit BPEDecoder(std::string suffix) : suffix_(std::move(suffix)) {}
  void decode_chain(std::vector<std::string>& tokens) const override {
    if (suffix_.empty()) return;
    for (size_t i = 0; i < tokens.size(); ++i) tokens[i] = replace_all(tokens[i], suffix_, i + 1 == tokens.size() ? "" : " ");
  }

 private:
  std::string suffix_;
};

class CTC : public Decoder {
 public:
  CTC(std::string pad, std::string delim, bool cleanup) : pad_(std::move(pad)), delim_(std::move(delim)), cleanup_(cleanup) {}
  void decode_chain(std::vector<std::string>& tokens) const override {
    std::vector<std::string> out;
    for (size_t i = 0; i < tokens.size(); ++i) {
      if (i > 0 && tokens[i] == tokens[i - 1]) continue;  // dedup
      std::string t = pad_.empty() ? tokens[i] : replace_all(tokens[i], pad_, "");
      if (cleanup_) {
        t = wordpiece_cleanup(std::move(t));
        if (!delim_.empty()) t = replace_all(t, delim_, " ");
      }
      if (!t.empty()) out.push_back(std::move(t));
    }
    tokens.swap(out);
  }

 private:
  std::string pad_, delim_;
  bool cleanup_;
};

}  // namespace

std::unique_ptr<Decoder> make_metaspace_decoder(const json& j, const std::string& path) {
  std::string rep = get_string_or(j, "replacement", path, "\xE2\x96\x81");
  bool strip_first = true;
  if (const json* s = opt_field(j, "prepend_scheme")) strip_first = !(s->is_string() && s->get<std::string>() == "never");
  else strip_first = get_bool_or(j, "add_prefix_space", path, true);
  return std::make_unique<MetaspaceDecoder>(rep, strip_first);
}

std::unique_ptr<Decoder> make_fuse_decoder() { return std::make_unique<Fuse>(); }

std::unique_ptr<Decoder> make_strip_decoder(const json& j, const std::string& path) {
  std::string content = get_string(j, "content", path);
  return std::make_unique<Strip>(content, static_cast<size_t>(get_int_or(j, "start", path, 0)),
                                 static_cast<size_t>(get_int_or(j, "stop", path, 0)));
}

std::unique_ptr<Decoder> make_replace_decoder(const json& j, const std::string& path) {
  const json& pat = field(j, "pattern", path);
  std::string ppath = json_path(path, "pattern");
  std::string content = get_string(j, "content", path);
  if (const json* s = opt_field(pat, "String")) {
    if (!s->is_string()) bad_json(json_path(ppath, "String"), "expected a string");
    return std::make_unique<ReplaceDecoder>(s->get<std::string>(), false, content, ppath);
  }
  if (const json* r = opt_field(pat, "Regex")) {
    if (!r->is_string()) bad_json(json_path(ppath, "Regex"), "expected a string");
    return std::make_unique<ReplaceDecoder>(r->get<std::string>(), true, content, ppath);
  }
  bad_json(ppath, "expected {\"String\": ...} or {\"Regex\": ...}");
}

std::unique_ptr<Decoder> make_wordpiece_decoder(const json& j, const std::string& path) {
  return std::make_unique<WordPieceDecoder>(get_string_or(j, "prefix", path, "##"), get_bool_or(j, "cleanup", path, true));
}

std::unique_ptr<Decoder> make_bpe_decoder(const json& j, const std::string& path) {
  return std::make_unique<BPEDecoder>(get_string_or(j, "suffix", path, "</w>"));
}

std::unique_ptr<Decoder> make_ctc_decoder(const json& j, const std::string& path) {
  return std::make_unique<CTC>(get_string_or(j, "pad_token", path, "<pad>"), get_string_or(j, "word_delimiter_token", path, "|"),
                               get_bool_or(j, "cleanup", path, true));
}

}  // namespace hf::tok
