#include "api_error.hpp"

#include <gtest/gtest.h>

namespace spectrum::vmbridge::ch {
namespace {

using namespace std::chrono_literals;

TEST(ChApiError, VmmMessageJoinsCloudHypervisorErrorChain) {
    EXPECT_EQ(vmm_message(R"(["Error from API","The VM could not boot","The VM is not created"])"),
              "Error from API: The VM could not boot: The VM is not created");
}

TEST(ChApiError, VmmMessageTakesFirstLineOfText) {
    EXPECT_EQ(vmm_message("\n  \nVM is already created\nCaused by: x\n"), "VM is already created");
    EXPECT_EQ(vmm_message(""), "");
    EXPECT_EQ(vmm_message(R"("a json string")"), "a json string");
    // Not an array of strings: treated as text.
    EXPECT_EQ(vmm_message(R"([1,2])"), "[1,2]");
}

TEST(ChApiError, VmmMessageIsOneShortLine) {
    EXPECT_EQ(vmm_message(R"(["a\nb","c\td\u001b[31m"])"), "a b: c d [31m");
    std::string huge(5000, 'x');
    auto cut = vmm_message(huge);
    EXPECT_LT(cut.size(), 420u);
    EXPECT_TRUE(cut.ends_with("…"));
}

TEST(ChApiError, DescribeIsOneLine) {
    ApiError http{ApiError::Kind::Http,        "vm.create", "/run/ch/api.sock", 500,
                  "The VM is already created", 0ms};
    EXPECT_EQ(http.describe(),
              "cloud-hypervisor vm.create failed (HTTP 500): The VM is already created");

    ApiError timeout{ApiError::Kind::Timeout, "vm.info", "/run/ch/api.sock", 0, "", 10s};
    EXPECT_EQ(timeout.describe(),
              "cloud-hypervisor at /run/ch/api.sock did not answer within 10 s (vm.info)");

    ApiError unreachable{ApiError::Kind::Unreachable, "vmm.ping", "/run/ch/api.sock", 0,
                         "No such file or directory", 0ms};
    EXPECT_EQ(unreachable.describe(),
              "cannot reach cloud-hypervisor at /run/ch/api.sock for vmm.ping: No such file or "
              "directory (is it running with --api-socket path=/run/ch/api.sock?)");
    for (const auto& e : {http, timeout, unreachable})
        EXPECT_EQ(e.describe().find('\n'), std::string::npos);
}

TEST(ChApiError, FormatDuration) {
    EXPECT_EQ(format_duration(10s), "10 s");
    EXPECT_EQ(format_duration(1500ms), "1.5 s");
    EXPECT_EQ(format_duration(250ms), "250 ms");
}

} // namespace
} // namespace spectrum::vmbridge::ch
