// Jinja2's filters over sequences and mappings: length, list, join, first/last, items, dictsort,
// sort, unique, reverse, map, select/reject(attr), sum, min/max, batch, groupby.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>
#include <string_view>
#include <utility>

#include "templates/args.h"
#include "templates/budget.h"
#include "templates/builtins.h"
#include "templates/filters.h"
#include "templates/operators.h"
#include "templates/pyformat.h"

namespace hf::templates::filters {

namespace {

Value f_length(Evaluator&, const Value& v, const CallArgs&) { return py_len(v); }

Value f_list(Evaluator&, const Value& v, const CallArgs&) { return List::make(iterate(v)); }

Value f_join(Evaluator& ev, const Value& v, const CallArgs& a) {
  std::string sep = str_arg(a, 0, "d", "");
  Value attribute = arg(a, 1, "attribute");
  std::string out;
  bool first = true;
  std::vector<Value> items = iterate(v);
  Budget::bytes(static_cast<int64_t>(items.size()), static_cast<int64_t>(sep.size()));
  for (const Value& item : items) {
    if (!first) out += sep;
    first = false;
    append_str(out, attribute.is_none() ? item : lookup_path(ev, item, attribute));
  }
  return out;
}

Value f_first(Evaluator&, const Value& v, const CallArgs&) {
  if (v.kind() == Kind::List && v.as_list()->is_generator) {
    const List& l = *v.as_list();
    if (l.consumed < l.items.size()) return l.items[l.consumed++];
  } else {
    auto items = iterate(v);
    if (!items.empty()) return items.front();
  }
  return undefined_with("No first item, sequence was empty.");
}

Value f_last(Evaluator&, const Value& v, const CallArgs&) {
  if (v.kind() == Kind::List && v.as_list()->is_generator) throw_type_error("'generator' object is not reversible");
  auto items = iterate(v);
  if (!items.empty()) return items.back();
  return undefined_with("No last item, sequence was empty.");
}

// random.choice(seq): any item (a character of a string); Undefined when there is none.
Value f_random(Evaluator&, const Value& v, const CallArgs&) {
  const int64_t n = py_len(v);   // TypeError for generators, as random.choice's len()
  if (n == 0) return undefined_with("No random item, sequence was empty.");
  static thread_local std::mt19937_64 engine{std::random_device{}()};
  Value index(static_cast<int64_t>(std::uniform_int_distribution<uint64_t>(0, static_cast<uint64_t>(n - 1))(engine)));
  if (v.is_string()) return slice(v, index, Value(index.as_int() + 1), Value::none());
  return iterate(v)[static_cast<size_t>(index.as_int())];
}

Value f_items(Evaluator&, const Value& v, const CallArgs&) {
  if (v.is_undefined()) return generator({});
  if (v.kind() != Kind::Dict) throw_type_error("Can only get item pairs from a mapping.");
  std::vector<Value> pairs;
  for (const auto& [k, val] : v.as_dict()->items) pairs.emplace_back(tuple({k, val}));
  return generator(std::move(pairs));
}

Value f_dictsort(Evaluator&, const Value& v, const CallArgs& a) {
  if (v.kind() != Kind::Dict) throw RenderError("FilterArgumentError", "dictsort needs a mapping, not " + type_name(v));
  bool case_sensitive = bool_arg(a, 0, "case_sensitive", false);
  std::string by = str_arg(a, 1, "by", "key");
  bool reverse = bool_arg(a, 2, "reverse", false);
  if (by != "key" && by != "value") throw RenderError("FilterArgumentError", "You can only sort by either \"key\" or \"value\"");
  size_t pos = by == "key" ? 0 : 1;
  std::vector<Value> pairs;
  for (const auto& [k, val] : v.as_dict()->items) pairs.emplace_back(tuple({k, val}));
  auto key = [&](const Value& p) {
    const Value& x = p.as_list()->items[pos];
    return case_sensitive ? x : ignore_case(x);
  };
  std::stable_sort(pairs.begin(), pairs.end(), [&](const Value& x, const Value& y) {
    return reverse ? compare(key(y), key(x), "<") < 0 : compare(key(x), key(y), "<") < 0;
  });
  return List::make(std::move(pairs));
}

Value f_sort(Evaluator& ev, const Value& v, const CallArgs& a) {
  bool reverse = bool_arg(a, 0, "reverse", false);
  bool case_sensitive = bool_arg(a, 1, "case_sensitive", false);
  Value attribute = arg(a, 2, "attribute");
  std::vector<Value> items = iterate(v);
  std::vector<std::string> paths;
  if (attribute.is_string()) paths = text::split(attribute.as_string(), ",", -1);
  auto key = [&](const Value& item) {
    std::vector<Value> keys;
    if (paths.empty()) keys.push_back(attribute.is_none() ? item : lookup_path(ev, item, attribute));
    for (const auto& p : paths) keys.push_back(lookup_path(ev, item, Value(std::string(text::strip(p, nullptr, true, true)))));
    for (auto& k : keys) k = case_sensitive ? k : ignore_case(k);
    return Value(List::make(std::move(keys)));
  };
  std::vector<std::pair<Value, Value>> keyed;
  for (auto& item : items) keyed.emplace_back(key(item), std::move(item));
  std::stable_sort(keyed.begin(), keyed.end(), [&](const auto& x, const auto& y) {
    return reverse ? compare(y.first, x.first, "<") < 0 : compare(x.first, y.first, "<") < 0;
  });
  auto out = List::make();
  for (auto& kv : keyed) out->items.push_back(std::move(kv.second));
  return out;
}

Value f_unique(Evaluator& ev, const Value& v, const CallArgs& a) {
  bool case_sensitive = bool_arg(a, 0, "case_sensitive", false);
  Value attribute = arg(a, 1, "attribute");
  std::vector<Value> seen, out;
  for (const Value& item : iterate(v)) {
    Value k = attribute.is_none() ? item : lookup_path(ev, item, attribute);
    if (!case_sensitive) k = ignore_case(k);
    if (std::any_of(seen.begin(), seen.end(), [&](const Value& s) { return equal(s, k); })) continue;
    seen.push_back(std::move(k));
    out.push_back(item);
  }
  return generator(std::move(out));
}

Value f_reverse(Evaluator&, const Value& v, const CallArgs&) {
  if (v.is_string()) {
    auto cps = text::code_points(v.as_string());
    std::reverse(cps.begin(), cps.end());
    return text::from_code_points(cps.data(), cps.data() + cps.size());
  }
  bool reversible = v.kind() == Kind::Dict || (v.kind() == Kind::List && !v.as_list()->is_generator);
  auto items = iterate(v);
  std::reverse(items.begin(), items.end());
  return reversible ? generator(std::move(items)) : List::make(std::move(items));
}

// map('filter', args...) or map(attribute='x', default=...)
Value f_map(Evaluator& ev, const Value& v, const CallArgs& a) {
  std::vector<Value> out;
  if (!truthy(v)) return generator({});   // jinja2 skips falsy inputs (none, '', 0) entirely
  if (a.positional.empty()) {
    const Value* attribute = a.get(99, "attribute");
    if (!attribute) return generator(iterate(v));
    Value fallback = arg(a, 99, "default");
    for (const Value& item : iterate(v)) {
      Value r = lookup_path(ev, item, *attribute);
      out.push_back(r.is_undefined() && !fallback.is_none() ? fallback : r);
    }
    return generator(std::move(out));
  }
  std::string name = to_str(a.positional[0]);
  FilterFn fn = find_filter(name);
  if (!fn) throw RenderError("TemplateRuntimeError", "No filter named '" + name + "'.");
  CallArgs rest;
  rest.positional.assign(a.positional.begin() + 1, a.positional.end());
  rest.keyword = a.keyword;
  for (const Value& item : iterate(v)) out.push_back(fn(ev, item, rest));
  return generator(std::move(out));
}

// select/reject/selectattr/rejectattr: keep items whose (attribute's) test result is `keep`.
Value select_items(Evaluator& ev, const Value& v, const CallArgs& a, bool by_attribute, bool keep) {
  size_t first = 0;
  Value attribute;
  if (by_attribute) {
    if (a.positional.empty()) throw_type_error("selectattr needs an attribute name");
    attribute = a.positional[0];
    first = 1;
  }
  TestFn test = nullptr;
  CallArgs rest;
  if (a.positional.size() > first) {
    std::string name = to_str(a.positional[first]);
    test = find_test(name);
    if (!test) throw RenderError("TemplateRuntimeError", "No test named '" + name + "'.");
    rest.positional.assign(a.positional.begin() + static_cast<long>(first) + 1, a.positional.end());
    rest.keyword = a.keyword;
  }
  std::vector<Value> out;
  if (!truthy(v)) return generator({});   // jinja2 skips falsy inputs (none, '', 0) entirely
  for (const Value& item : iterate(v)) {
    Value subject = by_attribute ? lookup_path(ev, item, attribute) : item;
    bool result = test ? test(ev, subject, rest) : truthy(subject);
    if (result == keep) out.push_back(item);
  }
  return generator(std::move(out));
}

Value f_select(Evaluator& ev, const Value& v, const CallArgs& a) { return select_items(ev, v, a, false, true); }

Value f_reject(Evaluator& ev, const Value& v, const CallArgs& a) { return select_items(ev, v, a, false, false); }

Value f_selectattr(Evaluator& ev, const Value& v, const CallArgs& a) { return select_items(ev, v, a, true, true); }

Value f_rejectattr(Evaluator& ev, const Value& v, const CallArgs& a) { return select_items(ev, v, a, true, false); }

Value f_sum(Evaluator& ev, const Value& v, const CallArgs& a) {
  Value attribute = arg(a, 0, "attribute");
  Value total = arg(a, 1, "start", Value(0));
  for (const Value& item : iterate(v))
    total = binary_op(BinOp::Add, total, attribute.is_none() ? item : lookup_path(ev, item, attribute));
  return total;
}

Value min_max(Evaluator& ev, const Value& v, const CallArgs& a, bool want_max) {
  bool case_sensitive = bool_arg(a, 0, "case_sensitive", false);
  Value attribute = arg(a, 1, "attribute");
  auto items = iterate(v);
  if (items.empty()) return undefined_with(want_max ? "No largest item, sequence was empty." : "No smallest item, sequence was empty.");
  auto key = [&](const Value& item) {
    Value k = attribute.is_none() ? item : lookup_path(ev, item, attribute);
    return case_sensitive ? k : ignore_case(k);
  };
  size_t best = 0;
  for (size_t i = 1; i < items.size(); ++i) {
    int c = compare(key(items[i]), key(items[best]), want_max ? ">" : "<");
    if (want_max ? c > 0 : c < 0) best = i;
  }
  return items[best];
}

Value f_max(Evaluator& ev, const Value& v, const CallArgs& a) { return min_max(ev, v, a, true); }

Value f_min(Evaluator& ev, const Value& v, const CallArgs& a) { return min_max(ev, v, a, false); }

Value f_batch(Evaluator&, const Value& v, const CallArgs& a) {
  int64_t count = int_arg(a, 0, "linecount", 1);
  if (count <= 0) throw_value_error("batch size must be positive");
  Value fill = arg(a, 1, "fill_with");
  std::vector<Value> out;
  auto current = List::make();
  for (const Value& item : iterate(v)) {
    current->items.push_back(item);
    if (static_cast<int64_t>(current->items.size()) == count) {
      out.emplace_back(current);
      current = List::make();
    }
  }
  if (!current->items.empty()) {
    if (!fill.is_none()) Budget::bytes(count - static_cast<int64_t>(current->items.size()), sizeof(Value));
    if (!fill.is_none())
      while (static_cast<int64_t>(current->items.size()) < count) current->items.push_back(fill);
    out.emplace_back(current);
  }
  return generator(std::move(out));
}

Value f_groupby(Evaluator& ev, const Value& v, const CallArgs& a) {
  Value attribute = arg(a, 0, "attribute");
  Value fallback = arg(a, 1, "default");
  bool case_sensitive = bool_arg(a, 2, "case_sensitive", false);
  std::vector<std::pair<Value, Value>> keyed;
  std::vector<Value> originals;   // Jinja2 3.1: a group's grouper is its first item's own key
  for (const Value& item : iterate(v)) {
    Value k = lookup_path(ev, item, attribute);
    if (k.is_undefined() && !fallback.is_none()) k = fallback;
    keyed.emplace_back(case_sensitive ? k : ignore_case(k), item);
    originals.push_back(k);
  }
  std::vector<size_t> order(keyed.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t x, size_t y) { return compare(keyed[x].first, keyed[y].first, "<") < 0; });
  auto groups = List::make();
  for (size_t i = 0; i < order.size();) {
    auto members = List::make();
    size_t j = i;
    for (; j < order.size() && equal(keyed[order[j]].first, keyed[order[i]].first); ++j)
      members->items.push_back(keyed[order[j]].second);
    auto group = tuple({originals[order[i]], Value(members)});
    group->is_group = true;
    groups->items.emplace_back(group);
    i = j;
  }
  return groups;
}
// Jinja2's slice: `slices` columns, the first ones one item longer; fill_with pads the others.
Value f_slice(Evaluator&, const Value& v, const CallArgs& a) {
  std::vector<Value> seq = iterate(v);
  int64_t slices = int_arg(a, 0, "slices", 1);
  Value fill = arg(a, 1, "fill_with");
  if (slices == 0) throw RenderError("ZeroDivisionError", "integer division or modulo by zero");
  int64_t length = static_cast<int64_t>(seq.size());
  int64_t per_slice = length / slices, with_extra = length % slices;
  if (per_slice < 0 || with_extra < 0) {   // Python floors: negative slices give no columns
    return generator({});
  }
  Budget::bytes(slices, sizeof(Value));
  std::vector<Value> out;
  int64_t offset = 0;
  for (int64_t n = 0; n < slices; ++n) {
    int64_t start = offset + n * per_slice;
    if (n < with_extra) ++offset;
    int64_t end = offset + (n + 1) * per_slice;
    auto column = List::make(std::vector<Value>(seq.begin() + start, seq.begin() + end));
    if (!fill.is_none() && n >= with_extra) column->items.push_back(fill);
    out.emplace_back(column);
  }
  return generator(std::move(out));
}

constexpr std::pair<std::string_view, FilterFn> kSequenceFilters[] = {
    {"batch", f_batch}, {"count", f_length}, {"dictsort", f_dictsort}, {"first", f_first},
    {"groupby", f_groupby}, {"items", f_items}, {"join", f_join}, {"last", f_last},
    {"length", f_length}, {"list", f_list}, {"map", f_map}, {"max", f_max}, {"min", f_min}, {"random", f_random},
    {"reject", f_reject}, {"rejectattr", f_rejectattr}, {"reverse", f_reverse},
    {"select", f_select}, {"slice", f_slice}, {"selectattr", f_selectattr}, {"sort", f_sort}, {"sum", f_sum},
    {"unique", f_unique},
};

}  // namespace

FilterFn find_sequence_filter(std::string_view name) {
  for (const auto& [n, fn] : kSequenceFilters)
    if (n == name) return fn;
  return nullptr;
}

}  // namespace hf::templates::filters
