// HTTP/1.1 over cloud-hypervisor's API socket (`--api-socket path=…`), with libcurl.
#pragma once

#include "api_error.hpp"
#include "requests.hpp"

#include <chrono>
#include <expected>
#include <filesystem>
#include <memory>
#include <string>

namespace spectrum::vmbridge::ch {

struct ClientOptions {
    std::filesystem::path socket; // the VMM's API socket
    // A VMM that accepts but never answers (stuck, or stopped in a debugger) must not stall
    // the supervisor: every call gives up after these.
    std::chrono::milliseconds connect_timeout{std::chrono::seconds(10)};
    std::chrono::milliseconds timeout{std::chrono::seconds(10)}; // the whole call
};

struct Response {
    long status = 0;  // always 2xx: anything else is an ApiError
    std::string body; // empty for 204
};

class Client {
  public:
    explicit Client(ClientOptions options);
    ~Client();
    Client(const Client&) = delete;
    Client& operator=(const Client&) = delete;

    // Sends `request` and waits for the answer. Not thread-safe: one caller at a time.
    std::expected<Response, ApiError> send(const Request& request);

    const ClientOptions& options() const { return options_; }

  private:
    struct Handle; // the libcurl easy handle, kept out of this header
    ClientOptions options_;
    std::unique_ptr<Handle> handle_;
};

} // namespace spectrum::vmbridge::ch
