#include "testing.h"

#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "sweep/sweep_plan.h"

using namespace gftlab;

namespace {

std::string describe_point(const std::vector<std::pair<std::string, std::string>>& point) {
  std::string out;
  for (const auto& [key, value] : point) out += (out.empty() ? "" : " ") + key + "=" + value;
  return out;
}

// The experiment files of this process (ctest runs each case in its own), in its scratch directory.
std::string files_dir() { return gftlab::testing::scratch_path("sweep_files"); }

// Writes an experiment file beside a base config and returns its path. Planning writes nothing: the results
// root that the cases pass is only a name.
std::string experiment(const std::string& name, const std::string& body) {
  const std::string dir = files_dir();
  std::filesystem::create_directories(dir + "/blocks");
  std::ofstream(dir + "/blocks/base.yaml") << "target:\n  kind: checkerboard\nfinetune:\n  steps: 50\n";
  const std::string path = dir + "/" + name + ".yaml";
  std::ofstream(path) << body;
  return path;
}

const std::string kProfiles = "profiles:\n  smoke: {finetune.steps: 5}\n  quick: {}\n  paper: {seeds: 3}\n";

}  // namespace

TEST_CASE("sweeps: expansion counts, layering and stable run_ids", "[sweep]") {
  const auto file =
      experiment("expand",
                 "base: [blocks/base.yaml]\n"
                 "set: {model.width: 64}\n"
                 "arms:\n  gft: {method: {name: gft, schedule: {beta0: 2}}}\n  standard: {method.name: standard}\n"
                 "grid:\n  target.n_train: [128, 256, 512]\n  path.sigma: [0.0, 0.1]\n"
                 "zip:\n  model.depth: [2, 3]\n  model.activation: [relu, gelu]\n"
                 "seeds: 2\n" +
                     kProfiles);
  const auto plan = plan_sweep(file, "quick", {}, "test_sweep_results");
  CHECK(plan.experiment == "expand");
  CHECK(plan.directory == "test_sweep_results/expand/quick");
  REQUIRE(plan.runs.size() == 2 * 3 * 2 * 2 * 2);  // arms x grid x grid x zip x seeds
  const auto& first = plan.runs.front();
  CHECK(first.arm == "gft");
  CHECK(first.config.get_string("target.kind") == "checkerboard");  // base
  CHECK(first.config.get_int("model.width") == 64);                 // set
  CHECK(first.config.get_float("method.schedule.beta0") == 2.0);    // arm, nested form
  CHECK(first.config.get_string("output.dir") == "test_sweep_results/expand/quick/runs");
  // zip varies in lockstep: depth 2 always with relu, 3 with gelu.
  for (const auto& run : plan.runs)
    CHECK((run.config.get_int("model.depth") == 2) == (run.config.get_string("model.activation") == "relu"));

  // The same file gives the same run_ids; a profile or override that changes configs gives new ones.
  const auto again = plan_sweep(file, "quick", {}, "elsewhere");
  for (size_t k = 0; k < plan.runs.size(); ++k) REQUIRE(again.runs[k].run_id == plan.runs[k].run_id);
  CHECK(plan_sweep(file, "smoke", {}, "x").runs.front().run_id != first.run_id);
  CHECK(plan_sweep(file, "quick", {"finetune.lr=1e-4"}, "x").runs.front().run_id != first.run_id);
  CHECK(plan_sweep(file, "paper", {}, "x").runs.size() == 2 * 3 * 2 * 2 * 3);  // the profile's seeds

  SECTION("an arm that drops a grid axis runs only at its own value of it") {
    const auto dropping = experiment("drop",
                                     "arms:\n  standard: {method.name: standard}\n"
                                     "  reward: {method.name: adjoint_matching, drop: [coupling.kind]}\n"
                                     "grid:\n  coupling.kind: [ot, independent]\n  target.n_train: [64, 128]\n"
                                     "seeds: 2\n" +
                                         kProfiles);
    const auto p = plan_sweep(dropping, "quick", {}, "x");
    REQUIRE(p.runs.size() == 2 * 2 * 2 + 2 * 2);
    std::set<std::string> reward_points;
    for (const auto& run : p.runs)
      if (run.arm == "reward") {
        CHECK(run.config.get_string("coupling.kind") == "independent");
        reward_points.insert(describe_point(run.point));
      }
    CHECK(reward_points == std::set<std::string>{"coupling.kind=independent target.n_train=64",
                                                 "coupling.kind=independent target.n_train=128"});
  }

  SECTION("a profile's base files layer before the profile's own keys") {
    std::ofstream(files_dir() + "/blocks/profile.yaml") << "model:\n  width: 16\nfinetune:\n  steps: 3\n";
    const auto layered = experiment("layered",
                                    "base: [blocks/base.yaml]\nprofiles:\n  smoke: {base: [blocks/profile.yaml], "
                                    "finetune.steps: 7, seeds: [4]}\n  quick: {}\n  paper: {}\n");
    const auto smoke = plan_sweep(layered, "smoke", {}, "x");
    REQUIRE(smoke.runs.size() == 1);
    CHECK(smoke.runs[0].config.get_int("model.width") == 16);
    CHECK(smoke.runs[0].config.get_int("finetune.steps") == 7);
    CHECK(smoke.runs[0].seed == 4);
    CHECK(plan_sweep(layered, "quick", {}, "x").runs[0].config.get_int("model.width") == 256);
  }
  SECTION("a profile narrows grid axes to a subset of their values") {
    const auto narrowed = experiment("narrowed",
                                     "grid:\n  target.n_train: [128, 256, 512]\n  path.sigma: [0.0, 0.1]\n"
                                     "profiles:\n  smoke: {grid: {target.n_train: [256]}}\n  quick: {}\n  paper: {}\n");
    const auto smoke = plan_sweep(narrowed, "smoke", {}, "x");
    REQUIRE(smoke.runs.size() == 2);
    for (const auto& run : smoke.runs) CHECK(run.config.get_int("target.n_train") == 256);
    CHECK(plan_sweep(narrowed, "quick", {}, "x").runs.size() == 6);
    CHECK(plan_sweep(narrowed, "smoke", {}, "x").runs[0].run_id ==
          plan_sweep(narrowed, "quick", {}, "x").runs[2].run_id);
  }
  SECTION("a profile adjusts named arms over their own blocks, or skips them") {
    const auto adjusted =
        experiment("adjusted",
                   "arms:\n  a: {method.name: standard, finetune.steps: 9}\n  b: {method.name: scratch}\n"
                   "profiles:\n  smoke: {finetune.steps: 5, arms: {a: {finetune.steps: 2}}}\n"
                   "  quick: {skip_arms: [b]}\n  paper: {}\n");
    const auto smoke = plan_sweep(adjusted, "smoke", {}, "x");
    REQUIRE(smoke.runs.size() == 2);
    CHECK(smoke.runs[0].config.get_int("finetune.steps") == 2);  // the profile's arm block wins over the arm
    CHECK(smoke.runs[1].config.get_int("finetune.steps") == 5);  // other arms keep the profile's keys
    const auto quick = plan_sweep(adjusted, "quick", {}, "x");
    REQUIRE(quick.runs.size() == 1);  // arm b is skipped at this scale
    CHECK(quick.runs[0].arm == "a");
    CHECK(quick.runs[0].config.get_int("finetune.steps") == 9);
  }
  SECTION("the manifest and per-run configs reproduce every run_id") {
    write_manifest(plan);
    std::ifstream manifest(plan.directory + "/manifest.jsonl");
    std::string line;
    size_t lines = 0;
    while (std::getline(manifest, line)) ++lines;
    CHECK(lines == plan.runs.size());
    for (const auto& run : plan.runs)
      REQUIRE(Config::load(plan.directory + "/configs/" + run.run_id + ".yaml").run_id() == run.run_id);
  }
}

