// The test Vault: one thread accepting on 127.0.0.1, one request per
// connection (Connection: close), answers shaped like Vault 1.x's.
#include "vault_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>

namespace retort::testing {

namespace {

using json = nlohmann::json;

const char* Reason(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 503:
      return "Service Unavailable";
    default:
      return "Status";
  }
}

std::string Lower(std::string s) {
  for (char& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return s;
}

std::string Errors(std::vector<std::string> errors) {
  return json{{"errors", errors}}.dump();
}

// Reads the request head (request line and headers) from `fd`, giving up
// after two seconds of silence or when `stop` is set.
bool ReadHead(int fd, const std::atomic<bool>& stop, std::string* head) {
  char buf[4096];
  int idle_ms = 0;
  while (head->find("\r\n\r\n") == std::string::npos) {
    if (head->size() > 64 * 1024 || stop || idle_ms >= 2000) return false;
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 50) <= 0) {
      idle_ms += 50;
      continue;
    }
    ssize_t n = recv(fd, buf, sizeof(buf), 0);
    if (n <= 0) return false;
    head->append(buf, static_cast<size_t>(n));
  }
  return true;
}

void SendAll(int fd, const std::string& data) {
  size_t sent = 0;
  while (sent < data.size()) {
    ssize_t n = send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return;
    sent += static_cast<size_t>(n);
  }
}

}  // namespace

VaultServer::VaultServer(std::string token) : token_(std::move(token)) {
  listen_fd_ = socket(AF_INET, SOCK_STREAM, 0);
  if (listen_fd_ < 0) {
    error_ = std::string("socket: ") + std::strerror(errno);
    return;
  }
  int one = 1;
  setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr =
      htonl(INADDR_LOOPBACK);  // never reachable from outside
  addr.sin_port = 0;           // a free port
  socklen_t len = sizeof(addr);
  if (bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      listen(listen_fd_, 16) != 0 ||
      getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    error_ = std::string("bind/listen: ") + std::strerror(errno);
    close(listen_fd_);
    listen_fd_ = -1;
    return;
  }
  port_ = ntohs(addr.sin_port);
  thread_ = std::thread([this] { Serve(); });
}

VaultServer::~VaultServer() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
  if (listen_fd_ >= 0) close(listen_fd_);
}

std::string VaultServer::address() const {
  return "http://127.0.0.1:" + std::to_string(port_);
}

void VaultServer::Mount(const std::string& mount, int version) {
  std::lock_guard<std::mutex> lock(mu_);
  mounts_[mount] = version;
}

void VaultServer::Put(const std::string& mount, const std::string& path,
                      json fields) {
  std::lock_guard<std::mutex> lock(mu_);
  secrets_[mount][path] = std::move(fields);
}

void VaultServer::AllowOnly(std::set<std::string> api_paths) {
  std::lock_guard<std::mutex> lock(mu_);
  restricted_ = true;
  allowed_ = std::move(api_paths);
}

void VaultServer::RequireNamespace(std::string name_space) {
  std::lock_guard<std::mutex> lock(mu_);
  name_space_ = std::move(name_space);
}

void VaultServer::SetDelay(std::chrono::milliseconds delay) {
  std::lock_guard<std::mutex> lock(mu_);
  delay_ = delay;
}

void VaultServer::SetOverride(int status, std::string body) {
  std::lock_guard<std::mutex> lock(mu_);
  override_status_ = status;
  override_body_ = std::move(body);
}

std::vector<VaultServer::Request> VaultServer::requests() const {
  std::lock_guard<std::mutex> lock(mu_);
  return requests_;
}

void VaultServer::ClearRequests() {
  std::lock_guard<std::mutex> lock(mu_);
  requests_.clear();
}

void VaultServer::Serve() {
  while (!stop_) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (poll(&p, 1, 50) <= 0) continue;
    int fd = accept(listen_fd_, nullptr, nullptr);
    if (fd < 0) continue;
    Handle(fd);
    close(fd);
  }
}

