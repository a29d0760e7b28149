// Building images into image_dir:
//
//   image_dir/index.json         image name → key, package list, SHA-256 of each file
//   image_dir/objects/KEY/       root.erofs, vmlinuz, initramfs.cpio, packages (complete or absent)
//   image_dir/apt/               a private apt state: the sources, the package index
//   image_dir/debs/              downloaded .debs, shared by every build
//   image_dir/tmp/build.XXXXXX/  one build in progress (locked); anything unlocked is stale
//   image_dir/locks/             flock files: the index, the apt state, each key, tmp/
//   image_dir/logs/NAME.log      the last build's mmdebstrap output
//
// An object is staged under tmp/ and renamed into objects/ complete; index.json is replaced
// atomically; both under the index lock. A build killed at any point leaves a locked-no-more
// directory in tmp/ that the next run removes.
#include "builder.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <format>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <poll.h>
#include <print>
#include <set>
#include <sstream>
#include <linux/close_range.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

namespace spectrum::image {

namespace fs = std::filesystem;

namespace {

using Clock = std::chrono::steady_clock;

volatile std::sig_atomic_t interrupted = 0;

void on_signal(int signal) {
    interrupted = signal;
}

void say(std::string_view text) {
    std::println(stderr, "spectrum-image: {}", text);
}

std::string read_text(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

bool readable_file(const fs::path& path) {
    std::error_code ec;
    return fs::is_regular_file(path, ec) && access(path.c_str(), R_OK) == 0;
}

// mkdir -p with mode 0755 whatever the umask.
std::expected<void, std::string> make_dir(const fs::path& path) {
    std::error_code ec;
    if (fs::is_directory(path, ec)) return {};
    if (auto parent = path.parent_path(); !parent.empty() && parent != path)
        if (auto made = make_dir(parent); !made) return made;
    if (mkdir(path.c_str(), 0755) != 0 && errno != EEXIST)
        return std::unexpected(std::format("cannot create {}: {}", path.string(), std::strerror(errno)));
    chmod(path.c_str(), 0755);
    return {};
}

// --- locks ---

class FileLock {
public:
    FileLock() = default;
    FileLock(FileLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
    FileLock& operator=(FileLock&& other) noexcept {
        std::swap(fd_, other.fd_);
        return *this;
    }
    ~FileLock() {
        if (fd_ >= 0) close(fd_);
    }

    // Blocks until held; `waiting` is called once if someone else holds it.
    static std::expected<FileLock, std::string> take(const fs::path& path, int operation,
                                                     const std::function<void()>& waiting = {}) {
        FileLock lock;
        lock.fd_ = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
        if (lock.fd_ < 0)
            return std::unexpected(std::format("cannot open the lock {}: {}", path.string(), std::strerror(errno)));
        if (flock(lock.fd_, operation | LOCK_NB) == 0) return lock;
        if (waiting) waiting();
        while (flock(lock.fd_, operation) != 0) {
            if (errno != EINTR || interrupted)
                return std::unexpected(std::format("cannot lock {}: {}", path.string(),
                                                   interrupted ? "interrupted" : std::strerror(errno)));
        }
        return lock;
    }

private:
    int fd_ = -1;
};

// --- child processes ---

struct RunResult {
    int status = -1; // exit status; 128+N for a signal
    std::string output;
};

// Runs argv with stdout and stderr into one pipe. Each complete line goes to on_line; every
// half second without output, tick() runs. The child dies with us (PR_SET_PDEATHSIG), and an
// interrupt (SIGINT/SIGTERM to us) stops it.
RunResult run(const std::vector<std::string>& argv, const std::vector<std::string>& env,
              const std::function<void(std::string_view)>& on_line = {},
              const std::function<void()>& tick = {}, int log_fd = -1, int stop_signal = SIGTERM) {
    RunResult result;
    int pipe_fds[2];
    if (pipe2(pipe_fds, O_CLOEXEC) != 0) {
        result.output = std::format("pipe: {}", std::strerror(errno));
        return result;
    }
    const pid_t parent = getpid();
    const pid_t child = fork();
    if (child < 0) {
        result.output = std::format("fork: {}", std::strerror(errno));
        close(pipe_fds[0]);
        close(pipe_fds[1]);
        return result;
    }
    if (child == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent) _exit(127);
        setpgid(0, 0); // a terminal's Ctrl+C reaches us, and we stop the child in order
        signal(SIGINT, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        signal(SIGPIPE, SIG_DFL);
        const int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
        dup2(null, 0);
        dup2(pipe_fds[1], 1);
        dup2(pipe_fds[1], 2);
        // Nothing else of ours: mmdebstrap hands apt a pipe on the lowest free descriptor,
        // and dash cannot redirect a descriptor above 9.
        close_range(3, ~0U, 0);
        for (const auto& entry : env)
            putenv(const_cast<char*>(entry.c_str()));
        std::vector<char*> args;
        for (const auto& arg : argv)
            args.push_back(const_cast<char*>(arg.c_str()));
        args.push_back(nullptr);
        execvp(args[0], args.data());
        std::println(stderr, "E: cannot run {}: {}", argv[0], std::strerror(errno));
        _exit(127);
    }
    close(pipe_fds[1]);
    std::string pending;
    bool stopping = false;
    auto stop_started = Clock::now();
    while (true) {
        if (interrupted && !stopping) {
            stopping = true;
            stop_started = Clock::now();
            kill(child, stop_signal);
        }
        if (stopping && Clock::now() - stop_started > std::chrono::seconds(10)) kill(child, SIGKILL);
        pollfd fd{pipe_fds[0], POLLIN, 0};
        const int ready = poll(&fd, 1, 500);
        if (ready < 0 && errno == EINTR) continue;
        if (ready == 0) {
            if (tick) tick();
            continue;
        }
        char buffer[8192];
        const ssize_t got = read(pipe_fds[0], buffer, sizeof buffer);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) break;
        if (log_fd >= 0) [[maybe_unused]] auto ignored = write(log_fd, buffer, static_cast<std::size_t>(got));
        if (result.output.size() < (8u << 20)) result.output.append(buffer, static_cast<std::size_t>(got));
        pending.append(buffer, static_cast<std::size_t>(got));
        std::size_t newline;
        while ((newline = pending.find('\n')) != std::string::npos) {
            if (on_line) on_line(std::string_view(pending).substr(0, newline));
            pending.erase(0, newline + 1);
        }
        if (tick) tick();
    }
    close(pipe_fds[0]);
    int status = 0;
    while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
        if (interrupted) kill(child, stop_signal);
    }
    result.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return result;
}

// Removes a directory tree without ever crossing into another filesystem (a mount left by
// a killed build must not take the host's /dev with it).
void remove_tree(const fs::path& path) {
    std::error_code ec;
    if (!fs::exists(fs::symlink_status(path, ec))) return;
    run({"rm", "-rf", "--one-file-system", "--", path.string()}, {});
}

// --- progress ---

class Progress {
public:
    explicit Progress(std::string name) : name_(std::move(name)), tty_(isatty(2) == 1), start_(Clock::now()) {}
    ~Progress() { clear(); }