TEST_CASE("sweeps: strict validation names the experiment file, line and key path", "[sweep]") {
  const auto error_of = [](const std::string& body, const std::string& profile = "quick") {
    try {
      plan_sweep(experiment("bad", body), profile, {}, "x");
    } catch (const ConfigError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK_THAT(error_of("armz: {}\n" + kProfiles),
             Catch::Contains("bad.yaml:1: armz") && Catch::Contains("did you mean 'arms'"));
  CHECK_THAT(error_of("arms:\n  a: {method.nme: gft}\n" + kProfiles),
             Catch::Contains("bad.yaml:2") && Catch::Contains("arms.a.method.nme") && Catch::Contains("method.name"));
  CHECK_THAT(error_of("grid:\n  finetune.steps: [10, x]\n" + kProfiles),
             Catch::Contains("bad.yaml:2") && Catch::Contains("finetune.steps") && Catch::Contains("integer"));
  CHECK_THAT(error_of("zip:\n  model.depth: [2, 3]\n  model.width: [8]\n" + kProfiles),
             Catch::Contains("has 1 values"));
  CHECK_THAT(error_of("grid:\n  model.depth: []\n" + kProfiles), Catch::Contains("zero runs"));
  CHECK_THAT(
      error_of("arms:\n  r: {method.name: adjoint_matching}\ngrid:\n  coupling.kind: [independent, ot]\n" + kProfiles),
      Catch::Contains("bad.yaml:4") && Catch::Contains("`adjoint_matching` draws no target batches") &&
          Catch::Contains("drop: [coupling.kind]"));
  CHECK_THAT(error_of("arms:\n  r: {method.name: adjoint_matching, drop: [coupling]}\ngrid:\n  coupling.kind: [ot]\n" +
                      kProfiles),
             Catch::Contains("bad.yaml:2: arms.r.drop: 'coupling' is not a grid key; the grid's keys: coupling.kind"));
  CHECK_THAT(error_of("arms:\n  r: {method.name: adjoint_matching, drop: [coupling.kind]}\ngrid:\n  coupling.kind: "
                      "[ot, sinkhorn]\n" +
                      kProfiles),
             Catch::Contains("arms.r.drop: no grid point has the arm's own value"));
  CHECK_THAT(error_of("arms:\n  a: {seed: 1}\n  a: {seed: 2}\n" + kProfiles),
             Catch::Contains("bad.yaml:3: arms.a: the key is given twice in one mapping, on lines 2 and 3"));
  CHECK_THAT(error_of("arms:\n  a: {seed: 1}\n  b: {seed: 2}\nseeds: [0]\n" + kProfiles),
             Catch::Contains("same config") && Catch::Contains("arm a") && Catch::Contains("arm b"));
  CHECK_THAT(error_of("arms:\n  a: {model.width: 8}\n  b: {model.width: 8}\n" + kProfiles),
             Catch::Contains("same config"));
  CHECK_THAT(error_of("profiles:\n  quick: {}\n"), Catch::Contains("every experiment defines 'smoke'"));
  CHECK_THAT(error_of(kProfiles, "huge"), Catch::Contains("profile 'huge' is not defined"));
  CHECK_THAT(error_of("base: [blocks/nope.yaml]\n" + kProfiles), Catch::Contains("does not exist"));
  CHECK_THAT(error_of("seeds: -2\n" + kProfiles), Catch::Contains("seed count"));
  CHECK_THAT(
      error_of(
          "grid: {model.depth: [2, 3]}\nprofiles:\n  smoke: {grid: {model.depth: [4]}}\n  quick: {}\n  paper: {}\n",
          "smoke"),
      Catch::Contains("profiles.smoke.grid.model.depth") && Catch::Contains("not among the grid's values: 2, 3"));
  CHECK_THAT(
      error_of(
          "grid: {model.depth: [2, 3]}\nprofiles:\n  smoke: {grid: {model.width: [4]}}\n  quick: {}\n  paper: {}\n",
          "smoke"),
      Catch::Contains("not a grid key"));
  CHECK_THAT(
      error_of("arms:\n  alpha: {}\nprofiles:\n  smoke: {arms: {alpa: {model.width: 8}}}\n  quick: {}\n  paper: {}\n",
               "smoke"),
      Catch::Contains("profiles.smoke.arms.alpa") && Catch::Contains("did you mean 'alpha'"));
  CHECK_THAT(
      error_of("arms:\n  alpha: {}\nprofiles:\n  smoke: {skip_arms: [alpah]}\n  quick: {}\n  paper: {}\n", "smoke"),
      Catch::Contains("profiles.smoke.skip_arms") && Catch::Contains("did you mean 'alpha'"));
  CHECK_THAT(error_of("arms:\n  a: {}\nprofiles:\n  smoke: {arms: {a: {model.widht: 8}}}\n  quick: {}\n  paper: {}\n",
                      "smoke"),
             Catch::Contains("profiles.smoke.arms.a.model.widht") && Catch::Contains("model.width"));
  CHECK_THAT(error_of("profiles:\n  smoke: {base: [blocks/gone.yaml]}\n  quick: {}\n  paper: {}\n", "smoke"),
             Catch::Contains("bad.yaml:2: profiles.smoke.base") && Catch::Contains("does not exist"));
  // report: the baseline arm, its fixed grid point and the margin.
  const std::string two_arms =
      "arms:\n  a: {method.name: standard}\n  b: {method.name: gft}\ngrid: {method.schedule.beta0: [0, 2]}\n";
  CHECK_THAT(error_of(two_arms + "report: {baseline: c}\n" + kProfiles),
             Catch::Contains("bad.yaml:5: report.baseline") && Catch::Contains("'c' is not an arm"));
  CHECK_THAT(error_of(two_arms + "report: {baselin: a}\n" + kProfiles),
             Catch::Contains("report.baselin") && Catch::Contains("did you mean 'baseline'"));
  CHECK_THAT(error_of(two_arms + "report: {baseline: a, margins: {quality: 0.9}}\n" + kProfiles),
             Catch::Contains("report.margins.quality") && Catch::Contains("ratio above 1"));
  CHECK_THAT(error_of(two_arms + "report: {baseline: a, margins: {diversity: x}}\n" + kProfiles),
             Catch::Contains("report.margins.diversity") && Catch::Contains("(-1, 0)"));
  CHECK_THAT(error_of(two_arms + "report: {baseline: a, margins: {paths: 1.1}}\n" + kProfiles),
             Catch::Contains("report.margins.paths") && Catch::Contains("superiority claim"));
  CHECK_THAT(error_of(two_arms + "report: {baseline: a, primary: {stability: quality_variance_last}}\n" + kProfiles),
             Catch::Contains("report.primary.stability") && Catch::Contains("function_noise"));
  CHECK_THAT(error_of(two_arms + "report: {baseline: a, treatments: [a]}\n" + kProfiles),
             Catch::Contains("report.treatments") && Catch::Contains("is the baseline"));
  CHECK_THAT(error_of(two_arms + "report: {baseline: a, confirmatory: maybe}\n" + kProfiles),
             Catch::Contains("report.confirmatory") && Catch::Contains("true or false"));
  CHECK_THAT(error_of(two_arms + "report: {baseline: b, baseline_point: {method.schedule.beta0: 1}}\n" + kProfiles),
             Catch::Contains("report.baseline_point.method.schedule.beta0") && Catch::Contains("'1' is not among") &&
                 Catch::Contains("0, 2"));
  CHECK_THAT(error_of(two_arms + "report: {baseline: b, baseline_point: {model.width: 8}}\n" + kProfiles),
             Catch::Contains("report.baseline_point.model.width") && Catch::Contains("not a grid or zip key"));
  CHECK_THAT(error_of(two_arms + "report: {baseline_point: {method.schedule.beta0: 0}}\n" + kProfiles),
             Catch::Contains("needs report.baseline"));
  CHECK_THAT(
      error_of(two_arms + "report: {baseline: a}\nprofiles:\n  smoke: {}\n  quick: {skip_arms: [a]}\n  paper: {}\n"),
      Catch::Contains("report.baseline") && Catch::Contains("not run at profile quick"));
}

TEST_CASE("sweeps: the report block declares the baseline, its fixed point, the treatments and the margins",
          "[sweep]") {
  const auto file = experiment("report",
                               "arms:\n  a: {method.name: gft, method.schedule.kind: cosine}\n"
                               "  b: {method.name: standard}\n"
                               "grid: {method.schedule.beta0: [0, 2], target.n_train: [64, 128]}\n"
                               "report: {baseline: a, baseline_point: {method.schedule.beta0: 0},\n"
                               "         margins: {quality: 1.1}}\nseeds: 3\n" +
                                   kProfiles);
  const auto plan = plan_sweep(file, "quick", {}, "x");
  CHECK(plan.report.baseline == "a");
  CHECK(plan.report.baseline_point == std::vector<std::pair<std::string, std::string>>{{"method.schedule.beta0", "0"}});
  CHECK(plan.report.margins.at("quality") == 1.1);
  CHECK(plan.report.margins.at("speed") == 1.25);  // the defaults of the claims the paper calls "maintained"
  CHECK(plan.report.margins.at("diversity") == -0.05);
  CHECK(plan.report.primary.at("stability") == "function_noise");
  // The annealed gft arm against itself at beta0 = 0: the treatment at the two points beta0 = 2 (n_train 64, 128).
  CHECK(plan.report.treatments == std::vector<std::string>{"a"});
  CHECK(plan.report.family_size == 2 * 5);
  CHECK(plan.report.seeds == 3);
  CHECK_FALSE(plan.report.can_decide());  // 2^(1-3) x 10 = 2.5 > 0.05
  CHECK_THAT(plan.report.family_line(), Catch::Contains("family of 10 tests") && Catch::Contains("exploratory"));
  const auto none =
      plan_sweep(experiment("noreport", "arms:\n  a: {method.name: gft}\n" + kProfiles), "quick", {}, "x");
  CHECK(none.report.baseline.empty());
  CHECK(none.report.treatments.empty());
}

TEST_CASE("sweeps: default treatments are annealed gft arms, reference arms run reference_seeds seeds", "[sweep]") {
  const auto file = experiment("roles",
                               "arms:\n  g: {method.name: gft, method.schedule.kind: cosine}\n"
                               "  k: {method.name: gft, method.schedule.kind: constant}\n"
                               "  s: {method.name: standard}\n  z: {method.name: scratch}\n"
                               "report: {baseline: s}\nseeds: 10\n"
                               "profiles:\n  smoke: {}\n  quick: {reference_seeds: 3}\n  paper: {}\n");
  const auto plan = plan_sweep(file, "quick", {}, "x");
  CHECK(plan.report.treatments == std::vector<std::string>{"g"});  // constant beta is the KL-regularised baseline
  std::map<std::string, int> runs;
  for (const auto& run : plan.runs) ++runs[run.arm];
  CHECK(runs == std::map<std::string, int>{{"g", 10}, {"k", 3}, {"s", 10}, {"z", 3}});
  CHECK(plan.report.can_decide());  // 2^-9 x 5 <= 0.05
  CHECK_THAT(plan.report.family_line(), Catch::Contains("confirmatory"));
  const auto declared = experiment("declared",
                                   "arms:\n  g: {method.name: gft, method.schedule.kind: cosine}\n"
                                   "  k: {method.name: gft, method.schedule.kind: constant}\n"
                                   "  s: {method.name: standard}\n"
                                   "report: {baseline: s, treatments: [k], confirmatory: false}\nseeds: 10\n" +
                                       kProfiles);
  const auto p2 = plan_sweep(declared, "quick", {}, "x");
  CHECK(p2.report.treatments == std::vector<std::string>{"k"});
  CHECK_THAT(p2.report.family_line(), Catch::Contains("exploratory (declared"));
}

TEST_CASE("sweeps: every shipped experiment plans at every profile, with at least 5 seeds at paper scale", "[sweep]") {
  const auto dir = std::filesystem::path(GFTLAB_TEST_DIR).parent_path() / "experiments";
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    ++files;
    for (const auto& profile : required_profiles()) {
      INFO(entry.path().string() << " --profile " << profile);
      const auto plan = plan_sweep(entry.path().string(), profile, {}, "x");
      CHECK(!plan.report.baseline.empty());  // every report compares against a declared baseline
      std::set<int64_t> seeds;
      for (const auto& run : plan.runs) seeds.insert(run.seed);
      if (profile == "paper") CHECK(seeds.size() >= 5);
      // The experiments behind the claims table: a confirmatory family at the quick profile, whose treatment and
      // baseline run at least 10 seeds.
      const bool claims =
          plan.experiment == "toy_shift" || plan.experiment == "gmm_shift" || plan.experiment == "fmnist_shift";
      if (profile == "quick" && claims) {
        CHECK(plan.report.treatments.size() == 1);
        CHECK(plan.report.seeds >= 10);
        CHECK(plan.report.can_decide());
      }
    }
  }
  CHECK(files >= 5);
}
