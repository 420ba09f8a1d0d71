// Prints JSON: seconds of one evaluation of each metric group, of sampling alone and of a whole evaluation,
// on the toy example (configs/examples/toy.yaml, eval.metrics [all]) and on the first run of fmnist_shift's
// quick profile, with the pretrained model of each. A group is timed on a fresh context whose samples exist
// (its own work only); `evaluation_seconds` is what the runner pays per evaluation: every group.
// Once-per-run work (reference statistics) is paid in the warm-up call, as in a run's first evaluation.
// Optional arguments: threads (default 1, what each job of `sweep run --jobs N` uses) and "toy" to skip
// the image configuration. `make bench` runs it; docs/benchmarks.md quotes the figures.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "core/config.h"
#include "core/rng.h"
#include "core/runtime.h"
#include "data/distribution.h"
#include "features/feature_space.h"
#include "metrics/metric.h"
#include "path/path.h"
#include "sampler/sampler.h"
#include "sweep/sweep_plan.h"
#include "timing.h"
#include "train/pretrained_store.h"
#include "run/config_schema.h"

using namespace gftlab;
using bench::seconds_of;

namespace {

constexpr int kRepeats = 3;

// The evaluation inputs exactly as Runner::run draws them.
std::string time_evaluation(const Config& cfg) {
  const uint64_t seed = static_cast<uint64_t>(cfg.get_int("seed"));
  const auto source = make_distribution(cfg, "source");
  const auto target = make_distribution(cfg, "target");
  auto data_gen = make_generator(seed, "target-data");
  target->sample(cfg.get_int("target.n_train"), data_gen);
  const at::Tensor eval_set = target->held_out(cfg.get_int("target.n_eval"), data_gen);
  const at::Tensor reference = eval_set.narrow(0, 0, cfg.get_int("eval.n_samples"));
  auto noise_gen = make_generator(seed, "eval-noise");
  const at::Tensor noise = at::randn(reference.sizes(), noise_gen, at::kFloat);
  const auto model = get_or_pretrain(cfg, *source).field;
  const auto sampler = make_sampler(cfg, "eval.sampler", make_path(cfg).sigma(), derive_seed(seed, "eval-sde"));
  auto metrics = make_metrics(cfg, *target, derive_seed(seed, "eval"));
  const auto features = make_feature_space(cfg, target->sample_shape());
  const auto inception = make_inception_space(cfg, target->sample_shape());
  const auto context = [&] { return EvalContext(*model, noise, reference, *sampler, features.get(), inception.get()); };

  std::vector<std::string> groups;
  groups.push_back(fmt::format("\"sample\": {:.4f}", seconds_of([&] { context().generated(); }, kRepeats)));
  for (auto& metric : metrics) {
    // Each call on a fresh context whose samples (and their features) exist: the group's own work.
    double seconds = 0;
    for (int r = 0; r <= kRepeats; ++r) {  // r = 0 warms up (and pays the once-per-run reference work)
      EvalContext ctx = context();
      ctx.generated();
      if (features) ctx.generated_features();
      const double s = bench::seconds_once([&] { metric->compute(ctx); });
      if (r > 0) seconds += s;
    }
    groups.push_back(fmt::format("\"{}\": {:.4f}", metric->group(), seconds / kRepeats));
  }
  const double all = seconds_of(
      [&] {
        EvalContext ctx = context();
        for (auto& metric : metrics) metric->compute(ctx);
      },
      kRepeats);
  return fmt::format("{{\"n_samples\": {}, \"groups_seconds\": {{{}}}, \"evaluation_seconds\": {:.4f}}}",
                     reference.size(0), fmt::join(groups, ", "), all);
}

}  // namespace

int main(int argc, char** argv) {
  start_program();
  const int threads = set_threads(argc > 1 ? std::atoi(argv[1]) : 1);
  const bool toy_only = argc > 2 && std::strcmp(argv[2], "toy") == 0;
  const std::string root = std::string(GFTLAB_BENCH_DIR) + "/..";
  std::vector<std::string> fields;
  fields.push_back(fmt::format("\"toy\": {}", time_evaluation(Config::load(root + "/configs/examples/toy.yaml"))));
  if (!toy_only) {
    const auto plan = plan_sweep(root + "/experiments/fmnist_shift.yaml", "quick", {});
    fields.push_back(fmt::format("\"fmnist_quick\": {}", time_evaluation(plan.runs.front().config)));
  }
  fmt::print("{{\"benchmark\": \"eval\", \"threads\": {}, {}}}\n", threads, fmt::join(fields, ", "));
}
