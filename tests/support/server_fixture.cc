// Starts the server binary and learns its port from the first line it prints.
#include "support/server_fixture.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <sstream>

#include "support/temp_dir.h"

namespace docent::testing {
namespace {

// env(1) sets the child's extra variables without touching the test's own environment.
std::vector<std::string> ServeArgs(const std::string& data_dir,
                                   const std::vector<std::string>& extra,
                                   const std::vector<std::string>& env) {
  std::vector<std::string> argv = {"/usr/bin/env"};
  argv.insert(argv.end(), env.begin(), env.end());
  for (const char* a : {DOCENT_BINARY, "serve", "--port", "0", "--data"}) argv.push_back(a);
  argv.push_back(data_dir);
  argv.insert(argv.end(), extra.begin(), extra.end());
  return argv;
}

}  // namespace

ServerProcess::ServerProcess(const std::string& data_dir, const std::vector<std::string>& extra,
                             const std::vector<std::string>& env)
    : child_(ServeArgs(data_dir, extra, env)) {
  // Lines before it (the model it loaded) are skipped; the process ending first is a failure.
  const std::string marker = "serving http://127.0.0.1:";
  while (auto line = child_.ReadLine()) {
    if (line->find(marker) == std::string::npos) continue;
    port_ = std::stoi(line->substr(line->find(marker) + marker.size()));
    return;
  }
}

ServerProcess::~ServerProcess() {
  if (port_ > 0) Terminate();
}

std::unique_ptr<httplib::Client> ServerProcess::Client() const {
  auto c = std::make_unique<httplib::Client>("127.0.0.1", port_);
  // An hour stands for "no limit" (httplib has no infinite read timeout); the connection is
  // to a server that is already listening on loopback.
  c->set_read_timeout(3600, 0);
  c->set_connection_timeout(30, 0);
  return c;
}

int ServerProcess::Terminate(std::vector<std::string>* lines) {
  child_.Signal(SIGTERM);
  while (auto line = child_.ReadLine()) {
    if (lines) lines->push_back(*line);
  }
  port_ = 0;
  return child_.Wait();
}

void ServerProcess::Kill() {
  child_.Kill9();
  while (child_.ReadLine()) {
  }
  port_ = 0;
  child_.Wait();
}

std::vector<std::pair<std::string, nlohmann::json>> ParseSse(const std::string& body) {
  std::vector<std::pair<std::string, nlohmann::json>> out;
  std::istringstream in(body);
  std::string line, name, data;
  while (std::getline(in, line)) {
    if (line.rfind("event: ", 0) == 0) name = line.substr(7);
    if (line.rfind("data: ", 0) == 0) data += line.substr(6);
    if (line.empty() && !name.empty()) {
      out.emplace_back(name, nlohmann::json::parse(data));
      name.clear();
      data.clear();
    }
  }
  return out;
}

std::string StoriesModel() {
  return (SharedDir() / "models/stories260K.gguf").string();
}

nlohmann::json PostJson(httplib::Client& c, const std::string& path, const nlohmann::json& body,
                        int* status) {
  auto r = c.Post(path, body.dump(), "application/json");
  EXPECT_TRUE(r) << path;
  if (!r) return nlohmann::json();
  *status = r->status;
  return nlohmann::json::parse(r->body, nullptr, false);
}

double MetricValue(const std::string& text, const std::string& series) {
  const std::string line = "\n" + series + " ";
  const size_t at = text.find(line);
  if (at == std::string::npos) return -1;
  return std::stod(text.substr(at + line.size()));
}

}  // namespace docent::testing
