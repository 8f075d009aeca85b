// question-answering: transformers' QuestionAnsweringPipeline with a fast tokenizer
// (pipelines/question_answering.py: preprocess, postprocess, select_starts_ends, decode_spans,
// get_indices, get_answer; 4.54–4.57 behaviour).
//   inputs {"question", "context"} (strings, or equal-length lists → a list of results)
//   kwargs top_k (1), doc_stride (min(max_seq_len/2, 128)), max_seq_len (min(model_max_length, 384)),
//   max_question_len (no effect with a fast tokenizer), max_answer_len (15), handle_impossible_answer.
// The context is split into windows of what max_seq_len leaves after the question, overlapping by
// doc_stride tokens; in each window the softmax of start and end logits runs over the whole window
// (non-context tokens at -10000, [CLS] included, then zeroed); the best top_k*2+10 spans of each
// window are widened to whole words; equal answers (case-insensitive) add their scores; the best
// top_k are returned (one → a dict).
#include <algorithm>
#include <cmath>

#include "hf/error.h"
#include "pipelines/encoder_pipeline.h"
#include "pipelines/encoder_tasks.h"

namespace hf::pipelines {
namespace {

struct Answer {
  double score;
  int64_t start, end;
  std::string answer;
};

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Characters [b, e) of a UTF-8 string.
std::string char_slice(const std::string& s, int64_t b, int64_t e) {
  size_t i = 0, from = std::string::npos;
  int64_t c = 0;
  for (; i < s.size(); ++i)
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) {
      if (c == b) from = i;
      if (c == e) break;
      ++c;
    }
  if (from == std::string::npos) return "";
  return s.substr(from, i - from);
}

class QuestionAnsweringPipeline : public EncoderPipeline {
 public:
  QuestionAnsweringPipeline(const std::string& task, const PipelineOptions& o)
      : EncoderPipeline(task, o, EncoderHead::QuestionAnswering) {}

  json run(const json& inputs, const PipelineCallOptions& o) override {
    if (inputs.is_array()) {
      json out = json::array();
      for (const json& in : inputs) out.push_back(run(in, o));
      return out;
    }
    if (!inputs.is_object() || !inputs.contains("question") || !inputs.contains("context"))
      throw InputError("question-answering: give {\"question\": ..., \"context\": ...}");
    const json &q = inputs["question"], &c = inputs["context"];
    if (q.is_array() || c.is_array()) {
      if (!q.is_array() || !c.is_array() || q.size() != c.size())
        throw InputError("question-answering: questions and contexts must be lists of the same length");
      json out = json::array();
      for (size_t i = 0; i < q.size(); ++i) out.push_back(answer(q[i], c[i], o));
      return out;
    }
    return answer(q, c, o);
  }

