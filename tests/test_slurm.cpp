#include "testing.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/config.h"
#include "sweep/child_process.h"
#include "sweep/slurm_script.h"
#include "sweep/slurm_worker.h"
#include "sweep/sweep_plan.h"

using namespace gftlab;
namespace fs = std::filesystem;

namespace {

// Values that would run code or break a line if they reached a script unquoted.
const std::vector<std::string> kNasty = {"it's",          "say \"hi\"",        "$(touch pwned)",
                                         "`touch pwned`", "a\nb; touch pwned", "\\ back\\slash",
                                         "$HOME ${x} *",  "../../etc/passwd"};

std::vector<std::string> read_nul_separated(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<std::string> out;
  for (std::string item; std::getline(in, item, '\0');) out.push_back(item);
  return out;
}

// A directory whose own name needs quoting, holding a fake `gftlab` that writes its arguments (NUL-separated)
// to args.bin and exits with $FAKE_EXIT, and a fake `scontrol` that records its arguments.
fs::path fake_tools() {
  const fs::path dir = fs::path(gftlab::testing::scratch_path("slurm_scripts")) / "we'ird $(touch pwned) dir";
  fs::remove_all(dir.parent_path());
  fs::create_directories(dir);
  std::ofstream(dir / "gftlab")
      << "#!/bin/bash\nprintf '%s\\0' \"$@\" > \"$FAKE_DIR/args.bin\"\nexit ${FAKE_EXIT:-0}\n";
  std::ofstream(dir / "scontrol") << "#!/bin/bash\nprintf '%s\\0' \"$@\" > \"$FAKE_DIR/scontrol.bin\"\n";
  fs::permissions(dir / "gftlab", fs::perms::owner_all);
  fs::permissions(dir / "scontrol", fs::perms::owner_all);
  return dir;
}

CommandResult run_script(const fs::path& dir, const std::string& script, const std::string& exit_code) {
  std::ofstream(dir / "job.sh") << script;
  return run_command(
      {"env", "FAKE_DIR=" + dir.string(), "FAKE_EXIT=" + exit_code, "SLURM_ARRAY_TASK_ID=3", "SLURM_JOB_ID=77",
       "SLURM_ARRAY_JOB_ID=70", "PATH=" + dir.string() + ":/usr/bin:/bin", "/bin/bash", (dir / "job.sh").string()},
      true);
}

SlurmBlock block(std::map<std::string, std::string> options, std::vector<std::string> sbatch = {},
                 std::vector<std::string> setup = {}) {
  return SlurmBlock{std::move(options), std::move(sbatch), std::move(setup)};
}

}  // namespace

