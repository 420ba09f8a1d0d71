#include "train/probe_loss.h"

#include <algorithm>

#include "core/rng.h"
#include "core/device.h"

namespace gftlab {

ProbeSet make_probe_set(const at::Tensor& held_out, const Path& path, int64_t n, uint64_t seed) {
  auto gen = make_generator(seed, "probe");
  const auto x1 = held_out.narrow(0, 0, std::min(n, held_out.size(0)));
  const auto x0 = randn_on(x1.sizes(), gen, x1.options());
  const auto t = rand_on({x1.size(0)}, gen, x1.options());
  const auto sample = path.sample(x0, x1, t, gen);
  return {t, sample.xt, sample.u};
}

double probe_fm_loss(VelocityField& model, const ProbeSet& probe, int64_t batch) {
  at::NoGradGuard no_grad;
  const int64_t n = probe.t.size(0);
  at::Tensor total = at::zeros({}, at::kDouble);
  for (int64_t start = 0; start < n; start += batch) {
    const int64_t len = std::min(batch, n - start);
    const auto v = model.forward(probe.t.narrow(0, start, len), probe.xt.narrow(0, start, len));
    total += (v - probe.u.narrow(0, start, len)).pow(2).flatten(1).sum(1).to(at::kDouble).sum();
  }
  return total.item<double>() / static_cast<double>(n);
}

}  // namespace gftlab
