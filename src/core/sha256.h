// SHA-256, for content addresses (run_id, pretrained-model store) and the identity of supplied files.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

namespace gftlab {

// Incremental: update() with any number of pieces, then hex() once (a second call is a logic_error).
class Sha256 {
 public:
  void update(const void* data, size_t size);
  std::string hex();

 private:
  std::array<uint32_t, 8> h_ = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  std::array<unsigned char, 64> block_{};
  size_t filled_ = 0;
  uint64_t bytes_ = 0;
  bool finished_ = false;
};

std::string sha256_hex(const std::string& data);

// SHA-256 (hex) of a file's bytes, read in pieces (data files may be larger than memory) and remembered per
// (path, size, modification time) for the process; std::runtime_error naming the file when it cannot be read.
std::string file_sha256(const std::string& path);

}  // namespace gftlab
