// The evaluator: Python value semantics, filters, tests, statements, undefined handling, and the
// sandbox bounds. Expected strings are what jinja2 3.1.6 renders with transformers' environment.
#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "test_util.h"

namespace hf::templates {
namespace {

using hf::test::error_of;
using hf::test::render;

TEST(Values, PrintAsPythonStr) {
  EXPECT_EQ(render("{{ 1.0 }} {{ 1e16 }} {{ 0.00001 }} {{ 1/3 }} {{ 10/2 }} {{ 0.1 + 0.2 }} {{ 100.0 }}"),
            "1.0 1e+16 1e-05 0.3333333333333333 5.0 0.30000000000000004 100.0");
  EXPECT_EQ(render("{{ [1, 'a', None, True, {'k': 2.5}, (1,)] }}"), "[1, 'a', None, True, {'k': 2.5}, (1,)]");
  EXPECT_EQ(render(R"({{ ['it\'s', 'say "hi"', 'both \' "'] }})"), R"(["it's", 'say "hi"', 'both \' "'])");
  EXPECT_EQ(render("{{ none }} {{ true }} {{ x }}|{{ x is defined }}"), "None True |False");
  EXPECT_EQ(render("{{ m }}", {{"m", {{"role", "user"}, {"content", json::array({{{"type", "text"}}})}}}}),
            "{'role': 'user', 'content': [{'type': 'text'}]}");
}

TEST(Values, JsonContextKeepsIntFloatAndKeyOrder) {
  json ctx = json::parse(R"({"x": {"b": 1, "a": 1.0, "c": [null, false]}})");
  EXPECT_EQ(render("{{ x }} {{ x | tojson }}", ctx),
            "{'b': 1, 'a': 1.0, 'c': [None, False]} {\"b\": 1, \"a\": 1.0, \"c\": [null, false]}");
}

TEST(Operators, ArithmeticAsPython) {
  EXPECT_EQ(render("{{ 2**10 }} {{ 7//2 }} {{ -7//2 }} {{ -7 % 3 }} {{ 7.5 % 2 }} {{ 10.0 // 3 }} {{ 2 ** -1 }}"),
            "1024 3 -4 2 1.5 3.0 0.5");
  EXPECT_EQ(render("{{ 'ab' * 3 }} {{ [1] * 2 }} {{ [1] + [2] }} {{ 1 + 2.5 }} {{ true + true }}"),
            "ababab [1, 1] [1, 2] 3.5 2");
  EXPECT_EQ(render("{{ 'a' ~ 1 ~ none ~ x }}"), "a1None");
  EXPECT_EQ(render("{{ '%s and %d, %.2f %5s|%-5s|%r' % ('a', 3, 2.345, 'x', 'y', 'z') }}"),
            "a and 3, 2.35     x|y    |'z'");
}

TEST(Operators, MembershipAndEquality) {
  EXPECT_EQ(render("{{ 'a' in 'abc' }} {{ 1 in [1,2] }} {{ 'k' in {'k': 1} }} {{ 'x' not in 'abc' }}"),
            "True True True True");
  EXPECT_EQ(render("{{ 2 == 2.0 }} {{ true == 1 }} {{ [1] == [1] }} {{ (1,) == [1] }} {{ x == y }}"),
            "True True True False True");
}

TEST(Methods, StrListDict) {
  EXPECT_EQ(render("{{ ' x '.strip() }}|{{ 'xxhixx'.strip('x') }} {{ 'a,b,,c'.split(',') }} {{ ' a  b '.split() }} "
                   "{{ 'a b c'.split(' ', 1) }} {{ 'a.b.c'.rsplit('.', 1) }}"),
            "x|hi ['a', 'b', '', 'c'] ['a', 'b'] ['a', 'b c'] ['a.b', 'c']");
  EXPECT_EQ(render("{{ 'abc'.startswith('a') }} {{ 'abc'.endswith(('x', 'c')) }} {{ 'hello world'.title() }} "
                   "{{ 'aBC'.capitalize() }} {{ '-'.join(['a','b']) }} {{ 'a b'.partition(' ') }}"),
            "True True Hello World Abc a-b ('a', ' ', 'b')");
  EXPECT_EQ(render("{{ {'a': 1, 'b': 2}.items() }} {{ {'a': 1}.get('b', 5) }} {{ [1, 1].count(1) }}"),
            "dict_items([('a', 1), ('b', 2)]) 5 2");
  // obj.attr finds dict methods before keys; obj['key'] finds keys first.
  EXPECT_EQ(render("{% set d = {'items': 1, 'x': 2} %}{{ d.x }} {{ d['items'] }}"), "2 1");
}

TEST(Filters, StringsAndJson) {
  json x = json::parse(R"({"b": [1, 2.0, "é\n\"", null, true], "a": {}})");
  EXPECT_EQ(render("{{ x | tojson }}", {{"x", x}}), R"({"b": [1, 2.0, "é\n\"", null, true], "a": {}})");
  EXPECT_EQ(render("{{ x | tojson(indent=2) }}", {{"x", json::parse(R"({"a": [1, [2]], "e": []})")}}),
            "{\n  \"a\": [\n    1,\n    [\n      2\n    ]\n  ],\n  \"e\": []\n}");
  EXPECT_EQ(render("{{ x | tojson(separators=(',', ':'), sort_keys=true) }}", {{"x", x}}),
            R"({"a":{},"b":[1,2.0,"é\n\"",null,true]})");
  EXPECT_EQ(render("{{ x | trim }}|{{ [1, 2] | string }}|{{ 'abc' | length }}|{{ x | upper }}", {{"x", "  héllo "}}),
            "héllo|[1, 2]|3|  HÉLLO ");
  EXPECT_EQ(render("{{ 'a\nb\n\nc' | indent }}|{{ 'a\nb' | indent(2, true) }}|{{ 'a\n\nb' | indent(first=true, blank=true) }}"),
            "a\n    b\n\n    c|  a\n  b|    a\n    \n    b");
  EXPECT_EQ(render("{{ 'hello world-foo(bar' | title }} {{ 'a<b>&' | e }} {{ x | default('d') }} {{ '' | default('d', true) }}"),
            "Hello World-Foo(Bar a&lt;b&gt;&amp; d d");
}

