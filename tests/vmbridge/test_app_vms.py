"""Real applications in app VMs built from Debian packages (issue 12), end to end.

The real compositor (headless, pixman), spectrum-vmbridge, spectrum-image and QEMU (TCG):
an image with foot is built from this system's apt sources into a cache kept between runs
(SPECTRUM_TEST_IMAGE_DIR, default the default config's /var/cache/spectrum/images), `spectrumctl vm start`
boots it, and foot's window must appear framed in the VM's colour with rendered text. wtype
types into it; what the user writes in the home survives the VM, what they write under /tmp
does not; an image rebuilt with one more package has the new program and the same home.
Prints the measured build and boot times.
"""

from __future__ import annotations

import http.server
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest

from vmbridge_env import BUILD, REPO, Session, program, stop_process, wait_for

sys.path.insert(0, str(REPO / "tests" / "integration"))
import pixels  # noqa: E402
from wire import Connection  # noqa: E402

SPECTRUM_IMAGE = program("SPECTRUM_IMAGE", "vmbridge/spectrum-image")
# The same cache the default config uses: tests, `tools/dev run` and `tools/dev demo` share
# every image they have in common (content-addressed, so they cannot disagree).
IMAGE_DIR = Path(os.environ.get("SPECTRUM_TEST_IMAGE_DIR", "/var/cache/spectrum/images"))
BOOT_TIMEOUT = 240  # TCG on a shared 2-core machine
TERM_COLOR = "#2e8b57"
FOOT_BACKGROUND = (0x24, 0x24, 0x24)  # foot's default


@pytest.fixture(scope="module", autouse=True)
def tools():
    missing = [p for p in ("qemu-system-x86_64", "waypipe", "mmdebstrap", "mkfs.erofs", "grim", "wtype", "debugfs")
               if shutil.which(p) is None]
    # tools/dev installs every one of these: a missing one is a broken environment, never a
    # reason to pass.
    assert not missing, f"not in the build environment (missing {', '.join(missing)}); run via tools/dev"


@pytest.fixture
def session(tmp_path: Path):
    runtime = Path(tempfile.mkdtemp(prefix="spectrum-app-"))
    runtime.chmod(0o700)
    s = Session(runtime, tmp_path)
    yield s
    s.close()
    # The VMs' logs (serial console, supervisor events) stay with the test's artifacts.
    for log in (runtime / "spectrum" / "vmbridge").glob("*/console.log*"):
        shutil.copy(log, tmp_path / f"{log.parent.name}-{log.name}")
    shutil.rmtree(runtime, ignore_errors=True)


def write_config(path: Path, state: Path, images: dict[str, list[str]], vms: str) -> Path:
    text = f'state_dir = "{state}"\nimage_dir = "{IMAGE_DIR}"\n'
    for name, packages in images.items():
        text += f"[image.{name}]\npackages = [{', '.join(f'{p!r}'.replace(chr(39), chr(34)) for p in packages)}]\n"
    path.write_text(text + vms)
    return path


def build_image(config: Path, name: str) -> float:
    """spectrum-image build; returns its seconds (a no-op when the cache has it)."""
    started = time.monotonic()
    out = subprocess.run([str(SPECTRUM_IMAGE), "build", "--config", str(config), name],
                         capture_output=True, text=True, timeout=1800)
    assert out.returncode == 0, f"spectrum-image build {name} failed:\n{out.stdout}\n{out.stderr}"
    seconds = time.monotonic() - started
    print(f"\n  spectrum-image build {name}: {seconds:.1f} s ({out.stderr.strip().splitlines()[-1:]})")
    return seconds


def screenshot(session: Session, save: Path | None = None) -> pixels.Image:
    env = session.env(WAYLAND_DISPLAY=session.host_socket)
    data = subprocess.run(["grim", "-t", "ppm", "-"], env=env, capture_output=True, timeout=30, check=True).stdout
    image = pixels.Image.from_ppm(data)
    if save:
        image.save_png(save)
    return image


def wtype(session: Session, *args: str) -> None:
    env = session.env(WAYLAND_DISPLAY=session.host_socket)
    subprocess.run(["wtype", *args], env=env, timeout=60, check=True)


def vm_windows(session: Session, vm: str) -> list[dict]:
    return [w for w in session.windows() if w["vm"] == vm]


def log_of(session: Session, vm: str) -> str:
    path = Path(session.vms()[vm]["log"])
    return path.read_text(errors="replace") if path.exists() else ""


