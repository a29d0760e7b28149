// Child processes and timers on the event loop.
#include "child_process.hpp"
#include "event_loop.hpp"

#include <csignal>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <sstream>

namespace spectrum::vmbridge {
namespace {

using namespace std::chrono_literals;

TEST(EventLoop, TimersRunInOrderAndCancelledOnesDoNot) {
    EventLoop loop;
    std::vector<int> fired;
    loop.after(30ms, [&] { fired.push_back(2); });
    loop.after(10ms, [&] { fired.push_back(1); });
    auto cancelled = loop.after(20ms, [&] { fired.push_back(99); });
    loop.cancel(cancelled);
    ASSERT_TRUE(loop.run_until([&] { return fired.size() == 2; }, 2s));
    EXPECT_EQ(fired, (std::vector<int>{1, 2}));
}

std::optional<ExitStatus> run(EventLoop& loop, const SpawnOptions& options, std::string* error = nullptr) {
    std::optional<ExitStatus> status;
    auto child = ChildProcess::spawn(loop, options, [&](ExitStatus s) { status = s; });
    if (!child) {
        if (error) *error = child.error();
        return std::nullopt;
    }
    loop.run_until([&] { return status.has_value(); }, 10s);
    return status;
}

TEST(ChildProcess, ExitCodeAndSignal) {
    EventLoop loop;
    auto code = run(loop, {{"sh", "-c", "exit 3"}, environment_with({}), "", {}, 0});
    ASSERT_TRUE(code);
    EXPECT_FALSE(code->signaled);
    EXPECT_EQ(code->code, 3);
    EXPECT_EQ(code->describe(), "exited with status 3");

    std::optional<ExitStatus> killed;
    auto child = ChildProcess::spawn(loop, {{"sleep", "30"}, environment_with({}), "", {}, 0},
                                     [&](ExitStatus s) { killed = s; });
    ASSERT_TRUE(child);
    (*child)->signal(SIGKILL);
    ASSERT_TRUE(loop.run_until([&] { return killed.has_value(); }, 10s));
    EXPECT_TRUE(killed->signaled);
    EXPECT_EQ(killed->code, SIGKILL);
    EXPECT_FALSE((*child)->running());
}

TEST(ChildProcess, MissingProgramIsASpawnError) {
    EventLoop loop;
    std::string error;
    EXPECT_FALSE(run(loop, {{"spectrum-no-such-program"}, environment_with({}), "", {}, 0}, &error));
    EXPECT_EQ(error, "cannot run spectrum-no-such-program: No such file or directory");
}

TEST(ChildProcess, OutputEnvironmentAndLimits) {
    EventLoop loop;
    const auto out = std::filesystem::temp_directory_path() / ("spectrum-child-" + std::to_string(getpid()));
    std::filesystem::remove(out);
    auto status = run(loop, {{"sh", "-c", "echo \"$SPECTRUM_TEST_VALUE $(ulimit -n)\""},
                             environment_with({"SPECTRUM_TEST_VALUE=hello"}), out.string(),
                             {{RLIMIT_NOFILE, 77}}, 0});
    ASSERT_TRUE(status);
    EXPECT_TRUE(status->clean());
    std::ifstream in(out);
    std::stringstream text;
    text << in.rdbuf();
    EXPECT_EQ(text.str(), "hello 77\n");
    std::filesystem::remove(out);
}

} // namespace
} // namespace spectrum::vmbridge
