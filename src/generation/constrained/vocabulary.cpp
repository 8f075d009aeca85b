// Token bytes and the trie. Byte-level BPE tokens map back through GPT-2's byte table;
// SentencePiece byte-fallback tokens <0xHH> are their byte; any other token is what decode()
// adds after a fixed left context (so Metaspace's '▁' is a space, and no first-token space is
// stripped).
#include "generation/constrained/vocabulary.h"

#include <algorithm>
#include <cctype>
#include <optional>
#include <span>
#include <map>
#include <mutex>

#include "hf/tokenizer.h"
#include "tokenizers/byte_level.h"

namespace hf::constrained {

namespace {

// The inverse of GPT-2's byte table over a whole token, or nullopt when a character is not in it.
std::optional<std::string> byte_level_bytes(const std::string& token) {
  const auto& table = tok::byte_level_table();
  std::string out;
  for (size_t i = 0; i < token.size();) {
    unsigned char c = static_cast<unsigned char>(token[i]);
    char32_t cp;
    size_t len;
    if (c < 0x80) cp = c, len = 1;
    else if ((c & 0xE0) == 0xC0 && i + 1 < token.size()) cp = ((c & 0x1F) << 6) | (token[i + 1] & 0x3F), len = 2;
    else return std::nullopt;
    if (cp >= table.char_to_byte.size() || table.char_to_byte[cp] < 0) return std::nullopt;
    out += static_cast<char>(table.char_to_byte[cp]);
    i += len;
  }
  return out;
}

bool is_byte_fallback(const std::string& token, std::string& byte) {
  if (token.size() != 6 || token.compare(0, 3, "<0x") != 0 || token[5] != '>') return false;
  auto hex = [](char c) { return std::isdigit(static_cast<unsigned char>(c)) ? c - '0' : (c | 0x20) - 'a' + 10; };
  if (!std::isxdigit(static_cast<unsigned char>(token[3])) || !std::isxdigit(static_cast<unsigned char>(token[4]))) return false;
  byte = std::string(1, static_cast<char>(hex(token[3]) * 16 + hex(token[4])));
  return true;
}

}  // namespace

Vocabulary::Vocabulary(const Tokenizer& tok) {
  const size_t n = tok.vocab_size();
  bytes_.resize(n);
  const DecodeOptions raw{.skip_special_tokens = false, .clean_up_tokenization_spaces = false};
  // Byte-level vocabularies: 'Ġ' (U+0120) is the token of a lone space.
  const auto space = tok.token_to_id("\xC4\xA0");
  const bool byte_level = space && tok.decode(std::span<const int32_t>(&*space, 1), raw) == " ";
  std::vector<int32_t> context = tok.encode("a", false);
  const std::string context_text = tok.decode(context, raw);
  for (size_t i = 0; i < n; ++i) {
    const int32_t id = static_cast<int32_t>(i);
    if (tok.is_special_id(id)) continue;
    const std::string token = tok.id_to_token(id);
    if (token.empty()) continue;
    std::string b;
    if (is_byte_fallback(token, b)) {
      bytes_[i] = b;
      continue;
    }
    if (byte_level) {
      if (auto mapped = byte_level_bytes(token)) {
        bytes_[i] = *mapped;
        continue;
      }
    }
    context.push_back(id);
    std::string text = tok.decode(context, raw);
    context.pop_back();
    if (text.compare(0, context_text.size(), context_text) == 0) bytes_[i] = text.substr(context_text.size());
  }
  build_trie();
}

void Vocabulary::build_trie() {
  std::vector<int32_t> order;
  for (size_t i = 0; i < bytes_.size(); ++i)
    if (!bytes_[i].empty()) order.push_back(static_cast<int32_t>(i));
  std::sort(order.begin(), order.end(), [&](int32_t a, int32_t b) { return bytes_[a] < bytes_[b]; });
  token_ids_ = order;  // sorted by bytes: the tokens of a node are a contiguous run
  nodes_.emplace_back();
  // Each node covers a run [begin, end) of sorted tokens sharing `depth` bytes; its children are
  // allocated together so that they are contiguous.
  struct Item {
    uint32_t node;
    size_t begin, end, depth;
  };
  std::vector<Item> work{{0, 0, order.size(), 0}};
  while (!work.empty()) {
    Item it = work.back();
    work.pop_back();
    size_t i = it.begin;
    while (i < it.end && bytes_[order[i]].size() == it.depth) ++i;
    nodes_[it.node].token_begin = static_cast<uint32_t>(it.begin);
    nodes_[it.node].token_end = static_cast<uint32_t>(i);
    nodes_[it.node].child_begin = static_cast<uint32_t>(nodes_.size());
    std::vector<Item> children;
    while (i < it.end) {
      const char c = bytes_[order[i]][it.depth];
      size_t j = i;
      while (j < it.end && bytes_[order[j]][it.depth] == c) ++j;
      Node child;
      child.byte = static_cast<uint8_t>(c);
      nodes_.push_back(child);
      children.push_back({static_cast<uint32_t>(nodes_.size() - 1), i, j, it.depth + 1});
      i = j;
    }
    nodes_[it.node].child_end = static_cast<uint32_t>(nodes_.size());
    work.insert(work.end(), children.begin(), children.end());
  }
}

std::shared_ptr<const Vocabulary> Vocabulary::of(const Tokenizer& tokenizer) {
  // Keyed by the implementation, which the entry keeps alive (so the key is never reused).
  static std::mutex mu;
  static std::map<const TokenizerImpl*, std::pair<Tokenizer, std::shared_ptr<const Vocabulary>>> cache;
  std::lock_guard lock(mu);
  auto it = cache.find(&tokenizer.impl());
  if (it == cache.end())
    it = cache.emplace(&tokenizer.impl(), std::make_pair(tokenizer, std::make_shared<Vocabulary>(tokenizer))).first;
  return it->second.second;
}

}  // namespace hf::constrained