def start_and_wait_window(session: Session, vm: str) -> tuple[dict, float]:
    """`vm start`, then the VM's first window; returns it and the seconds it took."""
    started = time.monotonic()
    session.ctl("vm", "start", vm)

    def window():
        for proc in (session.vmbridge, session.compositor):
            assert proc.poll() is None, f"a host process died\n{log_of(session, vm)[-4000:]}"
        state = session.vms()[vm]
        assert state["state"] not in ("failed", "stopped"), f"{state}\n{log_of(session, vm)[-4000:]}"
        return vm_windows(session, vm)

    try:
        windows = wait_for(window, BOOT_TIMEOUT, f"VM {vm}'s window", poll=0.1)
    except AssertionError:
        print(log_of(session, vm)[-6000:])
        raise
    return windows[0], time.monotonic() - started


def wait_stopped(session: Session, vm: str, timeout: float = 90) -> dict:
    return wait_for(lambda: (v := session.vms()[vm])["state"] in ("stopped", "failed") and v, timeout,
                    f"VM {vm} to power off")


def debugfs_cat(image: Path, path: str) -> str:
    out = subprocess.run(["debugfs", "-R", f"cat {path}", str(image)], capture_output=True, text=True, timeout=60)
    return out.stdout


def text_pixels(shot: pixels.Image, window: dict) -> int:
    """Pixels in the window's content that are far from foot's background: its text."""
    return shot.count(pixels.Rect.of(window).inset(2), lambda c: pixels.distance(c, FOOT_BACKGROUND) > 150)


def run_in_foot(session: Session, vm: str, command: str, artifacts: Path, name: str) -> tuple[dict, float]:
    """Boots the VM's foot, types `command` and Return, and waits for the VM to power off."""
    window, seconds = start_and_wait_window(session, vm)
    # The shell's prompt: foot is ready for keys.
    wait_for(lambda: text_pixels(screenshot(session), window) > 20, 60, "foot's prompt")
    before = text_pixels(screenshot(session), window)
    wtype(session, command)
    try:
        wait_for(lambda: text_pixels(screenshot(session), window) > before + 300, 60, "the typed command in foot")
    finally:
        shot = screenshot(session, artifacts / f"{name}.png")
        print(f"  {name}: {before} text pixels before typing, {text_pixels(shot, window)} after; "
              f"windows {session.windows()}")
    frame = pixels.Rect.of(window["frame"])
    assert shot.count(frame, lambda c: pixels.distance(c, pixels.hex_rgb(TERM_COLOR)) <= 12) > 200, \
        f"no {TERM_COLOR} frame around VM {vm}'s window: {shot.describe(frame)}"
    wtype(session, "-k", "Return")
    stopped = wait_stopped(session, vm)
    assert stopped["state"] == "stopped", stopped
    return window, seconds


def test_foot_in_an_image_vm_keeps_only_its_home(session: Session, tmp_path: Path):
    state = tmp_path / "state"
    vms = (f'[vm.term]\ncolor = "{TERM_COLOR}"\nimage = "term"\napp = "foot"\nmemory = 1024\n'
           'restart = "never"\n')
    config = write_config(tmp_path / "spectrum.toml", state, {"term": ["foot"]}, vms)
    build_image(config, "term")
    session.start_compositor(config)
    session.start_vmbridge(config, "--stop-timeout", "20")
    disk = state / "term" / "state.img"

    # --- boot 1: foot's window, framed, with text; what is typed runs as uid 1000 --------
    token = f"spectrum-{os.getpid()}-{int(time.time())}"
    window, first = run_in_foot(session, "term",
                                f"echo {token} > ~/proof; id -u > ~/uid; echo x > /tmp/gone; exit",
                                tmp_path, "foot-boot1")
    print(f"  vm start -> foot's window (boot 1, blank home formatted): {first:.1f} s")
    assert window["title"].startswith("foot") or window["app_id"] == "foot", window
    assert debugfs_cat(disk, "/proof").strip() == token
    assert debugfs_cat(disk, "/uid").strip() == "1000", "the app runs as the VM's user, never root"
    log = log_of(session, "term")
    assert "spectrum-guest: app exited 0" in log, log[-3000:]

    # --- boot 2: the home is still there; /tmp is empty again -----------------------------
    _, second = run_in_foot(session, "term",
                            "cat ~/proof > ~/seen; ls /tmp/gone > ~/tmp-listing 2>&1; exit",
                            tmp_path, "foot-boot2")
    print(f"  vm start -> foot's window (boot 2): {second:.1f} s")
    assert debugfs_cat(disk, "/seen").strip() == token
    assert "No such file" in debugfs_cat(disk, "/tmp-listing"), "a file under /tmp outlived the VM"

    # --- the image rebuilt with one more package: the new program, the same home -------------
    write_config(config, state, {"term": ["foot", "hello"]}, vms)
    build_image(config, "term")
    stop_process(session.vmbridge, 60)
    session.start_vmbridge(config, "--stop-timeout", "20")
    run_in_foot(session, "term", "hello > ~/hello.txt; exit", tmp_path, "foot-boot3")
    assert debugfs_cat(disk, "/hello.txt").strip() == "Hello, world!"
    assert debugfs_cat(disk, "/proof").strip() == token, "the home must survive an image rebuild"


