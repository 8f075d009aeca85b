// transformers:
//   translator = pipeline("translation", model="Helsinki-NLP/opus-mt-zh-en")
//   print(translator("今天天气真好，我想出去玩。")[0]["translation_text"])
// Without an argument this runs the tiny random Marian model of this source tree (its
// "translation" is word salad by design); pass "Helsinki-NLP/opus-mt-zh-en" for the real one.
#include <hf/hf.h>

#include <filesystem>
#include <iostream>

int main(int argc, char** argv) try {
  const std::string model = argc > 1 ? argv[1]
      : (std::filesystem::path(__FILE__).parent_path().parent_path() / "tests/fixtures/tiny-marian-zh-en").string();
  auto translator = hf::pipeline("translation", {.model = model});
  hf::json result = translator("今天天气真好，我想出去玩。");
  std::cout << result[0]["translation_text"].get<std::string>() << "\n";
} catch (const hf::Error& e) {
  std::cerr << "error: " << e.what() << "\n";
  return 1;
}
