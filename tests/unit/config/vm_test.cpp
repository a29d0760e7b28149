// [vm.NAME] tables.
#include "parse_helpers.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <string>

namespace spectrum::config {
namespace {

using testing::error_of;
using testing::parse_ok;
using ::testing::StartsWith;

// Wraps `keys` in a [vm.red] table that has its required colour.
std::string red_vm(std::string_view keys) {
    return "[vm.red]\ncolor = \"#cc0000\"\n" + std::string(keys);
}

TEST(Vm, MinimalGetsDefaults) {
    Config config = parse_ok(red_vm(""));
    ASSERT_EQ(config.vms.size(), 1u);
    const VmConfig& vm = config.vms[0];
    EXPECT_EQ(vm.name, "red");
    EXPECT_EQ(vm.label, "red");
    EXPECT_EQ(vm.color, (Color{0xcc, 0, 0, 0xff}));
    EXPECT_EQ(vm.limits, Limits{});
    EXPECT_EQ(vm.hypervisor, "auto");
    EXPECT_EQ(vm.kernel, "");
    EXPECT_EQ(vm.initramfs, "");
    EXPECT_EQ(vm.cmdline, "");
    EXPECT_TRUE(vm.images.empty());
    EXPECT_EQ(vm.memory_mib, 512u);
    EXPECT_EQ(vm.cpus, 1u);
    EXPECT_EQ(vm.app, "");
    EXPECT_EQ(vm.transport, "vsock");
    EXPECT_FALSE(vm.autostart);
    EXPECT_EQ(vm.restart, "on-failure");
    EXPECT_TRUE(vm.stop_with_app);
    EXPECT_EQ(vm.image_format, "raw");
    EXPECT_TRUE(vm.sandbox);
    EXPECT_EQ(vm.line, 1);
    EXPECT_EQ(vm.column, 1);
}

TEST(Vm, EveryKey) {
    Config config = parse_ok(R"(
[vm.mail-2]
color = "#3465A4"
label = "Work Mail"
hypervisor = "cloud-hypervisor"
kernel = "/usr/lib/spectrum/vmlinuz"
initramfs = "/usr/lib/spectrum/initrd"
cmdline = "quiet"
app = "thunderbird"
images = ["/var/lib/images/mail.img", "/var/lib/images/fonts.img"]
memory = "2G"
cpus = 64
transport = "cross-domain"
autostart = true
restart = "always"
stop_with_app = false
image_format = "qcow2"
sandbox = false
)");
    const VmConfig* vm = config.find_vm("mail-2");
    ASSERT_NE(vm, nullptr);
    EXPECT_EQ(vm->label, "Work Mail");
    EXPECT_EQ(vm->color.hex(), "#3465a4");
    EXPECT_EQ(vm->hypervisor, "cloud-hypervisor");
    EXPECT_EQ(vm->kernel, "/usr/lib/spectrum/vmlinuz");
    EXPECT_EQ(vm->initramfs, "/usr/lib/spectrum/initrd");
    EXPECT_EQ(vm->cmdline, "quiet");
    EXPECT_EQ(vm->app, "thunderbird");
    EXPECT_EQ(vm->images,
              (std::vector<std::string>{"/var/lib/images/mail.img", "/var/lib/images/fonts.img"}));
    EXPECT_EQ(vm->memory_mib, 2048u);
    EXPECT_EQ(vm->cpus, 64u);
    EXPECT_EQ(vm->transport, "cross-domain");
    EXPECT_TRUE(vm->autostart);
    EXPECT_EQ(vm->restart, "always");
    EXPECT_FALSE(vm->stop_with_app);
    EXPECT_EQ(vm->image_format, "qcow2");
    EXPECT_FALSE(vm->sandbox);
    EXPECT_EQ(vm->line, 2);
    EXPECT_EQ(vm->column, 1);
}

TEST(Vm, AppsDefaultToAppAndAppToTheFirstApp) {
    EXPECT_EQ(parse_ok(red_vm("app = \"foot\"")).vms[0].apps, std::vector<std::string>{"foot"});
    EXPECT_TRUE(parse_ok(red_vm("")).vms[0].apps.empty());
    const VmConfig vm = parse_ok(red_vm("apps = [\"firefox-esr\", \"foot --title 'a b'\"]")).vms[0];
    EXPECT_EQ(vm.app, "firefox-esr");
    EXPECT_EQ(vm.apps, (std::vector<std::string>{"firefox-esr", "foot --title 'a b'"}));
    const VmConfig both = parse_ok(red_vm("app = \"foot\"\napps = [\"firefox-esr\"]")).vms[0];
    EXPECT_EQ(both.app, "foot"); // the VM's own app; the launcher offers what apps lists
    EXPECT_EQ(both.apps, std::vector<std::string>{"firefox-esr"});
}

TEST(Vm, AppsRejectsWhatCannotBeOneMenuLine) {
    EXPECT_THAT(error_of(red_vm("apps = \"foot\"")), ::testing::HasSubstr("an array of command lines"));
    EXPECT_THAT(error_of(red_vm("apps = [\"\"]")), ::testing::HasSubstr("without control characters"));
    EXPECT_THAT(error_of(red_vm("apps = [\"foot\\nrm\"]")), ::testing::HasSubstr("apps[0]"));
    EXPECT_THAT(error_of(red_vm("apps = [1]")), ::testing::HasSubstr("a command line"));
}

TEST(Vm, OtherChoices) {
    EXPECT_EQ(parse_ok(red_vm("hypervisor = \"qemu\"")).vms.at(0).hypervisor, "qemu");
    EXPECT_EQ(parse_ok(red_vm("restart = \"never\"")).vms.at(0).restart, "never");
    EXPECT_EQ(parse_ok(red_vm("transport = \"vsock\"")).vms.at(0).transport, "vsock");
}

TEST(Vm, SortedByNameAndFound) {
    Config config = parse_ok(R"([vm.zeta]
color = "#000001"
[vm.alpha]
color = "#000002"
[vm.m]
color = "#000003"
)");
    ASSERT_EQ(config.vms.size(), 3u);
    EXPECT_EQ(config.vms[0].name, "alpha");
    EXPECT_EQ(config.vms[1].name, "m");
    EXPECT_EQ(config.vms[2].name, "zeta");
    EXPECT_EQ(config.vms[2].line, 1);
    ASSERT_NE(config.find_vm("zeta"), nullptr);
    EXPECT_EQ(config.find_vm("zeta")->color, (Color{0, 0, 1, 0xff}));
    EXPECT_EQ(config.find_vm("nope"), nullptr);
    EXPECT_EQ(config.find_vm("host"), nullptr);
}

TEST(Vm, InlineTables) {
    Config config = parse_ok("vm = { red = { color = \"#cc0000\", label = \"R\" } }");
    ASSERT_EQ(config.vms.size(), 1u);
    EXPECT_EQ(config.vms[0].label, "R");
}

TEST(Vm, ColorErrorAsInTheDocumentation) {
    auto result = parse(R"(# My VMs.
background = "#000000"

[vm.red]
label = "Red"

color = "red"
)",
                        "cfg.toml");
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().format(),
              "cfg.toml:7:9: vm.red.color: expected \"#rrggbb\", got \"red\"");
    EXPECT_EQ(result.error().file, "cfg.toml");
    EXPECT_EQ(result.error().line, 7);
    EXPECT_EQ(result.error().column, 9);
}

