// The global configuration: schema, defaults and parser.
//
// Plain C++ with no wlroots types, so the compositor, the supervisor and the unit tests
// all link the same parser. Every error a user can cause comes back as a ConfigError that
// names the file, line and column.
#pragma once

#include <cstdint>
#include <expected>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace spectrum::config {

struct Color {
    std::uint8_t r = 0, g = 0, b = 0, a = 255;

    // "#rrggbb" or "#rrggbbaa".
    static std::optional<Color> parse(std::string_view text);
    std::string hex() const; // "#rrggbb"
    float red() const { return r / 255.0f; }
    float green() const { return g / 255.0f; }
    float blue() const { return b / 255.0f; }
    float alpha() const { return a / 255.0f; }
    bool operator==(const Color&) const = default;
};

// Modifier bits; the values equal wlroots' WLR_MODIFIER_* so no translation is needed.
enum Modifier : std::uint32_t {
    ModShift = 1 << 0,
    ModCtrl = 1 << 2,
    ModAlt = 1 << 3,
    ModSuper = 1 << 6,
};

struct KeyCombo {
    std::uint32_t modifiers = 0;
    std::uint32_t keysym = 0; // lower-case keysym (xkb_keysym_to_lower)

    // "Super+Shift+Return", "ctrl+alt+t", "Alt+Tab". Modifier names: Shift, Ctrl/Control,
    // Alt/Mod1, Super/Logo/Mod4. The key is an XKB keysym name, case-insensitive.
    static std::optional<KeyCombo> parse(std::string_view text);
    bool operator==(const KeyCombo&) const = default;
};

enum class Action {
    Close,          // close the focused window
    FocusNext,      // cycle focus forwards
    FocusPrev,      // cycle focus backwards
    Terminal,       // launch the configured terminal (a host client)
    Quit,           // leave the session
    Maximize,       // toggle maximize of the focused window
    Fullscreen,     // toggle fullscreen; the only way a VM window becomes fullscreen
    Minimize,       // hide the focused window; focusing it again (Alt+Tab) restores it
    ClipboardCopy,  // Ctrl+Shift+C: capture the focused VM's selection
    ClipboardPaste, // Ctrl+Shift+V: paste the captured data into the focused VM
    Exec,           // run `command` on the host
};

// "close", "focus-next", "focus-prev", "terminal", "quit", "maximize", "fullscreen",
// "minimize", "clipboard-copy", "clipboard-paste", "exec <command line>".
std::string_view action_name(Action action);

struct Binding {
    KeyCombo combo;
    Action action = Action::Close;
    std::string command; // for Action::Exec

    bool operator==(const Binding&) const = default;
};

struct OutputConfig {
    std::string name = "*"; // connector name, or "*" for every output
    std::optional<int> width, height;
    std::optional<double> refresh; // Hz
    double scale = 1.0;
    std::optional<int> x, y;
    bool enabled = true;

    bool operator==(const OutputConfig&) const = default;
};

struct KeyboardConfig {
    // Empty means: from XKB_DEFAULT_* in the environment, then xkbcommon's default.
    std::string rules, model, layout, variant, options;
    int repeat_rate = 25;   // per second
    int repeat_delay = 600; // ms

    bool operator==(const KeyboardConfig&) const = default;
};

struct Limits {
    std::uint32_t clients = 16;       // connections per VM
    std::uint32_t surfaces = 1024;    // wl_surfaces per VM
    std::uint32_t toplevels = 64;     // xdg_toplevels per VM
    std::uint32_t buffer_width = 8192;
    std::uint32_t buffer_height = 8192;
    std::uint64_t shm_bytes = 1ull << 30;          // total wl_shm pool bytes per VM
    std::uint32_t title_length = 128;              // code points after filtering
    std::uint64_t clipboard_bytes = 16ull << 20;   // what Ctrl+Shift+C captures at most
    std::uint32_t damage_rects = 256;      // in a surface's pending damage
    std::uint32_t region_rects = 1024;     // in one wl_region (an input or opaque shape)
    std::uint32_t shm_pools = 512;         // wl_shm pools (each an open file descriptor)
    std::uint32_t offers = 128;            // MIME types per clipboard or drag source
    std::uint32_t mime_type_length = 256;  // bytes of one offered MIME type
    std::uint64_t offer_bytes = 1ull << 20; // all offered MIME types of a VM's sources
    std::uint32_t objects = 32768;         // object ids one client may use

    bool operator==(const Limits&) const = default;
};

struct VmConfig {
    std::string name;  // [a-z0-9-]{1,32}; "host" is reserved
    std::string label; // shown in the title bar; defaults to name
    Color color;
    Limits limits; // the global [limits] with this VM's [vm.NAME.limits] applied