TEST(Filters, Sequences) {
  json x = json::parse(R"([{"a": 1, "b": 2, "n": 2}, {"a": 0, "n": 1}])");
  EXPECT_EQ(render("{{ x | selectattr('a') | list }} {{ x | rejectattr('a') | map(attribute='n') | list }}", {{"x", x}}),
            "[{'a': 1, 'b': 2, 'n': 2}] [1]");
  EXPECT_EQ(render("{{ x | map(attribute='b', default='D') | list }} {{ x | sort(attribute='n') | map(attribute='n') | join(',') }}", {{"x", x}}),
            "[2, 'D'] 1,2");
  EXPECT_EQ(render("{{ ['b', 'A', 'c'] | sort }} {{ [1, 2, 2, 'a', 'A'] | unique | list }} {{ [1,2,3,4] | select('odd') | list }}"),
            "['A', 'b', 'c'] [1, 2, 'a'] [1, 3]");
  EXPECT_EQ(render("{{ {'b': 1, 'A': 2} | dictsort }} {{ {'a': 1} | items | list }} {{ [1,2,3] | first }}{{ [1,2,3] | last }}"),
            "[('A', 2), ('b', 1)] [('a', 1)] 13");
  EXPECT_EQ(render("{{ '3.7' | int }} {{ 'x' | int(5) }} {{ '2.5' | float }} {{ 2.5 | round }} {{ 2.675 | round(2) }} {{ 3 | round }}"),
            "3 5 2.5 2.0 2.67 3");
}

