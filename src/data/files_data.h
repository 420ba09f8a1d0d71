// The `files` distribution kind: a researcher's own vectors or images from .npy or HDF5 files
// (docs/own_files.md), with an optional class filter by labels and a held-out split that nothing trains on.
#pragma once

#include <memory>
#include <string>

#include "data/distribution.h"

namespace gftlab {

// ConfigError naming the key and the file on every problem with the files or their contents: shape, element
// type, NaN or Inf, labels, classes, the split.
std::unique_ptr<Distribution> make_files_distribution(const Config& cfg, const std::string& prefix);

}  // namespace gftlab
