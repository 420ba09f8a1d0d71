#include "sweep/slurm_jobs.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "core/runtime.h"
#include "io/json_line.h"
#include "sweep/child_process.h"
#include "sweep/local_runner.h"
#include "sweep/slurm_script.h"

namespace gftlab {
namespace {

namespace fs = std::filesystem;

const std::set<std::string> kFinished = {"COMPLETED",     "CANCELLED", "FAILED",      "TIMEOUT",
                                         "NODE_FAIL",     "PREEMPTED", "BOOT_FAIL",   "DEADLINE",
                                         "OUT_OF_MEMORY", "REVOKED",   "SPECIAL_EXIT"};

std::string sbatch(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"sbatch", "--parsable"};
  argv.insert(argv.end(), args.begin(), args.end());
  const auto r = run_command(argv, true);
  if (r.code == 127)
    throw std::runtime_error(
        "sbatch not found: run `gftlab sweep submit` where SLURM's client "
        "commands are (a login node; Debian: slurm-client)");
  if (r.code != 0) throw std::runtime_error(fmt::format("sbatch failed (exit {}): {}", r.code, r.err));
  // --parsable prints "<job id>[;<cluster>]".
  const auto id = r.out.substr(0, r.out.find_first_of(";\n"));
  if (id.empty() || id.find_first_not_of("0123456789") != std::string::npos)
    throw std::runtime_error("sbatch printed no job id: " + r.out);
  return id;
}

void write_file(const fs::path& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

// sacct waits a long time for a database that a cluster without accounting does not have: ask first.
bool cluster_keeps_accounting() {
  const auto r = run_command({"scontrol", "show", "config"}, true);
  std::istringstream in(r.out);
  for (std::string line; std::getline(in, line);)
    if (line.rfind("AccountingStorageType", 0) == 0) return line.find("accounting_storage/none") == std::string::npos;
  return false;
}

// job id (12, 12_3) -> state, from `squeue` (and `sacct` with `accounting`); empty when unavailable.
std::map<std::string, std::string> query_states(const std::vector<std::string>& jobs, bool accounting) {
  std::map<std::string, std::string> states;
  if (jobs.empty()) return states;
  const auto list = fmt::format("{}", fmt::join(jobs, ","));
  const auto parse = [&](const std::string& text, bool overwrite) {
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
      const auto bar = line.find('|');
      if (bar == std::string::npos) continue;
      const auto state = line.substr(bar + 1, line.find(' ', bar) - bar - 1);  // "CANCELLED by 0" -> CANCELLED
      if (overwrite || !states.count(line.substr(0, bar))) states[line.substr(0, bar)] = state;
    }
  };
  if (accounting && cluster_keeps_accounting()) {
    const auto r = run_command({"sacct", "-n", "-P", "-X", "-j", list, "-o", "JobID,State"}, true);
    if (r.code == 0) parse(r.out, true);
  }
  const auto r = run_command({"squeue", "-h", "-r", "-j", list, "-o", "%i|%T"}, true);
  if (r.code == 0) parse(r.out, true);  // squeue knows best about jobs it still lists
  return states;
}

}  // namespace