    // Supervisor (vmbridge) settings.
    std::string hypervisor = "auto"; // "auto", "cloud-hypervisor", "qemu"
    std::string kernel, initramfs, cmdline;
    // An [image.NAME] (or the built-in "base") built by spectrum-image; empty: none.
    std::string image;
    std::string network = "none"; // "none" or "user" (user-mode networking)
    std::vector<std::string> images; // read-only disk images
    std::string image_format = "raw"; // "raw" or "qcow2" (never probed; no backing files)
    std::uint64_t memory_mib = 512;
    std::uint32_t cpus = 1;
    std::string app;                  // command run in the guest
    // What `spectrumctl launch` offers for this VM (command lines; default: [app]). The
    // chosen one becomes the app of that boot.
    std::vector<std::string> apps;
    std::string transport = "vsock";  // "vsock" or "cross-domain"
    bool autostart = false;
    std::string restart = "on-failure"; // "never", "on-failure", "always"
    bool stop_with_app = true;
    // false: the transport may run without bubblewrap, where no working one is installed.
    bool sandbox = true;

    int line = 0, column = 0; // where [vm.NAME] is, for later errors about this VM

    bool operator==(const VmConfig&) const = default;
};

// [image.NAME]: a VM image built by spectrum-image from Debian packages. Every image also
// gets the base set (vmbridge/image/base-packages); the built-in image "base" has nothing
// more.
struct ImageConfig {
    std::string name;                  // same rule as VM names
    std::vector<std::string> packages; // Debian package names, as written
    int line = 0, column = 0;          // where [image.NAME] is; 0 for the built-in base

    bool operator==(const ImageConfig&) const = default;
};

// The image every config has without declaring it.
inline constexpr std::string_view base_image_name = "base";

// A Debian package name: [a-z0-9][a-z0-9+.-]+ (Debian policy 5.6.1).
bool valid_package_name(std::string_view name);

// [clipboard]: how data crosses between VMs with the clipboard keys (clipboard-copy,
// clipboard-paste). The most a copy captures is the source VM's limits.clipboard_bytes.
enum class TransferAction {
    Allow,   // paste at once
    Deny,    // refuse, with a notice
    Confirm, // paste only after the user presses Enter on a compositor prompt
};

struct ClipboardRule {
    // VM names or patterns ("*" any run of characters, "?" one), or "host".
    std::string from = "*", to = "*";
    TransferAction action = TransferAction::Allow;

    bool operator==(const ClipboardRule&) const = default;
};

struct ClipboardConfig {
    bool wipe_after_paste = true;     // one copy pastes once
    std::uint32_t timeout_ms = 5000;  // a copy not finished by then fails
    std::uint32_t notice_ms = 3000;   // how long a notice stays on screen
    std::uint32_t confirm_ms = 15000; // a prompt left unanswered this long is a "no"
    // The MIME types a copy carries; text types (text/*, UTF8_STRING, TEXT, STRING) are
    // checked as UTF-8, anything else passes as bytes.
    std::vector<std::string> mime_types{"text/plain;charset=utf-8", "text/plain", "UTF8_STRING", "TEXT",
                                        "STRING", "text/uri-list", "image/png", "image/jpeg"};
    std::vector<ClipboardRule> rules; // first match decides; none matching: allow

    bool operator==(const ClipboardConfig&) const = default;
};

struct Config {
    std::string source; // the file it came from, or "<built-in>"
    Color background{0x20, 0x22, 0x28};
    Color host_frame{0x55, 0x57, 0x5c}; // host windows: neutral grey, never a VM colour
    int border_width = 4;
    int title_height = 22;
    std::string font = "DejaVu Sans 10";
    std::string terminal = "foot";
    std::string cursor_theme; // empty: default theme
    int cursor_size = 24;
    std::filesystem::path state_dir = "/var/lib/spectrum";
    // Where spectrum-image keeps built images (a cache: deleting it only costs a rebuild).
    std::filesystem::path image_dir = "/var/cache/spectrum/images";
    // Frame callbacks sent as late as each client's drawing time allows (lower latency).
    bool frame_pacing = true;

    KeyboardConfig keyboard;
    std::vector<OutputConfig> outputs;
    std::vector<Binding> bindings; // defaults merged with [keys]
    Limits limits;                 // defaults for every VM
    std::vector<VmConfig> vms;     // sorted by name
    std::vector<ImageConfig> images; // [image.NAME], sorted by name; never holds "base"
    ClipboardConfig clipboard;

    const VmConfig* find_vm(std::string_view name) const;
    // A declared image, or the built-in base for "base"; nullptr for anything else.
    const ImageConfig* find_image(std::string_view name) const;

    bool operator==(const Config&) const = default;
};

struct ConfigError {
    std::string file;
    int line = 0, column = 0;
    std::string message;

    // "FILE:LINE:COL: message" — the one line printed to stderr.
    std::string format() const;
};

std::expected<Config, ConfigError> parse(std::string_view text, std::string_view source_name);

// Where the user's config is looked for when no --config is given:
// $XDG_CONFIG_HOME/spectrum/spectrum.toml, ~/.config/spectrum/spectrum.toml, else
// /etc/spectrum/spectrum.toml. Every program (compositor, supervisor, spectrum-image) uses it.
std::string default_path();

// Reads and parses `path`. A missing file falls back to the built-in default; an unreadable
// one is an error.
std::expected<Config, ConfigError> load(const std::filesystem::path& path);

// The built-in default, identical to config/spectrum.toml.
std::string_view default_text();

bool valid_vm_name(std::string_view name);

} // namespace spectrum::config