TEST_CASE("slurm scripts: quoted values reach the programs exactly, and run nothing", "[slurm]") {
  for (const auto& value : kNasty) {
    const auto r = run_command({"/bin/bash", "-c", "printf %s " + shell_quote(value)}, true);
    CHECK(r.out == value);
  }
  const auto dir = fake_tools();
  CollectJob collect{"gftlab-x-smoke-collect",
                     (dir / "gftlab").string(),
                     dir.string(),
                     "results/x/smoke/slurm/logs",
                     "/exp/it's $(x).yaml",
                     "smoke",
                     kNasty};
  const auto script = collect_script(collect, resolve_slurm_options(block({}), {}));
  REQUIRE(run_script(dir, script, "0").code == 0);
  std::vector<std::string> expected = {"sweep", "collect", "/exp/it's $(x).yaml", "--profile", "smoke"};
  expected.insert(expected.end(), kNasty.begin(), kNasty.end());
  CHECK(read_nul_separated((dir / "args.bin").string()) == expected);

  ArrayJob array{"gftlab-x-smoke",
                 "experiment x",
                 (dir / "gftlab").string(),
                 dir.string(),
                 "results/x/smoke/slurm/array-1.jsonl",
                 "results/x/smoke/slurm/logs",
                 4};
  const auto options = resolve_slurm_options(block({{"runs_per_task", "2"}, {"max_parallel", "3"}}), {});
  const auto array_text = array_script(array, options);
  CHECK(array_text.find("#SBATCH --array=0-3%3\n") != std::string::npos);
  CHECK(array_text.find("#SBATCH --signal=B:USR1@300\n") != std::string::npos);
  CHECK(array_text.find("#SBATCH --output=results/x/smoke/slurm/logs/%A_%a.out\n") != std::string::npos);
  CHECK(array_text.find("export HDF5_USE_FILE_LOCKING=FALSE\n") != std::string::npos);
  REQUIRE(run_script(dir, array_text, "0").code == 0);
  CHECK(read_nul_separated((dir / "args.bin").string()) ==
        std::vector<std::string>{"sweep", "worker", "--manifest", "results/x/smoke/slurm/array-1.jsonl", "--index", "3",
                                 "--runs-per-task", "2"});
  CHECK_FALSE(fs::exists(dir / "scontrol.bin"));
  // Exit 4 (a checkpointed run): the task requeues itself, by its own job id, and reports 4.
  CHECK(run_script(dir, array_text, "4").code == 4);
  CHECK(read_nul_separated((dir / "scontrol.bin").string()) == std::vector<std::string>{"requeue", "77"});
  CHECK_FALSE(fs::exists("pwned"));
  CHECK_FALSE(fs::exists(dir / "pwned"));
}

TEST_CASE("slurm options: strict values, what is allowed named, reserved options refused", "[slurm]") {
  const auto o = resolve_slurm_options(block({{"partition", "gpu,cpu"}, {"time", "1-12:00:00"}, {"mem", "16G"}},
                                             {"--gres=gpu:1", "--constraint=\"a&b\""}, {"module load cuda/12"}),
                                       {{"cpus_per_task", "8"}, {"time", "04:00:00"}});
  CHECK(o.partition == "gpu,cpu");
  CHECK(o.time == "04:00:00");  // the command line wins over the experiment's block
  CHECK(o.cpus_per_task == 8);
  CHECK(o.sbatch.size() == 2);
  const auto rejects = [](const std::string& key, const std::string& value, const std::string& message) {
    try {
      resolve_slurm_options(block({}), {{key, value}});
      FAIL("accepted " << key << "=" << value);
    } catch (const ConfigError& e) {
      CHECK_THAT(e.what(), Catch::Contains("slurm." + key) && Catch::Contains(message));
    }
  };
  for (const auto& value : kNasty) rejects("partition", value, "partition names");
  rejects("time", "1h", "SLURM time");
  rejects("time", "10\n#SBATCH --uid=0", "SLURM time");
  rejects("mem", "4GB; rm -rf /", "a size");
  rejects("cpus_per_task", "0", "[1, 4096]");
  rejects("cpus_per_task", "2 --uid=0", "[1, 4096]");
  rejects("signal_seconds", "70000", "[1, 65535]");
  rejects("gpus_per_task", "1 --uid=0", "a GPU count");
  rejects("gres", "gpu:1\n#SBATCH --uid=0", "generic resources");
  // GPUs: checked like the others, and on the array's #SBATCH lines.
  const auto gpu = resolve_slurm_options(block({{"gres", "gpu:a100:2"}}), {{"gpus_per_task", "a100:1"}});
  CHECK(gpu.gres == "gpu:a100:2");
  CHECK(gpu.gpus_per_task == "a100:1");
  const std::string script = array_script({"sweep", "a sweep", "/opt/gftlab", "/work", "array.jsonl", "logs", 2}, gpu);
  CHECK_THAT(script,
             Catch::Contains("#SBATCH --gpus-per-task=a100:1\n") && Catch::Contains("#SBATCH --gres=gpu:a100:2\n"));
  CHECK_THAT(array_script({"sweep", "a sweep", "/opt/gftlab", "/work", "array.jsonl", "logs", 2},
                          resolve_slurm_options(block({}), {})),
             !Catch::Contains("--gpus-per-task") && !Catch::Contains("--gres="));
  const auto rejects_block = [](const SlurmBlock& b, const std::string& message) {
    CHECK_THROWS_WITH(resolve_slurm_options(b, {}), Catch::Contains(message));
  };
  rejects_block(block({}, {"--gres=gpu:1\n#SBATCH --uid=0"}), "one sbatch option per entry");
  rejects_block(block({}, {"echo hi"}), "one sbatch option per entry");
  rejects_block(block({}, {"--array=0-99"}), "gftlab sets it");
  rejects_block(block({}, {"--output=/etc/x"}), "gftlab sets it");
  rejects_block(block({}, {}, {"module load a\nrm -rf /"}), "one shell line per entry");
}

