#pragma once
// SHA-256 through OpenSSL's EVP interface (libcrypto, already loaded with libcurl; it uses the
// CPU's SHA extensions where present). The Hub names LFS files by the SHA-256 of their content,
// so a download is checked against that name before it enters the cache. Incremental, so the
// hash is computed while bytes arrive and a resumed download only re-reads its partial file once.
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

struct evp_md_ctx_st;  // OpenSSL's EVP_MD_CTX

namespace hf {

class Sha256 {
 public:
  Sha256();
  void update(const void* data, size_t size);
  void update(std::string_view s) { update(s.data(), s.size()); }
  // Finishes and returns the 64 lowercase hex digits; the object is then reset for reuse.
  std::string hex_digest();

 private:
  struct FreeContext {
    void operator()(evp_md_ctx_st* ctx) const;
  };
  std::unique_ptr<evp_md_ctx_st, FreeContext> ctx_;
};

std::string sha256_hex(std::string_view data);

}  // namespace hf
