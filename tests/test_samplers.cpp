#include "testing.h"

#include <cmath>

#include "sampler/sampler.h"

using namespace gftlab;

namespace {

// dx/dt = x cos(t): x(t) = x0 exp(sin t - sin t0).
const Field kField = [](double t, const at::Tensor& x) { return x * std::cos(t); };

double error_of(const Sampler& s, int64_t* nfe = nullptr) {
  const auto x0 = at::tensor({1.0, -2.0, 0.5}, at::kDouble);
  const auto sol = s.solve(kField, x0, 0.0, 1.0);
  if (nfe) *nfe = sol.nfe;
  return (sol.x - x0 * std::exp(std::sin(1.0))).abs().max().item<double>();
}

double observed_order(FixedMethod m) {
  return std::log2(error_of(FixedStepSampler(m, 20)) / error_of(FixedStepSampler(m, 40)));
}

}  // namespace

TEST_CASE("ODE solvers: orders of convergence, NFE counts, adaptive accuracy, reverse time", "[sampler]") {
  CHECK(observed_order(FixedMethod::kEuler) == Approx(1.0).margin(0.1));
  CHECK(observed_order(FixedMethod::kHeun) == Approx(2.0).margin(0.1));
  CHECK(observed_order(FixedMethod::kRk4) == Approx(4.0).margin(0.15));

  int64_t nfe = 0;
  error_of(FixedStepSampler(FixedMethod::kEuler, 10), &nfe);
  CHECK(nfe == 10);
  error_of(FixedStepSampler(FixedMethod::kHeun, 10), &nfe);
  CHECK(nfe == 20);
  error_of(FixedStepSampler(FixedMethod::kRk4, 10), &nfe);
  CHECK(nfe == 40);

  int64_t loose_nfe = 0, tight_nfe = 0;
  const double loose = error_of(Dopri5Sampler(1e-4, 1e-4), &loose_nfe);
  const double tight = error_of(Dopri5Sampler(1e-10, 1e-10), &tight_nfe);
  CHECK(loose < 1e-3);
  CHECK(tight < 1e-8);
  CHECK(tight_nfe > loose_nfe);
  CHECK((tight_nfe - 2) % 6 == 0);  // 2 evaluations pick the first step, then 6 per attempted step

  const auto x1 = at::tensor({2.0}, at::kDouble);
  const auto back = Dopri5Sampler(1e-10, 1e-10).solve(kField, x1, 1.0, 0.0).x;
  CHECK(back.item<double>() == Approx(2.0 * std::exp(-std::sin(1.0))).epsilon(1e-8));
  const auto back_rk4 = FixedStepSampler(FixedMethod::kRk4, 50).solve(kField, x1, 1.0, 0.0).x;
  CHECK(back_rk4.item<double>() == Approx(2.0 * std::exp(-std::sin(1.0))).epsilon(1e-7));
}
