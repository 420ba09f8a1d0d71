#include "data/image_dataset.h"

#include <map>
#include <mutex>

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

// The images of those classes in file order, uint8 [n, 1, 28, 28].
at::Tensor select_classes(const LabelledImages& data, const std::vector<int64_t>& classes) {
  auto keep = at::zeros_like(data.labels, at::kBool);
  if (classes.empty()) keep.fill_(true);
  for (int64_t c : classes) keep |= data.labels.eq(c);
  return data.images.index({keep}).unsqueeze(1);
}

}  // namespace

FashionMnist::FashionMnist(const std::vector<int64_t>& classes)
    : DataPool(select_classes(cached_split("train"), classes), select_classes(cached_split("test"), classes)) {}

}  // namespace gftlab
