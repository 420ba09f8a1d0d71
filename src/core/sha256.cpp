#include "core/sha256.h"

#include <openssl/evp.h>

#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <map>
#include <mutex>
#include <stdexcept>
#include <vector>

namespace gftlab {

Sha256::Sha256() : context_(EVP_MD_CTX_new(), EVP_MD_CTX_free) {
  if (!context_ || EVP_DigestInit_ex(context_.get(), EVP_sha256(), nullptr) != 1)
    throw std::runtime_error("OpenSSL: SHA-256 is not available");
}

void Sha256::update(const void* data, size_t size) {
  if (finished_) throw std::logic_error("Sha256::update after hex()");
  if (EVP_DigestUpdate(context_.get(), data, size) != 1) throw std::runtime_error("OpenSSL: SHA-256 update failed");
}

std::string Sha256::hex() {
  if (finished_) throw std::logic_error("Sha256::hex called twice");
  finished_ = true;
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_DigestFinal_ex(context_.get(), digest, &length) != 1)
    throw std::runtime_error("OpenSSL: SHA-256 final failed");
  std::string out;
  for (unsigned int k = 0; k < length; ++k) out += fmt::format("{:02x}", digest[k]);
  return out;
}

std::string sha256_hex(const std::string& data) {
  Sha256 sha;
  sha.update(data.data(), data.size());
  return sha.hex();
}

std::string file_sha256(const std::string& path) {
  // A run asks for the same file's hash several times (ids, models, records): read it once per version.
  static std::mutex mutex;
  static std::map<std::string, std::pair<std::string, std::string>> known;  // path -> (size and mtime, hash)
  std::error_code error;
  const auto size = std::filesystem::file_size(path, error);
  if (error) throw std::runtime_error(fmt::format("{}: cannot be read ({})", path, error.message()));
  const auto version = fmt::format("{} {}", size, std::filesystem::last_write_time(path).time_since_epoch().count());
  std::lock_guard<std::mutex> lock(mutex);
  if (const auto found = known.find(path); found != known.end() && found->second.first == version)
    return found->second.second;
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(fmt::format("{}: cannot be read", path));
  Sha256 sha;
  std::vector<char> piece(1 << 20);
  while (in.read(piece.data(), static_cast<std::streamsize>(piece.size())) || in.gcount() > 0)
    sha.update(piece.data(), static_cast<size_t>(in.gcount()));
  if (in.bad()) throw std::runtime_error(fmt::format("{}: read error", path));
  const auto hash = sha.hex();
  known[path] = {version, hash};
  return hash;
}

}  // namespace gftlab
