#include "tokenizers/json_loader.h"

#include <charconv>
#include <cstdlib>
#include <cstring>

#include "hf/error.h"
#include "tokenizers/unicode.h"

namespace hf::tok {

namespace {

bool is_ws(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

// ---- structural scan: where are model.vocab and model.merges? ----
struct Scanner {
  std::string_view t;
  size_t i = 0;
  bool ok = true;

  void ws() {
    while (i < t.size() && is_ws(t[i])) ++i;
  }
  // Skips a string starting at t[i] == '"'; returns its raw content.
  std::string_view string() {
    if (i >= t.size() || t[i] != '"') { ok = false; return {}; }
    size_t b = ++i;
    while (i < t.size()) {
      const void* q = std::memchr(t.data() + i, '"', t.size() - i);
      if (!q) break;
      size_t e = static_cast<const char*>(q) - t.data();
      size_t bs = 0;  // backslashes right before the quote: odd → escaped
      while (e - bs > b && t[e - bs - 1] == '\\') ++bs;
      i = e + 1;
      if (bs % 2 == 0) return t.substr(b, e - b);
    }
    ok = false;
    return {};
  }
  void value() {
    ws();
    if (i >= t.size()) { ok = false; return; }
    char c = t[i];
    if (c == '"') { string(); return; }
    if (c == '{' || c == '[') {
      int depth = 0;
      while (i < t.size()) {
        char d = t[i];
        if (d == '"') {
          string();
          if (!ok) return;
          continue;
        }
        if (d == '{' || d == '[') ++depth;
        else if (d == '}' || d == ']') {
          if (--depth == 0) { ++i; return; }
        }
        ++i;
      }
      ok = false;
      return;
    }
    size_t b = i;
    while (i < t.size() && t[i] != ',' && t[i] != '}' && t[i] != ']' && !is_ws(t[i])) ++i;
    if (i == b) ok = false;
  }
  // Iterates the members of the object at t[i]; fn(key, value_begin) must consume the value.
  template <class F>
  void object(F&& fn) {
    ws();
    if (i >= t.size() || t[i] != '{') { ok = false; return; }
    ++i;
    ws();
    if (i < t.size() && t[i] == '}') { ++i; return; }
    while (ok) {
      ws();
      std::string_view key = string();
      if (!ok) return;
      ws();
      if (i >= t.size() || t[i] != ':') { ok = false; return; }
      ++i;
      ws();
      fn(key);
      if (!ok) return;
      ws();
      if (i < t.size() && t[i] == ',') { ++i; continue; }
      if (i < t.size() && t[i] == '}') { ++i; return; }
      ok = false;
    }
  }
};

// ---- value readers for the big arrays ----
struct Reader {
  std::string_view t;
  size_t i = 0;
  const std::string& path;

  [[noreturn]] void fail(const std::string& what) {
    throw TokenizerError("tokenizer.json: " + path + ": malformed JSON at byte " + std::to_string(i) + " of the value: " + what);
  }
  void ws() {
    while (i < t.size() && is_ws(t[i])) ++i;
  }
  bool peek(char c) {
    ws();
    return i < t.size() && t[i] == c;
  }
  void expect(char c) {
    ws();
    if (i >= t.size() || t[i] != c) fail(std::string("expected '") + c + "'");
    ++i;
  }
  // ',' then true, or `close` then false.
  bool next(char close) {
    ws();
    if (i < t.size() && t[i] == ',') { ++i; return true; }
    if (i < t.size() && t[i] == close) { ++i; return false; }
    fail(std::string("expected ',' or '") + close + "'");
  }
  unsigned hex4() {
    if (i + 4 > t.size()) fail("bad \\u escape");
    unsigned v = 0;
    for (int k = 0; k < 4; ++k) {
      char c = t[i++];
      v <<= 4;
      if (c >= '0' && c <= '9') v |= c - '0';
      else if (c >= 'a' && c <= 'f') v |= c - 'a' + 10;
      else if (c >= 'A' && c <= 'F') v |= c - 'A' + 10;
      else fail("bad \\u escape");
    }
    return v;
  }
  // The string at i: a view into the text when it has no escapes, else unescaped into scratch.
  std::string_view str(std::string& scratch) {
    expect('"');
    size_t b = i;
    while (i < t.size() && t[i] != '"' && t[i] != '\\') ++i;
    if (i >= t.size()) fail("unterminated string");
    if (t[i] == '"') return t.substr(b, i++ - b);
    scratch.assign(t.data() + b, i - b);
    while (true) {
      if (t[i] == '"') { ++i; break; }
      ++i;  // backslash
      if (i >= t.size()) fail("unterminated string");
      char e = t[i++];
      switch (e) {
        case '"': scratch += '"'; break;
        case '\\': scratch += '\\'; break;
        case '/': scratch += '/'; break;
        case 'b': scratch += '\b'; break;
        case 'f': scratch += '\f'; break;
        case 'n': scratch += '\n'; break;
        case 'r': scratch += '\r'; break;
        case 't': scratch += '\t'; break;
        case 'u': {
          char32_t cp = hex4();
          if (cp >= 0xD800 && cp <= 0xDBFF && i + 6 <= t.size() && t[i] == '\\' && t[i + 1] == 'u') {
            size_t save = i;
            i += 2;
            unsigned lo = hex4();
            if (lo >= 0xDC00 && lo <= 0xDFFF) cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            else i = save;
          }
          if (cp >= 0xD800 && cp <= 0xDFFF) cp = 0xFFFD;  // lone surrogate
          append_utf8(scratch, cp);
          break;
        }
        default: fail("bad escape");
      }
      size_t c = i;
      while (i < t.size() && t[i] != '"' && t[i] != '\\') ++i;
      if (i >= t.size()) fail("unterminated string");
      scratch.append(t.data() + c, i - c);
    }
    return scratch;
  }
  double number() {
    ws();
    size_t b = i;
    while (i < t.size() && (std::strchr("+-0123456789.eE", t[i]) != nullptr) && t[i] != '\0') ++i;
    if (b == i) fail("expected a number");
    double v = 0;
    auto r = std::from_chars(t.data() + b, t.data() + i, v);
    if (r.ec != std::errc() || r.ptr != t.data() + i) fail("bad number");
    return v;
  }
  int64_t integer() {
    ws();
    int64_t v = 0;
    auto r = std::from_chars(t.data() + i, t.data() + t.size(), v);
    if (r.ec != std::errc()) fail("expected an integer");
    i = r.ptr - t.data();
    if (i < t.size() && (t[i] == '.' || t[i] == 'e' || t[i] == 'E')) fail("expected an integer");
    return v;
  }
  void end() {
    ws();
    if (i != t.size()) fail("trailing characters");
  }
};

}  // namespace

void read_vocab_object(std::string_view text, const std::string& path,
                       const std::function<void(std::string_view, int64_t)>& fn) {
  Reader r{text, 0, path};
  std::string scratch;
  r.expect('{');
  if (r.peek('}')) {
    ++r.i;
  } else {
    do {
      std::string_view k = r.str(scratch);
      r.expect(':');
      fn(k, r.integer());
    } while (r.next('}'));
  }
  r.end();
}

void read_scored_vocab(std::string_view text, const std::string& path,
                       const std::function<void(std::string_view, double)>& fn) {
  Reader r{text, 0, path};
  std::string scratch;
  r.expect('[');
  if (r.peek(']')) {
    ++r.i;
  } else {
    do {
      r.expect('[');
      std::string_view k = r.str(scratch);
      r.expect(',');
      double v = r.number();
      r.expect(']');
      fn(k, v);
    } while (r.next(']'));
  }
  r.end();
}

void read_merges(std::string_view text, const std::string& path,
                 const std::function<void(std::string_view, std::string_view)>& fn) {
  Reader r{text, 0, path};
  std::string sa, sb;
  size_t index = 0;
  r.expect('[');
  if (r.peek(']')) {
    ++r.i;
  } else {
    do {
      if (r.peek('[')) {
        ++r.i;
        std::string_view a = r.str(sa);
        r.expect(',');
        std::string_view b = r.str(sb);
        r.expect(']');
        fn(a, b);
      } else {
        std::string_view s = r.str(sa);
        size_t sp = s.find(' ');
        if (sp == std::string_view::npos)
          throw TokenizerError("tokenizer.json: " + json_path(path, index) + ": merge \"" + std::string(s) +
                               "\" is not two tokens separated by a space");
        fn(s.substr(0, sp), s.substr(sp + 1));
      }
      ++index;
    } while (r.next(']'));
  }
  r.end();
}

TokenizerJson parse_tokenizer_json(std::string text, const std::string& filename) {
  TokenizerJson out;
  out.text = std::move(text);
  std::string_view t = out.text;
  auto full_parse = [&]() {
    try {
      return parse_json(t);
    } catch (const json::parse_error& e) {
      throw TokenizerError(filename + ": malformed JSON at byte " + std::to_string(e.byte) + ": " + e.what());
    }
  };

  size_t vb = 0, ve = 0, mb = 0, me = 0;
  Scanner s{t};
  s.object([&](std::string_view key) {
    if (key == "model" && s.i < t.size() && t[s.i] == '{') {
      s.object([&](std::string_view mkey) {
        size_t b = s.i;
        s.value();
        if (mkey == "vocab") { vb = b; ve = s.i; }
        else if (mkey == "merges") { mb = b; me = s.i; }
      });
    } else {
      s.value();
    }
  });
  if (s.ok) {
    s.ws();
    if (s.i != t.size()) s.ok = false;
  }
  if (!s.ok || (ve == 0 && me == 0)) {
    out.doc = full_parse();  // throws on malformed JSON
    return out;
  }
  // The document without the two big values.
  std::vector<std::pair<size_t, size_t>> cuts;
  if (ve) cuts.emplace_back(vb, ve);
  if (me) cuts.emplace_back(mb, me);
  if (cuts.size() == 2 && cuts[0].first > cuts[1].first) std::swap(cuts[0], cuts[1]);
  std::string rest;
  size_t prev = 0;
  for (auto [b, e] : cuts) {
    rest.append(t.data() + prev, b - prev);
    rest += "null";
    prev = e;
  }
  rest.append(t.data() + prev, t.size() - prev);
  try {
    out.doc = parse_json(rest);
  } catch (const json::parse_error&) {
    out.doc = full_parse();  // reports the error at its offset in the real file
    return out;
  }
  if (ve) out.vocab_text = t.substr(vb, ve - vb);
  if (me) out.merges_text = t.substr(mb, me - mb);
  return out;
}

}  // namespace hf::tok