TEST(Filters, GeneratorsBehaveLikePythonGenerators) {
  EXPECT_EQ(render("{{ (x | map('upper')) is sequence }} {{ x | map('upper') | join }}", {{"x", {"a", "b"}}}), "False AB");
  EXPECT_EQ(error_of("{{ [1] | map('string') | tojson }}"),
            "line 1: TypeError: Object of type generator is not JSON serializable");
  EXPECT_EQ(error_of("{{ [1] | select | length }}"), "line 1: TypeError: object of type 'generator' has no len()");
}

// Corners found by differential fuzzing against jinja2 3.1.6 (random expressions over the same
// context, compared output for output).
TEST(Differential, CornersMatchJinja) {
  EXPECT_EQ(render("{{ none | map('string') | list }} {{ false | select | list }}"), "[] []");   // falsy input: empty
  EXPECT_EQ(render("{{ 0.5 is odd }} {{ 3.0 is odd }} {{ 4.0 is even }}"), "False True True");
  EXPECT_EQ(render("{{ 1 // 0.1 }} {{ 0 % -1.5 }} {{ -7.5 // 2 }}"), "9.0 -0.0 -4.0");
  EXPECT_EQ(render("{{ 'hello' % ['x'] }} {{ '%s' % [1] }}"), "hello [1]");
  EXPECT_EQ(error_of("{{ [1] in {} }}"), "line 1: TypeError: unhashable type: 'list'");
  EXPECT_EQ(error_of("{{ 3 | indent }}"), "line 1: TypeError: unsupported operand type(s) for +=: 'int' and 'str'");
  EXPECT_EQ(error_of("{{ u | int }}"), "line 1: UndefinedError: 'u' is undefined");
  EXPECT_EQ(error_of("{{ 0 ** -1 }}"), "line 1: ZeroDivisionError: 0.0 cannot be raised to a negative power");
}

TEST(Statements, LoopVariable) {
  EXPECT_EQ(render("{% for x in [1,2,3] %}{{ loop.index }}{{ loop.index0 }}{{ loop.revindex }}{{ loop.first }}"
                   "{{ loop.last }}{{ loop.length }}{{ loop.previtem }}{{ loop.cycle('a', 'b') }};{% endfor %}"),
            "103TrueFalse3a;212FalseFalse31b;321FalseTrue32a;");
  EXPECT_EQ(render("{% for x in [1,2,3,4,5] if x is odd %}{{ x }}{{ loop.index }}/{{ loop.length }} {% else %}e{% endfor %}"
                   "{% for x in [] %}x{% else %}none{% endfor %}"),
            "11/3 32/3 53/3 none");
  EXPECT_EQ(render("{% for k, v in {'a': 1, 'b': 2}.items() %}{{ k }}={{ v }}{% if not loop.last %},{% endif %}{% endfor %}"),
            "a=1,b=2");
}

TEST(Statements, BreakContinue) {
  EXPECT_EQ(render("{% for x in range(10) %}{% if x == 2 %}{% continue %}{% endif %}{% if x == 5 %}{% break %}{% endif %}{{ x }}{% endfor %}"),
            "0134");
}

TEST(Statements, ScopingAndNamespace) {
  EXPECT_EQ(render("{% set x = 1 %}{% for i in [1] %}{% set x = 2 %}{{ x }}{% endfor %}{{ x }}{% if true %}{% set x = 3 %}{% endif %}{{ x }}"),
            "213");
  EXPECT_EQ(render("{% set ns = namespace(found=false, n=0) %}{% for x in [1,2,3] %}{% set ns.n = ns.n + x %}"
                   "{% if x == 2 %}{% set ns.found = true %}{% endif %}{% endfor %}{{ ns.found }} {{ ns.n }}"),
            "True 6");
  EXPECT_EQ(error_of("{% set x = 1 %}{% set x.a = 2 %}"),
            "line 1: TemplateRuntimeError: cannot assign attribute on non-namespace object");
}

