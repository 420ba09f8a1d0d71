// Files on disk, LibTorch archives (stored models, checkpoints) and text (manifests, store records): written
// under a temporary name beside the target and renamed, so that a reader or a restarted process never sees
// half a file.
#pragma once

#include <string>

namespace torch::serialize {
class OutputArchive;
}

namespace gftlab {

void write_archive_atomically(torch::serialize::OutputArchive& archive, const std::string& path);
void write_text_atomically(const std::string& text, const std::string& path);

}  // namespace gftlab
