// tests/vmbridge/fake_cloud_hypervisor.py as a child process with its own API socket and
// request log in a fresh temporary directory.
#pragma once

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <sys/types.h>
#include <vector>

namespace spectrum::vmbridge::ch::testing {

class FakeVmmProcess {
  public:
    // Starts the fake with extra `flags` and waits until its socket accepts connections.
    // On failure, ready() is false and error() says why.
    explicit FakeVmmProcess(const std::vector<std::string>& flags = {});
    ~FakeVmmProcess(); // SIGTERM, reap, remove the directory
    FakeVmmProcess(const FakeVmmProcess&) = delete;
    FakeVmmProcess& operator=(const FakeVmmProcess&) = delete;

    bool ready() const { return error_.empty(); }
    const std::string& error() const { return error_; }
    std::filesystem::path socket() const { return dir_ / "api.sock"; }

    // Every request the fake received, in order (one JSON object per request).
    std::vector<nlohmann::json> log() const;

    // Whether the process exits within `within`, and then its exit status.
    bool exits(std::chrono::milliseconds within, int* status = nullptr);

  private:
    std::string stderr_text() const;

    std::filesystem::path dir_;
    pid_t pid_ = -1;
    std::string error_;
};

} // namespace spectrum::vmbridge::ch::testing
