// Jinja2's urlize filter (jinja2/utils.py urlize, 3.1): the text is HTML-escaped and split on
// whitespace runs; each word loses leading "(", "<", "&lt;" and trailing ")", ">", ".", ",",
// "\n", "&gt;" (given back to balance brackets), and what is left becomes a link when it is an
// http(s)/www URL or a bare domain (_http_re), a mailto: address or an e-mail address
// (_email_re), or starts with an extra scheme. The two regular expressions are matched by hand
// below: every way the regex could backtrack is enumerated, so long words cost linear time.
#include <algorithm>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "templates/args.h"
#include "templates/budget.h"
#include "templates/filters.h"

namespace hf::templates::filters {

namespace {

using Text = std::u32string;

Text to_text(std::string_view s) {
  auto cps = text::code_points(s);
  return Text(cps.begin(), cps.end());
}
std::string to_utf8(const Text& t) { return text::from_code_points(t.data(), t.data() + t.size()); }

bool word_char(char32_t c) { return c == '_' || text::is_alpha(c) || text::is_digit(c); }   // \w
bool label_char(char32_t c) { return word_char(c) || c == '%' || c == '-'; }              // [\w%-]
bool ascii_letter(char32_t c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }  // [a-z], IGNORECASE
bool hex_digit(char32_t c) {                                                              // [\da-f], IGNORECASE
  return text::is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
char32_t fold(char32_t c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }

bool starts_with_ci(const Text& t, size_t at, std::string_view prefix) {
  if (t.size() - std::min(at, t.size()) < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i)
    if (fold(t[at + i]) != static_cast<char32_t>(prefix[i])) return false;
  return true;
}

size_t run(const Text& t, size_t at, bool (*pred)(char32_t)) {
  size_t end = at;
  while (end < t.size() && pred(t[end])) ++end;
  return end - at;
}

// (?::[\d]{1,5})?(?:[/?#]\S*)?$ from position p.
bool port_path_end(const Text& t, size_t p) {
  if (p < t.size() && t[p] == ':') {
    size_t digits = run(t, p + 1, text::is_digit);
    if (digits >= 1 && digits <= 5) p += 1 + digits;
    else return false;   // without the port, ':' is neither a path nor the end
  }
  if (p == t.size()) return true;
  if (t[p] != '/' && t[p] != '?' && t[p] != '#') return false;
  for (size_t i = p + 1; i < t.size(); ++i)
    if (text::is_space(t[i])) return false;
  return true;
}

// The positions where `[\w%-]+\.` repeated from `at` can stop (each label of `min`..`max` chars).
std::vector<size_t> label_chain(const Text& t, size_t at, size_t min, size_t max) {
  std::vector<size_t> ends;
  while (true) {
    size_t n = run(t, at, label_char);
    if (n < min || n > max || at + n >= t.size() || t[at + n] != '.') return ends;
    at += n + 1;
    ends.push_back(at);
  }
}

// [a-z]{2,63} | xn--[\w%]{2,59} from `at`, then the port, path and end.
bool tld_then_end(const Text& t, size_t at) {
  size_t letters = run(t, at, ascii_letter);
  for (size_t k = 2; k <= std::min<size_t>(letters, 63); ++k)
    if (port_path_end(t, at + k)) return true;
  if (starts_with_ci(t, at, "xn--")) {
    size_t n = run(t, at + 4, [](char32_t c) { return word_char(c) || c == '%'; });
    for (size_t k = 2; k <= std::min<size_t>(n, 59); ++k)
      if (port_path_end(t, at + 4 + k)) return true;
  }
  return false;
}

// (([\d]{1,3})(\.[\d]{1,3}){3}) from `at`, then the port, path and end.
bool ipv4_then_end(const Text& t, size_t at) {
  for (int group = 0; group < 3; ++group) {
    size_t n = run(t, at, text::is_digit);
    if (n < 1 || n > 3 || at + n >= t.size() || t[at + n] != '.') return false;
    at += n + 1;
  }
  size_t n = run(t, at, text::is_digit);
  for (size_t k = 1; k <= std::min<size_t>(n, 3); ++k)
    if (port_path_end(t, at + k)) return true;
  return false;
}

// \[([\da-f]{0,4}:){2}([\da-f]{0,4}:?){1,6}] from `at`, then the port, path and end.
bool ipv6_then_end(const Text& t, size_t at) {
  if (at >= t.size() || t[at] != '[') return false;
  ++at;
  for (int group = 0; group < 2; ++group) {
    size_t n = run(t, at, hex_digit);
    if (n > 4 || at + n >= t.size() || t[at + n] != ':') return false;
    at += n + 1;
  }
  // The fewest ([\da-f]{0,4}:?) groups that cover the run up to ']' (any count up to 6 then fits,
  // a group may be empty): each takes up to four hex digits and one colon.
  int groups = 0;
  while (at < t.size() && t[at] != ']') {
    size_t n = std::min<size_t>(run(t, at, hex_digit), 4);
    at += n;
    if (at < t.size() && t[at] == ':') ++at;
    else if (n == 0) return false;   // neither hex digit, colon nor ']'
    if (++groups > 6) return false;
  }
  return at < t.size() && port_path_end(t, at + 1);
}

bool http_match(const Text& t) {   // _http_re.match, IGNORECASE
  // (https?://|www\.) (([\w%-]+\.)+)? tld
  size_t scheme = starts_with_ci(t, 0, "http://") ? 7 : starts_with_ci(t, 0, "https://") ? 8 : 0;
  size_t start = scheme ? scheme : starts_with_ci(t, 0, "www.") ? 4 : 0;
  if (start) {
    if (tld_then_end(t, start)) return true;
    for (size_t at : label_chain(t, start, 1, SIZE_MAX))
      if (tld_then_end(t, at)) return true;
  }
  // ([\w%-]{2,63}\.)+ (com|net|int|edu|gov|org|info|mil)
  for (size_t at : label_chain(t, 0, 2, 63))
    for (std::string_view tld : {"com", "net", "int", "edu", "gov", "org", "info", "mil"})
      if (starts_with_ci(t, at, tld) && port_path_end(t, at + tld.size())) return true;
  // (https?://) (IPv4 | IPv6)
  return scheme && (ipv4_then_end(t, scheme) || ipv6_then_end(t, scheme));
}

bool email_match(const Text& t, size_t from) {   // ^\S+@\w[\w.-]*\.\w+$ on t[from:]
  for (size_t i = from; i < t.size(); ++i)
    if (text::is_space(t[i])) return false;
  for (size_t at = from + 1; at < t.size(); ++at) {   // any '@' after one or more characters
    if (t[at] != '@' || at + 1 >= t.size() || !word_char(t[at + 1])) continue;
    size_t dot = t.rfind(U'.');
    if (dot == Text::npos || dot <= at + 1 || dot + 1 == t.size()) continue;
    bool ok = true;
    for (size_t i = at + 2; i < dot && ok; ++i) ok = word_char(t[i]) || t[i] == '.' || t[i] == '-';
    for (size_t i = dot + 1; i < t.size() && ok; ++i) ok = word_char(t[i]);
    if (ok) return true;
  }
  return false;
}

size_t count(const Text& s, const Text& sub) {
  size_t n = 0;
  for (size_t at = s.find(sub); at != Text::npos; at = s.find(sub, at + sub.size())) ++n;
  return n;
}

bool valid_scheme(const Text& s) {   // _uri_scheme_re: ^([\w.+-]{2,}:(/){0,2})$
  size_t n = run(s, 0, [](char32_t c) { return word_char(c) || c == '.' || c == '+' || c == '-'; });
  if (n < 2 || n >= s.size() || s[n] != ':') return false;
  size_t slashes = s.size() - n - 1;
  return slashes <= 2 && run(s, n + 1, [](char32_t c) { return c == '/'; }) == slashes;
}

struct Options {
  std::optional<int64_t> trim_url_limit;
  std::string rel_attr, target_attr;
  std::vector<Text> extra_schemes;
};

Text trim_url(const Text& x, std::optional<int64_t> limit) {   // f"{x[:limit]}..." past the limit
  const auto n = static_cast<int64_t>(x.size());
  if (!limit || n <= *limit) return x;
  int64_t keep = *limit >= 0 ? *limit : std::max<int64_t>(0, n + *limit);
  return x.substr(0, static_cast<size_t>(keep)) + U"...";
}

std::string linkify(const Text& word, const Options& o) {
  Text head, middle = word, tail;
  // ^([(<]|&lt;)+
  size_t lead = 0;
  while (true) {
    if (lead < middle.size() && (middle[lead] == '(' || middle[lead] == '<')) ++lead;
    else if (middle.compare(lead, 4, U"&lt;") == 0) lead += 4;
    else break;
  }
  head = middle.substr(0, lead);
  middle.erase(0, lead);
  // ([)>.,\n]|&gt;)+$
  size_t end = middle.size();
  while (true) {
    if (end > 0 && std::u32string_view(U")>.,\n").find(middle[end - 1]) != std::u32string_view::npos) --end;
    else if (end >= 4 && middle.compare(end - 4, 4, U"&gt;") == 0) end -= 4;
    else break;
  }
  tail = middle.substr(end);
  middle.erase(end);
  for (const auto& [open, close] : {std::pair<Text, Text>{U"(", U")"}, {U"<", U">"}, {U"&lt;", U"&gt;"}}) {
    size_t opens = count(middle, open);
    if (opens <= count(middle, close)) continue;
    for (size_t i = 0, n = std::min(opens, count(tail, close)); i < n; ++i) {
      size_t cut = tail.find(close) + close.size();
      middle += tail.substr(0, cut);
      tail.erase(0, cut);
    }
  }
  std::string m = to_utf8(middle), out;
  if (http_match(middle)) {
    bool has_scheme = m.rfind("https://", 0) == 0 || m.rfind("http://", 0) == 0;
    out = "<a href=\"" + std::string(has_scheme ? "" : "https://") + m + "\"" + o.rel_attr + o.target_attr + ">" +
          to_utf8(trim_url(middle, o.trim_url_limit)) + "</a>";
  } else if (m.rfind("mailto:", 0) == 0 && email_match(middle, 7)) {
    out = "<a href=\"" + m + "\">" + m.substr(7) + "</a>";
  } else if (m.find('@') != std::string::npos && m.rfind("www.", 0) != 0 && m[0] != '@' &&
             m.find(':') == std::string::npos && email_match(middle, 0)) {
    out = "<a href=\"mailto:" + m + "\">" + m + "</a>";
  } else {
    for (const auto& scheme : o.extra_schemes)
      if (middle != scheme && middle.compare(0, scheme.size(), scheme) == 0)
        m = "<a href=\"" + m + "\"" + o.rel_attr + o.target_attr + ">" + m + "</a>", middle = to_text(m);
    out = m;
  }
  return to_utf8(head) + out + to_utf8(tail);
}

}  // namespace

Value f_urlize(Evaluator&, const Value& v, const CallArgs& a) {
  Options o;
  if (has_arg(a, 0, "trim_url_limit")) o.trim_url_limit = int_arg(a, 0, "trim_url_limit", 0);
  // rel: the words of `rel`, "nofollow" if asked, and the environment's policy "noopener", sorted
  std::set<std::string> rel;
  for (const auto& word : text::split_whitespace(str_arg(a, 3, "rel", ""), -1)) rel.insert(word);
  if (bool_arg(a, 1, "nofollow", false)) rel.insert("nofollow");
  rel.insert("noopener");
  std::string rel_value;
  for (const auto& word : rel) rel_value += (rel_value.empty() ? "" : " ") + word;
  o.rel_attr = " rel=\"" + escape_html(rel_value) + "\"";
  if (has_arg(a, 2, "target")) {
    std::string target = to_str(arg(a, 2, "target"));
    if (!target.empty()) o.target_attr = " target=\"" + escape_html(target) + "\"";
  }
  if (has_arg(a, 4, "extra_schemes")) {
    for (const Value& scheme : iterate(arg(a, 4, "extra_schemes"))) {
      Text s = to_text(to_str(scheme));
      if (!valid_scheme(s))
        throw RenderError("FilterArgumentError", repr(scheme) + " is not a valid URI scheme prefix.");
      o.extra_schemes.push_back(std::move(s));
    }
  }
  Text escaped = to_text(escape_html(to_str(v)));
  std::string out;
  for (size_t i = 0; i < escaped.size();) {   // re.split(r"(\s+)"): words and the spaces between
    Budget::steps(1);
    bool space = text::is_space(escaped[i]);
    size_t j = i;
    while (j < escaped.size() && text::is_space(escaped[j]) == space) ++j;
    Text word = escaped.substr(i, j - i);
    out += space ? to_utf8(word) : linkify(word, o);
    i = j;
  }
  return out;
}

}  // namespace hf::templates::filters
