#include "testing.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>

#include "core/rng.h"
#include "core/runtime.h"
#include "io/content_store.h"
#include "io/run_file_reader.h"
#include "io/run_log.h"
#include "io/tensorboard.h"
#include "run/runner.h"

using namespace gftlab;

namespace {

// A complete run that takes about a second: tiny model, few steps, every metric group on a GMM target.
Config tiny(const std::string& dir, std::vector<std::string> extra = {}) {
  std::vector<std::string> o = {"source.kind=8gaussians",
                                "target.kind=gmm",
                                "target.gmm.means=[[2, 2], [-2, 1]]",
                                "target.n_train=64",
                                "target.n_eval=200",
                                "model.width=32",
                                "model.depth=2",
                                "pretrain.steps=150",
                                "finetune.steps=100",
                                "finetune.batch_size=64",
                                "eval.every=50",
                                "eval.n_samples=200",
                                "eval.nll_samples=40",
                                "eval.nll_steps=8",
                                "eval.velocity_error_samples=256",
                                "eval.euler_steps=[1, 4]",
                                "eval.path_steps=16",
                                "progress=none",
                                "output.dir=" + dir + "/runs",
                                "output.pretrained_dir=" + dir + "/pretrained"};
  o.insert(o.end(), extra.begin(), extra.end());
  return Config::load("", o);
}

}  // namespace

TEST_CASE("runs: same seed gives identical files, a new seed does not", "[run]") {
  const std::string dir = gftlab::testing::scratch_path("run_repro");
  const auto first = Runner(tiny(dir)).run();
  REQUIRE(first.status == RunStatus::kComplete);
  const auto a = read_run_file(first.path);
  std::filesystem::rename(first.path, first.path + ".first");
  const auto b = read_run_file(Runner(tiny(dir)).run().path);  // now reuses the stored pretrained model

  CHECK(a.attributes.at("status") == "complete");
  CHECK(a.attributes.at("run_id") == tiny(dir).run_id());
  CHECK(a.series.at("train/loss") == b.series.at("train/loss"));
  CHECK(a.series.at("train/grad_norm") == b.series.at("train/grad_norm"));
  // Every final value is identical (NaN where both are NaN) except the wall time.
  for (const auto& [name, value] : a.finals) {
    INFO(name);
    if (name != "wall_seconds")
      CHECK((value == b.finals.at(name) || (std::isnan(value) && std::isnan(b.finals.at(name)))));
  }
  CHECK(a.series.at("train/step").size() == 100);
  CHECK(a.series.at("eval/step") == std::vector<double>{0, 50, 100});
  for (const char* metric : {"w2",
                             "sliced_w2",
                             "mmd2",
                             "energy",
                             "nll",
                             "velocity_error",
                             "target_nll",
                             "path_length",
                             "kinetic_energy",
                             "straightness",
                             "path_ratio",
                             "adaptive_nfe",
                             "w2_euler_1",
                             "w2_euler_4",
                             "precision",
                             "recall",
                             "density",
                             "coverage",
                             "vendi",
                             "mean_pairwise_distance",
                             "reference_vendi"}) {
    INFO(metric);
    CHECK(a.series.at(std::string("eval/") + metric).size() == 3);
    CHECK(std::isfinite(a.finals.at(metric)));
  }
  const auto c = read_run_file(Runner(tiny(dir, {"seed=1"})).run().path);
  CHECK(c.series.at("train/loss") != a.series.at("train/loss"));

  // Final-only groups: no series, and the same final values (evaluation never draws from training's generators).
  const auto d =
      read_run_file(Runner(tiny(dir, {"eval.final_only=[euler_ladder, adaptive_nfe, diversity]"})).run().path);
  for (const char* metric : {"w2_euler_1", "w2_euler_4", "adaptive_nfe", "recall", "vendi"}) {
    INFO(metric);
    CHECK(d.series.count(std::string("eval/") + metric) == 0);
    CHECK(d.finals.at(metric) == a.finals.at(metric));
  }
  CHECK(d.series.at("eval/w2") == a.series.at("eval/w2"));
  CHECK_THROWS_WITH(Runner(tiny(dir, {"eval.final_only=[w2]"})),
                    Catch::Contains("eval.final_only") && Catch::Contains("stability.quality_metric"));
}

