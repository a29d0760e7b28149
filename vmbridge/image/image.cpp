// The pure parts of spectrum-image: hashing, keys, apt's output, the index, arguments.
#include "image.hpp"

#include "config.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <format>
#include <nlohmann/json.hpp>
#include <openssl/evp.h>
#include <ranges>
#include <set>
#include <sys/stat.h>
#include <unistd.h>

namespace spectrum::image {

namespace {

// An incremental SHA-256 whose fields are framed (length, then bytes), so no two
// different sequences of fields hash alike.
class Hasher {
public:
    Hasher() : context_(EVP_MD_CTX_new()) { EVP_DigestInit_ex(context_, EVP_sha256(), nullptr); }
    ~Hasher() { EVP_MD_CTX_free(context_); }
    Hasher(const Hasher&) = delete;
    Hasher& operator=(const Hasher&) = delete;

    void raw(const void* data, std::size_t size) { EVP_DigestUpdate(context_, data, size); }
    Hasher& field(std::string_view text) {
        const std::string length = std::format("{}:", text.size());
        raw(length.data(), length.size());
        raw(text.data(), text.size());
        return *this;
    }
    std::string hex() {
        unsigned char digest[EVP_MAX_MD_SIZE];
        unsigned int size = 0;
        EVP_DigestFinal_ex(context_, digest, &size);
        std::string out;
        for (unsigned int i = 0; i < size; ++i)
            out += std::format("{:02x}", digest[i]);
        return out;
    }

private:
    EVP_MD_CTX* context_;
};

std::string_view trim(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t' || text.front() == '\r'))
        text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r'))
        text.remove_suffix(1);
    return text;
}

std::vector<std::string_view> lines_of(std::string_view text) {
    std::vector<std::string_view> lines;
    for (auto line : std::views::split(text, '\n'))
        lines.emplace_back(line.begin(), line.end());
    return lines;
}

void sort_by_name(std::vector<ResolvedPackage>& packages) {
    std::ranges::sort(packages, {}, &ResolvedPackage::name);
    auto duplicates = std::ranges::unique(packages, {}, &ResolvedPackage::name);
    packages.erase(duplicates.begin(), duplicates.end());
}

} // namespace

std::string sha256_hex(std::string_view data) {
    Hasher hasher;
    hasher.raw(data.data(), data.size());
    return hasher.hex();
}

std::expected<std::string, std::string> sha256_file(const std::filesystem::path& path) {
    const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return std::unexpected(std::string(std::strerror(errno)));
    Hasher hasher;
    static thread_local std::vector<char> buffer(1 << 20);
    while (true) {
        const ssize_t got = read(fd, buffer.data(), buffer.size());
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) {
            const int error = errno;
            close(fd);
            return std::unexpected(std::string(std::strerror(error)));
        }
        if (got == 0) break;
        hasher.raw(buffer.data(), static_cast<std::size_t>(got));
    }
    close(fd);
    return hasher.hex();
}

