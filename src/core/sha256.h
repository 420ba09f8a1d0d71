// SHA-256, for content addresses (run_id, pretrained-model store) and the identity of supplied files: OpenSSL's
// libcrypto (its assembly kernels hash a large data file several times faster than portable C++ does).
#pragma once

#include <cstddef>
#include <memory>
#include <string>

struct evp_md_ctx_st;  // OpenSSL's EVP_MD_CTX, kept out of this header

namespace gftlab {

// Incremental: update() with any number of pieces, then hex() once (a second call is a logic_error).
class Sha256 {
 public:
  Sha256();
  void update(const void* data, size_t size);
  std::string hex();

 private:
  std::unique_ptr<evp_md_ctx_st, void (*)(evp_md_ctx_st*)> context_;
  bool finished_ = false;
};

std::string sha256_hex(const std::string& data);

// SHA-256 (hex) of a file's bytes, read in pieces (data files may be larger than memory) and remembered per
// (path, size, modification time) for the process; std::runtime_error naming the file when it cannot be read.
std::string file_sha256(const std::string& path);

}  // namespace gftlab
