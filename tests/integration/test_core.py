"""The compositor as a desktop: start and stop, show a window, type into it, focus and close
windows, reject bad configs, and spectrumctl's own contract."""

import re
import signal
import stat
import tomllib

from harness import BACKGROUND, BASE_CONFIG, frame_parts, mode, source_root, wait_until
from pixels import distance, hex_rgb


def test_starts_and_exits_zero_on_sigterm(spectrum):
    comp = spectrum()
    assert comp.host_socket.exists(), "host socket missing"
    assert stat.S_ISSOCK(comp.host_socket.stat().st_mode)
    assert comp.windows() == []
    comp.proc.send_signal(signal.SIGTERM)
    assert comp.wait_exit() == 0, comp.log_tail()


def test_ctl_socket_is_private(spectrum):
    comp = spectrum()
    assert stat.S_ISSOCK(comp.ctl_socket.stat().st_mode)
    assert mode(comp.ctl_socket) == 0o600


def test_host_window_is_listed_and_drawn(spectrum):
    comp = spectrum()
    client, window = comp.simple_shm()
    assert window["vm"] is None
    assert window["title"] == "simple-shm"
    assert (window["width"], window["height"]) == (250, 250)
    assert window["focused"] is True, "the only window should have focus"
    for key in ("urgent", "maximized", "fullscreen"):
        assert window[key] is False, key
    parts = frame_parts(window)
    assert parts.frame.width == window["width"] + 2 * parts.border
    assert parts.frame.height == window["height"] + 2 * parts.border + parts.title_height
    assert (window["x"] - parts.frame.x, window["y"] - parts.frame.y) == \
        (parts.border, parts.border + parts.title_height)
    background = hex_rgb(BACKGROUND)

    def check(image):
        assert 0 <= parts.frame.x and parts.frame.right <= image.width
        assert 0 <= parts.frame.y and parts.frame.bottom <= image.height
        content = parts.content
        not_background = image.count(content, lambda c: distance(c, background) > 30)
        assert not_background > 0.9 * content.width * content.height, \
            f"window content not drawn: {image.describe(content)}"
        for strip in parts.outside_ring():
            others = image.count(strip, lambda c: c != background)
            assert others == 0, f"non-background outside the frame: {image.describe(strip)}"

    comp.screenshot_until(check, "simple-shm")
    assert client.alive()


def test_typing_reaches_focused_foot(spectrum, artifacts):
    comp = spectrum()
    out = artifacts.path("typed.txt")
    client, window = comp.reader_foot(None, out, "reader")
    comp.focus(window["id"])
    text = "Hello, Spectrum! 0123 ~/x_y"
    comp.type_keys(text + "\n")
    wait_until(out.exists, 10, message="foot to write what was typed")
    wait_until(lambda: out.read_text() == text, 5,
               message=f"typed text {text!r}, file has {out.read_text()!r}")
    client.wait(10)


def test_ctl_focus_moves_keyboard_focus(spectrum, artifacts):
    comp = spectrum()
    out_a, out_b = artifacts.path("a.txt"), artifacts.path("b.txt")
    client_a, win_a = comp.reader_foot(None, out_a, "reader-a")
    client_b, win_b = comp.reader_foot(None, out_b, "reader-b")

    comp.focus(win_a["id"])
    listed = {w["id"]: w for w in comp.windows()}
    assert listed[win_a["id"]]["focused"] and not listed[win_b["id"]]["focused"]
    comp.type_keys("first\n")
    wait_until(lambda: out_a.exists() and out_a.read_text() == "first", 10,
               message="text typed after focusing A reaches A")
    assert not out_b.exists(), "B received keys while A was focused"

    comp.focus(win_b["id"])
    listed = {w["id"]: w for w in comp.windows()}
    assert listed[win_b["id"]]["focused"]
    assert sum(w["focused"] for w in listed.values()) == 1, "exactly one focused window"
    comp.type_keys("second\n")
    wait_until(lambda: out_b.exists() and out_b.read_text() == "second", 10,
               message="text typed after focusing B reaches B")
    assert out_a.read_text() == "first"


def test_ctl_close_closes_window(spectrum):
    comp = spectrum()
    client, window = comp.simple_shm()
    other, other_window = comp.simple_shm()
    comp.ctl("close", window["id"])
    comp.wait_for_no_window(window["id"])
    assert client.wait(10) is not None, "simple-shm exits when its toplevel is closed"
    assert other.alive()
    assert [w["id"] for w in comp.windows()] == [other_window["id"]]


