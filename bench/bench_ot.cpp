// Prints JSON: exact OT (assignment) time for B = 64, 256, 1024 at d = 2 and 784 beside POT's ot.emd on
// the same matrices (bench/pot_emd.py), Sinkhorn time, the GFT step time over the standard step time,
// and the OT coupling's share of a training step. `make bench` runs it; docs/benchmarks.md quotes the figures.
#include <ATen/Parallel.h>

#include <cstdio>
#include <filesystem>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <fstream>
#include <memory>
#include <vector>

#include "core/config.h"
#include "core/rng.h"
#include "core/runtime.h"
#include "coupling/coupling.h"
#include "data/distribution.h"
#include "method/method.h"
#include "metrics/sample_distances.h"
#include "ot/assignment.h"
#include "path/path.h"
#include "timing.h"
#include "train/trainer.h"
#include "run/config_schema.h"

using namespace gftlab;
using bench::seconds_of;

namespace {

// POT's time on the same matrix, as a JSON object, or null with the reason on stderr.
std::string pot_emd(const std::vector<double>& cost, int64_t n, int repeats) {
  const auto path = std::filesystem::temp_directory_path() / fmt::format("gftlab_bench_cost_{}.bin", n);
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(cost.data()), cost.size() * sizeof(double));
  const auto cmd = fmt::format("{} {}/pot_emd.py {} {} {}", GFTLAB_PYTHON, GFTLAB_BENCH_DIR, path.string(), n, repeats);
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(cmd.c_str(), "r"), pclose);
  std::string out;
  char buffer[512];
  while (pipe && fgets(buffer, sizeof buffer, pipe.get())) out += buffer;
  std::filesystem::remove(path);
  if (out.empty() || out.front() != '{') {
    fmt::print(stderr, "POT comparison unavailable (install python3-pot): {}\n", cmd);
    return "null";
  }
  return out.substr(0, out.find_last_not_of('\n') + 1);
}

std::string exact_ot_case(int64_t n, int64_t d, at::Generator& gen) {
  const auto x0 = at::randn({n, d}, gen), x1 = at::randn({n, d}, gen) * 0.5 + 1.0;
  const auto c = squared_distances(x0, x1).contiguous();
  const std::vector<double> cost(c.data_ptr<double>(), c.data_ptr<double>() + n * n);
  const int repeats = n <= 256 ? 20 : 3;
  Assignment solution;
  const double solve = seconds_of([&] { solution = solve_assignment(cost, n); }, repeats);
  const double coupling = seconds_of([&] { OtCoupling::optimal_permutation(x0, x1); }, repeats);
  return fmt::format(
      "{{\"B\": {}, \"d\": {}, \"assignment_seconds\": {:.5f}, \"ot_coupling_seconds\": {:.5f}, "
      "\"cost\": {:.10g}, \"pot_emd\": {}}}",
      n, d, solve, coupling, solution.cost, pot_emd(cost, n, repeats));
}

// Seconds per training step of `method` with `coupling` on the 2-D MLP (width 256, depth 3, batch 256).
double step_seconds(const Config& cfg, Method& method, const Coupling& coupling, const Distribution& data) {
  auto model = make_velocity_field(cfg, {2}, 0);
  LinearPath path(0.0);
  Trainer trainer(model, make_velocity_field(cfg, {2}, 0), method, path, coupling,
                  {[&](int64_t n, at::Generator& g) { return data.sample(n, g); }, data.sample_shape()},
                  TrainSettings::from_config(cfg, "finetune"), make_generator(0));
  const int steps = 200;
  return seconds_of(
             [&] {
               for (int k = 0; k < steps; ++k) trainer.step();
               trainer.flush();
             },
             1) /
         steps;
}

}  // namespace

int main(int argc, char** argv) {
  start_program();
  const int threads = set_threads(argc > 1 ? std::atoi(argv[1]) : 0);
  std::vector<std::string> fields, cases;
  auto gen = make_generator(1);
  for (int64_t d : {2, 784})
    for (int64_t n : {64, 256, 1024}) cases.push_back(exact_ot_case(n, d, gen));
  fields.push_back(fmt::format("\"exact_ot\": [{}]", fmt::join(cases, ", ")));

  for (int64_t n : {256, 1024}) {
    const auto x0 = at::randn({n, 2}, gen), x1 = at::randn({n, 2}, gen) * 0.5 + 1.0;
    const SinkhornCoupling sinkhorn(0.05, 2000, 1e-6);
    fields.push_back(
        fmt::format("\"sinkhorn_eps0.05_seconds_B{}\": {:.5f}", n, seconds_of([&] { sinkhorn.plan(x0, x1); }, 3)));
  }

  const Config cfg = Config::load("", {"model.width=256", "model.depth=3", "finetune.batch_size=256", "method.name=gft",
                                       "method.schedule.kind=constant"});
  const auto data = make_distribution(cfg, "target");
  FieldPtr frozen = make_velocity_field(cfg, {2}, 1);
  for (auto& p : frozen->parameters()) p.set_requires_grad(false);
  const auto gft = make_method(cfg, cfg.get_int("finetune.steps"), frozen, *data);
  FlowMatching standard(true);
  IndependentCoupling independent;
  OtCoupling ot(false);
  const double standard_step = step_seconds(cfg, standard, independent, *data);
  const double gft_step = step_seconds(cfg, *gft, independent, *data);
  const double ot_step = step_seconds(cfg, standard, ot, *data);
  fields.push_back(fmt::format("\"standard_step_seconds\": {:.6f}", standard_step));
  fields.push_back(fmt::format("\"gft_over_standard_step\": {:.3f}", gft_step / standard_step));
  fields.push_back(fmt::format("\"ot_coupling_share_of_step_B256\": {:.3f}", (ot_step - standard_step) / ot_step));
  fmt::print("{{\"benchmark\": \"ot_and_gft\", \"threads\": {}, {}}}\n", threads, fmt::join(fields, ", "));
}
