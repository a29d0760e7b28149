#include "ctl_client.hpp"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <format>
#include <print>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace spectrum::ctl {

namespace {

struct Unreachable {};

constexpr std::string_view usage = "usage: spectrumctl windows [--json] | vms [--json] | focus ID | close ID | "
                                   "outputs [--json] | output add WIDTHxHEIGHT | output remove NAME | reload | quit | "
                                   "vm list [--json] | vm start|stop NAME | vm logs NAME [LINES] | "
                                   "launch VM [APP] | launch --list|--menu | launch --entry LINE | "
                                   "clipboard [--json] | backup FILE | restore FILE [--force] | "
                                   "image list [--json] | image build NAME";

} // namespace

[[noreturn]] void usage_error(const std::string& message) {
    std::println(stderr, "spectrumctl: {} ({})", message, usage);
    std::exit(2);
}

[[noreturn]] void fail(const std::string& message) {
    std::println(stderr, "spectrumctl: {}", message);
    std::exit(1);
}

std::string socket_path() {
    if (const char* path = std::getenv("SPECTRUM_CTL_SOCKET"); path && *path) return path;
    const char* runtime = std::getenv("XDG_RUNTIME_DIR");
    if (!runtime) fail("XDG_RUNTIME_DIR is not set; is Spectrum running in this session?");
    return std::string(runtime) + "/spectrum/ctl.sock";
}

namespace {

// `peer` names who answers in error messages; `vm …` asks the VM supervisor instead of the
// compositor, and waits longer: `vm stop` answers once the VM is down.
json call_or_throw(const json& request, const std::string& path, std::string_view peer, time_t timeout_seconds) {
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (path.size() >= sizeof addr.sun_path) fail("control socket path too long: " + path);
    std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
    if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        const int error = errno;
        close(fd);
        if (error == ENOENT || error == ECONNREFUSED) throw Unreachable{};
        fail(std::format("cannot reach {} at {}: {}", peer, path, std::strerror(error)));
    }
    timeval timeout{timeout_seconds, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    const std::string line = request.dump() + "\n";
    if (send(fd, line.data(), line.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(line.size()))
        fail(std::format("{} closed the control connection", peer));
    std::string reply;
    char buffer[4096];
    ssize_t n;
    while ((n = read(fd, buffer, sizeof buffer)) > 0) reply.append(buffer, static_cast<std::size_t>(n));
    close(fd);
    json parsed = json::parse(reply, nullptr, false);
    if (parsed.is_discarded() || !parsed.is_object()) fail(std::format("{} sent no valid reply", peer));
    if (!parsed.value("ok", false)) fail(parsed.value("error", std::string("request failed")));
    return parsed;
}

} // namespace

// `vm …`: the VM supervisor (spectrum-vmbridge) on $XDG_RUNTIME_DIR/spectrum/vmbridge.sock.
std::string vmbridge_socket_path() {
    if (const char* path = std::getenv("SPECTRUM_VMBRIDGE_SOCKET"); path && *path) return path;
    const char* runtime = std::getenv("XDG_RUNTIME_DIR");
    if (!runtime) fail("XDG_RUNTIME_DIR is not set; is Spectrum running in this session?");
    return std::string(runtime) + "/spectrum/vmbridge.sock";
}

json call(const json& request, const std::string& path, std::string_view peer, time_t timeout_seconds) {
    try {
        return call_or_throw(request, path, peer, timeout_seconds);
    } catch (const Unreachable&) {
        fail(std::format("cannot reach {} at {}: is it running?", peer, path));
    }
}

json call(const json& request) { return call(request, socket_path(), "the compositor", 5); }

json call_vmbridge(const json& request) {
    return call(request, vmbridge_socket_path(), "the VM supervisor (spectrum-vmbridge)", 120);
}

std::optional<json> try_call_vmbridge(const json& request) {
    try {
        return call_or_throw(request, vmbridge_socket_path(), "the VM supervisor (spectrum-vmbridge)", 120);
    } catch (const Unreachable&) {
        return std::nullopt;
    }
}


} // namespace spectrum::ctl