void VaultServer::Handle(int fd) {
  std::string head;
  if (!ReadHead(fd, stop_, &head)) return;
  Request request;
  size_t line_end = head.find("\r\n");
  std::string request_line = head.substr(0, line_end);
  size_t sp1 = request_line.find(' ');
  size_t sp2 = request_line.find(' ', sp1 + 1);
  if (sp1 == std::string::npos || sp2 == std::string::npos) return;
  request.method = request_line.substr(0, sp1);
  request.path = request_line.substr(sp1 + 1, sp2 - sp1 - 1);
  size_t pos = line_end + 2;
  while (pos < head.size()) {
    size_t end = head.find("\r\n", pos);
    if (end == std::string::npos || end == pos) break;
    std::string line = head.substr(pos, end - pos);
    size_t colon = line.find(':');
    if (colon != std::string::npos) {
      size_t v = line.find_first_not_of(' ', colon + 1);
      request.headers[Lower(line.substr(0, colon))] =
          v == std::string::npos ? "" : line.substr(v);
    }
    pos = end + 2;
  }
  std::chrono::milliseconds delay;
  {
    std::lock_guard<std::mutex> lock(mu_);
    requests_.push_back(request);
    delay = delay_;
  }
  // Sleep in slices so the destructor never waits long on a slow answer.
  auto until = std::chrono::steady_clock::now() + delay;
  while (!stop_ && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  auto [status, body] = Answer(request);
  std::string response =
      "HTTP/1.1 " + std::to_string(status) + " " + Reason(status) +
      "\r\nContent-Type: application/json\r\n"
      "Content-Length: " +
      std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
  SendAll(fd, response);
}

std::pair<int, std::string> VaultServer::Answer(const Request& request) {
  std::lock_guard<std::mutex> lock(mu_);
  if (override_status_ != 0) return {override_status_, override_body_};
  if (request.method != "GET") return {405, Errors({"unsupported operation"})};
  auto token = request.headers.find("x-vault-token");
  if (token == request.headers.end() || token->second != token_) {
    return {403, Errors({"permission denied"})};
  }
  const std::string prefix = "/v1/";
  if (request.path.compare(0, prefix.size(), prefix) != 0) {
    return {404, Errors({})};
  }
  std::string api_path = request.path.substr(prefix.size());
  if (restricted_ && !allowed_.count(api_path)) {
    return {403, Errors({"permission denied"})};
  }
  if (!name_space_.empty()) {
    auto ns = request.headers.find("x-vault-namespace");
    if (ns == request.headers.end() || ns->second != name_space_) {
      return {403, Errors({"permission denied"})};
    }
  }
  // The longest mount that prefixes the path, as Vault's router picks.
  std::string mount;
  for (const auto& entry : mounts_) {
    const std::string& m = entry.first;
    if (api_path.compare(0, m.size() + 1, m + "/") == 0 &&
        m.size() > mount.size())
      mount = m;
  }
  if (mount.empty()) {
    return {404, Errors({"no handler for route \"" + api_path +
                         "\". route entry not found."})};
  }
  int version = mounts_[mount];
  std::string sub = api_path.substr(mount.size() + 1);
  const auto& store = secrets_[mount];
  if (version == 2) {
    if (sub.compare(0, 5, "data/") != 0) {
      json j = {{"errors", json::array()},
                {"warnings",
                 {"Invalid path for a versioned K/V secrets engine. See the "
                  "API docs for the appropriate API endpoints to use. If "
                  "using the Vault CLI, use 'vault kv get' for this "
                  "operation."}}};
      return {404, j.dump()};
    }
    auto it = store.find(sub.substr(5));
    if (it == store.end()) return {404, Errors({})};
    json j = {{"request_id", "0b1e7a2c-0000-0000-0000-000000000002"},
              {"lease_id", ""},
              {"renewable", false},
              {"lease_duration", 0},
              {"data",
               {{"data", it->second},
                {"metadata",
                 {{"created_time", "2026-11-21T10:00:00.000000Z"},
                  {"custom_metadata", nullptr},
                  {"deletion_time", ""},
                  {"destroyed", false},
                  {"version", 1}}}}},
              {"wrap_info", nullptr},
              {"warnings", nullptr},
              {"auth", nullptr}};
    return {200, j.dump()};
  }
  auto it = store.find(sub);
  if (it == store.end()) return {404, Errors({})};
  json j = {{"request_id", "0b1e7a2c-0000-0000-0000-000000000001"},
            {"lease_id", ""},
            {"renewable", false},
            {"lease_duration", 2764800},
            {"data", it->second},
            {"wrap_info", nullptr},
            {"warnings", nullptr},
            {"auth", nullptr}};
  return {200, j.dump()};
}

int ClosedLoopbackPort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);  // bound but never listened on: connections are refused
  return ntohs(addr.sin_port);
}

}  // namespace retort::testing
