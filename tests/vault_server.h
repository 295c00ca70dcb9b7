// A stand-in for HashiCorp Vault's KV read API, for tests: a loopback-only
// HTTP/1.1 server on a free port, in a thread, that answers GET for KV v1
// and KV v2 secrets the way Vault does (status codes, JSON shapes, the
// X-Vault-Token check, {"errors":["permission denied"]}).
#ifndef RETORT_TESTS_VAULT_SERVER_H_
#define RETORT_TESTS_VAULT_SERVER_H_

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace retort::testing {

// VaultServer serves the secrets put into it to clients holding `token`.
class VaultServer {
 public:
  // Request is one request as the server saw it.
  struct Request {
    std::string method;
    std::string path;                            // "/v1/secret/data/game/db"
    std::map<std::string, std::string> headers;  // names in lower case
  };

  explicit VaultServer(std::string token);
  ~VaultServer();
  VaultServer(const VaultServer&) = delete;
  VaultServer& operator=(const VaultServer&) = delete;

  // Empty when the server is listening; else why it is not.
  const std::string& error() const { return error_; }
  int port() const { return port_; }
  // "http://127.0.0.1:<port>", for VAULT_ADDR.
  std::string address() const;

  // Mounts a KV engine at `mount` ("secret", "kv"); version 1 or 2.
  void Mount(const std::string& mount, int version);
  // Stores `fields` (a JSON object) at `path` of the KV engine at `mount`.
  void Put(const std::string& mount, const std::string& path,
           nlohmann::json fields);
  // Restricts the token to these API paths (after "/v1/"), as a policy
  // would; every other path answers 403. Default: everything readable.
  void AllowOnly(std::set<std::string> api_paths);
  // Requests must carry this X-Vault-Namespace; others see no mounts.
  void RequireNamespace(std::string name_space);
  // Waits this long before answering (for client timeouts).
  void SetDelay(std::chrono::milliseconds delay);
  // Answers every request with this status and body (e.g. 503, sealed).
  void SetOverride(int status, std::string body);

  std::vector<Request> requests() const;
  void ClearRequests();

 private:
  void Serve();
  void Handle(int fd);
  // Status and body for one request.
  std::pair<int, std::string> Answer(const Request& request);

  std::string token_;
  std::string error_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;

  mutable std::mutex mu_;
  std::map<std::string, int> mounts_;  // mount -> KV version
  std::map<std::string, std::map<std::string, nlohmann::json>> secrets_;
  bool restricted_ = false;
  std::set<std::string> allowed_;
  std::string name_space_;
  std::chrono::milliseconds delay_{0};
  int override_status_ = 0;
  std::string override_body_;
  std::vector<Request> requests_;
};

// A loopback port nothing listens on (bound, then closed), for the
// "Vault is unreachable" and "database is unreachable" cases.
int ClosedLoopbackPort();

}  // namespace retort::testing

#endif  // RETORT_TESTS_VAULT_SERVER_H_
