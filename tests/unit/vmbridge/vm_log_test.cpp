// A VM's log: what a guest writes is capped as it arrives (LogPipe, VmLog::append) and made
// printable before JSON or a terminal sees it (printable_log_text, VmLog::tail).
#include "child_process.hpp"
#include "event_loop.hpp"
#include "log_text.hpp"
#include "vm_log.hpp"

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

namespace spectrum::vmbridge {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// An OSC 52 sequence: sets the terminal's clipboard to "evil" (base64 ZXZpbA==).
constexpr std::string_view kOsc52 = "\x1b]52;c;ZXZpbA==\x07";

struct TempDir {
    fs::path path;
    TempDir() {
        char pattern[] = "/tmp/spectrum-vmlog-XXXXXX";
        path = mkdtemp(pattern);
    }
    ~TempDir() { fs::remove_all(path); }
};

bool has_control(std::string_view text) {
    for (unsigned char c : text)
        if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f) return true;
    // C1 controls as UTF-8 (U+0080–U+009F)
    return text.find("\xc2\x9b") != std::string_view::npos || text.find("\xc2\x9d") != std::string_view::npos;
}

TEST(PrintableLogText, ValidTextStaysAsItIs) {
    EXPECT_EQ(printable_log_text("boot ok\n\tgrüße ✓ 🙂\n"), "boot ok\n\tgrüße ✓ 🙂\n");
}

TEST(PrintableLogText, ControlCharactersAreShownNotObeyed) {
    EXPECT_EQ(printable_log_text(kOsc52), "\\x1b]52;c;ZXZpbA==\\x07");
    EXPECT_EQ(printable_log_text("a\rb\bc\x7f"), "a\\x0db\\x08c\\x7f");
    EXPECT_EQ(printable_log_text("\xc2\x9b" "2J"), "\\x9b2J");               // C1 CSI
    EXPECT_EQ(printable_log_text("\xe2\x80\xae" "txt"), "\\u202etxt");       // RLO
    EXPECT_FALSE(has_control(printable_log_text(kOsc52)));
}

TEST(PrintableLogText, InvalidUtf8BecomesReplacementCharacters) {
    EXPECT_EQ(printable_log_text("a\xff" "b"), "a\xef\xbf\xbd" "b");
    EXPECT_EQ(printable_log_text("\xc0\xaf"), "\xef\xbf\xbd\xef\xbf\xbd");  // overlong '/'
    EXPECT_EQ(printable_log_text("\xed\xa0\x80"), "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"); // surrogate
    EXPECT_EQ(printable_log_text("\xe2\x82"), "\xef\xbf\xbd\xef\xbf\xbd");  // cut short
    // Every byte value, alone: the result always encodes as JSON.
    for (int b = 0; b < 256; ++b) {
        const std::string one(1, static_cast<char>(b));
        nlohmann::json j = printable_log_text(one);
        EXPECT_NO_THROW((void)j.dump()) << b;
    }
}

TEST(VmLog, TailIsPrintable) {
    TempDir dir;
    VmLog log(dir.path / "log");
    log.append(std::string("guest: \xff\xfe ") + std::string(kOsc52) + "\n");
    log.note("after");
    const std::string tail = log.tail(10);
    EXPECT_FALSE(has_control(tail)) << tail;
    EXPECT_NE(tail.find("\\x1b]52;c;ZXZpbA=="), std::string::npos) << tail;
    nlohmann::json reply = {{"log", tail}};
    EXPECT_NO_THROW((void)reply.dump());
}

TEST(VmLog, AppendRotatesAtTheCap) {
    TempDir dir;
    VmLog log(dir.path / "log");
    const std::string chunk(64u << 10, 'x');
    for (int i = 0; i < 3 * static_cast<int>(VmLog::kRotateAt / chunk.size()); ++i) {
        log.append(chunk);
        ASSERT_LE(fs::file_size(log.path()), VmLog::kRotateAt);
    }
    EXPECT_LE(fs::file_size(dir.path / "log.1"), VmLog::kRotateAt);
    EXPECT_EQ(std::distance(fs::directory_iterator(dir.path), fs::directory_iterator{}), 2);
}

// A real child writing 0xFF, an OSC 52 and 12 MiB into a VM's log pipe, as QEMU does with
// a guest's console: the log stays under its cap, and its tail is printable.
TEST(LogPipe, ChildOutputIsCappedAndPrintable) {
    TempDir dir;
    EventLoop loop;
    VmLog log(dir.path / "log");
    auto pipe = LogPipe::open(loop, log);
    ASSERT_TRUE(pipe) << pipe.error();
    SpawnOptions spawn;
    spawn.argv = {"sh", "-c",
                  "printf 'start \\377\\033]52;c;ZXZpbA==\\007\\n'; head -c 12582912 /dev/zero | tr '\\0' 'y'; "
                  "printf '\\nend \\377\\033]52;c;ZXZpbA==\\007\\n'"};
    spawn.env = environment_with({});
    spawn.output_fd = (*pipe)->write_end();
    std::optional<ExitStatus> status;
    auto child = ChildProcess::spawn(loop, spawn, [&](ExitStatus s) { status = s; });
    ASSERT_TRUE(child) << child.error();
    std::uintmax_t largest = 0;
    ASSERT_TRUE(loop.run_until(
        [&] {
            std::error_code error;
            const auto size = fs::file_size(log.path(), error);
            if (!error) largest = std::max(largest, size);
            return status.has_value();
        },
        60s));
    pipe->reset(); // drains what is left
    EXPECT_LE(largest, VmLog::kRotateAt);
    EXPECT_LE(fs::file_size(log.path()), VmLog::kRotateAt);
    EXPECT_LE(fs::file_size(dir.path / "log.1"), VmLog::kRotateAt);
    const std::string tail = log.tail(1);
    EXPECT_EQ(tail, "end \xef\xbf\xbd\\x1b]52;c;ZXZpbA==\\x07\n");
}

} // namespace
} // namespace spectrum::vmbridge