Submission submit_sweep(const SweepPlan& plan, const SubmitSettings& settings) {
  const auto options = resolve_slurm_options(plan.slurm, settings.options);
  const auto previous = read_submissions(plan.directory);
  const auto states = slurm_run_states(previous);
  Submission sub;
  sub.number = previous.empty() ? 1 : previous.back().number + 1;
  sub.runs_per_task = options.runs_per_task;
  std::vector<const PlannedRun*> runs;
  for (const auto& e : sweep_status(plan)) {
    const auto it = states.find(e.run->run_id);
    const bool queued = it != states.end() && it->second.active;
    if ((e.state == RunState::kPending || e.state == RunState::kFailed) && !queued) {
      runs.push_back(e.run);
      sub.run_ids.push_back(e.run->run_id);
    }
  }
  if (runs.empty()) return sub;

  const fs::path dir = fs::path(plan.directory) / "slurm";
  fs::create_directories(dir / "logs");
  write_manifest(plan);
  sub.manifest = (dir / fmt::format("array-{}.jsonl", sub.number)).string();
  sub.array_script = (dir / fmt::format("array-{}.sbatch", sub.number)).string();
  sub.collect_script = (dir / fmt::format("collect-{}.sbatch", sub.number)).string();
  write_array_manifest(plan, runs, sub.manifest);

  const auto tasks = static_cast<int64_t>((runs.size() + options.runs_per_task - 1) / options.runs_per_task);
  const std::string name = "gftlab-" + plan.experiment + "-" + plan.profile;
  const std::string workdir = fs::current_path().string(), exe = self_executable();
  ArrayJob array{
      name,
      fmt::format("experiment {}, profile {}, {} runs in {} tasks", plan.experiment, plan.profile, runs.size(), tasks),
      exe,
      workdir,
      sub.manifest,
      (dir / "logs").string(),
      tasks};
  write_file(sub.array_script, array_script(array, options));
  CollectJob collect{name + "-collect",
                     exe,
                     workdir,
                     (dir / "logs").string(),
                     fs::absolute(settings.experiment_file).string(),
                     plan.profile,
                     settings.overrides};
  write_file(sub.collect_script, collect_script(collect, options));
  if (settings.dry_run) return sub;

  sub.array_job = sbatch({"--chdir=" + workdir, sub.array_script});
  sub.collect_job = sbatch({"--chdir=" + workdir, "--dependency=afterany:" + sub.array_job, sub.collect_script});
  std::ofstream log(dir / "submissions.jsonl", std::ios::app);
  log << JsonLine()
             .add("number", sub.number)
             .add("array_job", sub.array_job)
             .add("collect_job", sub.collect_job)
             .add("manifest", sub.manifest)
             .add("runs_per_task", sub.runs_per_task)
             .add("submitted", utc_now_iso8601())
             .add("runs", sub.run_ids)
             .str();
  if (!log) throw std::runtime_error("cannot record the submission in " + (dir / "submissions.jsonl").string());
  return sub;
}

std::vector<Submission> read_submissions(const std::string& sweep_dir) {
  std::vector<Submission> out;
  const auto path = fs::path(sweep_dir) / "slurm" / "submissions.jsonl";
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    const YAML::Node node = YAML::Load(line);
    Submission s;
    s.number = node["number"].as<int64_t>();
    s.array_job = node["array_job"].as<std::string>();
    s.collect_job = node["collect_job"].as<std::string>();
    s.manifest = node["manifest"].as<std::string>();
    s.runs_per_task = node["runs_per_task"].as<int64_t>();
    for (const auto& id : node["runs"]) s.run_ids.push_back(id.as<std::string>());
    out.push_back(std::move(s));
  }
  return out;
}

std::map<std::string, TaskState> slurm_run_states(const std::vector<Submission>& submissions) {
  std::map<std::string, TaskState> out;
  if (submissions.empty()) return out;
  std::vector<std::string> jobs;
  for (const auto& s : submissions) jobs.push_back(s.array_job);
  const auto states = query_states(jobs, true);
  for (const auto& s : submissions)  // later submissions cover a run again: theirs is the state that counts
    for (size_t k = 0; k < s.run_ids.size(); ++k) {
      TaskState t;
      t.task = fmt::format("{}_{}", s.array_job, k / static_cast<size_t>(s.runs_per_task));
      const auto it = states.find(t.task);
      t.state = it == states.end() ? "unknown" : it->second;
      t.active = it != states.end() && !kFinished.count(it->second);
      out[s.run_ids[k]] = t;
    }
  return out;
}

void wait_for_jobs(const std::vector<std::string>& job_ids) {
  const auto list = fmt::format("{}", fmt::join(job_ids, ","));
  for (;;) {
    const auto r = run_command({"squeue", "-h", "-r", "-j", list, "-o", "%T"}, true);
    if (r.code == 127) throw std::runtime_error("squeue not found: cannot wait for the jobs");
    if (r.code != 0 && r.err.find("Invalid job id") != std::string::npos) return;  // gone from the controller
    if (r.code == 0) {
      std::istringstream in(r.out);
      bool active = false;
      for (std::string state; std::getline(in, state);) active = active || !kFinished.count(state);
      if (!active) return;
    }
    std::this_thread::sleep_for(std::chrono::seconds(5));
  }
}

}  // namespace gftlab
