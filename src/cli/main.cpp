// gftlab command line. Exit codes: 0 success, 1 runtime failure, 2 bad usage or configuration,
// 3 the run diverged (its file is still written, with status "diverged"), 4 stopped by a signal after writing
// a checkpoint (the same command continues it).
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdio>
#include <fmt/format.h>
#include <iostream>

#include "cli/commands.h"
#include "core/config.h"
#include "core/runtime.h"
#include "core/stop_signal.h"
#include "run/config_schema.h"

int main(int argc, char** argv) {
  using namespace gftlab;
  start_program();
  CLI::App app{"gftlab: reproducible fine-tuning experiments for flow-matching models"};
  app.require_subcommand(1);
  int threads = 0;
  app.add_option("--threads", threads, "intra-op threads (default: the config's `threads`, 0 = all cores)")
      ->check(CLI::NonNegativeNumber);

  RunArgs run_args;
  auto* run = app.add_subcommand("run", "pretrain (or reuse) and fine-tune one configuration; write its run file");
  run->add_option("config", run_args.config, "run configuration (YAML)")->required()->check(CLI::ExistingFile);
  run->add_option("overrides", run_args.overrides, "key=value overrides with dotted key paths");
  run->add_option("--out", run_args.out, "run-file path (default <output.dir>/<run_id>.h5)");

  RunArgs pretrain_args;
  auto* pretrain =
      app.add_subcommand("pretrain", "pretrain (or find in the store) the model a configuration fine-tunes");
  pretrain->add_option("config", pretrain_args.config, "run configuration (YAML)")
      ->required()
      ->check(CLI::ExistingFile);
  pretrain->add_option("overrides", pretrain_args.overrides, "key=value overrides with dotted key paths");

  ConfigArgs config_args;
  auto* config = app.add_subcommand("config", "print the resolved configuration and its run_id");
  config->add_option("config", config_args.config, "run configuration (YAML); omit for the defaults");
  config->add_option("overrides", config_args.overrides, "key=value overrides");
  config->add_flag("--reference", config_args.reference, "print the reference of every key (Markdown)");

  ConfigArgs features_args;
  auto* features =
      app.add_subcommand("features", "train (or find) the image feature network of FD; print its accuracy");
  features->add_option("config", features_args.config,
                       "run configuration (YAML) with features.* keys; omit for the defaults");
  features->add_option("overrides", features_args.overrides, "key=value overrides");

  SweepArgs sweep_args;
  auto* sweep = app.add_subcommand("sweep", "expand and run experiment sweeps (experiments/*.yaml)");
  sweep->require_subcommand(1);
  auto* plan = sweep->add_subcommand("plan", "resolve every run of a sweep, write its manifest, print a table");
  plan->add_option("experiment", sweep_args.experiment, "experiment file (YAML)")->required()->check(CLI::ExistingFile);
  plan->add_option("overrides", sweep_args.overrides, "key=value overrides applied to every run");
  plan->add_option("--profile", sweep_args.profile, "profile: smoke, quick (default) or paper");
  plan->add_flag("--dry-run", sweep_args.dry_run, "print the table without writing the manifest");
  auto* sweep_run = sweep->add_subcommand("run", "run a sweep's missing runs locally; skips what is complete");
  auto* status = sweep->add_subcommand("status", "complete / diverged / failed / pending counts of a sweep");
  auto* collect = sweep->add_subcommand("collect", "write summary.h5: a link to every run file and a flat table");
  auto* report = app.add_subcommand("report", "collect a sweep and draw its figures and report.md (Python analysis)");
  auto* submit = sweep->add_subcommand("submit",
                                       "submit a sweep's missing runs to SLURM as a job array, then a "
                                       "dependent collect job");
  auto* resume = sweep->add_subcommand("resume", "continue a sweep: its unfinished runs, locally or as a SLURM array");
  auto* worker = sweep->add_subcommand("worker", "run one SLURM array task's runs (what the array script calls)");
  for (auto* sub : {sweep_run, status, collect, report, submit, resume}) {
    sub->add_option("experiment", sweep_args.experiment, "experiment file (YAML)")
        ->required()
        ->check(CLI::ExistingFile);
    sub->add_option("overrides", sweep_args.overrides, "key=value overrides applied to every run");
    sub->add_option("--profile", sweep_args.profile, "profile: smoke, quick (default) or paper");
  }
  for (auto* sub : {plan, sweep_run, status, collect, report, submit, resume})
    sub->add_option("--max-runs", sweep_args.max_runs, "refuse a sweep of more runs than this (default 100000)")
        ->check(CLI::PositiveNumber);
  for (auto* sub : {sweep_run, resume})
    sub->add_option("--jobs", sweep_args.jobs, "local worker processes (the threads are split between them)")
        ->check(CLI::PositiveNumber);
  resume->add_option("--backend", sweep_args.backend, "local (default) or slurm")
      ->check(CLI::IsMember({"local", "slurm"}));
  // Kept as text: the sweep layer checks them with the experiment's `slurm:` values and says what is allowed.
  std::map<std::string, std::string> slurm_flags;
  const std::vector<std::pair<std::string, std::string>> kSlurmFlags = {
      {"partition", "partition(s) to run in"},
      {"time", "time limit per task, e.g. 04:00:00"},
      {"cpus-per-task", "cores per task; each run uses them all (default 1)"},
      {"mem", "memory per task, e.g. 16G"},
      {"gpus-per-task", "GPUs per task, e.g. 1 or a100:1 (the runs then use device cuda)"},
      {"gres", "generic resources per task, e.g. gpu:1 (the runs then use device cuda)"},
      {"runs-per-task", "runs done one after another by each array task (default 1)"},
      {"max-parallel", "at most this many tasks at once (the array's %N)"},
      {"signal-seconds", "USR1 this long before the time limit, to write a checkpoint (default 300)"}};
  for (auto* sub : {submit, resume}) {
    for (const auto& [flag, help] : kSlurmFlags) sub->add_option("--" + flag, slurm_flags[flag], help);
    sub->add_flag("--dry-run", sweep_args.dry_run, "write the scripts under <sweep>/slurm/ without submitting");
    sub->add_flag("--wait", sweep_args.wait, "block until the array and the collect job end, then print the status");
  }
  worker->add_option("--manifest", sweep_args.manifest, "array manifest (JSON lines)")
      ->required()
      ->check(CLI::ExistingFile);
  worker->add_option("--index", sweep_args.index, "array task index")->required()->check(CLI::NonNegativeNumber);
  worker->add_option("--runs-per-task", sweep_args.runs_per_task, "manifest entries per task")
      ->check(CLI::PositiveNumber);

  auto* export_events = app.add_subcommand(
      "export-tensorboard", "write TensorBoard event files from finished run files: RUN.h5, or a sweep's");
  export_events->add_option("source", sweep_args.experiment, "a run file (.h5) or an experiment file (YAML)")
      ->required()
      ->check(CLI::ExistingFile);
  export_events->add_option("overrides", sweep_args.overrides, "key=value overrides applied to every run (a sweep)");
  export_events->add_option("--profile", sweep_args.profile, "profile: smoke, quick (default) or paper (a sweep)");

  std::string inspect_path;
  auto* inspect = app.add_subcommand("inspect", "print a run file's provenance, status and final metrics");
  inspect->add_option("file", inspect_path, "run file (.h5)")->required()->check(CLI::ExistingFile);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  run_args.threads = pretrain_args.threads = threads;
  try {
    if (*run) {
      install_stop_handlers();
      return command_run(run_args);
    }
    if (*pretrain) {
      install_stop_handlers();
      return command_pretrain(pretrain_args);
    }
    if (*config) return command_config(config_args);
    if (*inspect) return command_inspect(inspect_path);
    if (*export_events) return command_export_tensorboard(sweep_args);
    if (*features) {
      install_stop_handlers();
      return command_features(features_args, threads);
    }
    sweep_args.threads = threads;
    for (const auto& [flag, value] : slurm_flags) {
      std::string key = flag;
      std::replace(key.begin(), key.end(), '-', '_');
      if (!value.empty()) sweep_args.slurm[key] = value;
    }
    if (*plan) return command_sweep_plan(sweep_args);
    if (*sweep_run) return command_sweep_run(sweep_args);
    if (*status) return command_sweep_status(sweep_args);
    if (*collect) return command_sweep_collect(sweep_args);
    if (*report) return command_report(sweep_args);
    if (*submit) return command_sweep_submit(sweep_args);
    if (*resume) return command_sweep_resume(sweep_args);
    if (*worker) {
      install_stop_handlers();
      return command_sweep_worker(sweep_args);
    }
  } catch (const Interrupted& e) {
    fmt::print(stderr, "gftlab: interrupted: {}\n", e.what());
    return kExitInterrupted;
  } catch (const ConfigError& e) {
    fmt::print(stderr, "gftlab: configuration error: {}\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    // LibTorch's errors carry a C++ backtrace after their first line; the user gets the first line only.
    const std::string what = e.what();
    fmt::print(stderr, "gftlab: error: {}\n", what.substr(0, what.find('\n')));
    return 1;
  }
  return 0;
}