 private:
  json answer(const json& qj, const json& cj, const PipelineCallOptions& o) const {
    if (!qj.is_string() || !cj.is_string()) throw InputError("question-answering: question and context must be strings");
    const std::string question = qj.get<std::string>(), context = cj.get<std::string>();
    if (question.empty()) throw InputError("question-answering: `question` cannot be empty");
    if (context.empty()) throw InputError("question-answering: `context` cannot be empty");
    const int64_t top_k = int_kwarg(o, "top_k").value_or(1);
    if (top_k < 1) throw InputError("question-answering: top_k parameter should be >= 1 (got " + std::to_string(top_k) + ")");
    const int64_t max_answer_len = int_kwarg(o, "max_answer_len").value_or(15);
    if (max_answer_len < 1)
      throw InputError("question-answering: max_answer_len parameter should be >= 1 (got " + std::to_string(max_answer_len) + ")");
    const int64_t max_seq_len = int_kwarg(o, "max_seq_len").value_or(std::min<int64_t>(tok_.model_max_length(), 384));
    const int64_t doc_stride = int_kwarg(o, "doc_stride").value_or(std::min<int64_t>(max_seq_len / 2, 128));
    if (doc_stride > max_seq_len)
      throw InputError("question-answering: `doc_stride` (" + std::to_string(doc_stride) + ") is larger than `max_seq_len` (" +
                       std::to_string(max_seq_len) + ")");
    const bool impossible = bool_kwarg(o, "handle_impossible_answer").value_or(false);

    std::vector<Encoding> windows;
    try {
      windows = tok_.encode_plus(question, context,
                                 {.truncation = "only_second", .max_length = static_cast<int>(max_seq_len),
                                  .stride = static_cast<int>(doc_stride), .return_overflowing_tokens = true});
    } catch (const InputError& e) {
      throw InputError("question-answering: the question does not leave room for the context in max_seq_len " +
                       std::to_string(max_seq_len) + " with doc_stride " + std::to_string(doc_stride) + " (" + e.what() + ")");
    }
    const auto cls = tok_.token_to_id(tok_.config().raw.value("cls_token", std::string("[CLS]")));
    double min_null = 1000000;
    std::vector<Answer> answers;
    for (const Encoding& w : windows) {
      const size_t n = w.size();
      std::vector<bool> allowed(n);  // context tokens and [CLS] (p_mask 0)
      for (size_t i = 0; i < n; ++i) allowed[i] = w.sequence_ids[i] == 1 || (cls && w.input_ids[i] == *cls);
      const EncoderOutput out = forward(w);
      std::vector<float> sl(out.start_logits.data_as<float>(), out.start_logits.data_as<float>() + n);
      std::vector<float> el(out.end_logits.data_as<float>(), out.end_logits.data_as<float>() + n);
      for (size_t i = 0; i < n; ++i)
        if (!allowed[i]) sl[i] = el[i] = -10000.0f;
      std::vector<double> ps = softmax(sl.data(), n), pe = softmax(el.data(), n);
      if (impossible) min_null = std::min(min_null, ps[0] * pe[0]);
      ps[0] = pe[0] = 0.0;
      // decode_spans: the best top_k*2+10 of all (s, e) with s <= e < s + max_answer_len, then
      // only those whose start and end are allowed tokens.
      struct Span {
        double score;
        size_t s, e;
      };
      std::vector<Span> spans;
      for (size_t s = 0; s < n; ++s)
        for (size_t e = s; e < n && e < s + static_cast<size_t>(max_answer_len); ++e) spans.push_back({ps[s] * pe[e], s, e});
      const size_t pool = std::min<size_t>(spans.size(), top_k * 2 + 10);
      std::partial_sort(spans.begin(), spans.begin() + pool, spans.end(), [](const Span& a, const Span& b) { return a.score > b.score; });
      for (size_t k = 0; k < pool; ++k) {
        const Span& sp = spans[k];
        if (!allowed[sp.s] || !allowed[sp.e]) continue;
        // get_indices: widen to the words' characters (token offsets when a token has no word).
        int64_t b = w.offsets[sp.s].first, e = w.offsets[sp.e].second;
        if (w.word_ids[sp.s] >= 0 && w.word_ids[sp.e] >= 0) {
          b = w.word_to_chars(w.word_ids[sp.s], 1).first;
          e = w.word_to_chars(w.word_ids[sp.e], 1).second;
        }
        const std::string text = char_slice(context, b, e);
        auto same = std::find_if(answers.begin(), answers.end(), [&](const Answer& a) { return lower(a.answer) == lower(text); });
        if (same != answers.end()) same->score += sp.score;
        else answers.push_back({sp.score, b, e, text});
      }
    }
    if (impossible) answers.push_back({min_null, 0, 0, ""});
    std::stable_sort(answers.begin(), answers.end(), [](const Answer& a, const Answer& b) { return a.score > b.score; });
    if (answers.size() > static_cast<size_t>(top_k)) answers.resize(top_k);
    json list = json::array();
    for (const Answer& a : answers) list.push_back(json{{"score", a.score}, {"start", a.start}, {"end", a.end}, {"answer", a.answer}});
    return list.size() == 1 ? list[0] : list;
  }
};

}  // namespace

std::shared_ptr<PipelineImpl> make_question_answering(const std::string& task, const PipelineOptions& o) {
  return std::make_shared<QuestionAnsweringPipeline>(task, o);
}

}  // namespace hf::pipelines