TEST(Vm, MissingColor) {
    EXPECT_EQ(error_of("[vm.red]\nlabel = \"Red\""),
              "t.toml:1:1: vm.red: missing required key \"color\" (the frame colour, "
              "\"#rrggbb\")");
    EXPECT_THAT(error_of("[vm.a]\ncolor = \"#000000\"\n\n[vm.b]\napp = \"x\""),
                StartsWith("t.toml:4:1: vm.b: missing required key \"color\""));
}

TEST(Vm, NameRules) {
    EXPECT_EQ(error_of("[vm.Red]\ncolor = \"#cc0000\""),
              "t.toml:1:1: vm.Red: invalid VM name \"Red\": expected 1 to 32 characters from "
              "a-z, 0-9 and \"-\"");
    EXPECT_THAT(error_of("\n[vm.a_b]\ncolor = \"#cc0000\""),
                StartsWith("t.toml:2:1: vm.a_b: invalid VM name \"a_b\": "));
    EXPECT_THAT(error_of("[vm.\"a b\"]\ncolor = \"#cc0000\""),
                StartsWith("t.toml:1:1: vm.\"a b\": invalid VM name \"a b\": "));
    EXPECT_THAT(error_of("[vm.\"\"]\ncolor = \"#cc0000\""),
                StartsWith("t.toml:1:1: vm.\"\": invalid VM name \"\": "));
    std::string long_name(33, 'a');
    EXPECT_THAT(error_of("[vm." + long_name + "]\ncolor = \"#cc0000\""),
                StartsWith("t.toml:1:1: vm." + long_name + ": invalid VM name"));
    EXPECT_EQ(parse_ok("[vm." + long_name.substr(1) + "]\ncolor = \"#cc0000\"").vms.at(0).name,
              long_name.substr(1));
}

