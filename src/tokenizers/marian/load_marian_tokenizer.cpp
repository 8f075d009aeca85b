// The Tokenizer handle over MarianTokenizer (apart from the implementation so that the
// implementation can be used and tested without the handle's code).
#include "tokenizers/marian/marian_tokenizer.h"

namespace hf {

Tokenizer load_marian_tokenizer(const std::filesystem::path& dir) { return Tokenizer::from_impl(make_marian_tokenizer(dir)); }

}  // namespace hf
