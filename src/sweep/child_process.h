// Child processes of the sweep layer: run workers with their output in a log file, and short commands
// (sbatch, squeue, sacct, the Python analysis) waited for. Arguments go to execv/execvp as they are; no
// shell is involved.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace gftlab {

std::string self_executable();

// Starts argv[0] (a path) with stdout and stderr in `log` (appended to or truncated). The child gets SIGTERM
// when this process dies.
pid_t spawn_logged(const std::vector<std::string>& argv, const std::string& log, bool append);

// The exit code of a waitpid() status; 128 + N for a child killed by signal N.
int exit_code_of(int wait_status);

struct CommandResult {
  int code = 0;          // 127: the program was not found
  std::string out, err;  // empty unless captured
};

// Runs argv[0] (looked up on PATH) to completion; with `capture` its stdout and stderr are returned
// instead of shown.
CommandResult run_command(const std::vector<std::string>& argv, bool capture);

}  // namespace gftlab
