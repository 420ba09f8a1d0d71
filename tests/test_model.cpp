#include "testing.h"

#include <torch/csrc/autograd/autograd.h>

#include <algorithm>

#include "core/config.h"
#include "core/rng.h"
#include "model/config_keys.h"
#include "model/device_field.h"
#include "model/velocity_field.h"

using namespace gftlab;

TEST_CASE("model: the EMA is warmed up as min(decay, (1 + n) / (10 + n)) and leaves the online model alone",
          "[model]") {
  const auto cfg = Config::load("", {"model.width=8", "model.depth=1"});
  const FieldPtr online = make_velocity_field(cfg, {2}, 1), shadow = make_velocity_field(cfg, {2}, 2);
  const double decay = 0.5;
  Ema ema(online, shadow, decay);
  at::NoGradGuard no_grad;
  auto expected = online->parameters()[0].clone();  // the shadow starts as a copy of the online weights
  CHECK(at::equal(shadow->parameters()[0], expected));
  for (int n = 0; n < 12; ++n) {
    const double value = n + 1.0;
    for (auto& p : online->parameters()) p.fill_(value);
    ema.update();
    const double d = std::min(decay, (1.0 + n) / (10.0 + n));  // 0.1, 0.18, ... then 0.5 from n = 8
    expected = d * expected + (1 - d) * value;
    CHECK(at::allclose(shadow->parameters()[0], expected, 1e-6, 1e-6));
    CHECK(at::all(online->parameters()[0].eq(value)).item<bool>());
  }
}

TEST_CASE("model: weights written from CPU copies and read back onto the field's device, DeviceField transparent",
          "[model]") {
  const auto cfg = Config::load("", {"model.width=16", "model.depth=2"});
  const auto a = make_velocity_field(cfg, {2}, 1), b = make_velocity_field(cfg, {2}, 2);
  const auto path = gftlab::testing::scratch_path("field_weights.pt");
  save_field(*a, path);
  load_field(*b, path);
  CHECK(device_of(*b).is_cpu());
  auto gen = gftlab::make_generator(3);
  const auto x = at::randn({5, 2}, gen).requires_grad_(true), t = at::rand({5}, gen);
  CHECK(at::equal(a->forward(t, x), b->forward(t, x)));
  // seen_from_cpu: the CPU model itself; a DeviceField around it gives the same values and gradients.
  CHECK(seen_from_cpu(a).get() == a.get());
  DeviceField view(a);
  CHECK(at::equal(view.forward(t, x), a->forward(t, x)));
  CHECK(at::equal(view.forward_at(0.3, x), a->forward_at(0.3, x)));
  const auto g_view = torch::autograd::grad({view.forward(t, x).sum()}, {x})[0];
  const auto g_model = torch::autograd::grad({a->forward(t, x).sum()}, {x})[0];
  CHECK(at::equal(g_view, g_model));
}

TEST_CASE("model: every activation of the table gives a finite field, each its own", "[model]") {
  const auto x = at::randn({16, 2}, make_generator(1), at::kFloat);
  const auto t = at::full({16}, 0.3, at::kFloat);
  std::vector<at::Tensor> outputs;
  for (const auto& name : activation_names()) {
    INFO(name);
    const auto field = make_velocity_field(Config::load("", {"model.activation=" + name}), {2}, 5);
    const auto v = field->forward(t, x);
    CHECK(v.sizes() == x.sizes());
    CHECK(at::isfinite(v).all().item<bool>());
    for (const auto& other : outputs) CHECK(!at::allclose(v, other));
    outputs.push_back(v);
  }
  CHECK(outputs.size() == 5);
}