class PageServer:
    """A one-page HTTP server on the host's loopback: what a VM with network = "user" reaches
    at 10.0.2.2 (the gateway QEMU's user netdev maps to the host's 127.0.0.1)."""

    def __init__(self, body: bytes):
        class Handler(http.server.BaseHTTPRequestHandler):
            requests: list[str] = []

            def do_GET(self):  # noqa: N802 (http.server's name)
                Handler.requests.append(self.path)
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.handler = Handler
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


PAGE_COLOR = "#ff8800"


def test_firefox_in_a_networked_vm_loads_a_page_from_the_host(session: Session, tmp_path: Path):
    page = PageServer(f'<!doctype html><title>spectrum page</title>'
                      f'<body style="background:{PAGE_COLOR};margin:0"></body>'.encode())
    try:
        state = tmp_path / "state"
        vms = (f'[vm.web]\ncolor = "#3465a4"\nimage = "web"\nnetwork = "user"\nmemory = "2G"\ncpus = 2\n'
               f'restart = "never"\napp = "firefox-esr --kiosk --new-instance http://10.0.2.2:{page.port}/"\n')
        config = write_config(tmp_path / "spectrum.toml", state, {"web": ["firefox-esr"]}, vms)
        build_image(config, "web")
        session.start_compositor(config)
        session.start_vmbridge(config, "--stop-timeout", "20")
        started = time.monotonic()
        window, seconds = start_and_wait_window(session, "web")
        print(f"  vm start -> Firefox's window: {seconds:.1f} s")

        def page_shown():
            w = next((w for w in vm_windows(session, "web")), None)
            if not w:
                return None
            shot = screenshot(session)
            inside = shot.count(pixels.Rect.of(w), lambda c: pixels.distance(c, pixels.hex_rgb(PAGE_COLOR)) <= 12)
            return (shot, w) if inside > w["width"] * w["height"] // 2 else None

        try:
            shot, window = wait_for(page_shown, BOOT_TIMEOUT, "the page's colour in Firefox's window", poll=1)
        finally:
            screenshot(session, tmp_path / "firefox.png")
            print(f"  requests the host's server saw: {page.handler.requests}")
        print(f"  vm start -> the page on screen: {time.monotonic() - started:.1f} s")
        assert "/" in page.handler.requests
        frame = pixels.Rect.of(window["frame"])
        assert shot.count(frame, lambda c: pixels.distance(c, (0x34, 0x65, 0xA4)) <= 12) > 200, \
            f"no #3465a4 frame around Firefox: {shot.describe(frame)}"
        session.ctl("vm", "stop", "web")
    finally:
        page.close()


