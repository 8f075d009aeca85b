#pragma once
// hfcpp's umbrella header: everything a program needs, as `import transformers` gives it.
//
//   #include <hf/hf.h>
//   auto pipe = hf::pipeline("text-generation", {.model = "Qwen/Qwen2.5-0.5B-Instruct"});
#include "hf/error.h"
#include "hf/tensor.h"
#include "hf/hub.h"
#include "hf/chat_template.h"
#include "hf/tokenizer.h"
#include "hf/model_config.h"
#include "hf/causal_lm.h"
#include "hf/encoder.h"
#include "hf/seq2seq_lm.h"
#include "hf/seq2seq_classification.h"
#include "hf/generation_config.h"
#include "hf/generation.h"
#include "hf/constrained.h"
#include "hf/seq2seq.h"
#include "hf/streamers.h"
#include "hf/pipeline.h"
#include "hf/translation.h"
#include "hf/sentence_transformers.h"
