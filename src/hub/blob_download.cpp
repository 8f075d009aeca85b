#include "hub/blob_download.h"

#include <cstdio>
#include <cstring>
#include <exception>
#include <memory>
#include <thread>
#include <vector>

#include "core/log.h"
#include "core/progress.h"
#include "core/sha256.h"
#include "hf/hub.h"
#include "hub/repo_names.h"

namespace hf::hub {

namespace fs = std::filesystem;

namespace {

struct FileCloser {
  void operator()(FILE* f) const { std::fclose(f); }
};
using File = std::unique_ptr<FILE, FileCloser>;

// The partial file's current state: the open file, its length, and the hash of its bytes so far.
struct Partial {
  File file;
  uint64_t size = 0;
  Sha256 hash;
  bool hashing = false;

  void restart(const fs::path& path) {
    file.reset(std::fopen(path.c_str(), "wb"));
    if (!file) throw FileError(path.string() + ": cannot write: " + std::strerror(errno));
    size = 0;
    hash = Sha256();
  }
  void write(const char* data, size_t n, const fs::path& path) {
    if (std::fwrite(data, 1, n, file.get()) != n)
      throw FileError(path.string() + ": cannot write (disk full?): " + std::strerror(errno));
    if (hashing) hash.update(data, n);
    size += n;
  }
};

// Opens the .incomplete file for appending and hashes what it already holds (once per run).
void open_partial(Partial& p, const fs::path& path, uint64_t expected, bool force) {
  std::error_code ec;
  uint64_t existing = fs::exists(path, ec) ? fs::file_size(path, ec) : 0;
  if (force || ec || existing > expected) {  // longer than the file can be: not ours to resume
    p.restart(path);
    return;
  }
  if (p.hashing && existing > 0) {
    File in(std::fopen(path.c_str(), "rb"));
    std::vector<char> buf(1 << 20);
    size_t n;
    while (in && (n = std::fread(buf.data(), 1, buf.size(), in.get())) > 0) p.hash.update(buf.data(), n);
  }
  p.file.reset(std::fopen(path.c_str(), "ab"));
  if (!p.file) throw FileError(path.string() + ": cannot write: " + std::strerror(errno));
  p.size = existing;
}

// "bytes a-b/total" → a; -1 when absent or malformed.
long long content_range_start(const std::string& v) {
  if (v.rfind("bytes ", 0) != 0) return -1;
  char* end = nullptr;
  long long a = std::strtoll(v.c_str() + 6, &end, 10);
  return (end && *end == '-') ? a : -1;
}

}  // namespace

void download_blob(const HubConfig& config, const RequestContext& ctx, const FileMetadata& meta,
                   const fs::path& incomplete, const fs::path& blob) {
  Partial partial;
  partial.hashing = is_lower_hex(meta.etag, 64);  // LFS: the etag is the content's sha256
  open_partial(partial, incomplete, meta.size, config.force_download);
  std::setvbuf(partial.file.get(), nullptr, _IOFBF, 1 << 20);
  ProgressBar bar(ctx.filename, meta.size, partial.size, config.file_progress && progress_bars_enabled());

  int failures = 0;  // consecutive failures without new data (Python gives up after 5)
  std::string url = meta.location;
  for (int redirects = 0;;) {
    if (partial.size == meta.size) break;  // nothing left to fetch (a 416 avoided)
    HttpRequest req{"GET", url, request_headers(config, url), config.download_timeout_s};
    if (partial.size > 0) req.headers.push_back("Range: bytes=" + std::to_string(partial.size) + "-");
    uint64_t size_before = partial.size;
    std::string error_body;
    bool started = false;
    std::exception_ptr write_error;  // never thrown through libcurl's C frames: kept, rethrown below
    HttpResponse r = http_stream(req, [&](const char* data, size_t n, const HttpResponse& resp) {
      if (resp.status != 200 && resp.status != 206) {  // a redirect's or an error's text
        if (error_body.size() < 65536) error_body.append(data, n);
        return true;
      }
      try {
        if (!started) {
          started = true;
          // A server that ignores Range (200), or resumes elsewhere, restarts the file from 0.
          if (partial.size > 0 &&
              (resp.status == 200 || content_range_start(resp.header("content-range")) != (long long)partial.size)) {
            partial.restart(incomplete);
            bar.reset(0);
          }
        }
        partial.write(data, n, incomplete);
      } catch (...) {
        write_error = std::current_exception();
        return false;
      }
      bar.update(n);
      return true;
    });
    if (write_error) std::rethrow_exception(write_error);
    std::fflush(partial.file.get());
    if (partial.size > size_before) failures = 0;
    if (!r.network_error() && r.is_redirect() && !r.header("location").empty()) {
      if (++redirects > 10) throw HubError("too many redirects while downloading '" + ctx.filename + "'");
      url = resolve_location(url, r.header("location"));
      continue;
    }
    if (r.status == 416 && r.header("content-range") == "bytes */" + std::to_string(partial.size)) break;
    if (!r.network_error() && (r.status == 200 || r.status == 206)) break;
    if ((r.network_error() || r.status >= 400) && is_retryable(r) && ++failures <= kMaxRetries) {
      // A dropped connection resumes after 1 s, as Python; an error status backs off.
      if (r.network_error()) std::this_thread::sleep_for(std::chrono::seconds(1));
      else retry_sleep(failures - 1, &r);
      continue;
    }
    if (r.network_error())
      throw HubError("download of '" + ctx.filename + "' from " + ctx.repo_id + " failed after " +
                     std::to_string(partial.size) + " of " + std::to_string(meta.size) + " bytes: " + r.curl_error +
                     "; run the same command again to resume");
    HttpResponse with_body = r;
    with_body.body = error_body;
    RequestContext c = ctx;
    c.url = url;
    raise_for_status(with_body, c);
    throw HubError("unexpected HTTP " + std::to_string(r.status) + " while downloading '" + ctx.filename + "' from " + url);
  }
  bar.close();
  partial.file.reset();

  std::error_code ec;
  uint64_t got = fs::file_size(incomplete, ec);
  if (ec || got != meta.size) {
    fs::remove(incomplete, ec);
    throw HubError("consistency check failed: '" + ctx.filename + "' of " + ctx.repo_id + " should be " +
                   std::to_string(meta.size) + " bytes but " + std::to_string(got) +
                   " arrived (usually a network problem); nothing was cached, retry");
  }
  if (partial.hashing) {
    std::string actual = partial.hash.hex_digest();
    if (actual != meta.etag) {
      fs::remove(incomplete, ec);
      throw HubError("checksum mismatch for '" + ctx.filename + "' of " + ctx.repo_id + ": expected sha256 " +
                     meta.etag + ", got " + actual + " (corrupted in transit?); nothing was cached, retry");
    }
  }
  fs::rename(incomplete, blob, ec);
  if (ec) throw FileError(blob.string() + ": cannot move the download into place: " + ec.message());
}

}  // namespace hf::hub
