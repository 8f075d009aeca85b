// token-classification / ner: transformers' TokenClassificationPipeline
// (pipelines/token_classification.py: gather_pre_entities, aggregate, aggregate_words,
// aggregate_word, group_entities, group_sub_entities, get_tag).
//   aggregation_strategy "none" (default): [{entity, score, index, word, start, end}] per token;
//   "simple": tokens grouped by tag; "first" / "average" / "max": tokens first merged into words
//   (first token's label / mean probabilities / most confident token), then grouped:
//   [{entity_group, score, word, start, end}]. Entities labelled with ignore_labels (default
//   ["O"]) are dropped last. start/end are character offsets into the input.
#include <algorithm>

#include "core/json.h"
#include "hf/error.h"
#include "pipelines/encoder_pipeline.h"
#include "pipelines/encoder_tasks.h"

namespace hf::pipelines {
namespace {

struct PreEntity {
  std::string word;
  std::vector<double> scores;
  int64_t start, end, index;
  bool is_subword;
};

struct Entity {
  std::string entity, word;
  double score;
  int64_t start, end, index = -1;
};

size_t argmax(const std::vector<double>& v) { return std::max_element(v.begin(), v.end()) - v.begin(); }

// get_tag: B-X → (B, X); I-X → (I, X); anything else → (I, itself).
std::pair<char, std::string> tag_of(const std::string& e) {
  if (e.rfind("B-", 0) == 0) return {'B', e.substr(2)};
  if (e.rfind("I-", 0) == 0) return {'I', e.substr(2)};
  return {'I', e};
}

std::u32string to_u32(const std::string& s) {
  std::u32string out;
  for (size_t i = 0; i < s.size();) {
    const unsigned char c = s[i];
    const size_t n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    char32_t cp = n == 1 ? c : c & (0xFF >> (n + 1));
    for (size_t k = 1; k < n && i + k < s.size(); ++k) cp = (cp << 6) | (s[i + k] & 0x3F);
    out.push_back(cp);
    i += n;
  }
  return out;
}

std::string to_utf8(const std::u32string& s) {
  std::string out;
  for (char32_t c : s) {
    if (c < 0x80) out += char(c);
    else if (c < 0x800) out += {char(0xC0 | (c >> 6)), char(0x80 | (c & 0x3F))};
    else if (c < 0x10000) out += {char(0xE0 | (c >> 12)), char(0x80 | ((c >> 6) & 0x3F)), char(0x80 | (c & 0x3F))};
    else out += {char(0xF0 | (c >> 18)), char(0x80 | ((c >> 12) & 0x3F)), char(0x80 | ((c >> 6) & 0x3F)), char(0x80 | (c & 0x3F))};
  }
  return out;
}

class TokenClassificationPipeline : public EncoderPipeline {
 public:
  TokenClassificationPipeline(const std::string& task, const PipelineOptions& o)
      : EncoderPipeline(task, o, EncoderHead::TokenClassification) {
    // transformers tells words from subwords by the tokenizer model's continuing_subword_prefix.
    const auto file = resolve_model(o.model, o.hub) / "tokenizer.json";
    if (std::filesystem::exists(file)) {
      const json t = read_json_file(file);
      if (t.contains("model") && t["model"].contains("continuing_subword_prefix"))
        word_aware_ = t["model"]["continuing_subword_prefix"].is_string() && !t["model"]["continuing_subword_prefix"].get<std::string>().empty();
    }
  }

  json run(const json& inputs, const PipelineCallOptions& o) override {
    const std::string strategy = string_kwarg(o, "aggregation_strategy").value_or("none");
    if (strategy != "none" && strategy != "simple" && strategy != "first" && strategy != "average" && strategy != "max")
      throw InputError("token-classification: aggregation_strategy \"" + strategy + "\" is not one of none, simple, first, average, max");
    std::vector<std::string> ignore{"O"};
    if (const json* v = kwarg(o, "ignore_labels"); v && v->is_array()) ignore = v->get<std::vector<std::string>>();
    if (!inputs.is_array()) return classify(text_input(inputs), strategy, ignore);
    json out = json::array();
    for (const json& in : inputs) out.push_back(classify(text_input(in), strategy, ignore));
    return out;
  }