    void phase(std::string_view phase) {
        if (phase == phase_) return;
        phase_ = phase;
        phase_start_ = Clock::now();
        if (tty_) draw();
        else say(std::format("{}: {}", name_, phase));
    }
    void tick() {
        if (tty_) draw();
    }
    void clear() {
        if (tty_ && drawn_) std::print(stderr, "\r\033[K");
        drawn_ = false;
    }
    double seconds() const { return std::chrono::duration<double>(Clock::now() - start_).count(); }

private:
    void draw() {
        const auto elapsed = std::chrono::duration_cast<std::chrono::seconds>(Clock::now() - start_).count();
        std::print(stderr, "\r\033[Kspectrum-image: {}: {}… {} s", name_, phase_, elapsed);
        drawn_ = true;
    }

    std::string name_;
    bool tty_;
    Clock::time_point start_, phase_start_;
    std::string phase_;
    bool drawn_ = false;
};

// --- the private apt state ---

struct AptDir {
    fs::path root;
    fs::path sources_dir() const { return root / "etc" / "sources.list.d"; }
    fs::path stamp() const { return root / "index-sources.sha256"; }

    std::vector<std::string> options() const {
        std::vector<std::string> o;
        auto opt = [&](std::string_view name, const fs::path& value) {
            o.push_back("-o");
            o.push_back(std::format("{}={}", name, value.string()));
        };
        opt("Dir::Etc::SourceList", root / "etc" / "sources.list");
        opt("Dir::Etc::SourceParts", sources_dir());
        opt("Dir::Etc::PreferencesParts", root / "etc" / "preferences.d");
        opt("Dir::Etc::Preferences", root / "etc" / "preferences");
        opt("Dir::State::Lists", root / "lists");
        opt("Dir::State::status", root / "status");
        opt("Dir::State::extended_states", root / "extended_states");
        opt("Dir::Cache", root / "cache");
        opt("Dir::Log", root / "log");
        for (const char* fixed : {"Debug::NoLocking=1", "Acquire::Languages=none",
                                  "APT::Install-Recommends=false", "APT::Get::List-Cleanup=true",
                                  "quiet=0"}) {
            o.push_back("-o");
            o.push_back(fixed);
        }
        if (geteuid() == 0) {
            o.push_back("-o");
            o.push_back("APT::Sandbox::User=root");
        }
        return o;
    }
};

std::string sources_digest(const std::vector<fs::path>& sources) {
    std::string all;
    for (const auto& path : sources)
        all += std::format("{}\n{}\n{}\n", path.filename().string(), read_text(path).size(), read_text(path));
    return sha256_hex(all);
}

// Makes sure the private package index exists for these sources (refreshed with `update`).
std::expected<void, std::string> ensure_index(const Environment& env, const AptDir& apt, bool update,
                                              Progress& progress) {
    if (env.sources.empty())
        return std::unexpected("no apt sources found (/etc/apt/sources.list, /etc/apt/sources.list.d/)");
    auto lock = FileLock::take(env.image_dir / "locks" / "apt", LOCK_EX);
    if (!lock) return std::unexpected(lock.error());
    const std::string digest = sources_digest(env.sources);
    if (!update && read_text(apt.stamp()) == digest + "\n") return {};

    progress.phase("reading the package index");
    for (const auto& dir : {apt.root / "etc" / "preferences.d", apt.root / "lists" / "partial",
                            apt.root / "cache" / "archives" / "partial", apt.root / "log"})
        if (auto made = make_dir(dir); !made) return made;
    std::error_code ec;
    fs::remove(apt.stamp(), ec);
    fs::remove_all(apt.sources_dir(), ec);
    if (auto made = make_dir(apt.sources_dir()); !made) return made;
    int n = 0;
    for (const auto& source : env.sources) {
        const auto text = read_text(source);
        const bool deb822 = source.extension() == ".sources";
        const auto name = std::format("{:02}-{}{}", n++, source.stem().string(), deb822 ? ".sources" : ".list");
        if (auto written = write_file_atomically(apt.sources_dir() / name, text); !written)
            return std::unexpected(written.error());
    }
    for (const auto& file : {apt.root / "etc" / "sources.list", apt.root / "status"})
        if (!fs::exists(file))
            if (auto written = write_file_atomically(file, ""); !written) return std::unexpected(written.error());

    auto options = apt.options();
    std::vector<std::string> argv{"apt-get"};
    argv.insert(argv.end(), options.begin(), options.end());
    argv.push_back("update");
    auto result = run(argv, {"LC_ALL=C.UTF-8"}, {}, [&] { progress.tick(); });
    if (interrupted) return std::unexpected("interrupted");
    // apt-get update exits 0 when a mirror cannot be reached; its Err:/W: lines say so.
    auto problem = parse_apt_errors(result.output);
    if (result.status != 0 || result.output.find("\nErr:") != std::string::npos ||
        result.output.starts_with("Err:") || result.output.find("W: Failed to fetch") != std::string::npos)
        return std::unexpected(std::format("cannot read the package index from the mirror: {}",
                                           problem.message.empty() ? "apt-get update failed" : problem.message));
    if (auto written = write_file_atomically(apt.stamp(), digest + "\n"); !written)
        return std::unexpected(written.error());
    return {};
}

struct Resolution {
    std::vector<ResolvedPackage> versions;
    std::vector<std::string> unknown;
};

// The versions a build would install: `apt-get -s install` into an empty system.
std::expected<Resolution, std::string> resolve(const Environment& env, const AptDir& apt,
                                               const std::vector<std::string>& packages, Progress& progress) {
    auto lock = FileLock::take(env.image_dir / "locks" / "apt", LOCK_SH);
    if (!lock) return std::unexpected(lock.error());
    progress.phase("resolving");
    auto options = apt.options();
    std::vector<std::string> argv{"apt-get"};
    argv.insert(argv.end(), options.begin(), options.end());
    argv.insert(argv.end(), {"--simulate", "--no-install-recommends", "install", "?essential"});
    argv.insert(argv.end(), packages.begin(), packages.end());
    auto result = run(argv, {"LC_ALL=C.UTF-8"}, {}, [&] { progress.tick(); });
    if (interrupted) return std::unexpected("interrupted");
    Resolution resolution;
    if (result.status != 0) {
        auto problem = parse_apt_errors(result.output);
        if (!problem.unknown_packages.empty()) {
            resolution.unknown = problem.unknown_packages;
            return resolution;
        }
        return std::unexpected(std::format("apt cannot resolve the packages: {}",
                                           problem.message.empty() ? "apt-get failed" : problem.message));
    }
    resolution.versions = parse_simulation(result.output);
    if (resolution.versions.empty()) return std::unexpected("apt resolved no packages at all");
    return resolution;
}

// --- the recipe ---

// dpkg filters: no documentation, manuals or translations (C.UTF-8 is built into libc), and
// no kernel modules a VM has no hardware for. virtio, filesystems and the network core stay.
const std::vector<std::string>& path_filters() {
    static const std::vector<std::string> filters = [] {
        std::vector<std::string> f{
            "path-exclude=/usr/share/doc/*",
            "path-include=/usr/share/doc/*/copyright",
            "path-exclude=/usr/share/man/*",
            "path-exclude=/usr/share/info/*",
            "path-exclude=/usr/share/locale/*",
            "path-include=/usr/share/locale/locale.alias",
            "path-exclude=/usr/share/lintian/*",
            "path-exclude=/usr/share/bug/*",
            "path-exclude=/usr/share/gtk-doc/*",
            // No 37 MB initrd: the guest's own initramfs comes from the guest hook.
            "path-exclude=/etc/kernel/postinst.d/initramfs-tools",
            "path-exclude=/usr/share/initramfs-tools/hooks/*",
        };
        const char* unused_modules[] = {
            "drivers/gpu/*", "sound/*", "drivers/media/*", "drivers/net/wireless/*",
            "drivers/net/ethernet/*", "drivers/net/can/*", "drivers/net/usb/*", "drivers/net/wwan/*",
            "drivers/bluetooth/*", "net/bluetooth/*", "net/wireless/*", "net/mac80211/*",
            "drivers/infiniband/*", "drivers/usb/*", "drivers/staging/*", "drivers/iio/*",
            "drivers/isdn/*", "drivers/mtd/*", "drivers/thunderbolt/*", "drivers/nfc/*", "net/nfc/*",
            "drivers/hwmon/*", "drivers/platform/*", "drivers/input/touchscreen/*",
            "drivers/input/joystick/*", "drivers/input/tablet/*", "drivers/firewire/*",
            "drivers/atm/*", "drivers/mmc/*", "drivers/memstick/*", "drivers/pcmcia/*",
            "drivers/watchdog/*", "drivers/leds/*", "drivers/target/*", "drivers/scsi/*/*",
        };
        const char* kept_modules[] = {
            // virtio-gpu (the cross-domain transport) and what it needs
            "drivers/gpu/drm/virtio/*", "drivers/gpu/drm/drm.ko*", "drivers/gpu/drm/drm_kms_helper.ko*",
            "drivers/gpu/drm/drm_shmem_helper.ko*",
        };
        for (const char* root : {"/lib/modules", "/usr/lib/modules"}) {
            for (const char* dir : unused_modules)
                f.push_back(std::format("path-exclude={}/*/kernel/{}", root, dir));
            for (const char* dir : kept_modules)
                f.push_back(std::format("path-include={}/*/kernel/{}", root, dir));
        }
        return f;
    }();
    return filters;
}

// What the recipe is, for the key: any change to the options below changes every key.
std::string recipe_text() {
    std::string text = "mmdebstrap --variant=essential no-recommends erofs lz4hc\n";
    for (const auto& filter : path_filters())
        text += filter + "\n";
    return text;
}

// --- the cache ---

struct Cache {
    fs::path dir;
    fs::path index() const { return dir / "index.json"; }
    fs::path objects() const { return dir / "objects"; }
    fs::path object(const std::string& key) const { return objects() / key; }
    fs::path locks() const { return dir / "locks"; }
    fs::path tmp() const { return dir / "tmp"; }
    fs::path debs() const { return dir / "debs"; }
    fs::path logs() const { return dir / "logs"; }
};

// The index, or an empty one where there is none. A damaged index is an error for readers
// (paths, list) and an empty index, with a warning, for builds: it is a cache.
std::expected<Index, std::string> read_index(const Cache& cache) {
    std::error_code ec;
    if (!fs::exists(cache.index(), ec)) return Index{};
    auto index = parse_index(read_text(cache.index()));
    if (!index) return std::unexpected(std::format("{} is damaged: {}", cache.index().string(), index.error()));
    return index;
}

bool object_complete(const Cache& cache, const std::string& key) {
    for (auto file : object_files)
        if (!readable_file(cache.object(key) / file)) return false;
    return true;
}

// Checks every file of an entry against its recorded SHA-256; the first problem, or none.
std::optional<std::string> verify(const Cache& cache, const std::string& name, const IndexEntry& entry) {
    for (auto file : object_files) {
        const auto path = cache.object(entry.key) / file;
        auto digest = sha256_file(path);
        if (!digest)
            return std::format("image {}: {} is missing from the cache ({}); refused — rebuild with "
                               "spectrum-image build {}",
                               name, path.string(), digest.error(), name);
        const auto& expected = entry.sha256.at(std::string(file));
        if (*digest != expected)
            return std::format("image {}: {} was modified in the cache (sha256 {}, index says {}); "
                               "refused — rebuild with spectrum-image build {}",
                               name, path.string(), *digest, expected, name);
    }
    return std::nullopt;
}

// Removes stale builds from tmp/: any directory no running build holds locked.
void clean_tmp(const Cache& cache) {
    auto guard = FileLock::take(cache.locks() / "tmp", LOCK_EX);
    if (!guard) return;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(cache.tmp(), ec)) {
        const int fd = open(entry.path().c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) != 0) {
            close(fd); // a build in progress
            continue;
        }
        remove_tree(entry.path());
        if (fd >= 0) close(fd);
    }
}