TEST(Vm, HostIsReserved) {
    EXPECT_EQ(error_of("[vm.host]\ncolor = \"#cc0000\""),
              "t.toml:1:1: vm.host: the name \"host\" is reserved for the host's own windows; "
              "choose another name");
}

TEST(Vm, ValidVmName) {
    for (auto name : {"a", "red", "red-2", "0", "-", "abcdefghijklmnopqrstuvwxyz012345"})
        EXPECT_TRUE(valid_vm_name(name)) << name;
    for (auto name : {"", "host", "Red", "a_b", "a b", "a.b", "h\xc3\xa9llo",
                      "abcdefghijklmnopqrstuvwxyz0123456"})
        EXPECT_FALSE(valid_vm_name(name)) << name;
}

TEST(Vm, MustBeTables) {
    EXPECT_EQ(error_of("vm = 5"), "t.toml:1:6: vm: expected a table, got 5");
    EXPECT_EQ(error_of("vm.red = 5"), "t.toml:1:10: vm.red: expected a table [vm.red], got 5");
}

TEST(Vm, UnknownKey) {
    EXPECT_EQ(error_of(red_vm("colour = \"#cc0000\"")),
              "t.toml:3:1: vm.red.colour: unknown key; expected one of color, label, hypervisor, "
              "kernel, initramfs, cmdline, app, image, network, apps, images, image_format, memory, cpus, transport, "
              "autostart, restart, stop_with_app, sandbox, limits");
    EXPECT_THAT(error_of(red_vm("[vm.red.disk]\nsize = 1")),
                StartsWith("t.toml:3:9: vm.red.disk: unknown table; "));
}

TEST(Vm, Color) {
    EXPECT_EQ(error_of("[vm.red]\ncolor = \"#cc000080\""),
              "t.toml:2:9: vm.red.color: expected \"#rrggbb\", got \"#cc000080\"");
    EXPECT_EQ(error_of("[vm.red]\ncolor = 0xcc0000"),
              "t.toml:2:9: vm.red.color: expected \"#rrggbb\", got 13369344");
}

TEST(Vm, Label) {
    EXPECT_EQ(error_of(red_vm("label = \"\"")),
              "t.toml:3:9: vm.red.label: expected a string of 1 to 32 characters without control "
              "characters, got \"\"");
    EXPECT_THAT(error_of(red_vm("label = \"" + std::string(33, 'x') + "\"")),
                StartsWith("t.toml:3:9: vm.red.label: expected a string of 1 to 32 characters"));
    EXPECT_EQ(error_of(red_vm("label = \"bell\\u0007\"")),
              "t.toml:3:9: vm.red.label: expected a string of 1 to 32 characters without control "
              "characters, got \"bell\\u0007\"");
    EXPECT_THAT(error_of(red_vm("label = 3")), StartsWith("t.toml:3:9: vm.red.label: expected"));
}

