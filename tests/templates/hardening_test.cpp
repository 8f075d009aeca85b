// Hostile templates (issue 10's probes): each one once crashed, hung or ran away. Now each gives
// Python's result, or a clear TemplateError naming the budget or Python exception, within seconds
// and bounded memory. Budgets are set through RenderOptions.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>

#include "templates/evaluator.h"
#include "templates/parser.h"
#include "test_util.h"

namespace hf::templates {
namespace {

using hf::test::error_of;
using hf::test::render;
using testing::HasSubstr;
using testing::StartsWith;

std::string error_with(const std::string& source, const RenderOptions& options) {
  try {
    ChatTemplate(source).render(json::object(), options);
  } catch (const TemplateError& e) {
    return e.what();
  }
  return "";
}

TEST(Hardening, SliceInsideATupleSubscriptIsUndefined) {
  // Python: list[slice, int] raises TypeError, which Jinja2's getitem turns into Undefined.
  EXPECT_EQ(render("[{{ [1, 2, 3][0:2, 1] }}]"), "[]");
  EXPECT_EQ(render("[{{ {'a': 1}[1:, 'a'] }}]"), "[]");
  EXPECT_EQ(render("{{ [1, 2, 3][0:2, 1] is defined }}"), "False");
}

TEST(Hardening, MinInt64DividedByMinusOne) {
  EXPECT_EQ(render("{{ (-9223372036854775807 - 1) % -1 }}"), "0");
  EXPECT_EQ(render("{{ (-9223372036854775807 - 1) // 1 }}"), "-9223372036854775808");
  // Python gives 2**63, past 64 bits: never SIGFPE or a wrapped value, Python's unbounded int.
  EXPECT_EQ(render("{{ (-9223372036854775807 - 1) // -1 }}"), "9223372036854775808");
  EXPECT_EQ(render("{{ (-9223372036854775807 - 1) | abs }}"), "9223372036854775808");
  EXPECT_EQ(render("{{ -(-9223372036854775807 - 1) }}"), "9223372036854775808");
}

TEST(Hardening, PercentCTakesAnIntInRangeOrOneCharacter) {
  // Found by fuzz_chat_template: '%c' % 3.5 terminated the process (bad_variant_access). Python
  // (checked with Jinja2 3.1): TypeError / OverflowError, as below.
  EXPECT_EQ(render("{{ '%c%c%c' % (65, true, '\u4e2d') }}"), "A\x01\u4e2d");
  EXPECT_THAT(error_of("{{ '%c' % 3.5 }}"), HasSubstr("TypeError: %c requires int or char"));
  EXPECT_THAT(error_of("{{ '%c' % 'ab' }}"), HasSubstr("TypeError: %c requires int or char"));
  EXPECT_THAT(error_of("{{ '%c' % '' }}"), HasSubstr("TypeError: %c requires int or char"));
  EXPECT_THAT(error_of("{{ '%c' % none }}"), HasSubstr("TypeError: %c requires int or char"));
  EXPECT_THAT(error_of("{{ '%c' % -1 }}"), HasSubstr("OverflowError: %c arg not in range(0x110000)"));
  EXPECT_THAT(error_of("{{ '%c' % 1114112 }}"), HasSubstr("OverflowError: %c arg not in range(0x110000)"));
  EXPECT_THAT(error_of("{{ '%c' % 2**70 }}"), HasSubstr("OverflowError: %c arg not in range(0x110000)"));
}

TEST(Hardening, HugeIntegersHitTheBudgetsNotTheMachine) {
  // Python would try to build 2**(2**70) (and run out of memory); a render stops at its budget.
  EXPECT_THAT(error_of("{{ 2 ** (2**70) }}"), HasSubstr("memory budget exceeded"));
  EXPECT_THAT(error_of("{{ 7 ** 100000000 }}"), HasSubstr("budget exceeded"));
  // A number grown by squaring in a loop: the multiplications are charged before they run.
  EXPECT_THAT(error_of("{% set ns = namespace(x=3) %}{% for i in range(40) %}{% set ns.x = ns.x * ns.x %}{% endfor %}"),
              HasSubstr("budget exceeded"));
  // CPython's limit on decimal conversions of ints (4300 digits) bounds printing and parsing.
  EXPECT_THAT(error_of("{{ 10 ** 5000 }}"), HasSubstr("ValueError: Exceeds the limit (4300 digits)"));
  EXPECT_EQ(render("{{ (10 ** 5000) // (10 ** 4990) }}"), "10000000000");
}

// A list nested `depth` deep, built through a namespace (two of them, x and y, equal but distinct).
std::string deep_lists(int outer, int inner, const std::string& then) {
  return "{% set ns = namespace(x=[], y=[]) %}{% for i in range(" + std::to_string(outer) +
         ") %}{% for j in range(" + std::to_string(inner) +
         ") %}{% set ns.x = [ns.x] %}{% set ns.y = [ns.y] %}{% endfor %}{% endfor %}" + then;
}

TEST(Hardening, DeeplyNestedListsRaiseRecursionErrorAndAreFreedWithoutRecursion) {
  EXPECT_EQ(render(deep_lists(100, 1000, "{{ ns.x | length }} {{ ns.x is sequence }}")), "1 True");
  EXPECT_THAT(error_of(deep_lists(100, 1000, "{{ ns.x }}")),
              HasSubstr("RecursionError: maximum recursion depth exceeded while getting the repr of an object"));
  EXPECT_THAT(error_of(deep_lists(100, 1000, "{{ ns.x == ns.y }}")),
              HasSubstr("RecursionError: maximum recursion depth exceeded in comparison"));
  EXPECT_THAT(error_of(deep_lists(100, 1000, "{{ ns.x < ns.y }}")), HasSubstr("RecursionError"));
  EXPECT_THAT(error_of(deep_lists(100, 1000, "{{ ns.x | tojson }}")), HasSubstr("RecursionError"));
  EXPECT_THAT(error_of(deep_lists(100, 1000, "{{ ns.x | pprint }}")), HasSubstr("RecursionError"));
  EXPECT_THAT(error_of(deep_lists(100, 1000, "{{ ns.x in [ns.y] }}")), HasSubstr("RecursionError"));
  // 10^6 levels, destroyed when the render ends.
  EXPECT_EQ(render(deep_lists(1000, 1000, "done")), "done");
}

TEST(Hardening, DeeplyNestedContextIsAnErrorNotAStackOverflow) {
  json inner = json::array();
  for (int i = 0; i < 100000; ++i) {
    json outer = json::array();
    outer.push_back(std::move(inner));
    inner = std::move(outer);
  }
  EXPECT_THAT(error_of("{{ x | length }}", {{"x", std::move(inner)}}), HasSubstr("RecursionError"));
}

TEST(Hardening, HugeRangesAreRejectedWithoutSpinning) {
  EXPECT_EQ(error_of("{{ range(0, 9223372036854775807, 2) | length }}"),
            "line 1: OverflowError: Range too big. The sandbox blocks ranges larger than MAX_RANGE (100000).");
  EXPECT_EQ(error_of("{{ range(9223372036854775807, -9223372036854775807, -3) | length }}"),
            "line 1: OverflowError: Range too big. The sandbox blocks ranges larger than MAX_RANGE (100000).");
  EXPECT_EQ(render("{{ range(9223372036854775800, 9223372036854775807, 3) | list }}"),
            "[9223372036854775800, 9223372036854775803, 9223372036854775806]");
}

TEST(Hardening, HugeRepetitionsHitTheMemoryBudget) {
  EXPECT_THAT(error_of("{{ [1, 2, 3, 4] * 2**62 }}"), HasSubstr("MemoryError: memory budget exceeded"));
  EXPECT_THAT(error_of("{{ 'aaaa' * 2**62 }}"), HasSubstr("MemoryError: memory budget exceeded"));
  EXPECT_THAT(error_of("{{ 2**62 * 'aaaa' }}"), HasSubstr("MemoryError: memory budget exceeded"));
  EXPECT_THAT(error_of("{{ 'a'.ljust(10**12) }}"), HasSubstr("memory budget"));
  EXPECT_THAT(error_of("{{ 'a'.center(10**12, 'x') }}"), HasSubstr("memory budget"));
  EXPECT_THAT(error_of("{{ 'a'.zfill(10**12) }}"), HasSubstr("memory budget"));
  EXPECT_THAT(error_of("{{ 'a' | center(10**12) }}"), HasSubstr("memory budget"));
  EXPECT_THAT(error_of("{{ 'a\na' | indent(10**12) }}"), HasSubstr("memory budget"));
  EXPECT_THAT(error_of("{{ '%1000000000000d' | format(1) }}"), HasSubstr("memory budget"));
  EXPECT_THAT(error_of("{{ '%1000000000000d' % 1 }}"), HasSubstr("memory budget"));
  EXPECT_THAT(error_of("{{ '%.1000000000f' % 1.5 }}"), HasSubstr("memory budget"));
  // CPython's own limits on the spec's numbers.
  EXPECT_EQ(error_of("{{ '%99999999999999999999d' % 1 }}"), "line 1: ValueError: width too big");
  EXPECT_EQ(error_of("{{ '%.1000000000000f' % 1.5 }}"), "line 1: ValueError: precision too big");
  EXPECT_THAT(error_of("{{ [1] | tojson(indent=10**12) }}"), HasSubstr("memory budget"));
  EXPECT_THAT(error_of("{{ ('x' * 1000000).replace('', 'y' * 1000000) }}"), HasSubstr("memory budget"));
  EXPECT_THAT(error_of("{{ ('y' * 1000000).join(['a'] * 10000) }}"), HasSubstr("memory budget"));
  EXPECT_THAT(error_of("{{ [1] | batch(10**12, 0) | list }}"), HasSubstr("memory budget"));
  // Wide but reasonable padding still renders exactly.
  EXPECT_EQ(render("{{ '%600d' % 7 }}").size(), 600u);
  EXPECT_EQ(render("{{ '%.400f' % 1.5 }}").size(), 402u);
}

TEST(Hardening, AStringGrownInALoopHitsTheMemoryBudget) {
  EXPECT_THAT(error_of("{% set ns = namespace(s='') %}{% for i in range(1000) %}"
                       "{% set ns.s = ns.s + 'x' * 60000000 %}{% endfor %}{{ ns.s | length }}"),
              HasSubstr("MemoryError: memory budget exceeded"));
  EXPECT_THAT(error_of("{% set ns = namespace(s='x') %}{% for i in range(100) %}"
                       "{% set ns.s = ns.s ~ ns.s %}{% endfor %}"),
              HasSubstr("MemoryError: memory budget exceeded"));
  EXPECT_THAT(error_of("{% set ns = namespace(l=[]) %}{% for i in range(100000) %}"
                       "{% set ns.l = ns.l + [i] %}{% endfor %}"),
              HasSubstr("MemoryError: memory budget exceeded"));
}

TEST(Hardening, ExponentialMacroCallsHitTheWorkBudget) {
  EXPECT_THAT(error_of("{% macro f(n) %}{% if n > 0 %}{{ f(n - 1) }}{{ f(n - 1) }}{% endif %}{% endmacro %}"
                       "{{ f(90) }}"),
              HasSubstr("SandboxError: work budget exceeded: more than 20000000 steps"));
}

TEST(Hardening, HugeSliceStepsDoNotWrap) {
  EXPECT_EQ(render("{{ [1, 2, 3][1::9223372036854775807] }}"), "[2]");
  EXPECT_EQ(render("{{ [1, 2, 3][::-9223372036854775807] }}"), "[3]");
  EXPECT_EQ(render("{{ 'abc'[1::9223372036854775807] }}"), "b");
  EXPECT_EQ(render("{{ 'abcdefgh' | truncate(9223372036854775807) }}"), "abcdefgh");
}

TEST(Hardening, EndlessRecursiveLoopHitsTheRecursionBudget) {
  EXPECT_THAT(error_of("{% for x in [1] recursive %}{{ loop([x]) }}{% endfor %}"),
              HasSubstr("RecursionError: maximum recursion depth exceeded (100 nested loop() calls)"));
}

TEST(Hardening, BudgetsAreSetThroughRenderOptions) {
  RenderOptions small;
  small.max_steps = 1000;
  EXPECT_THAT(error_with("{% for i in range(10000) %}{% endfor %}", small), HasSubstr("work budget"));
  small = {};
  small.max_memory_bytes = 1000;
  EXPECT_THAT(error_with("{{ 'x' * 2000 }}", small), HasSubstr("memory budget"));
  small = {};
  small.max_recursion_depth = 5;
  EXPECT_THAT(error_with("{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}", small),
              HasSubstr("RecursionError: maximum recursion depth exceeded (5 nested macro calls)"));
  small = {};
  small.max_output_bytes = 10;
  EXPECT_THAT(error_with("{{ 'x' * 20 }}", small), HasSubstr("output budget"));
  // The defaults leave ordinary templates alone.
  EXPECT_EQ(render("{% for i in range(3) %}{{ i }}{% endfor %}"), "012");
}

// Renders `source` with a globals frame of its own; true when nothing keeps that frame alive once
// the evaluator is gone (a reference cycle through it would).
bool globals_freed_after_render(const char* source) {
  auto program = parse(source);
  auto globals = std::make_shared<Frame>();
  std::weak_ptr<Frame> watch = globals;
  {
    Evaluator ev(*program, std::move(globals), 0);
    ev.render();
  }
  return watch.expired();
}

TEST(Hardening, MacroFramesAndNamespacesDoNotLeakThroughCycles) {
  // A macro value lives in the frame it closes over (a reference cycle), and a namespace may hold
  // itself; both are released when the render ends (LeakSanitizer checks the sanitizer build).
  for (const char* source : {"{% macro f() %}x{% endmacro %}{{ f() }}",
                             "{% set ns = namespace() %}{% set ns.me = ns %}{% macro f() %}{% endmacro %}{% set ns.f = f %}",
                             "{% for i in [1] %}{% macro g() %}{% endmacro %}{{ g() }}{% endfor %}"})
    EXPECT_TRUE(globals_freed_after_render(source)) << source;
}

TEST(Hardening, RecursiveLoopFramesAreFreed) {
  // loop(...) of a `recursive` loop refers to the frame around the loop; nothing the render
  // builds may keep that frame (or the loop frames) alive once the render ends.
  for (const char* source :
       {"{% for x in [[1, [2]], [3]] recursive %}{% if x is sequence %}[{{ loop(x) }}]{% else %}{{ x }}{% endif %}{% endfor %}",
        "{% for x in [[1], 2] recursive %}{% set f = loop %}{% if x is sequence %}{{ f(x) }}{% endif %}{% endfor %}",
        "{% set ns = namespace() %}{% for x in [[1]] recursive %}{% set ns.l = loop %}{{ loop(x) if x is sequence }}{% endfor %}",
        "{% for x in [[1], 2] recursive %}{% macro m() %}{{ loop(x) if x is sequence }}{% endmacro %}{{ m() }}{% endfor %}"})
    EXPECT_TRUE(globals_freed_after_render(source)) << source;
}

TEST(Hardening, LoopAndCyclerMethodsOutliveTheirLoop) {
  EXPECT_EQ(render("{% set ns = namespace() %}{% for i in [1, 2] %}{% set ns.c = loop.cycle %}{% endfor %}"
                   "{{ ns.c('a', 'b') }}"),
            "b");
  EXPECT_EQ(render("{% set ns = namespace(n=cycler(1, 2).next) %}{{ ns.n() }}{{ ns.n() }}{{ ns.n() }}"), "121");
}

}  // namespace
}  // namespace hf::templates
