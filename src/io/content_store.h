// A content-addressed store: artefacts named by the hash of what made them, <dir>/<name>.pt, each with a
// YAML sidecar <name>.yaml that says what it is and how it came out. The pretrained models, the feature
// networks and the reward classifiers are each kept in one. Processes that need the same artefact make it
// once (a lock <name>.lock), and nothing is ever half written: the sidecar is written under a temporary
// name and renamed, then the artefact, so an artefact on disk always has its sidecar.
#pragma once

#include <yaml-cpp/yaml.h>

#include <functional>
#include <string>

namespace gftlab {

class ContentStore {
 public:
  explicit ContentStore(std::string dir);
  // <dir>/<name><extension>, e.g. path(id, ".ckpt") for a maker's own checkpoint.
  std::string path(const std::string& name, const std::string& extension) const;
  // When <name>.pt and its sidecar exist: load(the artefact's path, the sidecar) and true. Otherwise make(a temporary
  // path) writes the artefact there and returns its sidecar (a mapping); both are then put in place, and false.
  bool get_or_make(const std::string& name, const std::function<void(const std::string&, const YAML::Node&)>& load,
                   const std::function<YAML::Node(const std::string&)>& make) const;

 private:
  std::string dir_;
};

}  // namespace gftlab
