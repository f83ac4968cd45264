// fork/exec with pipes; stderr of a Child goes to /dev/null.
#include "support/subprocess.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

namespace docent::testing {
namespace {

std::vector<char*> CArgs(const std::vector<std::string>& argv) {
  std::vector<char*> out;
  for (const auto& a : argv) out.push_back(const_cast<char*>(a.c_str()));
  out.push_back(nullptr);
  return out;
}

int DecodeStatus(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return -WTERMSIG(status);
  return -1000;
}

}  // namespace

RunResult Run(const std::vector<std::string>& argv) {
  int out_pipe[2], err_pipe[2];
  // Not assert(): the calls must run in release builds too.
  if (pipe(out_pipe) != 0 || pipe(err_pipe) != 0) std::abort();
  pid_t pid = fork();
  if (pid < 0) std::abort();
  if (pid == 0) {
    dup2(out_pipe[1], 1);
    dup2(err_pipe[1], 2);
    int devnull = open("/dev/null", O_RDONLY);
    dup2(devnull, 0);
    close(out_pipe[0]);
    close(err_pipe[0]);
    auto args = CArgs(argv);
    execv(args[0], args.data());
    _exit(127);
  }
  close(out_pipe[1]);
  close(err_pipe[1]);
  RunResult r;
  pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  int open_fds = 2;
  char buf[65536];
  while (open_fds > 0) {
    if (poll(fds, 2, -1) < 0) break;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP))) continue;
      ssize_t n = read(fds[i].fd, buf, sizeof buf);
      if (n <= 0) {
        close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
      } else {
        (i == 0 ? r.out : r.err).append(buf, static_cast<size_t>(n));
      }
    }
  }
  int status = 0;
  waitpid(pid, &status, 0);
  r.exit_code = DecodeStatus(status);
  return r;
}

RunResult RunDocent(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {DOCENT_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  return Run(argv);
}

Child::Child(const std::vector<std::string>& argv) {
  int out_pipe[2];
  if (pipe(out_pipe) != 0) std::abort();
  pid_ = fork();
  if (pid_ < 0) std::abort();
  if (pid_ == 0) {
    dup2(out_pipe[1], 1);
    int devnull = open("/dev/null", O_RDWR);
    dup2(devnull, 0);
    dup2(devnull, 2);
    close(out_pipe[0]);
    auto args = CArgs(argv);
    execv(args[0], args.data());
    _exit(127);
  }
  close(out_pipe[1]);
  out_fd_ = out_pipe[0];
}

Child::~Child() {
  if (!waited_) {
    Kill9();
    Wait();
  }
  if (out_fd_ >= 0) close(out_fd_);
}

std::optional<std::string> Child::ReadLine() {
  for (;;) {
    size_t nl = buffer_.find('\n');
    if (nl != std::string::npos) {
      std::string line = buffer_.substr(0, nl);
      buffer_.erase(0, nl + 1);
      return line;
    }
    char buf[4096];
    ssize_t n = read(out_fd_, buf, sizeof buf);
    if (n <= 0) {
      if (buffer_.empty()) return std::nullopt;
      std::string rest = std::move(buffer_);
      buffer_.clear();
      return rest;
    }
    buffer_.append(buf, static_cast<size_t>(n));
  }
}

void Child::Signal(int sig) {
  if (pid_ > 0 && !waited_) kill(pid_, sig);
}

void Child::Kill9() {
  if (pid_ > 0 && !waited_) kill(pid_, SIGKILL);
}

int Child::Wait() {
  if (!waited_) {
    waitpid(pid_, &status_, 0);
    waited_ = true;
  }
  return DecodeStatus(status_);
}

}  // namespace docent::testing
