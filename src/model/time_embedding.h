// Sinusoidal embedding of t in [0, 1], shared by the velocity networks.
#pragma once

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>

namespace gftlab {

// Log-spaced frequencies from 1 to 1000 (as in transformer position encodings), `dim / 2` of them.
inline at::Tensor time_frequencies(int64_t dim) {
  const int64_t half = dim / 2;
  return at::exp(at::arange(half, at::kFloat) * (-std::log(1000.0) / std::max<int64_t>(half - 1, 1))) * 1000.0;
}

// [sin(t f), cos(t f)]: [B] -> [B, dim].
inline at::Tensor time_embedding(const at::Tensor& t, const at::Tensor& freqs, at::ScalarType type) {
  const auto args = t.reshape({-1, 1}).to(type) * freqs.unsqueeze(0);
  return at::cat({args.sin(), args.cos()}, 1);
}

}  // namespace gftlab
