// Prints JSON: pretraining steps/s of the 2-D MLP (width 256, depth 3, batch 256), exact W2 time for
// n = 1000 and 2000, and sampling throughput. `make bench` runs it; README.md quotes the figures.
#include <ATen/Parallel.h>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <vector>

#include "core/config.h"
#include "core/rng.h"
#include "core/runtime.h"
#include "coupling/coupling.h"
#include "data/distribution.h"
#include "method/method.h"
#include "metrics/sample_distances.h"
#include "model/velocity_field.h"
#include "path/path.h"
#include "sampler/sampler.h"
#include "timing.h"
#include "train/trainer.h"

using namespace gftlab;
using bench::seconds_of;

int main(int argc, char** argv) {
  select_blas_kernel();
  tune_allocator();
  const int threads = set_threads(argc > 1 ? std::atoi(argv[1]) : 0);
  const Config cfg = Config::load("", {"model.width=256", "model.depth=3", "pretrain.batch_size=256"});
  const auto source = make_distribution(cfg, "source");
  std::vector<std::string> fields;

  {
    auto model = make_velocity_field(cfg, {2}, 0);
    FlowMatching objective(true);
    LinearPath path(0.0);
    IndependentCoupling coupling;
    Trainer trainer(model, make_velocity_field(cfg, {2}, 0), objective, path, coupling,
                    [&](int64_t n, at::Generator& g) { return source->sample(n, g); },
                    TrainSettings::from_config(cfg, "pretrain"), make_generator(0));
    const int steps = 300;
    const double s = seconds_of([&] { for (int k = 0; k < steps; ++k) trainer.step(); trainer.flush(); }, 1);
    fields.push_back(fmt::format("\"pretrain_steps_per_second\": {:.1f}", steps / s));
  }
  for (int64_t n : {1000, 2000}) {
    auto gen = make_generator(1);
    const auto a = source->sample(n, gen), b = source->sample(n, gen) * 0.5 + 1.0;
    fields.push_back(fmt::format("\"exact_w2_seconds_n{}\": {:.4f}", n, seconds_of([&] { exact_w2(a, b); }, 3)));
  }
  {
    auto model = make_velocity_field(cfg, {2}, 0);
    auto gen = make_generator(2);
    const auto noise = at::randn({10000, 2}, gen);
    const FixedStepSampler euler(FixedMethod::kEuler, 100);
    const double s = seconds_of([&] { euler.solve(field_of(*model), noise, 0.0, 1.0); }, 3);
    fields.push_back(fmt::format("\"euler100_samples_per_second\": {:.0f}", 10000 / s));
  }
  fmt::print("{{\"benchmark\": \"core\", \"threads\": {}, {}}}\n", threads, fmt::join(fields, ", "));
}
