// SHA-256 of a byte string, for content addresses (run_id, pretrained-model store).
#pragma once

#include <string>

namespace gftlab {

std::string sha256_hex(const std::string& data);

}  // namespace gftlab
