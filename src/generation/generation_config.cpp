// GenerationConfig: defaults, generation_config.json, stacking and validation.
#include "hf/generation_config.h"

#include <set>

#include "core/json.h"
#include "core/log.h"
#include "hf/error.h"

namespace hf {

GenerationConfig GenerationConfig::defaults() {
  GenerationConfig c;
  c.max_length = 20;
  c.min_length = 0;
  c.early_stopping = false;
  c.do_sample = false;
  c.num_beams = 1;
  c.num_return_sequences = 1;
  c.temperature = 1.0f;
  c.top_k = 50;
  c.top_p = 1.0f;
  c.typical_p = 1.0f;
  c.repetition_penalty = 1.0f;
  c.no_repeat_ngram_size = 0;
  c.length_penalty = 1.0f;
  c.renormalize_logits = false;
  c.use_cache = true;
  return c;
}

namespace {

// Keys transformers knows that carry no behaviour for us (bookkeeping, outputs we do not return,
// strategies we do not implement). They are accepted silently when they hold their default value;
// a non-default value gets a warning, because the user asked for something we ignore.
const std::set<std::string>& bookkeeping_keys() {
  static const std::set<std::string> k{"transformers_version", "_from_model_config", "_commit_hash",
                                       "output_attentions", "output_hidden_states", "output_scores",
                                       "output_logits", "return_dict_in_generate", "cache_implementation",
                                       "cache_config", "return_legacy_cache", "trust_remote_code"};
  return k;
}
const std::set<std::string>& unimplemented_keys() {
  static const std::set<std::string> k{
      "num_beam_groups", "penalty_alpha", "dola_layers", "top_h", "epsilon_cutoff", "eta_cutoff",
      "diversity_penalty", "encoder_repetition_penalty", "encoder_no_repeat_ngram_size",
      "force_words_ids", "constraints", "remove_invalid_values", "exponential_decay_length_penalty",
      "suppress_tokens", "begin_suppress_tokens", "sequence_bias", "guidance_scale",
      "watermarking_config", "token_healing", "low_memory", "num_assistant_tokens",
      "num_assistant_tokens_schedule", "assistant_confidence_threshold", "assistant_lookbehind",
      "target_lookbehind", "prompt_lookup_num_tokens", "max_matching_ngram_size", "forced_decoder_ids",
      "is_assistant", "compile_config", "disable_compile", "generation_kwargs", "assistant_early_exit"};
  return k;
}

bool is_default_like(const json& v) {
  return v.is_null() || (v.is_boolean() && !v.get<bool>()) || (v.is_number() && v.get<double>() == 0.0) ||
         (v.is_number() && v.get<double>() == 1.0) || (v.is_string() && v.get<std::string>() == "constant");
}

struct Reader {
  const std::string& where;
  [[noreturn]] void bad(const std::string& key, const char* want, const json& v) const {
    throw ConfigError(where + ": \"" + key + "\" must be " + want + ", got " + v.dump());
  }
  template <class T>
  void number(const json& j, const std::string& key, std::optional<T>& out) const {
    if (j.is_null()) return;
    if (!j.is_number()) bad(key, "a number", j);
    if constexpr (std::is_integral_v<T>) {
      if (!j.is_number_integer()) {
        double d = j.get<double>();
        if (d != static_cast<double>(static_cast<int64_t>(d))) bad(key, "an integer", j);
      }
      out = static_cast<T>(j.get<double>());
    } else {
      out = static_cast<T>(j.get<double>());
    }
  }
  void boolean(const json& j, const std::string& key, std::optional<bool>& out) const {
    if (j.is_null()) return;
    if (!j.is_boolean()) bad(key, "true or false", j);
    out = j.get<bool>();
  }
  void ids(const json& j, const std::string& key, std::optional<std::vector<int32_t>>& out) const {
    if (j.is_null()) return;
    std::vector<int32_t> v;
    if (j.is_number_integer()) {
      v.push_back(j.get<int32_t>());
    } else if (j.is_array()) {
      for (const auto& e : j) {
        if (!e.is_number_integer()) bad(key, "an integer or a list of integers", j);
        v.push_back(e.get<int32_t>());
      }
    } else {
      bad(key, "an integer or a list of integers", j);
    }
    out = std::move(v);
  }
};

}  // namespace

GenerationConfig GenerationConfig::from_json_text(const std::string& text, const std::string& where) {
  json j;
  try {
    j = parse_json(text);
  } catch (const json::parse_error& e) {
    throw ConfigError(where + ": not valid JSON (" + e.what() + ")");
  }
  if (!j.is_object()) throw ConfigError(where + ": expected a JSON object at the top level");
  GenerationConfig c;
  Reader r{where};
  for (const auto& [key, v] : j.items()) {
    if (key == "max_new_tokens") r.number(v, key, c.max_new_tokens);
    else if (key == "max_length") r.number(v, key, c.max_length);
    else if (key == "min_new_tokens") r.number(v, key, c.min_new_tokens);
    else if (key == "min_length") r.number(v, key, c.min_length);
    else if (key == "early_stopping") {
      if (v.is_string()) {  // "never" = beam search's strictest mode; transformers accepts no other string
        if (v.get<std::string>() != "never") r.bad(key, "true, false or \"never\"", v);
        c.early_stopping = false;
        c.early_stopping_never = true;
      } else {
        r.boolean(v, key, c.early_stopping);
      }
    }
    else if (key == "max_time") r.number(v, key, c.max_time);
    else if (key == "stop_strings") {
      if (v.is_null()) continue;
      std::vector<std::string> s;
      if (v.is_string()) s.push_back(v.get<std::string>());
      else if (v.is_array()) {
        for (const auto& e : v) {
          if (!e.is_string()) r.bad(key, "a string or a list of strings", v);
          s.push_back(e.get<std::string>());
        }
      } else {
        r.bad(key, "a string or a list of strings", v);
      }
      c.stop_strings = std::move(s);
    } else if (key == "do_sample") r.boolean(v, key, c.do_sample);
    else if (key == "num_beams") r.number(v, key, c.num_beams);
    else if (key == "num_return_sequences") r.number(v, key, c.num_return_sequences);
    else if (key == "seed") r.number(v, key, c.seed);
    else if (key == "temperature") r.number(v, key, c.temperature);
    else if (key == "top_k") r.number(v, key, c.top_k);
    else if (key == "top_p") r.number(v, key, c.top_p);
    else if (key == "min_p") r.number(v, key, c.min_p);
    else if (key == "typical_p") r.number(v, key, c.typical_p);
    else if (key == "repetition_penalty") r.number(v, key, c.repetition_penalty);
    else if (key == "no_repeat_ngram_size") r.number(v, key, c.no_repeat_ngram_size);
    else if (key == "bad_words_ids") {
      if (v.is_null()) continue;
      if (!v.is_array()) r.bad(key, "a list of lists of token ids", v);
      std::vector<std::vector<int32_t>> words;
      for (const auto& w : v) {
        std::optional<std::vector<int32_t>> ids;
        if (!w.is_array()) r.bad(key, "a list of lists of token ids", v);
        r.ids(w, key, ids);
        words.push_back(*ids);
      }
      c.bad_words_ids = std::move(words);
    } else if (key == "length_penalty") r.number(v, key, c.length_penalty);
    else if (key == "forced_bos_token_id") r.number(v, key, c.forced_bos_token_id);
    else if (key == "forced_eos_token_id") {
      // transformers accepts a list here (several eos); the first is the one forced.
      std::optional<std::vector<int32_t>> ids;
      r.ids(v, key, ids);
      if (ids && !ids->empty()) c.forced_eos_token_id = ids->front();
    } else if (key == "renormalize_logits") r.boolean(v, key, c.renormalize_logits);
    else if (key == "use_cache") r.boolean(v, key, c.use_cache);
    else if (key == "pad_token_id") r.number(v, key, c.pad_token_id);
    else if (key == "bos_token_id") r.number(v, key, c.bos_token_id);
    else if (key == "eos_token_id") r.ids(v, key, c.eos_token_id);
    else if (key == "decoder_start_token_id") r.number(v, key, c.decoder_start_token_id);
    else if (bookkeeping_keys().count(key)) continue;
    else if (unimplemented_keys().count(key)) {
      if (!is_default_like(v))
        warn(where + ": generation parameter \"" + key + "\" = " + v.dump() + " is not supported by hfcpp; ignored");
    } else {
      warn(where + ": unknown generation parameter \"" + key + "\"; ignored");
    }
  }
  return c;
}

GenerationConfig GenerationConfig::from_file(const std::filesystem::path& path) {
  return from_json_text(read_text_file(path), path.string());
}

GenerationConfig GenerationConfig::merged_over(const GenerationConfig& b) const {
  GenerationConfig c = *this;
  auto fill = [](auto& mine, const auto& theirs) {
    if (!mine) mine = theirs;
  };
  fill(c.max_new_tokens, b.max_new_tokens);
  fill(c.max_length, b.max_length);
  fill(c.min_new_tokens, b.min_new_tokens);
  fill(c.min_length, b.min_length);
  if (!c.early_stopping) {  // "never" travels with the value it qualifies
    c.early_stopping = b.early_stopping;
    c.early_stopping_never = b.early_stopping_never;
  }
  fill(c.max_time, b.max_time);
  fill(c.stop_strings, b.stop_strings);
  fill(c.do_sample, b.do_sample);
  fill(c.num_beams, b.num_beams);
  fill(c.num_return_sequences, b.num_return_sequences);
  fill(c.seed, b.seed);
  fill(c.temperature, b.temperature);
  fill(c.top_k, b.top_k);
  fill(c.top_p, b.top_p);
  fill(c.min_p, b.min_p);
  fill(c.typical_p, b.typical_p);
  fill(c.repetition_penalty, b.repetition_penalty);
  fill(c.no_repeat_ngram_size, b.no_repeat_ngram_size);
  fill(c.bad_words_ids, b.bad_words_ids);
  fill(c.length_penalty, b.length_penalty);
  fill(c.forced_bos_token_id, b.forced_bos_token_id);
  fill(c.forced_eos_token_id, b.forced_eos_token_id);
  fill(c.renormalize_logits, b.renormalize_logits);
  fill(c.use_cache, b.use_cache);
  fill(c.pad_token_id, b.pad_token_id);
  fill(c.bos_token_id, b.bos_token_id);
  fill(c.eos_token_id, b.eos_token_id);
  fill(c.decoder_start_token_id, b.decoder_start_token_id);
  if (!c.streamer) c.streamer = b.streamer;
  if (!c.stop_token.stop_possible()) c.stop_token = b.stop_token;
  if (!c.tokenizer) c.tokenizer = b.tokenizer;
  if (!c.past_key_values) c.past_key_values = b.past_key_values;
  if (!c.response_format) c.response_format = b.response_format;
  c.output_logits = c.output_logits || b.output_logits;
  return c;
}

GenerationConfig GenerationConfig::with_defaults() const { return merged_over(defaults()); }

void GenerationConfig::validate() const {
  auto fail = [](const std::string& m) { throw InputError("generation config: " + m); };
  const bool sampling = do_sample.value_or(false);
  if (sampling && temperature && !(*temperature > 0.0f))
    fail("temperature = " + std::to_string(*temperature) +
         " with do_sample = true; temperature must be a strictly positive float (use do_sample = false for greedy)");
  if (top_p && (*top_p < 0.0f || *top_p > 1.0f)) fail("top_p = " + std::to_string(*top_p) + " must be in [0, 1]");
  if (top_k && *top_k < 0) fail("top_k = " + std::to_string(*top_k) + " must be >= 0 (0 disables it)");
  if (min_p && (*min_p < 0.0f || *min_p > 1.0f)) fail("min_p = " + std::to_string(*min_p) + " must be in [0, 1]");
  if (typical_p && (*typical_p <= 0.0f || *typical_p > 1.0f))
    fail("typical_p = " + std::to_string(*typical_p) + " must be in (0, 1]");
  if (repetition_penalty && !(*repetition_penalty > 0.0f))
    fail("repetition_penalty = " + std::to_string(*repetition_penalty) + " must be a strictly positive float");
  if (max_new_tokens && *max_new_tokens <= 0)
    fail("max_new_tokens = " + std::to_string(*max_new_tokens) + " must be greater than 0");
  if (max_length && *max_length <= 0) fail("max_length = " + std::to_string(*max_length) + " must be greater than 0");
  if (no_repeat_ngram_size && *no_repeat_ngram_size < 0) fail("no_repeat_ngram_size must be >= 0");
  if (num_beams && *num_beams < 1) fail("num_beams = " + std::to_string(*num_beams) + " must be >= 1");
  if (num_return_sequences && *num_return_sequences < 1) fail("num_return_sequences must be >= 1");
  if (num_return_sequences && *num_return_sequences > 1 && !sampling && num_beams.value_or(1) == 1)
    fail("greedy search does not support num_return_sequences = " + std::to_string(*num_return_sequences) +
         "; set do_sample = true or num_beams >= num_return_sequences");
  if (num_return_sequences && num_beams && *num_beams > 1 && *num_return_sequences > *num_beams)
    fail("num_return_sequences (" + std::to_string(*num_return_sequences) + ") must be <= num_beams (" +
         std::to_string(*num_beams) + ")");
  if (early_stopping_never && early_stopping.value_or(false))
    fail("early_stopping is both true and \"never\"; set early_stopping = false with early_stopping_never");
  if (bad_words_ids)
    for (const auto& w : *bad_words_ids)
      if (w.empty()) fail("bad_words_ids holds an empty list; each banned word needs at least one token id");
  if (stop_strings)
    for (const auto& s : *stop_strings)
      if (s.empty()) fail("stop_strings holds an empty string");
}

std::string GenerationConfig::to_json_string() const {
  json j = json::object();
  auto put = [&](const char* k, const auto& v) {
    if (v) j[k] = *v;
  };
  put("max_new_tokens", max_new_tokens);
  put("max_length", max_length);
  put("min_new_tokens", min_new_tokens);
  put("min_length", min_length);
  if (early_stopping_never) j["early_stopping"] = "never";
  else put("early_stopping", early_stopping);
  put("max_time", max_time);
  put("stop_strings", stop_strings);
  put("do_sample", do_sample);
  put("num_beams", num_beams);
  put("num_return_sequences", num_return_sequences);
  put("seed", seed);
  put("temperature", temperature);
  put("top_k", top_k);
  put("top_p", top_p);
  put("min_p", min_p);
  put("typical_p", typical_p);
  put("repetition_penalty", repetition_penalty);
  put("no_repeat_ngram_size", no_repeat_ngram_size);
  put("bad_words_ids", bad_words_ids);
  put("length_penalty", length_penalty);
  put("forced_bos_token_id", forced_bos_token_id);
  put("forced_eos_token_id", forced_eos_token_id);
  put("renormalize_logits", renormalize_logits);
  put("pad_token_id", pad_token_id);
  put("bos_token_id", bos_token_id);
  put("eos_token_id", eos_token_id);
  put("decoder_start_token_id", decoder_start_token_id);
  return j.dump(2);
}

}  // namespace hf