// A directory under tmp/ this build holds locked until it is gone.
class Staging {
public:
    static std::expected<Staging, std::string> create(const Cache& cache) {
        auto guard = FileLock::take(cache.locks() / "tmp", LOCK_SH);
        if (!guard) return std::unexpected(guard.error());
        std::string path = (cache.tmp() / "build.XXXXXX").string();
        if (!mkdtemp(path.data()))
            return std::unexpected(std::format("cannot create a directory in {}: {}", cache.tmp().string(),
                                               std::strerror(errno)));
        Staging staging;
        staging.path_ = path;
        staging.fd_ = open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (staging.fd_ < 0 || flock(staging.fd_, LOCK_EX) != 0)
            return std::unexpected(std::format("cannot lock {}", path));
        chmod(path.c_str(), 0755);
        return staging;
    }
    Staging() = default;
    Staging(Staging&& other) noexcept : path_(std::move(other.path_)), fd_(std::exchange(other.fd_, -1)) {
        other.path_.clear();
    }
    ~Staging() {
        if (!path_.empty()) remove_tree(path_);
        if (fd_ >= 0) close(fd_);
    }
    const fs::path& path() const { return path_; }

private:
    fs::path path_;
    int fd_ = -1;
};

// Files of one object: mode 0644, on disk before the rename that publishes them.
std::expected<std::map<std::string, std::string>, std::string> seal(const fs::path& dir) {
    std::map<std::string, std::string> sums;
    chmod(dir.c_str(), 0755);
    for (auto file : object_files) {
        const auto path = dir / file;
        const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) return std::unexpected(std::format("{}: {}", path.string(), std::strerror(errno)));
        fchmod(fd, 0644);
        fsync(fd);
        close(fd);
        auto digest = sha256_file(path);
        if (!digest) return std::unexpected(std::format("{}: {}", path.string(), digest.error()));
        sums[std::string(file)] = *digest;
    }
    if (const int fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); fd >= 0) {
        fsync(fd);
        close(fd);
    }
    return sums;
}

