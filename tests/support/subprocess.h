// Runs the real docent binary in a child process for integration tests: capture its output,
// read it line by line as it comes, or kill it at a chosen moment.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

namespace docent::testing {

struct RunResult {
  int exit_code = -1;  // -1 when killed by a signal
  std::string out;
  std::string err;
};

// Runs `argv` (argv[0] is the program path) to completion.
RunResult Run(const std::vector<std::string>& argv);

// Runs DOCENT_BINARY with `args`.
RunResult RunDocent(const std::vector<std::string>& args);

// A child whose stdout is read line by line while it runs.
class Child {
 public:
  explicit Child(const std::vector<std::string>& argv);
  ~Child();
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  // The next line of stdout without its newline; nullopt at end of output.
  std::optional<std::string> ReadLine();
  void Kill9();
  void Signal(int sig);
  int Wait();  // exit code, or -signal when killed

 private:
  pid_t pid_ = -1;
  int out_fd_ = -1;
  std::string buffer_;
  bool waited_ = false;
  int status_ = 0;
};

}  // namespace docent::testing
