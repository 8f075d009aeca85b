#include "cli/pipeline_task_flags.h"

#include <algorithm>

#include "hf/error.h"

namespace hf::cli {

namespace {

std::vector<std::string> split_commas(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  for (size_t c; (c = s.find(',', start)) != std::string::npos; start = c + 1) out.push_back(s.substr(start, c - start));
  out.push_back(s.substr(start));
  return out;
}

bool is_encoder_task(const std::string& task) {
  static const char* tasks[] = {"fill-mask", "text-classification", "sentiment-analysis", "token-classification", "ner",
                                "question-answering", "zero-shot-classification", "feature-extraction", "sentence-embeddings"};
  return std::any_of(std::begin(tasks), std::end(tasks), [&](const char* t) { return task == t; });
}

int parse_int(const std::string& flag, const std::string& v) {
  try {
    size_t used = 0;
    const int n = std::stoi(v, &used);
    if (used == v.size()) return n;
  } catch (const std::exception&) {
  }
  throw InputError("pipeline: " + flag + " expects an integer" + (flag == "--top-k" ? " or none" : "") + ", got \"" + v + "\"");
}

}  // namespace

void PipelineTaskFlags::add_to(CLI::App& cmd) {
  if (CLI::Option* existing = cmd.get_option_no_throw("--top-k")) cmd.remove_option(existing);
  cmd.add_option("--top-k", top_k, "How many results (none = all labels); for generation: keep the k most likely tokens");
  cmd.add_option("--targets", targets, "fill-mask: comma-separated words to score instead of the whole vocabulary");
  cmd.add_option("--function-to-apply", function_to_apply, "text-classification: softmax | sigmoid | none");
  cmd.add_option("--candidate-labels", candidate_labels, "zero-shot-classification: comma-separated labels");
  cmd.add_flag("--multi-label", multi_label, "zero-shot-classification: labels are independent");
  cmd.add_option("--hypothesis-template", hypothesis_template, "zero-shot-classification: e.g. \"This example is {}.\"");
  cmd.add_option("--aggregation-strategy", aggregation_strategy, "token-classification: none | simple | first | average | max");
  cmd.add_option("--ignore-labels", ignore_labels, "token-classification: comma-separated labels to drop (default O)");
  cmd.add_option("--question", question, "question-answering: the question");
  cmd.add_option("--context", context, "question-answering: the context (else the INPUT)");
  cmd.add_option("--doc-stride", doc_stride, "question-answering: tokens shared by consecutive context windows");
  cmd.add_option("--max-seq-len", max_seq_len, "question-answering: tokens per window");
  cmd.add_option("--max-question-len", max_question_len, "question-answering: (no effect with fast tokenizers)");
  cmd.add_option("--max-answer-len", max_answer_len, "question-answering: longest answer in tokens");
  cmd.add_flag("--handle-impossible-answer", handle_impossible_answer, "question-answering: allow the empty answer");
  cmd.add_option("--truncation", truncation,
                 "text-classification / feature-extraction / summarization / text2text: true | false | only_first | ...");
  cmd.add_option("--text-pair", text_pair, "text-classification: the second text of a pair, for every INPUT");
}

void PipelineTaskFlags::apply(const std::string& task, PipelineCallOptions& call) const {
  json& x = call.extra;
  if (top_k) {
    const bool none = *top_k == "none" || *top_k == "None" || *top_k == "null";
    if (is_encoder_task(task)) x["top_k"] = none ? json(nullptr) : json(parse_int("--top-k", *top_k));
    else if (none) throw InputError("pipeline: --top-k none is only for classification tasks; give a number");
    else call.generate.top_k = parse_int("--top-k", *top_k);
  }
  if (targets) x["targets"] = split_commas(*targets);
  if (function_to_apply) x["function_to_apply"] = *function_to_apply;
  if (candidate_labels) x["candidate_labels"] = *candidate_labels;  // split on commas by the pipeline, as transformers does
  if (multi_label) x["multi_label"] = true;
  if (hypothesis_template) x["hypothesis_template"] = *hypothesis_template;
  if (aggregation_strategy) x["aggregation_strategy"] = *aggregation_strategy;
  if (ignore_labels) x["ignore_labels"] = ignore_labels->empty() ? json::array() : json(split_commas(*ignore_labels));
  if (doc_stride) x["doc_stride"] = *doc_stride;
  if (max_seq_len) x["max_seq_len"] = *max_seq_len;
  if (max_question_len) x["max_question_len"] = *max_question_len;
  if (max_answer_len) x["max_answer_len"] = *max_answer_len;
  if (handle_impossible_answer) x["handle_impossible_answer"] = true;
  if (truncation) {
    if (*truncation == "true" || *truncation == "True") x["truncation"] = true;
    else if (*truncation == "false" || *truncation == "False") x["truncation"] = false;
    else x["truncation"] = *truncation;
  }
}

json PipelineTaskFlags::inputs(const json& given) const {
  if (question) {
    // --question with --context, or with the INPUT(s) as context(s).
    if (context) return json{{"question", *question}, {"context", *context}};
    if (given.is_array()) {
      json out = json::array();
      for (const json& c : given) out.push_back(json{{"question", *question}, {"context", c}});
      return out;
    }
    if (given.is_null()) throw InputError("pipeline: --question needs --context or an INPUT as the context");
    return json{{"question", *question}, {"context", given}};
  }
  if (context) throw InputError("pipeline: --context needs --question");
  if (text_pair) {
    auto pair = [&](const json& t) { return json{{"text", t}, {"text_pair", *text_pair}}; };
    if (!given.is_array()) return pair(given);
    json out = json::array();
    for (const json& t : given) out.push_back(pair(t));
    return out;
  }
  return nullptr;
}

}  // namespace hf::cli
