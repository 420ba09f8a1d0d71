#include "io/archive_file.h"

#include <torch/serialize/output-archive.h>
#include <unistd.h>

#include <cstdio>
#include <stdexcept>

namespace gftlab {

void write_archive_atomically(torch::serialize::OutputArchive& archive, const std::string& path) {
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  archive.save_to(tmp);
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    throw std::runtime_error("cannot rename " + tmp + " to " + path);
  }
}

}  // namespace gftlab