def test_an_image_that_cannot_be_had_fails_the_vm_with_one_line(session: Session, tmp_path: Path, monkeypatch):
    """Before any boot: a modified image file is refused; a missing image with no reachable
    mirror fails `vm start` with the reason — the supervisor and compositor carry on."""
    cache = tmp_path / "images"
    # A copy of the cached `term` image (built by the first test or an earlier run) with one
    # byte of its root changed.
    index = IMAGE_DIR / "index.json"
    assert index.exists(), "the term image is built by test_foot_in_an_image_vm_keeps_only_its_home"
    import json
    entry = json.loads(index.read_text())["images"]["term"]
    base = {line.strip() for line in (REPO / "vmbridge" / "image" / "base-packages").read_text().splitlines()
            if line.strip() and not line.startswith("#")}
    term_packages = ", ".join(f'"{p}"' for p in sorted(set(entry["packages"]) - base))
    (cache / "objects").mkdir(parents=True)
    shutil.copytree(IMAGE_DIR / "objects" / entry["key"], cache / "objects" / entry["key"])
    shutil.copy(index, cache / "index.json")
    root = cache / "objects" / entry["key"] / "root.erofs"
    root.chmod(0o644)
    with open(root, "r+b") as f:
        f.seek(4096)
        byte = f.read(1)
        f.seek(4096)
        f.write(bytes([byte[0] ^ 0xFF]))

    # The other VM's image is not in its cache, and its mirror does not answer.
    sources = tmp_path / "unreachable.list"
    sources.write_text("deb http://127.0.0.1:9/debian trixie main\n")
    monkeypatch.setenv("SPECTRUM_IMAGE_SOURCES", str(sources))
    config = tmp_path / "spectrum.toml"
    config.write_text(
        f'state_dir = "{tmp_path / "state"}"\nimage_dir = "{cache}"\n'
        f'[image.term]\npackages = [{term_packages}]\n'
        '[image.offline]\npackages = ["hello"]\n'
        '[vm.term]\ncolor = "#2e8b57"\nimage = "term"\napp = "foot"\n'
        '[vm.offline]\ncolor = "#cc0000"\nimage = "offline"\napp = "hello"\n')
    session.start_compositor(config)
    session.start_vmbridge(config)

    session.ctl("vm", "start", "term")
    term = wait_stopped(session, "term", 120)
    assert term["state"] == "failed", term
    assert "was modified in the cache" in term["detail"] and "refused" in term["detail"], term
    assert "\n" not in term["detail"]
    assert "QEMU started" not in log_of(session, "term"), "a modified image must never boot"

    session.ctl("vm", "start", "offline")
    offline = wait_stopped(session, "offline", 300)
    print(f"  offline: {offline['detail']}")
    assert offline["state"] == "failed", offline
    assert "\n" not in offline["detail"] and "127.0.0.1:9" in offline["detail"], offline
    assert "QEMU started" not in log_of(session, "offline")
    assert not any((cache / "objects").iterdir()) or len(list((cache / "objects").iterdir())) == 1, \
        "nothing half-built is left in the cache"
    assert session.vmbridge.poll() is None and session.compositor.poll() is None


def test_a_gtk4_app_and_its_menu_in_an_image_vm(session: Session, tmp_path: Path):
    """gtk4-widget-factory, unmodified: its window framed in the VM's colour; a click on its
    header bar's menu button opens the menu (an xdg_popup through the transport)."""
    state = tmp_path / "state"
    vms = ('[vm.gtk]\ncolor = "#8e44ad"\nimage = "gtk"\napp = "gtk4-widget-factory"\nmemory = "1G"\n'
           'restart = "never"\n')
    config = write_config(tmp_path / "spectrum.toml", state, {"gtk": ["gtk-4-examples"]}, vms)
    build_image(config, "gtk")
    session.start_compositor(config)
    session.start_vmbridge(config, "--stop-timeout", "20")
    window, seconds = start_and_wait_window(session, "gtk")
    print(f"  vm start -> gtk4-widget-factory's window: {seconds:.1f} s")

    # The first frames of a GTK app under TCG take a while: wait until the window is drawn.
    def drawn():
        w = vm_windows(session, "gtk")[0]
        shot = screenshot(session)
        rect = pixels.Rect.of(w).inset(4)
        return (shot, w) if len(shot.histogram(rect)) > 20 else None

    before, window = wait_for(drawn, 180, "gtk4-widget-factory's content", poll=1)
    frame = pixels.Rect.of(window["frame"])
    assert before.count(frame, lambda c: pixels.distance(c, pixels.hex_rgb("#8e44ad")) <= 12) > 200, \
        f"no #8e44ad frame: {before.describe(frame)}"
    # A click on the header bar's menu button (☰, 143 px left of the content's right edge on
    # widget-factory's fixed layout) with a virtual pointer on the host socket.
    host = Connection(str(session.runtime / session.host_socket))
    pointer = host.create_virtual_pointer((1280, 720))
    button = (window["x"] + window["width"] - 143, window["y"] + 23)
    pointer.click(*button)
    pointer.sync()

    def menu_open():
        shot = screenshot(session)
        # The menu drops below the button: compare the area under it with before.
        below = pixels.Rect(button[0] - 150, button[1] + 20, 300, 200)
        changed = sum(1 for x, y in shot.clip(below).points() if shot.pixel(x, y) != before.pixel(x, y))
        return shot if changed > 3000 else None

    try:
        wait_for(menu_open, 120, "the header bar's menu (a popup) on screen", poll=1)
    finally:
        screenshot(session, tmp_path / "gtk4-menu.png")
        host.close()
    assert session.vms()["gtk"]["state"] == "running"
    assert len(vm_windows(session, "gtk")) == 1, "the menu is a popup, not a window"
    session.ctl("vm", "stop", "gtk")