// "name_version_arch.deb" as apt names it in its archive cache (an epoch's ":" as "%3a").
std::string deb_file_name(const ResolvedPackage& package) {
    std::string version;
    for (char c : package.version)
        version += c == ':' ? std::string("%3a") : std::string(1, c);
    return std::format("{}_{}_{}.deb", package.name, version, package.arch);
}

// With the index lock held: drops objects no entry names, and .debs no object holds.
void collect_garbage(const Cache& cache, const Index& index) {
    std::set<std::string> keys;
    for (const auto& [name, entry] : index.images)
        keys.insert(entry.key);
    std::error_code ec;
    std::set<std::string> debs;
    for (const auto& entry : fs::directory_iterator(cache.objects(), ec)) {
        const auto key = entry.path().filename().string();
        if (!keys.contains(key)) {
            remove_tree(entry.path());
            continue;
        }
        for (const auto& package : parse_dpkg_list(read_text(entry.path() / packages_file)))
            debs.insert(deb_file_name(package));
    }
    if (debs.empty()) return;
    for (const auto& entry : fs::directory_iterator(cache.debs(), ec)) {
        const auto name = entry.path().filename().string();
        if (name.ends_with(".deb") && !debs.contains(name)) fs::remove(entry.path(), ec);
    }
}

// Records `entry` for `name` (its object already in objects/), then collects garbage.
std::expected<void, std::string> record(const Cache& cache, const std::string& name, const IndexEntry& entry) {
    auto lock = FileLock::take(cache.locks() / "index", LOCK_EX);
    if (!lock) return std::unexpected(lock.error());
    auto index = read_index(cache);
    if (!index) {
        say(std::format("warning: {}; starting a new index", index.error()));
        index = Index{};
    }
    index->images[name] = entry;
    if (auto written = write_file_atomically(cache.index(), serialize_index(*index)); !written)
        return std::unexpected(written.error());
    collect_garbage(cache, *index);
    return {};
}

