// A real `docent serve` on a free loopback port, in a child process, with an HTTP client.
#pragma once

#include <httplib.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "support/subprocess.h"

namespace docent::testing {

// How many tokens a test asks a model to write when only the pipeline's contract is checked
// (citations, streams, determinism), not the prose. Under ASan+UBSan every token costs ~10x,
// so those builds ask for fewer rather than waiting longer: a test's time then does not
// grow with the build, and no wait has to be stretched to fit a busy machine.
inline constexpr bool kSanitizedBuild = DOCENT_TEST_SANITIZED;
inline constexpr int kAnswerTokens = kSanitizedBuild ? 12 : 48;

class ServerProcess {
 public:
  // Starts DOCENT_BINARY serve --port 0 --data `data_dir` plus `extra_args`, and waits for
  // its "serving http://127.0.0.1:PORT/" line.
  ServerProcess(const std::string& data_dir, const std::vector<std::string>& extra_args = {},
                const std::vector<std::string>& env = {});
  ~ServerProcess();

  bool started() const { return port_ > 0; }
  int port() const { return port_; }
  // A client whose requests wait for their response, however long it takes: a wait ends on
  // the response or on the server closing the connection (a crash closes it at once), never
  // on a clock. A hung server is ended by ctest's per-test timeout.
  std::unique_ptr<httplib::Client> Client() const;
  // SIGTERM, then the exit code and the lines it printed after the signal.
  int Terminate(std::vector<std::string>* lines = nullptr);
  // SIGKILL, as a crash: nothing in flight is finished. Waits for the process to be gone.
  void Kill();

 private:
  Child child_;
  int port_ = 0;
};

// ../shared/models/stories260K.gguf: the real tiny model the serving tests load.
std::string StoriesModel();

// POSTs `body` as JSON to `path`: the parsed response (discarded when not JSON), its status in
// `*status`; a null json and a test failure when the request got no response.
nlohmann::json PostJson(httplib::Client& c, const std::string& path, const nlohmann::json& body,
                        int* status);

// The events of a text/event-stream body, in order: (name, parsed data).
std::vector<std::pair<std::string, nlohmann::json>> ParseSse(const std::string& body);

// The value of `series` (name and labels, as written) in Prometheus text; -1 when absent.
double MetricValue(const std::string& text, const std::string& series);

}  // namespace docent::testing
