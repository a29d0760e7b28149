#include "fake_vmm_process.hpp"

#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <signal.h>
#include <spawn.h>
#include <sstream>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#ifndef SPECTRUM_PYTHON3
#define SPECTRUM_PYTHON3 "python3"
#endif
#ifndef SPECTRUM_FAKE_CH
#error "SPECTRUM_FAKE_CH must name tests/vmbridge/fake_cloud_hypervisor.py"
#endif

extern char** environ;

namespace spectrum::vmbridge::ch::testing {

namespace {

// Meson passes the paths at compile time; the environment may override them.
std::string setting(const char* name, const char* fallback) {
    const char* value = std::getenv(name);
    return value && *value ? value : fallback;
}

bool accepts_connections(const std::filesystem::path& path) {
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return false;
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path.c_str(), sizeof(addr.sun_path) - 1);
    bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
    ::close(fd);
    return ok;
}

} // namespace

FakeVmmProcess::FakeVmmProcess(const std::vector<std::string>& flags) {
    std::string base = setting("TMPDIR", "/tmp");
    std::string pattern = base + "/spectrum-fake-ch-XXXXXX";
    if (!::mkdtemp(pattern.data())) {
        error_ = "mkdtemp failed: " + std::string(std::strerror(errno));
        return;
    }
    dir_ = pattern;

    std::vector<std::string> args = {setting("SPECTRUM_PYTHON3", SPECTRUM_PYTHON3),
                                     setting("SPECTRUM_FAKE_CH", SPECTRUM_FAKE_CH),
                                     "--socket",
                                     socket().string(),
                                     "--log",
                                     (dir_ / "requests.jsonl").string()};
    args.insert(args.end(), flags.begin(), flags.end());
    std::vector<char*> argv;
    for (auto& arg : args)
        argv.push_back(arg.data());
    argv.push_back(nullptr);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    const std::string stderr_path = (dir_ / "stderr.txt").string();
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, stderr_path.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int rc = ::posix_spawnp(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) {
        pid_ = -1;
        error_ = "cannot run " + args[0] + ": " + std::strerror(rc);
        return;
    }

    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
    while (!accepts_connections(socket())) {
        int status = 0;
        if (::waitpid(pid_, &status, WNOHANG) == pid_) {
            pid_ = -1;
            error_ = "the fake VMM exited early: " + stderr_text();
            return;
        }
        if (std::chrono::steady_clock::now() > deadline) {
            error_ = "the fake VMM did not open its socket: " + stderr_text();
            return;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
}

FakeVmmProcess::~FakeVmmProcess() {
    if (pid_ > 0) {
        ::kill(pid_, SIGTERM);
        ::waitpid(pid_, nullptr, 0);
    }
    if (!dir_.empty()) {
        std::error_code ignored;
        std::filesystem::remove_all(dir_, ignored);
    }
}

std::vector<nlohmann::json> FakeVmmProcess::log() const {
    std::vector<nlohmann::json> entries;
    std::ifstream in(dir_ / "requests.jsonl");
    for (std::string line; std::getline(in, line);)
        entries.push_back(nlohmann::json::parse(line));
    return entries;
}

bool FakeVmmProcess::exits(std::chrono::milliseconds within, int* status) {
    if (pid_ <= 0) return true;
    auto deadline = std::chrono::steady_clock::now() + within;
    do {
        int raw = 0;
        if (::waitpid(pid_, &raw, WNOHANG) == pid_) {
            pid_ = -1;
            if (status) *status = raw;
            return true;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    } while (std::chrono::steady_clock::now() < deadline);
    return false;
}

std::string FakeVmmProcess::stderr_text() const {
    std::ifstream in(dir_ / "stderr.txt");
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

} // namespace spectrum::vmbridge::ch::testing
