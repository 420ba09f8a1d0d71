// Fashion-MNIST as a distribution: images of the chosen classes, pixels scaled to [-1, 1], float32
// [n, 1, 28, 28]. sample() draws distinct training-split images (a seeded subset); held_out() draws from
// the test split, which nothing trains on.
#pragma once

#include <vector>

#include "data/distribution.h"

namespace gftlab {

class FashionMnist : public Distribution {
 public:
  explicit FashionMnist(std::vector<int64_t> classes);  // empty: all ten
  int64_t dim() const override { return 28 * 28; }
  std::vector<int64_t> sample_shape() const override { return {1, 28, 28}; }
  at::Tensor sample(int64_t n, at::Generator& gen) const override;
  at::Tensor held_out(int64_t n, at::Generator& gen) const override;
  int64_t available() const override { return train_.size(0); }
  int64_t available_held_out() const override { return test_.size(0); }

 private:
  at::Tensor train_, test_;  // float32 [N, 1, 28, 28] in [-1, 1]
};

}  // namespace gftlab
