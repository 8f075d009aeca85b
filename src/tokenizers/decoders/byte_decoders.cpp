// Decoders that turn tokens back into bytes: ByteLevel (GPT-2 table) and ByteFallback (<0xNN>).
#include "tokenizers/byte_level.h"
#include "tokenizers/decoders/decoders.h"
#include "tokenizers/unicode.h"

namespace hf::tok {

namespace {

// Every token maps back through the inverse table (a token with a character outside the table
// contributes its own UTF-8); the bytes of all tokens become one string, invalid UTF-8 → U+FFFD.
class ByteLevelDecoder : public Decoder {
 public:
  void decode_chain(std::vector<std::string>& tokens) const override {
    const ByteLevelTable& t = byte_level_table();
    std::string bytes;
    for (const std::string& tok : tokens) {
      size_t mark = bytes.size();
      size_t i = 0;
      bool ok = true;
      while (i < tok.size()) {
        char32_t c = next_cp(tok, i);
        if (c >= t.char_to_byte.size() || t.char_to_byte[c] < 0) {
          ok = false;
          break;
        }
        bytes += static_cast<char>(t.char_to_byte[c]);
      }
      if (!ok) {
        bytes.resize(mark);
        bytes += tok;
      }
    }
    tokens.assign(1, utf8_lossy(bytes));
  }
};

// Runs of <0xNN> tokens become their bytes when those are valid UTF-8, else one U+FFFD per token.
class ByteFallbackDecoder : public Decoder {
 public:
  void decode_chain(std::vector<std::string>& tokens) const override {
    std::vector<std::string> out;
    out.reserve(tokens.size());
    std::string run;
    size_t run_tokens = 0;
    auto flush = [&] {
      if (run_tokens == 0) return;
      if (is_valid_utf8(run)) out.push_back(run);
      else
        for (size_t k = 0; k < run_tokens; ++k) out.emplace_back("\xEF\xBF\xBD");
      run.clear();
      run_tokens = 0;
    };
    for (std::string& tok : tokens) {
      int byte = parse_byte(tok);
      if (byte >= 0) {
        run += static_cast<char>(byte);
        ++run_tokens;
      } else {
        flush();
        out.push_back(std::move(tok));
      }
    }
    flush();
    tokens.swap(out);
  }

 private:
  static int hex(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }
  static int parse_byte(const std::string& t) {
    if (t.size() != 6 || t.compare(0, 3, "<0x") != 0 || t[5] != '>') return -1;
    int h = hex(t[3]), l = hex(t[4]);
    return h < 0 || l < 0 ? -1 : h * 16 + l;
  }
};

}  // namespace

std::unique_ptr<Decoder> make_byte_level_decoder() { return std::make_unique<ByteLevelDecoder>(); }
std::unique_ptr<Decoder> make_byte_fallback_decoder() { return std::make_unique<ByteFallbackDecoder>(); }

}  // namespace hf::tok