def test_killed_client_leaves_compositor_running(spectrum):
    comp = spectrum()
    survivor, survivor_window = comp.simple_shm()
    victim, victim_window = comp.foot(None, app_id="victim")
    victim.signal(signal.SIGKILL)
    comp.wait_for_no_window(victim_window["id"])
    assert [w["id"] for w in comp.windows()] == [survivor_window["id"]]
    parts = frame_parts(survivor_window)
    comp.screenshot_until(lambda image: _assert_drawn(image, parts), "after-kill")


def _assert_drawn(image, parts):
    background = hex_rgb(BACKGROUND)
    content = parts.content
    drawn = image.count(content, lambda c: distance(c, background) > 30)
    assert drawn > 0.9 * content.width * content.height, image.describe(content)


CONFIG_ERRORS = [
    # (config text, line of the error)
    (BASE_CONFIG + "\nborder_width = = 3\n", BASE_CONFIG.count("\n") + 2),
    ('background = "#12345"\n', 1),
    (BASE_CONFIG + '\n[vm.red]\ncolor = "red-ish"\n', BASE_CONFIG.count("\n") + 3),
    (BASE_CONFIG + '\n[vm."Bad Name"]\ncolor = "#cc0000"\n', BASE_CONFIG.count("\n") + 2),
]


def test_bad_config_is_one_line_and_status_2(spectrum):
    for text, line in CONFIG_ERRORS:
        comp = spectrum(text, wait=False)
        status = comp.run_to_exit()
        output = comp.log_text()
        assert status == 2, f"status {status} for config:\n{text}\noutput:\n{output}"
        lines = output.splitlines()
        assert len(lines) == 1, f"expected exactly one line, got:\n{output}"
        match = re.fullmatch(re.escape(str(comp.config_path)) + r":(\d+):(\d+): (.+)", lines[0])
        assert match, f"not FILE:LINE:COL: message: {lines[0]!r}"
        assert int(match.group(1)) == line, f"wrong line in {lines[0]!r} for:\n{text}"
        assert int(match.group(2)) >= 1
        assert not comp.host_socket.exists(), "a host socket was created for a bad config"
        assert not comp.ctl_socket.exists(), "a control socket was created for a bad config"


def test_missing_config_uses_builtin_default(spectrum, artifacts):
    comp = spectrum(None, config_path=artifacts.dir / "does-not-exist.toml")
    assert not comp.config_path.exists()
    client, window = comp.simple_shm()
    image = comp.screenshot("default-config")
    assert image.width > 0 and image.height > 0
    # The built-in default is config/spectrum.toml: the same VMs, with the same colours.
    shipped = tomllib.loads((source_root() / "config" / "spectrum.toml").read_text())
    expected = {name: vm["color"].lower() for name, vm in shipped.get("vm", {}).items()}
    assert {vm["name"]: vm["color"].lower() for vm in comp.vms()} == expected
    for name in expected:
        assert comp.vm_socket(name).exists()


def test_ctl_bad_arguments(spectrum):
    comp = spectrum()
    for args in (["frobnicate"], ["focus"], ["focus", "not-a-number"], ["close"],
                 ["windows", "--bogus"], ["focus", "1", "2"]):
        result = comp.ctl(*args, check=False)
        assert result.returncode == 2, f"spectrumctl {args}: status {result.returncode}"
        lines = result.stderr.strip("\n").splitlines()
        assert len(lines) == 1, f"spectrumctl {args}: expected one line, got {result.stderr!r}"
        assert result.stdout == "", f"spectrumctl {args} printed {result.stdout!r}"
    assert comp.alive()


def test_ctl_unknown_window_is_an_error(spectrum):
    comp = spectrum()
    result = comp.ctl("focus", "987654", check=False)
    assert result.returncode != 0
    assert len(result.stderr.strip("\n").splitlines()) == 1, result.stderr


def test_ctl_socket_override(spectrum):
    comp = spectrum()
    env = {"XDG_RUNTIME_DIR": "/nonexistent", "SPECTRUM_CTL_SOCKET": str(comp.ctl_socket)}
    result = comp.ctl("windows", "--json", env=env)
    assert result.stdout.strip() == "[]"


def test_ctl_without_compositor_fails_cleanly(spectrum):
    comp = spectrum()
    result = comp.ctl("windows", check=False, env={"XDG_RUNTIME_DIR": str(comp.tmp / "empty")})
    assert result.returncode != 0
    assert len(result.stderr.strip("\n").splitlines()) == 1, result.stderr


def test_ctl_quit(spectrum):
    comp = spectrum()
    comp.simple_shm()
    comp.ctl("quit")
    assert comp.wait_exit() == 0, comp.log_tail()
