#pragma once
// The encoder tasks' factories (one file each) and their registration (encoder_tasks.cpp).
#include <memory>
#include <string>

#include "hf/pipeline.h"

namespace hf::pipelines {

std::shared_ptr<PipelineImpl> make_feature_extraction(const std::string& task, const PipelineOptions& o);
std::shared_ptr<PipelineImpl> make_sentence_embeddings(const std::string& task, const PipelineOptions& o);
std::shared_ptr<PipelineImpl> make_fill_mask(const std::string& task, const PipelineOptions& o);
std::shared_ptr<PipelineImpl> make_text_classification(const std::string& task, const PipelineOptions& o);
std::shared_ptr<PipelineImpl> make_zero_shot_classification(const std::string& task, const PipelineOptions& o);
std::shared_ptr<PipelineImpl> make_token_classification(const std::string& task, const PipelineOptions& o);
std::shared_ptr<PipelineImpl> make_question_answering(const std::string& task, const PipelineOptions& o);

}  // namespace hf::pipelines
