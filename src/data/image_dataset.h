// Fashion-MNIST as a distribution: images of the chosen classes, 1 x 28 x 28, pixels scaled to [-1, 1];
// the training split to sample from and the test split held out.
#pragma once

#include <vector>

#include "data/data_pool.h"

namespace gftlab {

class FashionMnist : public DataPool {
 public:
  explicit FashionMnist(const std::vector<int64_t>& classes);  // empty: all ten
};

}  // namespace gftlab
