#pragma once
// `hfcpp pipeline` flags of the encoder tasks, named after transformers' keyword arguments
// (--top-k, --targets, --function-to-apply, --candidate-labels, --multi-label,
// --hypothesis-template, --aggregation-strategy, --ignore-labels, --question/--context,
// --doc-stride, --max-seq-len, --max-question-len, --max-answer-len, --handle-impossible-answer,
// --truncation, --text-pair). Only flags given reach the call's kwargs (PipelineCallOptions::extra),
// so a flag that was not passed is a kwarg that was not passed, as transformers distinguishes.
#include <CLI/CLI.hpp>
#include <optional>
#include <string>
#include <vector>

#include "hf/pipeline.h"

namespace hf::cli {

struct PipelineTaskFlags {
  std::optional<std::string> top_k, targets, function_to_apply, candidate_labels, hypothesis_template,
      aggregation_strategy, ignore_labels, question, context, truncation, text_pair;
  std::optional<int> doc_stride, max_seq_len, max_question_len, max_answer_len;
  bool multi_label = false, handle_impossible_answer = false;

  // Adds the flags; --top-k replaces the generation flag of the same name (it is the same kwarg
  // for generation tasks: apply() routes it).
  void add_to(CLI::App& cmd);
  // Puts the given flags into call.extra (or call.generate.top_k for generation tasks).
  // hf::InputError for a malformed value (--top-k abc).
  void apply(const std::string& task, PipelineCallOptions& call) const;
  // The call's input from --question/--context and --text-pair around the INPUTs (json null when
  // the INPUTs are used as they are).
  json inputs(const json& given) const;
};

}  // namespace hf::cli
