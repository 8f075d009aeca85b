// The encoder tasks, with transformers' default models and the revisions it pins for them
// (pipelines/__init__.py SUPPORTED_TASKS, v4.56 to main); sentence-embeddings is hfcpp's own name
// for sentence-transformers' encode(), so its default has no pinned revision and no notice.
#include "pipelines/encoder_tasks.h"

#include "pipelines/registry.h"

namespace hf::pipelines {

void register_encoder_tasks(TaskRegistry& r) {
  r.add({.task = "feature-extraction", .default_model = "distilbert/distilbert-base-cased", .description = "Token hidden states (last_hidden_state)", .make = make_feature_extraction, .default_revision = "6ea8117"});
  r.add({.task = "sentence-embeddings", .default_model = "sentence-transformers/all-MiniLM-L6-v2", .description = "Pooled, normalized sentence vectors of a sentence-transformers model", .make = make_sentence_embeddings, .default_revision = ""});
  r.add({.task = "fill-mask", .default_model = "distilbert/distilroberta-base", .description = "Predict the [MASK] tokens", .make = make_fill_mask, .default_revision = "fb53ab8"});
  r.add({.task = "text-classification", .default_model = "distilbert/distilbert-base-uncased-finetuned-sst-2-english", .description = "Classify a text or a text pair (alias: sentiment-analysis)", .make = make_text_classification, .default_revision = "714eb0f"});
  r.add({.task = "zero-shot-classification", .default_model = "facebook/bart-large-mnli", .description = "Classify against any labels with an NLI model", .make = make_zero_shot_classification, .default_revision = "d7645e1"});
  r.add({.task = "token-classification", .default_model = "dbmdz/bert-large-cased-finetuned-conll03-english", .description = "Label every token / entity (alias: ner)", .make = make_token_classification, .default_revision = "4c53496"});
  r.add({.task = "question-answering", .default_model = "distilbert/distilbert-base-cased-distilled-squad", .description = "Extract the answer to a question from a context", .make = make_question_answering, .default_revision = "564e9b5"});
}

}  // namespace hf::pipelines
