// A finite data set as a distribution: sample() draws distinct rows of the training pool (a seeded subset),
// held_out() distinct rows of the held-out pool, which nothing trains on. The pools keep their element
// type, so a uint8 data set stays a quarter of its float size: uint8 rows are scaled to [-1, 1] as they are
// drawn, float rows are taken as they are; both come out float32 [n, sample shape].
#pragma once

#include "data/distribution.h"

namespace gftlab {

class DataPool : public Distribution {
 public:
  // [N, d] vectors or [N, C, H, W] images, of the same shape per row in both pools.
  DataPool(at::Tensor train, at::Tensor held_out);
  int64_t dim() const override { return train_[0].numel(); }
  std::vector<int64_t> sample_shape() const override;
  at::Tensor sample(int64_t n, at::Generator& gen) const override;
  at::Tensor held_out(int64_t n, at::Generator& gen) const override;
  int64_t available() const override { return train_.size(0); }
  int64_t available_held_out() const override { return held_out_.size(0); }

 private:
  at::Tensor train_, held_out_;
};

}  // namespace gftlab