bool is_key(std::string_view text) {
    return text.size() == 64 &&
           std::ranges::all_of(text, [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

std::expected<std::vector<std::string>, std::string> parse_package_list(std::string_view text) {
    std::vector<std::string> names;
    int number = 0;
    for (auto line : lines_of(text)) {
        ++number;
        if (auto hash = line.find('#'); hash != std::string_view::npos) line = line.substr(0, hash);
        line = trim(line);
        if (line.empty()) continue;
        if (!config::valid_package_name(line))
            return std::unexpected(std::format("line {}: \"{}\" is not a Debian package name", number, line));
        names.emplace_back(line);
    }
    return names;
}

std::vector<std::string> image_package_list(const std::vector<std::string>& base,
                                            const std::vector<std::string>& extra) {
    std::set<std::string> all(base.begin(), base.end());
    all.insert(extra.begin(), extra.end());
    return {all.begin(), all.end()};
}

std::string inputs_digest(const BuilderInputs& inputs, const std::vector<std::string>& packages) {
    Hasher hasher;
    hasher.field("spectrum-image inputs").field(std::to_string(format_version));
    hasher.field(inputs.suite).field(inputs.arch).field(inputs.base_packages_text).field(inputs.recipe);
    auto guest = inputs.guest_files;
    std::ranges::sort(guest);
    hasher.field(std::to_string(guest.size()));
    for (const auto& [path, digest] : guest)
        hasher.field(path).field(digest);
    auto sorted = packages;
    std::ranges::sort(sorted);
    hasher.field(std::to_string(sorted.size()));
    for (const auto& name : sorted)
        hasher.field(name);
    return hasher.hex();
}

std::string image_key(std::string_view inputs, std::vector<ResolvedPackage> versions) {
    sort_by_name(versions);
    Hasher hasher;
    hasher.field("spectrum-image key").field(inputs).field(std::to_string(versions.size()));
    for (const auto& package : versions)
        hasher.field(package.name).field(package.version).field(package.arch);
    return hasher.hex();
}

std::vector<ResolvedPackage> parse_simulation(std::string_view apt_output) {
    std::vector<ResolvedPackage> packages;
    for (auto line : lines_of(apt_output)) {
        // Inst libc6 (2.41-12 Debian:13.1/stable [amd64]) []
        if (!line.starts_with("Inst ")) continue;
        line.remove_prefix(5);
        const auto space = line.find(' ');
        if (space == std::string_view::npos) continue;
        ResolvedPackage package{std::string(line.substr(0, space)), {}, {}};
        auto rest = line.substr(space + 1);
        if (!rest.starts_with("(")) continue;
        rest.remove_prefix(1);
        const auto version_end = rest.find(' ');
        if (version_end == std::string_view::npos) continue;
        package.version = rest.substr(0, version_end);
        if (auto open = rest.find('['), close = rest.find(']');
            open != std::string_view::npos && close != std::string_view::npos && close > open)
            package.arch = rest.substr(open + 1, close - open - 1);
        // A multi-arch name "libfoo:amd64" is the same package as "libfoo" here.
        if (auto colon = package.name.find(':'); colon != std::string::npos) package.name.resize(colon);
        packages.push_back(std::move(package));
    }
    sort_by_name(packages);
    return packages;
}

std::vector<ResolvedPackage> parse_dpkg_list(std::string_view text) {
    std::vector<ResolvedPackage> packages;
    for (auto line : lines_of(text)) {
        auto fields = std::views::split(line, '\t') |
                      std::views::transform([](auto f) { return std::string(f.begin(), f.end()); }) |
                      std::ranges::to<std::vector>();
        if (fields.size() != 3 || fields[0].empty() || fields[1].empty()) continue;
        packages.push_back({fields[0], fields[1], fields[2]});
    }
    sort_by_name(packages);
    return packages;
}

AptProblem parse_apt_errors(std::string_view apt_output) {
    AptProblem problem;
    std::string first_error, failed_fetch;
    const auto lines = lines_of(apt_output);
    for (std::size_t i = 0; i < lines.size(); ++i) {
        const auto line = trim(lines[i]);
        constexpr std::string_view locate = "E: Unable to locate package ";
        constexpr std::string_view package = "E: Package '";
        if (line.starts_with(locate)) {
            problem.unknown_packages.emplace_back(trim(line.substr(locate.size())));
        } else if (line.starts_with(package) && line.ends_with("' has no installation candidate")) {
            auto name = line.substr(package.size());
            problem.unknown_packages.emplace_back(name.substr(0, name.find('\'')));
        } else if (failed_fetch.empty() && line.starts_with("Err:")) {
            // "Err:1 http://… InRelease", then the reason indented on the next line.
            failed_fetch = std::string(line);
            if (i + 1 < lines.size() && lines[i + 1].starts_with(" "))
                failed_fetch += std::format(": {}", trim(lines[i + 1]));
        } else if (failed_fetch.empty() && line.starts_with("W: Failed to fetch ")) {
            failed_fetch = std::string(line.substr(3));
        } else if (first_error.empty() && line.starts_with("E: ")) {
            first_error = std::string(line.substr(3));
        }
    }
    std::ranges::sort(problem.unknown_packages);
    auto duplicates = std::ranges::unique(problem.unknown_packages);
    problem.unknown_packages.erase(duplicates.begin(), duplicates.end());
    problem.message = failed_fetch.empty() ? first_error : failed_fetch;
    return problem;
}

// --- index ---

std::expected<Index, std::string> parse_index(std::string_view text) {
    using nlohmann::json;
    json document;
    try {
        document = json::parse(text);
    } catch (const json::exception& error) {
        return std::unexpected(std::format("not JSON ({})", error.what()));
    }
    if (!document.is_object() || document.value("format", 0) != format_version ||
        !document.contains("images") || !document["images"].is_object())
        return std::unexpected(std::format("not an index of format {}", format_version));
    Index index;
    for (const auto& [name, value] : document["images"].items()) {
        if (!config::valid_vm_name(name) && name != config::base_image_name)
            return std::unexpected(std::format("bad image name \"{}\"", name));
        if (!value.is_object()) return std::unexpected(std::format("image {}: not an object", name));
        IndexEntry entry;
        try {
            entry.key = value.at("key").get<std::string>();
            entry.inputs = value.at("inputs").get<std::string>();
            entry.packages = value.at("packages").get<std::vector<std::string>>();
            entry.root_bytes = value.at("root_bytes").get<std::uint64_t>();
            entry.build_seconds = value.at("build_seconds").get<double>();
            for (auto file : object_files)
                entry.sha256[std::string(file)] = value.at("sha256").at(std::string(file)).get<std::string>();
        } catch (const json::exception& error) {
            return std::unexpected(std::format("image {}: {}", name, error.what()));
        }
        if (!is_key(entry.key) || !is_key(entry.inputs))
            return std::unexpected(std::format("image {}: a key is not 64 hex digits", name));
        for (const auto& [file, digest] : entry.sha256)
            if (!is_key(digest))
                return std::unexpected(std::format("image {}: the checksum of {} is not SHA-256", name, file));
        index.images.emplace(name, std::move(entry));
    }
    return index;
}

std::string serialize_index(const Index& index) {
    nlohmann::ordered_json images = nlohmann::ordered_json::object();
    for (const auto& [name, entry] : index.images) {
        nlohmann::ordered_json sums = nlohmann::ordered_json::object();
        for (const auto& [file, digest] : entry.sha256)
            sums[file] = digest;
        images[name] = {{"key", entry.key},           {"inputs", entry.inputs},
                        {"packages", entry.packages}, {"sha256", sums},
                        {"root_bytes", entry.root_bytes}, {"build_seconds", entry.build_seconds}};
    }
    nlohmann::ordered_json document = {{"format", format_version}, {"images", images}};
    return document.dump(2) + "\n";
}

std::expected<void, std::string> write_file_atomically(const std::filesystem::path& path,
                                                       std::string_view text) {
    auto fail = [&](std::string_view what, int error) {
        return std::unexpected(std::format("{}: {}: {}", path.string(), what, std::strerror(error)));
    };
    std::string temporary = (path.parent_path() / ("." + path.filename().string() + ".XXXXXX")).string();
    const int fd = mkostemp(temporary.data(), O_CLOEXEC);
    if (fd < 0) return fail("cannot create a temporary file", errno);
    std::size_t written = 0;
    while (written < text.size()) {
        const ssize_t n = write(fd, text.data() + written, text.size() - written);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            const int error = errno;
            close(fd);
            unlink(temporary.c_str());
            return fail("cannot write", error);
        }
        written += static_cast<std::size_t>(n);
    }
    if (fchmod(fd, 0644) != 0 || fsync(fd) != 0) {
        const int error = errno;
        close(fd);
        unlink(temporary.c_str());
        return fail("cannot sync", error);
    }
    close(fd);
    if (rename(temporary.c_str(), path.c_str()) != 0) {
        const int error = errno;
        unlink(temporary.c_str());
        return fail("cannot rename into place", error);
    }
    const auto directory = path.parent_path().empty() ? std::filesystem::path(".") : path.parent_path();
    if (const int dir = open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); dir >= 0) {
        fsync(dir);
        close(dir);
    }
    return {};
}

// --- arguments ---

std::expected<Options, std::string> parse_args(const std::vector<std::string_view>& args) {
    Options options;
    if (args.empty()) return std::unexpected("no command given");
    const std::string_view command = args[0];
    if (command == "build") options.command = Command::Build;
    else if (command == "list") options.command = Command::List;
    else if (command == "paths") options.command = Command::Paths;
    else if (command == "--help" || command == "-h" || command == "help") {
        options.command = Command::Help;
        return options;
    } else
        return std::unexpected(std::format("unknown command \"{}\"", command));

    for (std::size_t i = 1; i < args.size(); ++i) {
        const std::string_view arg = args[i];
        auto value = [&]() -> std::expected<std::string, std::string> {
            if (i + 1 >= args.size() || args[i + 1].empty())
                return std::unexpected(std::format("{} needs a value", arg));
            return std::string(args[++i]);
        };
        if (arg == "--config" || arg == "-c") {
            auto v = value();
            if (!v) return std::unexpected(v.error());
            options.config_path = *v;
        } else if (arg == "--image-dir") {
            auto v = value();
            if (!v) return std::unexpected(v.error());
            options.image_dir = *v;
        } else if (arg == "--update" && options.command == Command::Build) {
            options.update = true;
        } else if (arg == "--all" && options.command == Command::Build) {
            options.all = true;
        } else if (arg == "--json" && options.command == Command::List) {
            options.json = true;
        } else if (arg.starts_with("-")) {
            return std::unexpected(std::format("unknown option \"{}\" for {}", arg, command));
        } else if (options.command == Command::List) {
            return std::unexpected(std::format("unexpected argument \"{}\"", arg));
        } else {
            if (!config::valid_vm_name(arg) && arg != config::base_image_name)
                return std::unexpected(std::format("\"{}\" is not an image name", arg));
            if (std::ranges::find(options.names, arg) == options.names.end())
                options.names.emplace_back(arg);
        }
    }
    if (options.command == Command::Build && options.all == !options.names.empty())
        return std::unexpected(options.all ? "give image names or --all, not both"
                                           : "give the image names to build, or --all");
    if (options.command == Command::Paths && options.names.size() != 1)
        return std::unexpected("paths takes one image name");
    return options;
}

} // namespace spectrum::image
