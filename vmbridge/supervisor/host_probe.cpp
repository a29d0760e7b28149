#include "host_probe.hpp"

#include "../transport/sandbox.hpp"
#include "../transport/seccomp_filter.hpp"

#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <format>
#include <linux/kvm.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace spectrum::vmbridge {

namespace {

constexpr int kKvmApiVersion = 12;
constexpr std::uint32_t kCpuidSse3 = 1u << 0; // leaf 1, ECX

struct Fd {
    int fd;
    ~Fd() {
        if (fd >= 0) close(fd);
    }
};

bool kvm_offers_sse3(int kvm) {
    constexpr std::size_t kEntries = 256;
    std::vector<unsigned char> storage(sizeof(kvm_cpuid2) + kEntries * sizeof(kvm_cpuid_entry2));
    auto* cpuid = reinterpret_cast<kvm_cpuid2*>(storage.data());
    cpuid->nent = kEntries;
    if (ioctl(kvm, KVM_GET_SUPPORTED_CPUID, cpuid) != 0) return false;
    for (std::uint32_t i = 0; i < cpuid->nent; ++i)
        if (cpuid->entries[i].function == 1) return (cpuid->entries[i].ecx & kCpuidSse3) != 0;
    return false;
}

} // namespace

std::optional<std::string> find_program(std::string_view program) {
    if (program.find('/') != std::string_view::npos) {
        std::string path(program);
        if (access(path.c_str(), X_OK) == 0) return path;
        return std::nullopt;
    }
    const char* env = std::getenv("PATH");
    std::string_view dirs = env ? env : "/usr/local/bin:/usr/bin:/bin";
    while (!dirs.empty()) {
        const auto end = dirs.find(':');
        auto dir = dirs.substr(0, end);
        if (!dir.empty()) {
            std::string path = std::format("{}/{}", dir, program);
            if (access(path.c_str(), X_OK) == 0) return path;
        }
        if (end == std::string_view::npos) break;
        dirs.remove_prefix(end + 1);
    }
    return std::nullopt;
}

bool probe_kvm(std::string* problem) {
    auto fail = [&](std::string why) {
        if (problem) *problem = std::move(why);
        return false;
    };
    if (const char* forced = std::getenv("SPECTRUM_VMBRIDGE_KVM"); forced && std::string_view(forced) == "0")
        return fail("turned off by SPECTRUM_VMBRIDGE_KVM=0");
    Fd kvm{open("/dev/kvm", O_RDWR | O_CLOEXEC)};
    if (kvm.fd < 0) {
        if (errno == ENOENT) return fail("/dev/kvm does not exist");
        return fail(std::format("cannot open /dev/kvm: {}", std::strerror(errno)));
    }
    const int version = ioctl(kvm.fd, KVM_GET_API_VERSION, 0);
    if (version != kKvmApiVersion)
        return fail(std::format("/dev/kvm speaks API version {}, not {}", version, kKvmApiVersion));
    Fd vm{ioctl(kvm.fd, KVM_CREATE_VM, 0)};
    if (vm.fd < 0) return fail(std::format("/dev/kvm cannot create a VM: {}", std::strerror(errno)));
    if (!kvm_offers_sse3(kvm.fd))
        return fail("/dev/kvm offers guests no SSE3, as a nested KVM without CPU passthrough does");
    return true;
}

HostFacts probe_host() {
    HostFacts facts;
    facts.cloud_hypervisor = find_program("cloud-hypervisor").has_value();
    facts.qemu = find_program("qemu-system-x86_64").has_value();
    facts.kvm = probe_kvm(&facts.kvm_problem);
    return facts;
}

std::optional<std::string> probe_bubblewrap(const std::string& bwrap, bool new_user_namespace) {
    // With the filter the transport gets: a bwrap too old for --seccomp (or for
    // --disable-userns) does not count as working.
    auto filter = transport::seccomp_filter_fd();
    if (!filter) return "cannot build the seccomp filter: " + filter.error();
    Fd seccomp{*filter};
    std::vector<std::string> args = transport::sandbox_probe_argv(bwrap, new_user_namespace, seccomp.fd);
    std::vector<char*> argv;
    for (auto& a : args)
        argv.push_back(a.data());
    argv.push_back(nullptr);
    int out[2];
    if (pipe2(out, O_CLOEXEC) != 0) return std::format("pipe: {}", std::strerror(errno));
    const pid_t pid = fork();
    if (pid == 0) {
        dup2(out[1], STDERR_FILENO);
        dup2(out[1], STDOUT_FILENO);
        fcntl(seccomp.fd, F_SETFD, 0);
        execv(argv[0], argv.data());
        _exit(127);
    }
    close(out[1]);
    std::string text;
    std::array<char, 512> buffer{};
    ssize_t n;
    while ((n = read(out[0], buffer.data(), buffer.size())) > 0)
        text.append(buffer.data(), static_cast<std::size_t>(n));
    close(out[0]);
    int status = 0;
    if (pid < 0 || waitpid(pid, &status, 0) != pid) return "could not run bwrap";
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return std::nullopt;
    text = text.substr(0, text.find('\n'));
    return text.empty() ? std::format("bwrap failed (status {})", status) : text;
}

} // namespace spectrum::vmbridge
