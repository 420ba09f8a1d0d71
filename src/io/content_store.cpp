#include "io/content_store.h"

#include <filesystem>
#include <stdexcept>

#include "core/file_lock.h"
#include "io/archive_file.h"

namespace gftlab {
namespace fs = std::filesystem;

ContentStore::ContentStore(std::string dir) : dir_(std::move(dir)) {}

std::string ContentStore::path(const std::string& name, const std::string& extension) const {
  return (fs::path(dir_) / (name + extension)).string();
}

bool ContentStore::get_or_make(const std::string& name,
                               const std::function<void(const std::string&, const YAML::Node&)>& load,
                               const std::function<YAML::Node(const std::string&)>& make) const {
  fs::create_directories(dir_);
  FileLock lock(path(name, ".lock"));
  const std::string artefact = path(name, ".pt"), sidecar = path(name, ".yaml");
  // An artefact without its sidecar (left by older code) is made again.
  if (fs::exists(artefact) && fs::exists(sidecar)) {
    YAML::Node meta;
    try {
      meta = YAML::LoadFile(sidecar);
    } catch (const YAML::Exception& e) {
      throw std::runtime_error(sidecar + ": cannot read the store's record of " + artefact + ": " + e.what());
    }
    load(artefact, meta);
    return true;
  }
  // No pid in this name: the lock makes it this process's alone, and a LibTorch archive records the name it
  // was written under, so the same artefact must always be written under the same one (same bytes).
  const std::string temp = artefact + ".partial";
  const YAML::Node meta = make(temp);
  YAML::Emitter out;
  out.SetDoublePrecision(17);
  out << meta;
  write_text_atomically(std::string("# gftlab store entry ") + name + "\n" + out.c_str() + "\n", sidecar);
  fs::rename(temp, artefact);
  return false;
}

}  // namespace gftlab
