#pragma once
// Translation, as the transformers tutorial does it:
//
//   auto tr = hf::pipeline("translation", {.model = "Helsinki-NLP/opus-mt-zh-en"});
//   tr("今天天气真好，我想出去玩。");        // [{"translation_text": "..."}]
//   hf::pipeline("translation_de_to_en")     // no model given: Helsinki-NLP/opus-mt-de-en (en_to_fr/de/ro: google-t5/t5-base)
//
// or step by step:
//
//   auto tok   = hf::AutoTokenizer::from_pretrained("Helsinki-NLP/opus-mt-zh-en");   // MarianTokenizer
//   auto model = hf::AutoModelForSeq2SeqLM::from_pretrained("Helsinki-NLP/opus-mt-zh-en");
//   auto out   = model.generate(tok({"你好。", "今天天气真好。"}, {.padding = "longest"}));
//   auto texts = tok.batch_decode(out.sequences, {.skip_special_tokens = true});
//
// Weights load from model.safetensors when the repository has one (or its safetensors
// conversion pull request), else from pytorch_model.bin through a reader that rebuilds tensors
// and executes nothing (src/io/torch_bin.h).
#include "hf/pipeline.h"
#include "hf/seq2seq.h"
#include "hf/seq2seq_lm.h"
#include "hf/tokenizer.h"