std::string human_size(std::uint64_t bytes) {
    return std::format("{:.1f} MiB", static_cast<double>(bytes) / (1 << 20));
}

// mmdebstrap's status lines, as the phase they start.
std::optional<std::string_view> phase_of(std::string_view line) {
    if (line.starts_with("I: running apt-get update") || line.starts_with("I: downloading packages"))
        return "downloading";
    if (line.starts_with("I: extracting archives") || line.starts_with("I: installing"))
        return "installing";
    if (line.starts_with("I: running --customize-hook")) return "customizing";
    if (line.starts_with("I: creating tarball")) return "packing";
    return std::nullopt;
}

struct BuildOutcome {
    bool ok = false;
    std::string message;
};

// One mmdebstrap run and one mkfs.erofs into staging/out.
BuildOutcome make_object(const Environment& env, const Cache& cache, const std::string& name,
                         const std::vector<std::string>& packages, const fs::path& staging,
                         Progress& progress) {
    const fs::path out = staging / "out";
    const fs::path mm_tmp = staging / "mmdebstrap";
    for (const auto& dir : {out, mm_tmp, cache.debs(), cache.logs()})
        if (auto made = make_dir(dir); !made) return {false, made.error()};
    const fs::path log_path = cache.logs() / (name + ".log");
    const int log_fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

    std::string include;
    for (const auto& package : packages)
        include += (include.empty() ? "" : ",") + package;
    std::vector<std::string> argv;
    // As root, mmdebstrap mounts /proc, /sys and /dev inside its root: in a namespace of its
    // own those mounts and every process end with it, even when we are killed. (unshare
    // ignores SIGTERM; SIGKILL ends the namespace at once.)
    const int stop_signal = geteuid() == 0 ? SIGKILL : SIGTERM;
    if (geteuid() == 0)
        argv = {"unshare", "--mount", "--propagation", "private", "--pid", "--fork", "--kill-child", "--"};
    argv.insert(argv.end(), {"mmdebstrap", "--verbose", "--variant=essential", "--include=" + include,
                             "--aptopt=APT::Install-Recommends \"false\"",
                             "--aptopt=Acquire::Languages \"none\"", "--skip=download/empty",
                             "--skip=essential/unlink"});
    for (const auto& filter : path_filters())
        argv.push_back("--dpkgopt=" + filter);
    // The shared .deb cache: hard links in, new ones back out (each atomically).
    argv.push_back("--setup-hook=mkdir -p \"$1/var/cache/apt/archives\" && "
                   "for f in \"$SPECTRUM_IMAGE_DEBS\"/*.deb; do [ -f \"$f\" ] || continue; "
                   "ln \"$f\" \"$1/var/cache/apt/archives/\" 2>/dev/null || cp \"$f\" \"$1/var/cache/apt/archives/\" || true; done");
    argv.push_back("--customize-hook=\"$SPECTRUM_GUEST_CUSTOMIZE\" \"$1\"");
    argv.push_back("--customize-hook=for f in \"$1\"/var/cache/apt/archives/*.deb; do [ -f \"$f\" ] || continue; "
                   "b=${f##*/}; [ -e \"$SPECTRUM_IMAGE_DEBS/$b\" ] && continue; "
                   "t=\"$SPECTRUM_IMAGE_DEBS/.$b.$$\"; { ln \"$f\" \"$t\" 2>/dev/null || cp \"$f\" \"$t\"; } && "
                   "mv -f \"$t\" \"$SPECTRUM_IMAGE_DEBS/$b\"; done");
    argv.push_back("--customize-hook=for f in vmlinuz initramfs.cpio packages; do "
                   "[ -f \"$1/boot/spectrum/$f\" ] || { echo \"E: the guest hook left no /boot/spectrum/$f\"; exit 1; }; "
                   "cp \"$1/boot/spectrum/$f\" \"$SPECTRUM_IMAGE_OUT/$f\" || exit 1; done");
    argv.push_back(env.inputs.suite);
    argv.push_back((staging / "root.tar").string());
    std::vector<std::string> sources;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(cache.dir / "apt" / "etc" / "sources.list.d", ec))
        sources.push_back(entry.path().string());
    std::ranges::sort(sources);
    argv.insert(argv.end(), sources.begin(), sources.end());

    const std::vector<std::string> child_env{
        "TMPDIR=" + mm_tmp.string(), "SPECTRUM_GUEST_CUSTOMIZE=" + env.customize.string(),
        "SPECTRUM_IMAGE_DEBS=" + cache.debs().string(), "SPECTRUM_IMAGE_OUT=" + out.string(),
        "LC_ALL=C.UTF-8"};
    auto result = run(
        argv, child_env,
        [&](std::string_view line) {
            if (auto phase = phase_of(line)) progress.phase(*phase);
        },
        [&] { progress.tick(); }, log_fd, stop_signal);
    if (log_fd >= 0) close(log_fd);
    if (interrupted) return {false, "interrupted"};
    if (result.status != 0) {
        auto problem = parse_apt_errors(result.output);
        std::string why = problem.message;
        if (!problem.unknown_packages.empty()) why = std::format("unknown package \"{}\"", problem.unknown_packages[0]);
        if (why.empty()) why = std::format("mmdebstrap exited with status {}", result.status);
        return {false, std::format("mmdebstrap failed: {} (the whole output: {})", why, log_path.string())};
    }

    progress.phase("compressing");
    auto mkfs = run({"mkfs.erofs", "-zlz4hc", "--tar=f", (out / root_file).string(), (staging / "root.tar").string()},
                    {}, {}, [&] { progress.tick(); });
    if (interrupted) return {false, "interrupted"};
    if (mkfs.status != 0) {
        std::string last;
        for (auto line : std::views::split(mkfs.output, '\n'))
            if (!std::string_view(line.begin(), line.end()).empty()) last.assign(line.begin(), line.end());
        return {false, std::format("mkfs.erofs failed: {}", last)};
    }
    fs::remove(staging / "root.tar", ec);
    return {true, {}};
}

