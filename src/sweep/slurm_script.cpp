#include "sweep/slurm_script.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <regex>
#include <stdexcept>

#include "core/config.h"

namespace gftlab {
namespace {

// Options that gftlab writes itself; an `sbatch:` line may not change them.
const std::vector<std::string> kReservedOptions = {"array",      "output",     "error", "signal",   "requeue",
                                                   "no-requeue", "open-mode",  "chdir", "job-name", "parsable",
                                                   "wait",       "dependency", "wrap"};

bool has_control_character(const std::string& s) {
  return std::any_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
}

ConfigError bad(const std::string& key, const std::string& value, const std::string& allowed) {
  return ConfigError(fmt::format("slurm.{}: {:?} is not allowed; expected {}", key, value, allowed));
}

std::string checked(const std::string& key, const std::string& value, const char* pattern, const std::string& allowed) {
  if (has_control_character(value) || !std::regex_match(value, std::regex(pattern))) throw bad(key, value, allowed);
  return value;
}

int64_t checked_int(const std::string& key, const std::string& value, int64_t lo, int64_t hi) {
  const auto allowed = fmt::format("an integer in [{}, {}]", lo, hi);
  if (!std::regex_match(value, std::regex("[0-9]{1,9}"))) throw bad(key, value, allowed);
  const int64_t n = std::stoll(value);
  if (n < lo || n > hi) throw bad(key, value, allowed);
  return n;
}

std::string checked_sbatch_line(const std::string& line) {
  std::smatch m;
  if (has_control_character(line) || !std::regex_match(line, m, std::regex("--([A-Za-z][A-Za-z0-9-]*)(=.+)?")))
    throw bad("sbatch", line, "one sbatch option per entry, written --name or --name=value, on one line");
  if (std::find(kReservedOptions.begin(), kReservedOptions.end(), m[1].str()) != kReservedOptions.end())
    throw bad("sbatch", line,
              fmt::format("an option other than --{} (gftlab sets it; see `gftlab sweep submit "
                          "--help`)",
                          m[1].str()));
  return line;
}

// A path built from safe names for an #SBATCH line, which bash never reads but sbatch splits on blanks.
const std::string& sbatch_path(const std::string& path) {
  if (!std::regex_match(path, std::regex("[A-Za-z0-9._/%-]+")))
    throw std::logic_error("unsafe path for an #SBATCH line: " + path);
  return path;
}

std::string header(const std::string& name, const SlurmOptions& o, const std::string& log) {
  std::string s = "#SBATCH --job-name=" + name + "\n";
  s += fmt::format("#SBATCH --cpus-per-task={}\n", o.cpus_per_task);
  if (!o.time.empty()) s += "#SBATCH --time=" + o.time + "\n";
  if (!o.partition.empty()) s += "#SBATCH --partition=" + o.partition + "\n";
  if (!o.mem.empty()) s += "#SBATCH --mem=" + o.mem + "\n";
  if (!o.gpus_per_task.empty()) s += "#SBATCH --gpus-per-task=" + o.gpus_per_task + "\n";
  if (!o.gres.empty()) s += "#SBATCH --gres=" + o.gres + "\n";
  s += "#SBATCH --output=" + sbatch_path(log) + "\n";
  for (const auto& line : o.sbatch) s += "#SBATCH " + line + "\n";
  return s;
}

std::string preamble(const std::string& workdir, const SlurmOptions& o) {
  std::string s = "set -u\ncd " + shell_quote(workdir) + " || exit 1\n";
  for (const auto& line : o.setup) s += line + "\n";
  // One writer per file (the worker locks each run); HDF5's own locks fail on many shared file systems.
  return s + "export HDF5_USE_FILE_LOCKING=FALSE\n";
}

}  // namespace

SlurmOptions resolve_slurm_options(const SlurmBlock& block, const std::map<std::string, std::string>& command_line) {
  auto values = block.options;
  for (const auto& [key, value] : command_line) values[key] = value;
  SlurmOptions o;
  for (const auto& [key, value] : values) {
    if (key == "partition")
      o.partition = checked(key, value, "[A-Za-z0-9_.-]+(,[A-Za-z0-9_.-]+)*",
                            "partition names (letters, digits, _.-), comma-separated");
    else if (key == "time")
      o.time = checked(key, value, "UNLIMITED|INFINITE|([0-9]+-)?[0-9]+(:[0-9]{1,2}){0,2}",
                       "a SLURM time: minutes, [days-]hours:minutes:seconds, ...");
    else if (key == "mem")
      o.mem = checked(key, value, "[0-9]+[KMGT]?", "a size such as 4000 or 16G");
    else if (key == "gpus_per_task")
      o.gpus_per_task = checked(key, value, "([A-Za-z0-9_.-]+:)?[0-9]+", "a GPU count, optionally typed: 1 or a100:2");
    else if (key == "gres")
      o.gres = checked(key, value, "[A-Za-z0-9_.-]+(:[A-Za-z0-9_.-]+)*(,[A-Za-z0-9_.-]+(:[A-Za-z0-9_.-]+)*)*",
                       "generic resources such as gpu:1 or gpu:a100:2, comma-separated");
    else if (key == "cpus_per_task")
      o.cpus_per_task = checked_int(key, value, 1, 4096);
    else if (key == "runs_per_task")
      o.runs_per_task = checked_int(key, value, 1, 1000000);
    else if (key == "max_parallel")
      o.max_parallel = checked_int(key, value, 0, 1000000);
    else if (key == "signal_seconds")
      o.signal_seconds = checked_int(key, value, 1, 65535);
    else
      throw std::logic_error("unknown slurm option " + key);
  }
  for (const auto& line : block.sbatch) o.sbatch.push_back(checked_sbatch_line(line));
  for (const auto& line : block.setup) {
    if (has_control_character(line)) throw bad("setup", line, "one shell line per entry");
    o.setup.push_back(line);
  }
  return o;
}

std::string shell_quote(const std::string& value) {
  std::string out = "'";
  for (const char c : value) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string array_script(const ArrayJob& job, const SlurmOptions& o) {
  std::string s = "#!/bin/bash\n# Written by `gftlab sweep submit`: " + job.description + ".\n" +
                  "# Task i runs manifest entries [i K, (i + 1) K), K = runs per task. A run stopped by USR1 (the "
                  "warning before the time\n"
                  "# limit) or TERM writes its checkpoint; the task then requeues itself and the run continues.\n";
  s += header(job.name, o, job.log_dir + "/%A_%a.out");
  s += fmt::format("#SBATCH --array=0-{}{}\n", job.tasks - 1,
                   o.max_parallel > 0 ? fmt::format("%{}", o.max_parallel) : "");
  s += fmt::format("#SBATCH --signal=B:USR1@{}\n#SBATCH --requeue\n#SBATCH --open-mode=append\n", o.signal_seconds);
  s += preamble(job.workdir, o);
  s += fmt::format("{} sweep worker --manifest {} --index \"$SLURM_ARRAY_TASK_ID\" --runs-per-task {} &\n",
                   shell_quote(job.gftlab), shell_quote(job.manifest), o.runs_per_task);
  s += "worker=$!\n"
       "trap 'kill -USR1 \"$worker\" 2>/dev/null' USR1\n"
       "trap 'kill -TERM \"$worker\" 2>/dev/null' TERM\n"
       "# A trapped signal ends `wait` early; bash keeps the worker's status for the last wait.\n"
       "while kill -0 \"$worker\" 2>/dev/null; do wait \"$worker\"; done\n"
       "wait \"$worker\"\n"
       "status=$?\n"
       "if [ \"$status\" -eq 4 ]; then\n"
       "  echo \"gftlab: checkpoint written; requeueing ${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID}\"\n"
       "  scontrol requeue \"$SLURM_JOB_ID\"\n"
       "fi\n"
       "exit \"$status\"\n";
  return s;
}

std::string collect_script(const CollectJob& job, const SlurmOptions& o) {
  SlurmOptions one = o;
  one.cpus_per_task = 1;
  std::string s =
      "#!/bin/bash\n# Written by `gftlab sweep submit`: collects the sweep into summary.h5 after its array.\n";
  s += header(job.name, one, job.log_dir + "/collect_%j.out");
  s += preamble(job.workdir, one);
  s += fmt::format("exec {} sweep collect {} --profile {}", shell_quote(job.gftlab), shell_quote(job.experiment),
                   shell_quote(job.profile));
  for (const auto& o : job.overrides) s += " " + shell_quote(o);
  return s + "\n";
}

}  // namespace gftlab