TEST_CASE("slurm worker: a task given GPUs runs its runs with device=cuda", "[slurm]") {
  const char* saved = std::getenv("CUDA_VISIBLE_DEVICES");
  const std::string before = saved ? saved : "";
  for (const auto& [value, device] : std::vector<std::pair<std::string, std::string>>{
           {"0", "cuda"}, {"2,3", "cuda"}, {"", ""}, {"-1", ""}, {"NoDevFiles", ""}}) {
    setenv("CUDA_VISIBLE_DEVICES", value.c_str(), 1);
    CHECK(slurm_task_device() == device);
  }
  unsetenv("CUDA_VISIBLE_DEVICES");
  CHECK(slurm_task_device().empty());
  if (saved) setenv("CUDA_VISIBLE_DEVICES", before.c_str(), 1);
}

TEST_CASE("slurm: unsafe experiment, profile and arm names and output paths stop the plan", "[slurm][sweep]") {
  const std::string file = gftlab::testing::scratch_path("exp.yaml");
  const auto plan_of = [&file](const std::string& body, const std::string& profile = "smoke") {
    std::ofstream(file) << body;
    return plan_sweep(file, profile, {}, "test_slurm_results");
  };
  const std::string profiles = "profiles: {smoke: {}, quick: {}, paper: {}}\n";
  for (const std::string name : {"../escape", "a b", "x$(touch pwned)", "`id`", "'q'", ".hidden"})
    CHECK_THROWS_WITH(plan_of("name: \"" + name + "\"\n" + profiles), Catch::Contains("is not a safe name"));
  CHECK_THROWS_WITH(plan_of("arms: {\"../x\": {method.name: gft}}\n" + profiles), Catch::Contains("arms.../x"));
  CHECK_THROWS_WITH(plan_of("arms: {\"a\\nb\": {method.name: gft}}\n" + profiles), Catch::Contains("not a safe name"));
  CHECK_THROWS_WITH(plan_of("name: ok\nprofiles: {smoke: {}, quick: {}, paper: {}, \"../p\": {}}\n", "../p"),
                    Catch::Contains("not a safe name"));
  CHECK_THROWS_WITH(plan_of("name: ok\narms: {a: {output.dir: /tmp/elsewhere}}\n" + profiles),
                    Catch::Contains("exp.yaml:2: arms.a.output.dir: is set by the sweep"));
  std::ofstream(file) << "name: ok\n" + profiles;
  CHECK_THROWS_WITH(plan_sweep(file, "smoke", {"output.file=../../x.h5"}, "r"),
                    Catch::Contains("output.file is set by the sweep"));
  CHECK_THROWS_WITH(plan_of("name: ok\nslurm: {partiton: gpu}\n" + profiles),
                    Catch::Contains("did you mean 'partition'"));
  const auto plan = plan_of(
      "name: ok\nslurm: {partition: a, setup: [module load x]}\n"
      "profiles: {smoke: {slurm: {partition: b, time: '10'}}, quick: {}, paper: {}}\n");
  CHECK(plan.slurm.options.at("partition") == "b");
  CHECK(plan.slurm.options.at("time") == "10");
  CHECK(plan.slurm.setup == std::vector<std::string>{"module load x"});
}
