// `hfcpp tokenize`: how a text tokenizes, and back.
//   hfcpp tokenize MODEL TEXT [--json] [--no-special]      ids and tokens of TEXT
//   hfcpp tokenize MODEL --decode 1,2,3 [--skip-special]   the text of ids
//   hfcpp tokenize MODEL --batch FILE [--no-special]       one JSON string per line in,
//                                                          one {"ids": [...], "tokens": [...]} per line out
//   hfcpp tokenize MODEL --decode-batch FILE [--skip-special]
//                                                          one JSON array of ids per line in,
//                                                          one {"text": "..."} per line out
// FILE "-" is stdin. Batches are encoded on every core, output in input order. Other tests of
// other tokenizers drive these commands: keep the formats.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "cli/command.h"
#include "cli/inputs.h"
#include "cli/model_flags.h"
#include "core/json.h"
#include "core/thread_pool.h"
#include "hf/tokenizer.h"

namespace hf::cli {
namespace {

struct Options {
  ModelFlags model;
  std::string text, decode, batch, decode_batch;
  bool json_out = false, no_special = false, skip_special = false;
  bool has_text = false;  // TEXT given (it may be "")
};

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

void print_line(const std::string& s) {
  std::fwrite(s.data(), 1, s.size(), stdout);
  std::fputc('\n', stdout);
}

// fn(line_number, line) → output line, on every core; printed in order. Empty lines are skipped.
template <class F>
void run_batch(const std::vector<std::string>& lines, F&& fn) {
  std::vector<std::string> out(lines.size());
  std::vector<std::string> errors(lines.size());
  ThreadPool::global().parallel_for(static_cast<int64_t>(lines.size()), [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) {
      if (lines[i].find_first_not_of(" \t\r") == std::string::npos) continue;
      try {
        out[i] = fn(static_cast<size_t>(i) + 1, lines[i]);
      } catch (const std::exception& ex) {
        errors[i] = ex.what();
      }
    }
  }, 16);
  for (size_t i = 0; i < lines.size(); ++i) {
    if (!errors[i].empty()) throw InputError("line " + std::to_string(i + 1) + ": " + errors[i]);
    if (lines[i].find_first_not_of(" \t\r") != std::string::npos) print_line(out[i]);
  }
}

json parse_line(size_t n, const std::string& line) {
  try {
    return parse_json(line);   // depth-bounded, numbers past a double refused
  } catch (const json::parse_error& e) {
    throw InputError("not JSON: " + std::string(e.what()));
  }
}

int run(const Options& o) {
  int modes = o.has_text + !o.decode.empty() + !o.batch.empty() + !o.decode_batch.empty();
  if (modes == 0) throw InputError("give a TEXT to tokenize, or --decode IDS, --batch FILE, --decode-batch FILE");
  if (modes > 1) throw InputError("give only one of TEXT, --decode, --batch, --decode-batch");
  Tokenizer tok = AutoTokenizer::from_pretrained(o.model.model, o.model.hub_options());
  DecodeOptions dec{.skip_special_tokens = o.skip_special};

  if (!o.decode.empty()) {
    std::string text = tok.decode(parse_id_list(o.decode, "--decode"), dec);
    print_line(o.json_out ? dump(json{{"text", text}}) : text);
    return 0;
  }
  if (!o.decode_batch.empty()) {
    run_batch(read_input_lines(o.decode_batch), [&](size_t n, const std::string& line) {
      json j = parse_line(n, line);
      if (!j.is_array()) throw InputError("expected a JSON array of token ids");
      std::vector<int32_t> ids;
      for (const json& v : j) {
        if (!v.is_number_integer()) throw InputError("expected a JSON array of token ids");
        ids.push_back(v.get<int32_t>());
      }
      return dump(json{{"text", tok.decode(ids, dec)}});
    });
    return 0;
  }
  auto encode = [&](const std::string& text) {
    std::vector<int32_t> ids = tok.encode(text, !o.no_special);
    return std::make_pair(ids, tok.convert_ids_to_tokens(ids));
  };
  if (!o.batch.empty()) {
    run_batch(read_input_lines(o.batch), [&](size_t n, const std::string& line) {
      json j = parse_line(n, line);
      if (!j.is_string()) throw InputError("expected a JSON string");
      auto [ids, tokens] = encode(j.get<std::string>());
      return dump(json{{"ids", ids}, {"tokens", tokens}});
    });
    return 0;
  }
  auto [ids, tokens] = encode(o.text);
  if (o.json_out) {
    print_line(dump(json{{"ids", ids}, {"tokens", tokens}}));
    return 0;
  }
  // One token per line: id, then the token as the vocabulary spells it (JSON-quoted, so spaces,
  // tabs and byte-level characters stay visible).
  for (size_t i = 0; i < ids.size(); ++i) print_line(std::to_string(ids[i]) + "\t" + dump(json(tokens[i])));
  return 0;
}

Register reg("tokenize", "Show how a text tokenizes (ids and tokens), or decode ids", [](CLI::App& cmd) {
  auto o = std::make_shared<Options>();
  o->model.add_to(cmd, "Hub id or local folder with tokenizer.json")->required();
  CLI::Option* text = cmd.add_option("text", o->text, "the text to tokenize");
  cmd.add_flag("--json", o->json_out, "print {\"ids\": [...], \"tokens\": [...]} (or {\"text\": ...} with --decode)");
  cmd.add_flag("--no-special", o->no_special, "encode without the special tokens the tokenizer adds (add_special_tokens=False)");
  cmd.add_option("--decode", o->decode, "decode these comma-separated ids instead");
  cmd.add_flag("--skip-special", o->skip_special, "with --decode / --decode-batch: drop special tokens (skip_special_tokens=True)");
  cmd.add_option("--batch", o->batch, "FILE (- = stdin): one JSON string per line → one {\"ids\", \"tokens\"} object per line");
  cmd.add_option("--decode-batch", o->decode_batch, "FILE (- = stdin): one JSON array of ids per line → one {\"text\"} object per line");
  return [o, text] {
    o->has_text = text->count() > 0;
    return run(*o);
  };
});

}  // namespace
}  // namespace hf::cli