int build_one(const Environment& env, const Cache& cache, const AptDir& apt,
              const config::ImageConfig& image) {
    Progress progress(image.name);
    const auto packages = image_package_list(env.base, image.packages);
    const auto inputs = inputs_digest(env.inputs, packages);

    auto resolution = resolve(env, apt, packages, progress);
    if (!resolution) {
        progress.clear();
        say(std::format("[image.{}] {}", image.name, resolution.error()));
        return exit_error;
    }
    if (!resolution->unknown.empty()) {
        progress.clear();
        std::string names;
        for (const auto& unknown : resolution->unknown)
            names += (names.empty() ? "\"" : ", \"") + unknown + "\"";
        say(std::format("[image.{}] unknown package{} {}", image.name, resolution->unknown.size() > 1 ? "s" : "",
                        names));
        return exit_error;
    }
    const auto key = image_key(inputs, resolution->versions);

    // Already built (by an earlier run, or by the build we waited for)?
    auto finished = [&]() -> std::optional<int> {
        auto index = read_index(cache);
        if (index) {
            auto entry = index->images.find(image.name);
            if (entry != index->images.end() && entry->second.key == key) {
                if (auto problem = verify(cache, image.name, entry->second)) {
                    progress.clear();
                    say(std::format("{}; rebuilding", *problem));
                    remove_tree(cache.object(key));
                    return std::nullopt;
                }
                progress.clear();
                std::println("{}  key {}  root.erofs {}  up to date", image.name, key.substr(0, 12),
                             human_size(entry->second.root_bytes));
                return exit_ok;
            }
        }
        // The same key under another name (or before a crash reached the index): reuse it.
        if (object_complete(cache, key)) {
            auto sums = seal(cache.object(key));
            if (!sums) return std::nullopt;
            IndexEntry entry{key, inputs, packages, *sums, fs::file_size(cache.object(key) / root_file), 0};
            if (index)
                for (const auto& [other, other_entry] : index->images)
                    if (other_entry.key == key) entry.build_seconds = other_entry.build_seconds;
            if (auto recorded = record(cache, image.name, entry); !recorded) {
                say(recorded.error());
                return exit_error;
            }
            progress.clear();
            std::println("{}  key {}  root.erofs {}  up to date", image.name, key.substr(0, 12),
                         human_size(entry.root_bytes));
            return exit_ok;
        }
        return std::nullopt;
    };
    if (auto done = finished()) return *done;

    auto key_lock = FileLock::take(cache.locks() / (key + ".lock"), LOCK_EX, [&] {
        progress.phase("waiting for another build of the same image");
    });
    if (!key_lock) {
        progress.clear();
        say(std::format("[image.{}] {}", image.name, key_lock.error()));
        return exit_error;
    }
    if (auto done = finished()) return *done;

    if (!readable_file(env.customize) || access(env.customize.c_str(), X_OK) != 0) {
        progress.clear();
        say(std::format("the guest hook {} is missing or not executable", env.customize.string()));
        return exit_error;
    }
    auto staging = Staging::create(cache);
    if (!staging) {
        progress.clear();
        say(staging.error());
        return exit_error;
    }
    auto outcome = make_object(env, cache, image.name, packages, staging->path(), progress);
    if (!outcome.ok) {
        progress.clear();
        say(std::format("[image.{}] {}", image.name, outcome.message));
        return interrupted ? 128 + interrupted : exit_error;
    }
    const fs::path out = staging->path() / "out";
    // The key covers the versions apt resolved; the image should hold exactly those. A
    // mirror that moved on since the index was read shows here.
    for (const auto& package : parse_dpkg_list(read_text(out / packages_file))) {
        auto wanted = std::ranges::find(resolution->versions, package.name, &ResolvedPackage::name);
        if (wanted == resolution->versions.end() || wanted->version != package.version) {
            progress.clear();
            say(std::format("warning: [image.{}] holds {} {}, not what the package index resolved; "
                            "the mirror changed: run spectrum-image build --update {}",
                            image.name, package.name, package.version, image.name));
            break;
        }
    }
    auto sums = seal(out);
    if (!sums) {
        progress.clear();
        say(sums.error());
        return exit_error;
    }
    IndexEntry entry{key, inputs, packages, *sums, fs::file_size(out / root_file), progress.seconds()};
    {
        auto lock = FileLock::take(cache.locks() / "index", LOCK_EX);
        if (!lock) {
            say(lock.error());
            return exit_error;
        }
        std::error_code ec;
        if (!fs::exists(cache.object(key), ec)) {
            if (rename(out.c_str(), cache.object(key).c_str()) != 0) {
                progress.clear();
                say(std::format("cannot move the image into {}: {}", cache.object(key).string(), std::strerror(errno)));
                return exit_error;
            }
            if (const int fd = open(cache.objects().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); fd >= 0) {
                fsync(fd);
                close(fd);
            }
        }
    }
    if (auto recorded = record(cache, image.name, entry); !recorded) {
        progress.clear();
        say(recorded.error());
        return exit_error;
    }
    progress.clear();
    std::println("{}  key {}  root.erofs {}  built in {:.0f} s", image.name, key.substr(0, 12),
                 human_size(entry.root_bytes), entry.build_seconds);
    return exit_ok;
}

