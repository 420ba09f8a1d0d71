// Prints JSON: the machine's float32 GEMM rate (so that figures from different machines compare), gftlab's
// whole fine-tuning step against a bare forward/backward/Adam loop of the same network in this binary, the
// exact-OT coupling's share of a step at B = 256, pretraining steps/s, exact W2 and sampling throughput.
// 2-D MLP width 256, depth 3, batch 256. `make bench` runs it; docs/benchmarks.md quotes the figures.
#include <torch/optim/adam.h>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
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
#include "run/config_schema.h"

using namespace gftlab;
using bench::seconds_of;
using bench::seconds_once;

namespace {

constexpr int kSteps = 100;           // per timed block: short, so that many rounds fit and the median settles
constexpr int kRounds = 41;           // blocks of each loop, in the order AB BA AB ... (odd: a true median ratio)
constexpr int kFlushEvery = 25;       // as Runner::run flushes its series
constexpr double kRatioTarget = 0.9;  // issue 15: the whole step within 10% of the bare loop

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

double gemm_gflops() {
  const int64_t n = 1024;
  auto gen = make_generator(7);
  const auto a = at::randn({n, n}, gen, at::kFloat), b = at::randn({n, n}, gen, at::kFloat);
  return 2.0 * n * n * n / seconds_of([&] { at::mm(a, b); }, 10) / 1e9;
}

// The loop a PyTorch user writes for conditional flow matching: draw, interpolate, regress, step.
class BareLoop {
 public:
  BareLoop(const Config& cfg, const Distribution& target)
      : model_(make_velocity_field(cfg, {2}, 0)),
        target_(target),
        adam_(model_->parameters(), torch::optim::AdamOptions(cfg.get_float("finetune.lr"))),
        gen_(make_generator(1)),
        batch_(cfg.get_int("finetune.batch_size")) {}
  void step() {
    const auto x1 = target_.sample(batch_, gen_);
    const auto x0 = at::randn(x1.sizes(), gen_, x1.options());
    const auto t = at::rand({batch_}, gen_, x1.options());
    const auto xt = x0 + t.unsqueeze(1) * (x1 - x0);
    adam_.zero_grad();
    (model_->forward(t, xt) - (x1 - x0)).pow(2).sum(1).mean().backward();
    adam_.step();
  }

 private:
  FieldPtr model_;
  const Distribution& target_;
  torch::optim::Adam adam_;
  at::Generator gen_;
  int64_t batch_;
};

// gftlab's training step as a run takes it (`prefix`: pretrain or finetune settings): the configured coupling
// and path, lr schedule, gradient clipping, EMA, the series kept on the device and flushed to the host every
// kFlushEvery steps.
struct TrainLoop {
  TrainLoop(const Config& cfg, const Distribution& data, const std::string& prefix)
      : coupling(make_coupling(cfg)),
        trainer(make_velocity_field(cfg, {2}, 0), make_velocity_field(cfg, {2}, 0), method, path, *coupling,
                {[&data](int64_t n, at::Generator& g) { return data.sample(n, g); }, data.sample_shape()},
                TrainSettings::from_config(cfg, prefix), make_generator(1)) {}
  void steps(int n) {
    for (int k = 0; k < n; ++k) {
      trainer.step();
      if ((k + 1) % kFlushEvery == 0) trainer.flush();
    }
    trainer.flush();
  }
  FlowMatching method{true};
  LinearPath path{0.0};
  std::unique_ptr<Coupling> coupling;
  Trainer trainer;
};

}  // namespace

int main(int argc, char** argv) {
  start_program();
  const int threads = set_threads(argc > 1 ? std::atoi(argv[1]) : 0);
  const std::vector<std::string> keys = {"model.width=256",          "model.depth=3",
                                         "pretrain.batch_size=256",  "finetune.batch_size=256",
                                         "finetune.steps=1000000",   "finetune.lr_schedule=warmup_cosine",
                                         "finetune.warmup_steps=100"};
  const Config cfg = Config::load("", keys);
  auto with_ot = keys;
  with_ot.push_back("coupling.kind=ot");
  const Config ot_cfg = Config::load("", with_ot);
  const auto source = make_distribution(cfg, "source"), target = make_distribution(cfg, "target");
  std::vector<std::string> fields;
  fields.push_back(fmt::format("\"blas_core\": \"{}\"", blas_core()));
  fields.push_back(fmt::format("\"gemm_float32_1024_gflops\": {:.1f}", gemm_gflops()));

  {
    TrainLoop full(cfg, *target, "finetune"), ot(ot_cfg, *target, "finetune");
    BareLoop bare(cfg, *target);
    full.steps(kSteps);  // warm-up of each
    ot.steps(kSteps / 4);
    for (int k = 0; k < kSteps; ++k) bare.step();
    std::vector<double> ratio, full_rate, bare_rate, ot_share;
    // Each loop goes first in half of the rounds, so that neither pays more often for what the other left
    // in the caches or for the VM's drift within a round.
    for (int r = 0; r < kRounds; ++r) {
      double t_full = 0, t_bare = 0;
      const auto time_full = [&] { t_full = seconds_once([&] { full.steps(kSteps); }); };
      const auto time_bare = [&] {
        t_bare = seconds_once([&] {
          for (int k = 0; k < kSteps; ++k) bare.step();
        });
      };
      if (r % 2 == 0)
        time_full(), time_bare();
      else
        time_bare(), time_full();
      full_rate.push_back(kSteps / t_full);
      bare_rate.push_back(kSteps / t_bare);
      ratio.push_back(t_bare / t_full);
    }
    for (int r = 0; r < 5; ++r) {
      const double t_full = seconds_once([&] { full.steps(kSteps / 4); }) / (kSteps / 4);
      const double t_ot = seconds_once([&] { ot.steps(kSteps / 4); }) / (kSteps / 4);
      ot_share.push_back(1.0 - t_full / t_ot);  // what the assignment adds, as a share of its step
    }
    fields.push_back(fmt::format("\"finetune_steps_per_second\": {:.1f}", median(full_rate)));
    fields.push_back(fmt::format("\"bare_loop_steps_per_second\": {:.1f}", median(bare_rate)));
    fields.push_back(fmt::format("\"finetune_over_bare_loop\": {:.3f}", median(ratio)));
    fields.push_back(fmt::format("\"finetune_over_bare_loop_target\": {}", kRatioTarget));
    fields.push_back(fmt::format("\"exact_ot_share_of_step_b256\": {:.3f}", median(ot_share)));
  }
  {
    TrainLoop pretrain(cfg, *source, "pretrain");
    const int steps = 300;
    const double s = seconds_of([&] { pretrain.steps(steps); }, 1);
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
