// The state store on disk, config checks against real files, and the VM log's tail.
#include "state_store.hpp"
#include "vm_check.hpp"
#include "vm_log.hpp"
#include "vm_paths.hpp"

#include <cstdlib>
#include <fstream>
#include <gtest/gtest.h>
#include <sys/stat.h>

namespace spectrum::vmbridge {
namespace {

namespace fs = std::filesystem;

class TempDir : public ::testing::Test {
  protected:
    void SetUp() override {
        std::string pattern = (fs::temp_directory_path() / "spectrum-vmbridge-test-XXXXXX").string();
        ASSERT_NE(mkdtemp(pattern.data()), nullptr);
        dir = pattern;
    }
    void TearDown() override { fs::remove_all(dir); }
    fs::path write(const std::string& name, const std::string& text) {
        std::ofstream(dir / name) << text;
        return dir / name;
    }
    static unsigned mode(const fs::path& path) {
        struct stat info{};
        stat(path.c_str(), &info);
        return info.st_mode & 07777;
    }
    fs::path dir;
};

using StateStore = TempDir;

TEST_F(StateStore, CreatesAPrivateDirectoryAndASparseImage) {
    const fs::path store = dir / "store";
    auto image = prepare_state_disk(store, "red", 64ull << 20);
    ASSERT_TRUE(image) << image.error();
    EXPECT_EQ(*image, store / "red" / "state.img");
    EXPECT_EQ(mode(store), 0700u);
    EXPECT_EQ(mode(store / "red"), 0700u);
    EXPECT_EQ(mode(*image), 0600u);
    EXPECT_EQ(fs::file_size(*image), 64ull << 20);
    struct stat info{};
    stat(image->c_str(), &info);
    EXPECT_LT(info.st_blocks * 512, 1 << 20) << "the image should be sparse";
}

TEST_F(StateStore, AnExistingImageIsNeverTouched) {
    auto first = prepare_state_disk(dir, "red", 1 << 20);
    ASSERT_TRUE(first);
    { std::ofstream(*first, std::ios::in | std::ios::out | std::ios::binary) << "guest data"; }
    fs::permissions(dir / "red", fs::perms::owner_all | fs::perms::group_read | fs::perms::others_read);
    auto again = prepare_state_disk(dir, "red", 8 << 20);
    ASSERT_TRUE(again);
    EXPECT_EQ(fs::file_size(*again), 1u << 20) << "not resized";
    std::ifstream in(*again, std::ios::binary);
    std::string start(10, '\0');
    in.read(start.data(), 10);
    EXPECT_EQ(start, "guest data");
    EXPECT_EQ(mode(dir / "red"), 0700u) << "made private again";
}

TEST_F(StateStore, ANonFileImageIsAnError) {
    fs::create_directories(dir / "red" / "state.img");
    auto image = prepare_state_disk(dir, "red");
    ASSERT_FALSE(image);
    EXPECT_NE(image.error().find("is not a regular file"), std::string::npos) << image.error();
}

using VmCheck = TempDir;

config::Config parse(const std::string& text, const fs::path& file) {
    std::ofstream(file) << text;
    auto config = config::load(file);
    EXPECT_TRUE(config) << config.error().format();
    return *config;
}

TEST_F(VmCheck, NoKernelMeansNotLaunchable) {
    auto config = parse("[vm.red]\ncolor = \"#cc0000\"\n", dir / "c.toml");
    auto checked = check_vm(config, config.vms[0]);
    ASSERT_TRUE(checked);
    EXPECT_FALSE(checked->launchable);
}

TEST_F(VmCheck, RelativePathsAreFromTheConfigFile) {
    write("vmlinuz", "k");
    write("initrd", "i");
    auto config = parse("\n[vm.red]\ncolor = \"#cc0000\"\nkernel = \"vmlinuz\"\ninitramfs = \"./initrd\"\n"
                        "app = \"foot\"\n",
                        dir / "c.toml");
    auto checked = check_vm(config, config.vms[0]);
    ASSERT_TRUE(checked) << checked.error().format();
    EXPECT_TRUE(checked->launchable);
    EXPECT_EQ(checked->vm.kernel, (dir / "vmlinuz").string());
    EXPECT_EQ(checked->vm.initramfs, (dir / "initrd").string());
}

TEST_F(VmCheck, MissingKernelNamesFileLineAndColumn) {
    const fs::path file = dir / "c.toml";
    auto config = parse("state_dir = \"/tmp\"\n\n[vm.red]\ncolor = \"#cc0000\"\nkernel = \"/nonexistent/vmlinuz\"\n"
                        "app = \"foot\"\n",
                        file);
    auto checked = check_vm(config, config.vms[0]);
    ASSERT_FALSE(checked);
    EXPECT_EQ(checked.error().format(),
              file.string() + ":3:1: [vm.red] kernel \"/nonexistent/vmlinuz\" does not exist");
}

TEST_F(VmCheck, MissingImageOrAppOrCrossDomainAreErrors) {
    write("vmlinuz", "k");
    const fs::path file = dir / "c.toml";
    auto image = parse("[vm.red]\ncolor = \"#cc0000\"\nkernel = \"vmlinuz\"\napp = \"foot\"\nimages = [\"gone.img\"]\n", file);
    auto e1 = check_vm(image, image.vms[0]);
    ASSERT_FALSE(e1);
    EXPECT_NE(e1.error().message.find("images[0]"), std::string::npos) << e1.error().message;

    auto no_app = parse("[vm.red]\ncolor = \"#cc0000\"\nkernel = \"vmlinuz\"\n", file);
    auto e2 = check_vm(no_app, no_app.vms[0]);
    ASSERT_FALSE(e2);
    EXPECT_NE(e2.error().message.find("no app"), std::string::npos) << e2.error().message;

    auto cross = parse("[vm.red]\ncolor = \"#cc0000\"\nkernel = \"vmlinuz\"\napp = \"foot\"\n"
                       "transport = \"cross-domain\"\n",
                       file);
    auto e3 = check_vm(cross, cross.vms[0]);
    ASSERT_FALSE(e3);
    EXPECT_NE(e3.error().message.find("cross-domain"), std::string::npos);
}

// A qcow2 header: magic, version, backing_file_offset (bytes 8-15), and for version 3 the
// incompatible features (bytes 72-79).
std::string qcow2_header(std::uint32_t version, std::uint64_t backing_offset, std::uint64_t incompatible) {
    std::string h(104, '\0');
    h.replace(0, 4, "QFI\xfb");
    for (int i = 0; i < 4; ++i) h[4 + i] = static_cast<char>(version >> (24 - 8 * i));
    for (int i = 0; i < 8; ++i) h[8 + i] = static_cast<char>(backing_offset >> (56 - 8 * i));
    for (int i = 0; i < 8; ++i) h[72 + i] = static_cast<char>(incompatible >> (56 - 8 * i));
    return h + std::string(4096, '\0');
}

TEST_F(VmCheck, Qcow2WithABackingOrExternalDataFileIsRefused) {
    write("vmlinuz", "k");
    write("raw.img", std::string(4096, 'r'));
    write("plain.qcow2", qcow2_header(3, 0, 0));
    write("backed.qcow2", qcow2_header(3, 0x200, 0) + "/etc/shadow");
    write("backed-v2.img", qcow2_header(2, 0x68, 0)); // the name says nothing
    write("external.qcow2", qcow2_header(3, 0, 1u << 2));
    const fs::path file = dir / "c.toml";
    auto with_image = [&](const std::string& image) {
        return parse("[vm.red]\ncolor = \"#cc0000\"\nkernel = \"vmlinuz\"\napp = \"foot\"\nimage_format = \"qcow2\"\n"
                     "images = [\"raw.img\", \"" + image + "\"]\n",
                     file);
    };
    for (const char* good : {"raw.img", "plain.qcow2"}) {
        auto config = with_image(good);
        auto checked = check_vm(config, config.vms[0]);
        EXPECT_TRUE(checked) << good << ": " << checked.error().format();
    }
    for (const char* bad : {"backed.qcow2", "backed-v2.img", "external.qcow2"}) {
        auto config = with_image(bad);
        auto checked = check_vm(config, config.vms[0]);
        ASSERT_FALSE(checked) << bad;
        EXPECT_NE(checked.error().message.find("images[1]"), std::string::npos) << checked.error().message;
        EXPECT_NE(checked.error().message.find("refused"), std::string::npos) << checked.error().message;
        EXPECT_EQ(checked.error().message.find('\n'), std::string::npos);
    }
    // One made by qemu-img itself, as a hostile image would be.
    if (std::system("command -v qemu-img >/dev/null 2>&1") == 0) {
        const auto top = dir / "top.qcow2";
        const std::string command = "qemu-img create -q -f qcow2 -F raw -b '" + (dir / "raw.img").string() +
                                    "' '" + top.string() + "' >/dev/null 2>&1";
        ASSERT_EQ(std::system(command.c_str()), 0);
        auto config = with_image("top.qcow2");
        auto checked = check_vm(config, config.vms[0]);
        ASSERT_FALSE(checked);
        EXPECT_NE(checked.error().message.find("backing file"), std::string::npos) << checked.error().message;
    }
}

using VmLogTail = TempDir;

TEST_F(VmLogTail, LastLinesAndNotes) {
    VmLog log(write("console.log", "one\ntwo\nthree\n"));
    EXPECT_EQ(log.tail(2), "two\nthree\n");
    EXPECT_EQ(log.tail(10), "one\ntwo\nthree\n");
    log.note("started");
    const auto last = log.tail(1);
    EXPECT_TRUE(last.starts_with("spectrum-vmbridge: ")) << last;
    EXPECT_TRUE(last.ends_with(": started\n")) << last;
    EXPECT_EQ(VmLog(dir / "missing.log").tail(5), "");
}

TEST_F(VmLogTail, ByteCapDropsThePartialFirstLine) {
    VmLog log(write("console.log", std::string(100, 'x') + "\nlast\n"));
    EXPECT_EQ(log.tail(10, 10), "last\n");
}

TEST(VmPathsLayout, QmpAndLogsStayOutOfTheSandboxedDirectory) {
    auto p = VmPaths::for_vm("/run/user/1000", "red");
    EXPECT_EQ(p.compositor_socket, "/run/user/1000/spectrum/vm/red/wayland-0");
    EXPECT_EQ(p.wayland_socket.parent_path(), p.transport_dir);
    EXPECT_EQ(p.vsock_listener, "/run/user/1000/spectrum/vmbridge/red/transport/vsock.sock_5000");
    EXPECT_NE(p.qmp_socket.parent_path(), p.transport_dir) << "the transport must not reach QMP";
    EXPECT_NE(p.log.parent_path(), p.transport_dir);
}

} // namespace
} // namespace spectrum::vmbridge