TEST(Vm, Memory) {
    EXPECT_EQ(parse_ok(red_vm("memory = 1024")).vms.at(0).memory_mib, 1024u);
    EXPECT_EQ(parse_ok(red_vm("memory = \"512M\"")).vms.at(0).memory_mib, 512u);
    EXPECT_EQ(parse_ok(red_vm("memory = \"1536MiB\"")).vms.at(0).memory_mib, 1536u);
    EXPECT_EQ(parse_ok(red_vm("memory = \"1T\"")).vms.at(0).memory_mib, 1u << 20);
    EXPECT_EQ(error_of(red_vm("memory = \"lots\"")),
              "t.toml:3:10: vm.red.memory: expected MiB from 1 to 1048576 like 512, or a size "
              "like \"512M\" or \"2G\", got \"lots\"");
    for (auto bad : {"0", "1048577", "\"512K\"", "\"1537K\"", "\"2T\"", "1.5", "\"\"", "true"})
        EXPECT_THAT(error_of(red_vm(std::string("memory = ") + bad)),
                    StartsWith("t.toml:3:10: vm.red.memory: expected MiB"))
            << bad;
}

TEST(Vm, Cpus) {
    EXPECT_EQ(parse_ok(red_vm("cpus = 1")).vms.at(0).cpus, 1u);
    EXPECT_EQ(error_of(red_vm("cpus = 0")),
              "t.toml:3:8: vm.red.cpus: expected an integer from 1 to 64, got 0");
    EXPECT_EQ(error_of(red_vm("cpus = 65")),
              "t.toml:3:8: vm.red.cpus: expected an integer from 1 to 64, got 65");
}

TEST(Vm, Choices) {
    EXPECT_EQ(error_of(red_vm("hypervisor = \"kvm\"")),
              "t.toml:3:14: vm.red.hypervisor: expected one of \"auto\", \"cloud-hypervisor\", "
              "\"qemu\", got \"kvm\"");
    EXPECT_EQ(error_of(red_vm("transport = \"waypipe\"")),
              "t.toml:3:13: vm.red.transport: expected one of \"vsock\", \"cross-domain\", got "
              "\"waypipe\"");
    EXPECT_EQ(error_of(red_vm("restart = \"sometimes\"")),
              "t.toml:3:11: vm.red.restart: expected one of \"never\", \"on-failure\", "
              "\"always\", got \"sometimes\"");
    EXPECT_THAT(error_of(red_vm("restart = 1")), StartsWith("t.toml:3:11: vm.red.restart: "));
}

TEST(Vm, Booleans) {
    EXPECT_EQ(error_of(red_vm("autostart = \"yes\"")),
              "t.toml:3:13: vm.red.autostart: expected true or false, got \"yes\"");
    EXPECT_EQ(error_of(red_vm("stop_with_app = 1")),
              "t.toml:3:17: vm.red.stop_with_app: expected true or false, got 1");
    EXPECT_EQ(error_of(red_vm("sandbox = \"no\"")),
              "t.toml:3:11: vm.red.sandbox: expected true or false, got \"no\"");
    EXPECT_THAT(error_of(red_vm("image_format = \"vmdk\"")),
                StartsWith("t.toml:3:16: vm.red.image_format: expected one of \"raw\""));
}

TEST(Vm, Strings) {
    for (std::string key : {"kernel", "initramfs", "cmdline", "app"})
        EXPECT_EQ(error_of(red_vm(key + " = 1")), "t.toml:3:" + std::to_string(key.size() + 4) +
                                                      ": vm.red." + key +
                                                      ": expected a string, got 1");
}

TEST(Vm, Images) {
    EXPECT_EQ(error_of(red_vm("images = \"a.img\"")),
              "t.toml:3:10: vm.red.images: expected an array of image paths, got \"a.img\"");
    EXPECT_EQ(error_of(red_vm("images = [\"a.img\", 1]")),
              "t.toml:3:20: vm.red.images[1]: expected a non-empty string, got 1");
    EXPECT_TRUE(parse_ok(red_vm("images = []")).vms.at(0).images.empty());
}

} // namespace
} // namespace spectrum::config
