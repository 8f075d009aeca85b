#include "hub/repo_names.h"

#include <cctype>

#include "hf/error.h"

namespace hf::hub {

namespace {
bool id_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
}

std::string repo_id_problem(std::string_view s) {
  if (s.empty()) return "it is empty";
  size_t slash = s.find('/');
  if (slash != std::string_view::npos && s.find('/', slash + 1) != std::string_view::npos)
    return "it has more than one '/' (expected 'namespace/name' or 'name')";
  std::string_view name = slash == std::string_view::npos ? s : s.substr(slash + 1);
  if (slash == 0 || name.empty()) return "a part is empty";
  for (char c : s)
    if (c != '/' && !id_char(c)) return std::string("it contains '") + c + "' (allowed: letters, digits, '-', '_', '.')";
  if (name.size() > 96) return "the name is longer than 96 characters";
  if (s.find("--") != std::string_view::npos || s.find("..") != std::string_view::npos)
    return "'--' and '..' are forbidden";
  for (std::string_view part : {s.substr(0, slash == std::string_view::npos ? s.size() : slash), name}) {
    if (part.front() == '-' || part.front() == '.' || part.back() == '-' || part.back() == '.')
      return "a part starts or ends with '-' or '.'";
  }
  if (s.size() >= 4 && s.substr(s.size() - 4) == ".git") return "it ends with '.git'";
  return "";
}
}  // namespace

bool is_valid_repo_id(std::string_view s) { return repo_id_problem(s).empty(); }

void validate_repo_id(const std::string& repo_id) {
  std::string why = repo_id_problem(repo_id);
  if (!why.empty())
    throw InputError("'" + repo_id + "' is neither a local folder nor a valid Hub repo id (" + why +
                     "); use 'namespace/name', e.g. Qwen/Qwen2.5-0.5B-Instruct");
}

std::string repo_folder_name(const std::string& repo_id, const std::string& repo_type) {
  std::string out = repo_type + "s";
  size_t start = 0;
  for (size_t slash; (slash = repo_id.find('/', start)) != std::string::npos; start = slash + 1)
    out += "--" + repo_id.substr(start, slash - start);
  return out + "--" + repo_id.substr(start);
}

void validate_repo_file_path(const std::string& path, const std::string& where) {
  auto reject = [&](const std::string& why) {
    throw HubError("unsafe file name '" + path + "' from " + where + ": " + why +
                   "; refusing to write outside the cache folder");
  };
  if (path.empty()) reject("it is empty");
  if (path.front() == '/') reject("it is an absolute path");
  if (path.find('\\') != std::string::npos) reject("it contains a backslash");
  if (path.find('\0') != std::string::npos) reject("it contains a NUL byte");
  if (path.size() >= 2 && path[1] == ':') reject("it starts with a drive letter");
  size_t start = 0;
  while (true) {
    size_t slash = path.find('/', start);
    std::string seg = path.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    if (seg.empty()) reject("it has an empty path segment");
    if (seg == "..") reject("it has a '..' segment");
    if (seg == ".") reject("it has a '.' segment");
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
}

void validate_revision(const std::string& revision) {
  try {
    validate_repo_file_path(revision, "the revision");
  } catch (const HubError&) {
    throw InputError("invalid revision '" + revision + "': use a branch, tag or commit hash");
  }
}

std::string url_quote(std::string_view s, std::string_view safe) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '_' || c == '.' || c == '-' || c == '~' || safe.find(char(c)) != std::string_view::npos) {
      out += char(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

bool is_lower_hex(std::string_view s, size_t length) {
  if (s.size() != length) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

}  // namespace hf::hub
