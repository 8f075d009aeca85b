// Jinja2's pprint filter is Python's pprint.pformat(value): width 80, indent 1, dict keys sorted,
// a container that does not fit on its line is split one item per line, and a long string into
// adjacent literals (pprint.PrettyPrinter._format and its _pprint_* helpers).
#include <algorithm>
#include <string>
#include <vector>

#include "templates/args.h"
#include "templates/budget.h"
#include "templates/filters.h"

namespace hf::templates::filters {

namespace {

constexpr int64_t kWidth = 80;

std::vector<const std::pair<Value, Value>*> sorted_items(const Dict& d) {
  std::vector<const std::pair<Value, Value>*> items;
  for (const auto& kv : d.items) items.push_back(&kv);
  try {
    std::stable_sort(items.begin(), items.end(),
                     [](auto* a, auto* b) { return compare(a->first, b->first, "<") < 0; });
  } catch (const RenderError&) {   // unorderable keys: pprint falls back to a type-based order
  }
  return items;
}

bool is_plain_list(const Value& v) {
  return v.kind() == Kind::List && !v.as_list()->is_generator && !v.as_list()->view_name;
}

// repr() with dict keys sorted, as pprint's safe_repr.
void safe_repr(std::string& out, const Value& v) {
  ValueDepth depth("while getting the repr of an object");
  if (v.kind() == Kind::Dict) {
    out += '{';
    bool first = true;
    for (const auto* kv : sorted_items(*v.as_dict())) {
      if (!first) out += ", ";
      first = false;
      safe_repr(out, kv->first);
      out += ": ";
      safe_repr(out, kv->second);
    }
    out += '}';
  } else if (is_plain_list(v)) {
    const List& l = *v.as_list();
    out += l.is_tuple ? '(' : '[';
    for (size_t i = 0; i < l.items.size(); ++i) {
      if (i) out += ", ";
      safe_repr(out, l.items[i]);
    }
    if (l.is_tuple && l.items.size() == 1) out += ',';
    out += l.is_tuple ? ')' : ']';
  } else {
    out += repr(v);
  }
}

std::string safe_repr(const Value& v) {
  std::string out;
  safe_repr(out, v);
  return out;
}

int64_t width_of(const std::string& s) { return static_cast<int64_t>(text::length(s)); }

struct Printer {
  std::string out;

  void format(const Value& v, int64_t indent, int64_t allowance, int level) {
    ValueDepth depth("while getting the repr of an object");
    std::string rep = safe_repr(v);
    if (width_of(rep) > kWidth - indent - allowance) {
      if (v.kind() == Kind::Dict && !v.as_dict()->items.empty()) return dict(*v.as_dict(), indent, allowance, level + 1);
      if (is_plain_list(v) && !v.as_list()->items.empty()) return list(*v.as_list(), indent, allowance, level + 1);
      if (v.is_string()) return string(v.as_string(), indent, allowance, level + 1);
    }
    out += rep;
  }

  void list(const List& l, int64_t indent, int64_t allowance, int level) {
    std::string end = !l.is_tuple ? "]" : l.items.size() == 1 ? ",)" : ")";
    out += l.is_tuple ? '(' : '[';
    indent += 1;
    for (size_t i = 0; i < l.items.size(); ++i) {
      if (i) out += ",\n" + std::string(static_cast<size_t>(indent), ' ');
      bool last = i + 1 == l.items.size();
      format(l.items[i], indent, last ? allowance + static_cast<int64_t>(end.size()) : 1, level);
    }
    out += end;
  }

  void dict(const Dict& d, int64_t indent, int64_t allowance, int level) {
    out += '{';
    auto items = sorted_items(d);
    indent += 1;
    for (size_t i = 0; i < items.size(); ++i) {
      bool last = i + 1 == items.size();
      std::string key = safe_repr(items[i]->first);
      out += key + ": ";
      format(items[i]->second, indent + width_of(key) + 2, last ? allowance + 1 : 1, level);
      if (!last) out += ",\n" + std::string(static_cast<size_t>(indent), ' ');
    }
    out += '}';
  }

  // A long string becomes adjacent literals, split after whitespace (pprint's _pprint_str).
  void string(const std::string& s, int64_t indent, int64_t allowance, int level) {
    std::vector<std::string> chunks;
    auto lines = text::splitlines(s, true);
    if (level == 1) indent += 1, allowance += 1;
    int64_t max_width = kWidth - indent, max_width1 = max_width;
    for (size_t i = 0; i < lines.size(); ++i) {
      const std::string& line = lines[i];
      std::string rep = repr(Value(line));
      if (i + 1 == lines.size()) max_width1 -= allowance;
      if (width_of(rep) <= max_width1) {
        chunks.push_back(rep);
        continue;
      }
      std::vector<std::string> parts;   // re.findall(r'\S*\s*', line) without the final ''
      for (size_t pos = 0; pos < line.size();) {
        size_t start = pos;
        while (pos < line.size() && !text::is_space(static_cast<unsigned char>(line[pos]))) ++pos;
        while (pos < line.size() && text::is_space(static_cast<unsigned char>(line[pos]))) ++pos;
        parts.push_back(line.substr(start, pos - start));
      }
      int64_t max_width2 = max_width;
      std::string current;
      for (size_t j = 0; j < parts.size(); ++j) {
        std::string candidate = current + parts[j];
        if (j + 1 == parts.size() && i + 1 == lines.size()) max_width2 -= allowance;
        if (width_of(repr(Value(candidate))) > max_width2) {
          if (!current.empty()) chunks.push_back(repr(Value(current)));
          current = parts[j];
        } else {
          current = candidate;
        }
      }
      if (!current.empty()) chunks.push_back(repr(Value(current)));
    }
    if (chunks.size() == 1) {
      out += chunks[0];
      return;
    }
    if (level == 1) out += '(';
    for (size_t i = 0; i < chunks.size(); ++i) {
      if (i) out += "\n" + std::string(static_cast<size_t>(indent), ' ');
      out += chunks[i];
    }
    if (level == 1) out += ')';
  }
};

}  // namespace

Value f_pprint(Evaluator&, const Value& v, const CallArgs&) {
  Printer printer;
  printer.format(v, 0, 0, 0);
  return printer.out;
}

}  // namespace hf::templates::filters