TEST(Statements, MacrosAndCallBlocks) {
  EXPECT_EQ(render("{% macro greet(name, greeting='Hello') %}{{ greeting }}, {{ name }}!{% endmacro %}"
                   "{{ greet('Bob') }} {{ greet('Al', greeting='Hi') }}"),
            "Hello, Bob! Hi, Al!");
  EXPECT_EQ(render("{% macro m(a) %}[{{ a }}|{{ varargs }}|{{ kwargs }}]{% endmacro %}{{ m(1, 2, 3, k=4) }}"),
            "[1|(2, 3)|{'k': 4}]");
  EXPECT_EQ(render("{% macro r(x) %}{% if x is mapping %}{% for k, v in x.items() %}{{ k }}:{{ r(v) }};{% endfor %}"
                   "{% else %}{{ x }}{% endif %}{% endmacro %}{{ r({'a': {'b': 1}, 'c': 2}) }}"),
            "a:b:1;;c:2;");
  EXPECT_EQ(render("{% macro w(x) %}<{{ caller(x * 2) }}>{% endmacro %}{% call(v) w(4) %}v={{ v }}{% endcall %}"), "<v=8>");
}

TEST(Statements, BlockSetFilterWithGeneration) {
  EXPECT_EQ(render("{% set x %}\n  captured {{ 1 + 1 }}\n{% endset %}[{{ x }}]{% set y | upper %}abc{% endset %}{{ y }}"),
            "[  captured 2\n]ABC");
  EXPECT_EQ(render("{% filter upper %}hello {{ 'x' }}{% endfilter %}{% with a = 1, b = 2 %}{{ a + b }}{% endwith %}{{ a }}"),
            "HELLO X3");
  EXPECT_EQ(render("{% generation %}gen {{ 1 }}{% endgeneration %}"), "gen 1");
}

TEST(Globals, RaiseExceptionAndClock) {
  EXPECT_EQ(error_of("{{ raise_exception('Roles must alternate') }}"), "Roles must alternate");
  EXPECT_EQ(render("{{ strftime_now('%d %b %Y %H:%M') }}"), "15 Jan 2025 10:30");
  EXPECT_EQ(render("{{ range(2, 10, 3) | list }} {{ dict(a=1) }} {% set j = joiner('|') %}{{ j() }}x{{ j() }}y"),
            "[2, 5, 8] {'a': 1} x|y");
}

TEST(Undefined, PrintsEmptyButFailsWhenUsed) {
  EXPECT_EQ(render("[{{ x }}][{{ m.missing }}][{% for i in x %}{{ i }}{% endfor %}][{{ x | length }}]",
                   {{"m", json::object()}}),
            "[][][][0]");
  EXPECT_EQ(error_of("{{ x.y }}"), "line 1: UndefinedError: 'x' is undefined");
  EXPECT_EQ(error_of("{{ m.a.b }}", {{"m", json::object()}}), "line 1: UndefinedError: 'dict object' has no attribute 'a'");
  EXPECT_EQ(error_of("{{ [1][5].y }}"), "line 1: UndefinedError: list object has no element 5");
  EXPECT_EQ(error_of("{{ none.split(',') }}"), "line 1: UndefinedError: 'None' has no attribute 'split'");
  EXPECT_EQ(error_of("{{ x + 'a' }}"), "line 1: UndefinedError: 'x' is undefined");
}