TEST_CASE("runs: divergence is recorded, not a crash, and interrupted files never look complete", "[run]") {
  const std::string dir = gftlab::testing::scratch_path("run_diverge");
  SECTION("a huge learning rate without clipping diverges; the file says so") {
    const auto result = Runner(tiny(dir, {"finetune.lr=1e12", "finetune.grad_clip=0"})).run();
    CHECK(result.status == RunStatus::kDiverged);
    CHECK(result.exit_code() == 3);
    const auto f = read_run_file(result.path);
    CHECK(f.attributes.at("status") == "diverged");
    const auto& loss = f.series.at("train/loss");
    REQUIRE(!loss.empty());
    CHECK(!std::isfinite(loss.back()));
    CHECK(f.finals.at("diverged_step") == Approx(f.series.at("train/step").back()));
    CHECK(f.finals.count("w2") == 0);
  }
  SECTION("a RunLog that is never committed leaves neither its final nor its temporary file") {
    const std::string path = dir + "/killed.h5";
    std::string temp;
    {
      RunLog log(path);
      temp = log.temp_path();
      log.append("train/loss", std::vector<double>{1.0, 2.0});
      log.flush();
      CHECK(std::filesystem::exists(temp));
      CHECK(!std::filesystem::exists(path));
    }
    CHECK(!std::filesystem::exists(path));
    CHECK(!std::filesystem::exists(temp));
  }
  SECTION("standard starts from the pretrained weights, scratch from a fresh initialisation") {
    const auto standard = read_run_file(Runner(tiny(dir)).run().path);
    const auto scratch = read_run_file(Runner(tiny(dir, {"method.name=scratch"})).run().path);
    const auto l2sp = read_run_file(Runner(tiny(dir, {"method.name=l2sp"})).run().path);
    CHECK(standard.attributes.count("pretrained_id") == 1);
    CHECK(scratch.attributes.count("pretrained_id") == 0);
    // At step 0 every method that starts from the pretrained weights evaluates the same model.
    CHECK(standard.series.at("eval/w2")[0] == l2sp.series.at("eval/w2")[0]);
    CHECK(standard.series.at("eval/w2")[0] != scratch.series.at("eval/w2")[0]);
  }
}

TEST_CASE("runs: gft at beta = 0 takes exactly the steps of standard fine-tuning", "[run][gft]") {
  const std::string dir = gftlab::testing::scratch_path("run_gft");
  const std::vector<std::string> fast = {"eval.metrics=[w2]", "eval.every=0"};
  auto with = [&](std::vector<std::string> o) {
    o.insert(o.end(), fast.begin(), fast.end());
    return o;
  };
  const auto standard = read_run_file(Runner(tiny(dir, with({}))).run().path);
  const auto constant_zero = read_run_file(
      Runner(tiny(dir, with({"method.name=gft", "method.schedule.kind=constant", "method.schedule.beta0=0"})))
          .run()
          .path);
  const auto annealed_at_once = read_run_file(
      Runner(tiny(dir, with({"method.name=gft", "method.schedule.kind=linear", "method.schedule.anneal_steps=0"})))
          .run()
          .path);
  for (const auto* gft : {&constant_zero, &annealed_at_once}) {
    CHECK(gft->series.at("train/loss") == standard.series.at("train/loss"));
    CHECK(gft->finals.at("w2") == standard.finals.at("w2"));
    CHECK(gft->series.at("train/beta") == std::vector<double>(100, 0.0));
  }
  // With beta > 0 the steps differ, and the stability summary is in the file.
  const auto gft = read_run_file(Runner(tiny(dir, with({"method.name=gft"}))).run().path);
  CHECK(gft.series.at("train/loss") != standard.series.at("train/loss"));
  CHECK(gft.series.at("train/beta").front() == 1.0);
  CHECK(gft.series.at("train/coupling_cost_ratio") == std::vector<double>(100, 1.0));
  CHECK(gft.finals.at("nonfinite_events") == 0.0);
  CHECK(gft.series.at("stability/loss_variance").size() == 100 - 50 + 1);
}

