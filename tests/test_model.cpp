#include "testing.h"

#include <algorithm>

#include "core/config.h"
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
