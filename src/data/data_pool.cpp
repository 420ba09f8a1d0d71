#include "data/data_pool.h"

#include <fmt/format.h>
#include <stdexcept>

#include "data/idx_reader.h"

namespace gftlab {
namespace {

at::Tensor draw(const at::Tensor& pool, int64_t n, at::Generator& gen, const char* split) {
  if (n > pool.size(0))
    throw std::invalid_argument(fmt::format("asked for {} samples, the {} split has {}", n, split, pool.size(0)));
  const auto rows = pool.index_select(0, at::randperm(pool.size(0), gen, at::kLong).narrow(0, 0, n));
  if (rows.scalar_type() == at::kByte) return pixels_to_unit_range(rows);
  return rows.to(at::kFloat);
}

}  // namespace

DataPool::DataPool(at::Tensor train, at::Tensor held_out) : train_(std::move(train)), held_out_(std::move(held_out)) {
  if (train_.size(0) == 0 || train_.sizes().slice(1) != held_out_.sizes().slice(1))
    throw std::invalid_argument("DataPool: an empty training pool, or pools of different shapes");
}

std::vector<int64_t> DataPool::sample_shape() const { return train_.sizes().slice(1).vec(); }

at::Tensor DataPool::sample(int64_t n, at::Generator& gen) const { return draw(train_, n, gen, "training"); }

at::Tensor DataPool::held_out(int64_t n, at::Generator& gen) const { return draw(held_out_, n, gen, "held-out"); }

}  // namespace gftlab