TEST_CASE("runtime: OpenBLAS runs the CPU's vector kernels, and its float GEMM is right", "[run]") {
  // main() called select_blas_kernel(); the SSE3 fall-back is what OpenBLAS 0.3.21 picks on CPUs it does not know.
  __builtin_cpu_init();
  if (!blas_core().empty() && !std::getenv("OPENBLAS_CORETYPE") && __builtin_cpu_supports("avx2"))
    CHECK(blas_core() != "Prescott");
  auto gen = make_generator(3);
  const auto a = at::randn({300, 200}, gen, at::kFloat), b = at::randn({200, 100}, gen, at::kFloat);
  const auto exact = at::matmul(a.to(at::kDouble), b.to(at::kDouble));
  CHECK((at::matmul(a, b).to(at::kDouble) - exact).abs().max().item<double>() < 1e-3);
}

TEST_CASE("content store: an artefact is made once, its sidecar read back exactly, nothing left half written",
          "[store]") {
  const ContentStore store(gftlab::testing::scratch_path("store"));
  int made = 0;
  const auto make = [&](const std::string& path) {
    ++made;
    std::ofstream(path) << "artefact";
    YAML::Node record;
    record["value"] = 0.1 + 0.2;  // not a short decimal: the sidecar must keep every digit
    record["name"] = "quoted: text";
    return record;
  };
  double value = 0;
  std::string name;
  const auto load = [&](const std::string& path, const YAML::Node& record) {
    CHECK(path == store.path("abc", ".pt"));
    value = record["value"].as<double>();
    name = record["name"].as<std::string>();
  };
  CHECK_FALSE(store.get_or_make("abc", load, make));
  CHECK(store.get_or_make("abc", load, make));
  CHECK(made == 1);
  CHECK(value == 0.1 + 0.2);
  CHECK(name == "quoted: text");
  std::set<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(gftlab::testing::scratch_path("store")))
    files.insert(entry.path().filename().string());
  CHECK(files == std::set<std::string>{"abc.lock", "abc.pt", "abc.yaml"});
  // An artefact without its sidecar (an older store's crash between the two files) is made again.
  std::filesystem::remove(store.path("abc", ".yaml"));
  CHECK_FALSE(store.get_or_make("abc", load, make));
  CHECK(made == 2);
}

TEST_CASE("TensorBoard events: CRC-32C, per-step series paired with their steps, a resume keeps what came before",
          "[run][tensorboard]") {
  CHECK(crc32c("123456789", 9) == 0xe3069283u);  // the CRC-32C check value
  const auto dir = gftlab::testing::scratch_path("events");
  {
    EventFile events(dir);
    events.series("train/step", std::vector<int64_t>{1, 2, 3});
    events.series("train/loss", std::vector<double>{0.5, 0.25, 0.125});
    events.series("train/probe", std::vector<double>{1.0, 2.0});         // not one value per step: no events
    events.series("stability/loss_variance", std::vector<double>{1.0});  // not a per-step group: no events
  }
  const auto path = dir + "/events.out.tfevents.gftlab";
  auto records = read_event_records(path);
  REQUIRE(records.size() == 4);  // the file version, then one scalar per step
  CHECK(records[0].first == 0);
  CHECK(records[3].first == 3);
  {
    EventFile resumed(dir, 2);  // continued from a checkpoint at step 2: step 3 is written again by the run
    resumed.series("train/step", std::vector<int64_t>{3});
    resumed.series("train/loss", std::vector<double>{0.125});
  }
  records = read_event_records(path);
  REQUIRE(records.size() == 4);
  CHECK(records[1].first == 1);
  CHECK(records[2].first == 2);
  CHECK(records[3].first == 3);
  std::ofstream(path, std::ios::app) << "partial";  // a run killed while writing: its last record is cut
  CHECK(read_event_records(path).size() == 4);
}