// A config path given or found, and the images it names.
std::string known_images(const config::Config& config) {
    std::string names{config::base_image_name};
    for (const auto& image : config.images)
        names += ", " + image.name;
    return names;
}

std::optional<std::string> guest_files(const fs::path& dir, std::vector<std::pair<std::string, std::string>>& out) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) return std::nullopt;
    for (auto it = fs::recursive_directory_iterator(dir, ec); it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (ec) return std::format("cannot read {}: {}", dir.string(), ec.message());
        if (!it->is_regular_file()) continue;
        auto digest = sha256_file(it->path());
        if (!digest) return std::format("cannot read {}: {}", it->path().string(), digest.error());
        out.emplace_back(fs::relative(it->path(), dir).string(), *digest);
    }
    return std::nullopt;
}

std::string os_release_codename() {
    std::ifstream in("/etc/os-release");
    std::string line;
    while (std::getline(in, line))
        if (line.starts_with("VERSION_CODENAME=")) {
            auto value = line.substr(17);
            std::erase(value, '"');
            std::erase(value, '\'');
            return value;
        }
    return {};
}

// Whether this program runs from the meson build tree (then the source tree has its files).
bool in_build_tree() {
    std::error_code ec;
    const auto self = fs::read_symlink("/proc/self/exe", ec);
    return !ec && self.parent_path() == fs::path(SPECTRUM_IMAGE_BUILD_DIR);
}

} // namespace

std::expected<Environment, std::string> discover(const fs::path& image_dir) {
    Environment env;
    env.image_dir = fs::absolute(image_dir);
    const bool build_tree = in_build_tree();
    const fs::path source = SPECTRUM_SOURCE_ROOT;
    if (const char* path = std::getenv("SPECTRUM_IMAGE_BASE_PACKAGES"); path && *path) env.base_packages = path;
    else if (build_tree) env.base_packages = source / "vmbridge" / "image" / "base-packages";
    else env.base_packages = fs::path(SPECTRUM_DATADIR) / "base-packages";
    if (const char* path = std::getenv("SPECTRUM_GUEST_IMAGE_DIR"); path && *path) env.guest_dir = path;
    else if (build_tree) env.guest_dir = source / "vmbridge" / "guest" / "image";
    else env.guest_dir = fs::path(SPECTRUM_LIBEXECDIR) / "guest-image";
    env.customize = env.guest_dir / "customize";
    if (const char* path = std::getenv("SPECTRUM_GUEST_CUSTOMIZE"); path && *path) env.customize = fs::absolute(path);

    if (!readable_file(env.base_packages))
        return std::unexpected(std::format("cannot read the base package list {}", env.base_packages.string()));
    env.inputs.base_packages_text = read_text(env.base_packages);
    auto base = parse_package_list(env.inputs.base_packages_text);
    if (!base) return std::unexpected(std::format("{}: {}", env.base_packages.string(), base.error()));
    env.base = *base;
    if (auto problem = guest_files(env.guest_dir, env.inputs.guest_files)) return std::unexpected(*problem);
    // The hook also installs the guest's kernel command line parser from beside its folder.
    if (const auto awk = env.guest_dir / ".." / "cmdline.awk"; readable_file(awk))
        if (auto digest = sha256_file(awk)) env.inputs.guest_files.emplace_back("../cmdline.awk", *digest);
    // A hook from elsewhere (SPECTRUM_GUEST_CUSTOMIZE) counts as the guest's "customize".
    if (env.customize != env.guest_dir / "customize" && readable_file(env.customize)) {
        std::erase_if(env.inputs.guest_files, [](const auto& file) { return file.first == "customize"; });
        if (auto digest = sha256_file(env.customize)) env.inputs.guest_files.emplace_back("customize", *digest);
    }

    if (const char* suite = std::getenv("SPECTRUM_IMAGE_SUITE"); suite && *suite) env.inputs.suite = suite;
    else env.inputs.suite = os_release_codename();
    if (env.inputs.suite.empty())
        return std::unexpected("cannot tell this system's Debian codename (VERSION_CODENAME in /etc/os-release)");
    auto arch = run({"dpkg", "--print-architecture"}, {});
    while (!arch.output.empty() && (arch.output.back() == '\n' || arch.output.back() == ' ')) arch.output.pop_back();
    if (arch.status != 0 || arch.output.empty()) return std::unexpected("cannot run dpkg --print-architecture");
    env.inputs.arch = arch.output;
    env.inputs.recipe = recipe_text();

    // The sources: this system's own (never a host name of ours), or the test override.
    if (const char* path = std::getenv("SPECTRUM_IMAGE_SOURCES"); path && *path) {
        env.sources.push_back(path);
    } else {
        auto has_entries = [](const fs::path& file) {
            std::istringstream in(read_text(file));
            std::string line;
            while (std::getline(in, line))
                if (line.starts_with("deb ") || line.starts_with("Types:") || line.starts_with("URIs:")) return true;
            return false;
        };
        if (readable_file("/etc/apt/sources.list") && has_entries("/etc/apt/sources.list"))
            env.sources.push_back("/etc/apt/sources.list");
        std::vector<fs::path> parts;
        std::error_code ec;
        for (const auto& entry : fs::directory_iterator("/etc/apt/sources.list.d", ec)) {
            const auto ext = entry.path().extension();
            if ((ext == ".list" || ext == ".sources") && readable_file(entry.path()) && has_entries(entry.path()))
                parts.push_back(entry.path());
        }
        std::ranges::sort(parts);
        env.sources.insert(env.sources.end(), parts.begin(), parts.end());
    }
    return env;
}