 private:
  json classify(const std::string& sentence, const std::string& strategy, const std::vector<std::string>& ignore) const {
    const Encoding e = encode(sentence);
    const EncoderOutput out = forward(e);
    const int64_t L = out.logits.dim(2);
    const std::u32string chars = to_u32(sentence);
    const auto unk = tok_.unk_token_id();
    std::vector<PreEntity> pre;
    for (size_t i = 0; i < e.size(); ++i) {
      if (e.special_tokens_mask[i]) continue;
      const auto [s, en] = e.offsets[i];
      const std::u32string ref = chars.substr(s, en - s);
      PreEntity p{tok_.id_to_token(e.input_ids[i]), softmax(out.logits.data_as<float>() + i * L, L), s, en, static_cast<int64_t>(i), false};
      if (word_aware_) p.is_subword = to_u32(p.word).size() != ref.size();
      else p.is_subword = s > 0 && chars.substr(s - 1, 2).find(U' ') == std::u32string::npos;
      if (unk && e.input_ids[i] == *unk) {
        p.word = to_utf8(ref);
        p.is_subword = false;
      }
      pre.push_back(std::move(p));
    }
    const auto& labels = model_.config().id2label;
    std::vector<Entity> entities;
    if (strategy == "none" || strategy == "simple") {
      for (const PreEntity& p : pre) {
        const size_t k = argmax(p.scores);
        entities.push_back({labels[k], p.word, p.scores[k], p.start, p.end, p.index});
      }
    } else {
      // aggregate_words: a token that is not a subword starts a new word.
      std::vector<const PreEntity*> group;
      auto flush = [&] {
        if (!group.empty()) entities.push_back(aggregate_word(group, strategy, labels));
        group.clear();
      };
      for (const PreEntity& p : pre) {
        if (!group.empty() && !p.is_subword) flush();
        group.push_back(&p);
      }
      flush();
    }
    json result = json::array();
    auto ignored = [&](const std::string& l) { return std::find(ignore.begin(), ignore.end(), l) != ignore.end(); };
    if (strategy == "none") {
      for (const Entity& x : entities)
        if (!ignored(x.entity))
          result.push_back(json{{"entity", x.entity}, {"score", static_cast<float>(x.score)}, {"index", x.index},
                                {"word", x.word}, {"start", x.start}, {"end", x.end}});
      return result;
    }
    // group_entities: same tag and not B- continues the group.
    std::vector<const Entity*> group;
    auto emit = [&] {
      if (group.empty()) return;
      const std::string& first = group[0]->entity;
      const size_t dash = first.find('-');
      const std::string name = dash == std::string::npos ? first : first.substr(dash + 1);
      double sum = 0;
      std::vector<std::string> words;
      for (const Entity* x : group) {
        sum += x->score;
        words.push_back(x->word);
      }
      if (!ignored(name))
        result.push_back(json{{"entity_group", name}, {"score", static_cast<float>(sum / group.size())},
                              {"word", tokens_to_string(words)}, {"start", group[0]->start}, {"end", group.back()->end}});
      group.clear();
    };
    for (const Entity& x : entities) {
      if (!group.empty()) {
        const auto [bi, tag] = tag_of(x.entity);
        if (!(tag == tag_of(group.back()->entity).second && bi != 'B')) emit();
      }
      group.push_back(&x);
    }
    emit();
    return result;
  }

  Entity aggregate_word(const std::vector<const PreEntity*>& g, const std::string& strategy,
                        const std::vector<std::string>& labels) const {
    std::vector<std::string> words;
    for (const PreEntity* p : g) words.push_back(p->word);
    std::vector<double> scores;
    if (strategy == "first") {
      scores = g[0]->scores;
    } else if (strategy == "max") {
      const PreEntity* best = g[0];
      for (const PreEntity* p : g)
        if (*std::max_element(p->scores.begin(), p->scores.end()) > *std::max_element(best->scores.begin(), best->scores.end())) best = p;
      scores = best->scores;
    } else {  // average
      scores.assign(g[0]->scores.size(), 0.0);
      for (const PreEntity* p : g)
        for (size_t k = 0; k < scores.size(); ++k) scores[k] += p->scores[k] / g.size();
    }
    const size_t k = argmax(scores);
    return {labels[k], tokens_to_string(words), scores[k], g[0]->start, g.back()->end};
  }

  // convert_tokens_to_string: the tokenizer's decoder over vocabulary tokens. A word that is not a
  // token (the original text of an [UNK]) is decoded as [UNK] and put back in its place.
  std::string tokens_to_string(const std::vector<std::string>& words) const {
    std::vector<int32_t> ids;
    std::vector<std::string> unknown;
    const auto unk = tok_.unk_token_id();
    for (const std::string& w : words) {
      if (auto id = tok_.token_to_id(w)) ids.push_back(*id);
      else if (unk) {
        ids.push_back(*unk);
        unknown.push_back(w);
      }
    }
    std::string s = tok_.decode(ids, {.skip_special_tokens = false, .clean_up_tokenization_spaces = false});
    const std::string unk_text = tok_.unk_token();
    size_t at = 0;
    for (const std::string& w : unknown) {
      const size_t p = s.find(unk_text, at);
      if (p == std::string::npos) break;
      s.replace(p, unk_text.size(), w);
      at = p + w.size();
    }
    return s;
  }

  bool word_aware_ = false;
};

}  // namespace

std::shared_ptr<PipelineImpl> make_token_classification(const std::string& task, const PipelineOptions& o) {
  return std::make_shared<TokenClassificationPipeline>(task, o);
}

}  // namespace hf::pipelines
