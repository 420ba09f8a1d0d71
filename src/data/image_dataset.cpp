#include "data/image_dataset.h"

#include <fmt/format.h>
#include <map>
#include <mutex>
#include <stdexcept>

#include "data/idx_reader.h"

namespace gftlab {
namespace {

// Both splits are read once per process (source and target usually share them).
const LabelledImages& cached_split(const std::string& split) {
  static std::mutex mutex;
  static std::map<std::string, LabelledImages> cache;
  std::lock_guard<std::mutex> lock(mutex);
  auto it = cache.find(split);
  if (it == cache.end()) it = cache.emplace(split, load_fashion_mnist(split)).first;
  return it->second;
}

at::Tensor select_classes(const LabelledImages& data, const std::vector<int64_t>& classes) {
  auto keep = at::zeros_like(data.labels, at::kBool);
  if (classes.empty()) keep.fill_(true);
  for (int64_t c : classes) keep |= data.labels.eq(c);
  return to_unit_range(data.images.index({keep}));
}

at::Tensor draw(const at::Tensor& pool, int64_t n, at::Generator& gen, const char* split) {
  if (n > pool.size(0))
    throw std::invalid_argument(fmt::format("asked for {} images, the {} split of these classes has {}", n, split, pool.size(0)));
  return pool.index_select(0, at::randperm(pool.size(0), gen, at::kLong).narrow(0, 0, n));
}

}  // namespace

FashionMnist::FashionMnist(std::vector<int64_t> classes)
    : train_(select_classes(cached_split("train"), classes)), test_(select_classes(cached_split("test"), classes)) {}

at::Tensor FashionMnist::sample(int64_t n, at::Generator& gen) const { return draw(train_, n, gen, "training"); }

at::Tensor FashionMnist::held_out(int64_t n, at::Generator& gen) const { return draw(test_, n, gen, "test"); }

}  // namespace gftlab