int build_images(const Environment& env, const config::Config& config, const std::vector<std::string>& names,
                 bool update) {
    std::vector<const config::ImageConfig*> images;
    for (const auto& name : names) {
        const auto* image = config.find_image(name);
        if (!image) {
            say(std::format("no image named \"{}\" in {} (declared: {})", name, config.source, known_images(config)));
            return exit_error;
        }
        images.push_back(image);
    }
    struct sigaction action {};
    action.sa_handler = on_signal;
    sigemptyset(&action.sa_mask);
    for (int signal : {SIGINT, SIGTERM, SIGHUP})
        sigaction(signal, &action, nullptr);

    const Cache cache{env.image_dir};
    for (const auto& dir : {cache.dir, cache.objects(), cache.locks(), cache.tmp(), cache.dir / "apt"})
        if (auto made = make_dir(dir); !made) {
            say(made.error());
            return exit_error;
        }
    clean_tmp(cache);
    const AptDir apt{cache.dir / "apt"};
    {
        Progress progress(names.size() == 1 ? names[0] : "images");
        if (auto ready = ensure_index(env, apt, update, progress); !ready) {
            progress.clear();
            say(ready.error());
            return interrupted ? 128 + interrupted : exit_error;
        }
    }
    for (const auto* image : images)
        if (int status = build_one(env, cache, apt, *image); status != exit_ok) return status;
    return exit_ok;
}

int print_paths(const Environment& env, const config::Config& config, const std::string& name) {
    const auto* image = config.find_image(name);
    if (!image) {
        say(std::format("no image named \"{}\" in {} (declared: {})", name, config.source, known_images(config)));
        return exit_error;
    }
    const Cache cache{env.image_dir};
    auto index = read_index(cache);
    if (!index) {
        say(index.error());
        return exit_error;
    }
    auto entry = index->images.find(name);
    if (entry == index->images.end()) {
        say(std::format("image {} is not built (spectrum-image build {})", name, name));
        return exit_not_built;
    }
    const auto inputs = inputs_digest(env.inputs, image_package_list(env.base, image->packages));
    if (entry->second.inputs != inputs) {
        say(std::format("image {} is not built for its current package list or builder "
                        "(spectrum-image build {})",
                        name, name));
        return exit_not_built;
    }
    if (auto problem = verify(cache, name, entry->second)) {
        say(*problem);
        return exit_error;
    }
    const auto object = fs::absolute(cache.object(entry->second.key));
    nlohmann::ordered_json paths = {{"name", name},
                                    {"key", entry->second.key},
                                    {"root", (object / root_file).string()},
                                    {"kernel", (object / kernel_file).string()},
                                    {"initramfs", (object / initramfs_file).string()},
                                    {"packages", (object / packages_file).string()}};
    std::println("{}", paths.dump());
    return exit_ok;
}

int list_images(const Environment& env, const config::Config& config, bool json) {
    const Cache cache{env.image_dir};
    auto index = read_index(cache);
    if (!index) {
        say(index.error());
        return exit_error;
    }
    std::vector<const config::ImageConfig*> images{config.find_image(config::base_image_name)};
    for (const auto& image : config.images)
        images.push_back(&image);
    nlohmann::ordered_json list = nlohmann::ordered_json::array();
    for (const auto* image : images) {
        const auto inputs = inputs_digest(env.inputs, image_package_list(env.base, image->packages));
        auto entry = index->images.find(image->name);
        const bool built = entry != index->images.end() && entry->second.inputs == inputs &&
                           object_complete(cache, entry->second.key);
        nlohmann::ordered_json item = {{"name", image->name}, {"packages", image->packages}, {"built", built}};
        if (built) {
            item["key"] = entry->second.key;
            item["root_bytes"] = entry->second.root_bytes;
            item["build_seconds"] = entry->second.build_seconds;
        }
        list.push_back(item);
    }
    if (json) {
        std::println("{}", list.dump());
        return exit_ok;
    }
    std::println("{:<16} {:<13} {:>11}  {}", "IMAGE", "KEY", "SIZE", "PACKAGES");
    for (const auto& item : list) {
        std::string packages;
        for (const auto& package : item["packages"])
            packages += (packages.empty() ? "" : " ") + package.get<std::string>();
        if (packages.empty()) packages = "(base only)";
        const bool built = item["built"].get<bool>();
        std::println("{:<16} {:<13} {:>11}  {}", item["name"].get<std::string>(),
                     built ? item["key"].get<std::string>().substr(0, 12) : "not built",
                     built ? human_size(item["root_bytes"].get<std::uint64_t>()) : "-", packages);
    }
    return exit_ok;
}

} // namespace spectrum::image
