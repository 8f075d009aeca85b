// The fixture's `sampling` distributions: the processor chain of generate(do_sample=True) on the
// model's real next-token logits must keep the same tokens with the same probabilities.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include "fixture_util.h"
#include "generation/logits_processors.h"
#include "generation/probabilities.h"

using namespace hf::generation;

namespace {

std::vector<float> last_logits(const std::vector<int32_t>& ids) {
  auto m = fixture::model();
  auto cache = m->new_cache(1, static_cast<int64_t>(ids.size()) + 1);
  std::vector<int32_t> pos(ids.size());
  for (size_t i = 0; i < pos.size(); ++i) pos[i] = static_cast<int32_t>(i);
  hf::ForwardInput in{.batch = 1, .seq = static_cast<int>(ids.size()), .input_ids = ids, .position_ids = pos};
  hf::Tensor t = m->forward(in, *cache);
  return std::vector<float>(t.data_as<float>(), t.data_as<float>() + t.numel());
}

void check_entry(const hf::json& e, std::vector<float> scores, double std_ref) {
  hf::GenerationConfig c;
  c.do_sample = true;
  const auto& p = e["params"];
  if (p.contains("repetition_penalty")) c.repetition_penalty = p["repetition_penalty"].get<float>();
  if (p.contains("temperature")) c.temperature = p["temperature"].get<float>();
  if (p.contains("top_k")) c.top_k = p["top_k"].get<int>();
  if (p.contains("top_p")) c.top_p = p["top_p"].get<float>();
  if (p.contains("min_p")) c.min_p = p["min_p"].get<float>();
  c = c.with_defaults();
  const auto ids = fixture::ids_of(e["input_ids"]);
  auto list = build_logits_processors(c, static_cast<int>(ids.size()), 1 << 20);
  apply_processors(list, ids, scores);
  std::vector<float> probs;
  softmax(scores, probs);
  const int kept = static_cast<int>(std::count_if(scores.begin(), scores.end(), [](float s) { return std::isfinite(s); }));
  const bool fragile = e.value("fragile", false);
  if (!fragile) EXPECT_EQ(kept, e["n_kept"].get<int>());
  else EXPECT_NEAR(kept, e["n_kept"].get<int>(), 0.01 * e["n_kept"].get<int>() + 2);
  const double tol = 2 * 1e-3 * std_ref / *c.temperature;
  const auto& list_ref = e.contains("kept") ? e["kept"] : e["kept_top200"];
  double worst = 0;
  for (const auto& k : list_ref) {
    const int id = k[0].get<int>();
    const double p_ref = k[2].get<double>();
    ASSERT_TRUE(std::isfinite(scores[id])) << "token " << id << " should be kept";
    // A fragile cut changes the normaliser a little; compare relative probabilities then.
    worst = std::max(worst, std::abs(std::log(static_cast<double>(probs[id])) - std::log(p_ref)));
  }
  EXPECT_LE(worst, fragile ? 10 * tol : tol);
}

}  // namespace

TEST(SamplingFixture, ChatZhFromFullLogitsFile) {
  const auto& c = fixture::find_case("chat_zh");
  std::vector<float> logits(151936);
  std::ifstream f(std::string(fixture::kDir) + "/last_logits_chat_zh.f32", std::ios::binary);
  f.read(reinterpret_cast<char*>(logits.data()), logits.size() * 4);
  ASSERT_TRUE(f.good());
  int n = 0;
  for (const auto& e : fixture::expected()["sampling"])
    if (e["context"] == "chat_zh") {
      SCOPED_TRACE(e["name"].get<std::string>());
      check_entry(e, logits, c["last_logits"]["std"].get<double>());
      ++n;
    }
  EXPECT_EQ(n, 7);
}

TEST(SamplingFixture, EveryContextThroughTheModel) {
  for (const auto& e : fixture::expected()["sampling"]) {
    SCOPED_TRACE(e["name"].get<std::string>() + " / " + e["context"].get<std::string>());
    check_entry(e, last_logits(fixture::ids_of(e["input_ids"])), 4.0);
  }
}