TEST(RuntimeErrors, PythonTypeErrorsWithTemplateLine) {
  EXPECT_EQ(error_of("\n{{ 'a' + none }}"), "line 2: TypeError: can only concatenate str (not \"NoneType\") to str");
  EXPECT_EQ(error_of("{% for x in none %}{% endfor %}"), "line 1: TypeError: 'NoneType' object is not iterable");
  EXPECT_EQ(error_of("{{ none | length }}"), "line 1: TypeError: object of type 'NoneType' has no len()");
  EXPECT_EQ(error_of("{{ 1 in none }}"), "line 1: TypeError: argument of type 'NoneType' is not iterable");
  EXPECT_EQ(error_of("{{ 'a' < 1 }}"), "line 1: TypeError: '<' not supported between instances of 'str' and 'int'");
  EXPECT_EQ(error_of("{{ 1 / 0 }}"), "line 1: ZeroDivisionError: division by zero");
}

TEST(Sandbox, MutationIsBlocked) {
  EXPECT_EQ(error_of("{{ [].append(1) }}"), "line 1: SecurityError: access to attribute 'append' of 'list' object is unsafe.");
  EXPECT_EQ(error_of("{{ {'a': 1}.pop('a') }}"), "line 1: SecurityError: access to attribute 'pop' of 'dict' object is unsafe.");
  EXPECT_EQ(render("[{{ ''.__class__ }}]"), "[]");   // underscore attributes are hidden
}

TEST(Sandbox, RunawayWorkIsBounded) {
  EXPECT_EQ(error_of("{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}"),
            "line 1: RecursionError: maximum recursion depth exceeded (100 nested macro calls) in macro 'f' "
            "(RenderOptions::max_recursion_depth)");
  EXPECT_EQ(error_of("{% for i in range(100000) %}{% for c in 'x' * 1000 %}{% endfor %}{% endfor %}"),
            "line 1: SandboxError: work budget exceeded: more than 20000000 steps (RenderOptions::max_steps); "
            "the template does not finish");
  EXPECT_EQ(error_of("{% for i in range(1000000) %}{% endfor %}"),
            "line 1: OverflowError: Range too big. The sandbox blocks ranges larger than MAX_RANGE (100000).");
  EXPECT_EQ(error_of("{% set s = 'x' * 1000000 %}{% for i in range(100) %}{{ s }}{% endfor %}"),
            "line 1: SandboxError: output budget exceeded: the output exceeds 67108864 bytes "
            "(RenderOptions::max_output_bytes)");
}

TEST(ChatTemplate, RendersFromManyThreadsAtOnce) {
  ChatTemplate tmpl("{% for m in messages %}{{ loop.index }}:{{ m.content | upper }};{% endfor %}");
  json ctx = {{"messages", json::array()}};
  std::string expected;
  for (int i = 1; i <= 50; ++i) {
    ctx["messages"].push_back({{"role", "user"}, {"content", "m" + std::to_string(i)}});
    expected += std::to_string(i) + ":M" + std::to_string(i) + ";";
  }
  std::vector<std::thread> threads;
  std::vector<int> ok(8, 0);
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) ok[t] += tmpl.render(ctx) == expected;
    });
  for (auto& th : threads) th.join();
  for (int t = 0; t < 8; ++t) EXPECT_EQ(ok[t], 200);
}

TEST(ContinueFinalMessage, CutsAfterTheFinalContent) {
  ChatTemplate tmpl("{% for m in messages %}<|{{ m.role }}|>{{ m.content }}<|end|>\n{% endfor %}");
  json inputs = json::parse(R"({"messages": [{"role": "user", "content": "Hi"},
      {"role": "assistant", "content": "Waves fold"}], "continue_final_message": true})");
  EXPECT_EQ(render_chat_inputs(tmpl, inputs), "<|user|>Hi<|end|>\n<|assistant|>Waves fold");
  inputs["add_generation_prompt"] = true;
  EXPECT_THROW(render_chat_inputs(tmpl, inputs), InputError);
  ChatTemplate drops("{% for m in messages %}{{ m.role }}{% endfor %}");
  inputs["add_generation_prompt"] = false;
  EXPECT_THROW(render_chat_inputs(drops, inputs), TemplateError);
}

}  // namespace
}  // namespace hf::templates
