#include "sweep/child_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <filesystem>

namespace gftlab {
namespace {

[[noreturn]] void exec(const std::vector<std::string>& argv, bool search_path) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  if (search_path)
    execvp(args[0], args.data());
  else
    execv(args[0], args.data());
  _exit(127);
}

// Drains both pipes together, so that a child filling one of them never blocks.
void read_both(int out_fd, int err_fd, std::string& out, std::string& err) {
  pollfd fds[2] = {{out_fd, POLLIN, 0}, {err_fd, POLLIN, 0}};
  std::string* sinks[2] = {&out, &err};
  int open_fds = 2;
  char buffer[4096];
  while (open_fds > 0) {
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (int k = 0; k < 2; ++k) {
      if (fds[k].fd < 0 || !(fds[k].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      const ssize_t n = read(fds[k].fd, buffer, sizeof buffer);
      if (n > 0) {
        sinks[k]->append(buffer, static_cast<size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        close(fds[k].fd);
        fds[k].fd = -1;
        --open_fds;
      }
    }
  }
}

}  // namespace

std::string self_executable() { return std::filesystem::read_symlink("/proc/self/exe").string(); }

int exit_code_of(int wait_status) {
  return WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : 128 + WTERMSIG(wait_status);
}

pid_t spawn_logged(const std::vector<std::string>& argv, const std::string& log, bool append) {
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid != 0) return pid;
  prctl(PR_SET_PDEATHSIG, SIGTERM);
  // The parent may have died between fork() and prctl(): then no signal will come, so do not start.
  if (getppid() != parent) _exit(128 + SIGTERM);
  const int fd = open(log.c_str(), O_WRONLY | O_CREAT | (append ? O_APPEND : O_TRUNC), 0644);
  dup2(fd, STDOUT_FILENO);
  dup2(fd, STDERR_FILENO);
  exec(argv, false);
}

CommandResult run_command(const std::vector<std::string>& argv, bool capture) {
  std::fflush(stdout);
  std::fflush(stderr);
  int out_pipe[2] = {-1, -1}, err_pipe[2] = {-1, -1};
  if (capture && (pipe(out_pipe) != 0 || pipe(err_pipe) != 0)) return {127, "", "cannot create a pipe"};
  const pid_t pid = fork();
  if (pid == 0) {
    if (capture) {
      dup2(out_pipe[1], STDOUT_FILENO);
      dup2(err_pipe[1], STDERR_FILENO);
      for (const int fd : {out_pipe[0], out_pipe[1], err_pipe[0], err_pipe[1]}) close(fd);
    }
    exec(argv, true);
  }
  CommandResult result;
  if (capture) {
    close(out_pipe[1]);
    close(err_pipe[1]);
    if (pid > 0) {
      read_both(out_pipe[0], err_pipe[0], result.out, result.err);
    } else {
      close(out_pipe[0]);
      close(err_pipe[0]);
    }
  }
  int status = 0;
  while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  result.code = pid < 0 ? 127 : exit_code_of(status);
  return result;
}

}  // namespace gftlab
