"""The integration-test harness: one headless spectrum-compositor per test, real clients on
its host and VM sockets, spectrumctl for state, grim for screenshots and wtype for keys.

Everything a test leaves behind (compositor log, client logs, screenshots as PNG) goes to
SPECTRUM_ARTIFACTS/<test>/; conftest.py keeps that folder and prints its paths when the test
fails, and removes it when the test passes (unless SPECTRUM_KEEP is set).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import stat
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from pixels import Image, Rect, distance, hex_rgb

READY_TIMEOUT = 15.0
STOP_TIMEOUT = 10.0
HOST_SOCKET = "wayland-spectrum-test"

# What a test config starts with: one 1280x720 output and the documented defaults spelled
# out, so the pixel assertions below do not depend on the built-in defaults.
BACKGROUND = "#202228"
HOST_FRAME = "#55575c"
BORDER_WIDTH = 4
TITLE_HEIGHT = 22

BASE_CONFIG = f"""\
background = "{BACKGROUND}"
border_width = {BORDER_WIDTH}
title_height = {TITLE_HEIGHT}
host_frame = "{HOST_FRAME}"

[[output]]
mode = "1280x720"
"""

RED = "#cc0000"
BLUE = "#3465a4"
BLACK = (0, 0, 0)
WHITE = (255, 255, 255)


def make_config(vms: dict[str, dict] | None = None, extra: str = "") -> str:
    """BASE_CONFIG plus [vm.NAME] tables: {"red": {"color": RED, "limits": {...}}}."""
    text = BASE_CONFIG + extra
    for name, settings in (vms or {}).items():
        text += f"\n[vm.{name}]\n"
        for key, value in settings.items():
            if key != "limits":
                text += f"{key} = {toml_value(value)}\n"
        if settings.get("limits"):
            text += f"\n[vm.{name}.limits]\n"
            for key, value in settings["limits"].items():
                text += f"{key} = {toml_value(value)}\n"
    return text


def toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return json.dumps(value)  # a TOML basic string is a JSON string for what tests use


def wait_until(predicate, timeout: float = 10.0, interval: float = 0.05, message="") -> object:
    """Polls `predicate` until it returns something truthy; returns that value. `message`
    may be a function, called on timeout to describe what was seen instead."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            if callable(message):
                message = message()
            raise AssertionError(f"timed out after {timeout}s: {message or predicate}")
        time.sleep(interval)


def binaries() -> tuple[Path, Path]:
    compositor = os.environ.get("SPECTRUM_COMPOSITOR")
    ctl = os.environ.get("SPECTRUM_CTL")
    if not compositor or not ctl:
        pytest.skip("SPECTRUM_COMPOSITOR and SPECTRUM_CTL are not set (run through meson test)")
    return Path(compositor), Path(ctl)


def source_root() -> Path:
    return Path(os.environ.get("SPECTRUM_SOURCE_ROOT") or Path(__file__).resolve().parents[2])


def artifacts_root() -> Path:
    root = os.environ.get("SPECTRUM_ARTIFACTS") or os.path.join(tempfile.gettempdir(),
                                                                "spectrum-artifacts")
    return Path(root)


class Artifacts:
    """The folder of one test's logs and screenshots."""

    def __init__(self, test_name: str):
        self.dir = artifacts_root() / re.sub(r"[^A-Za-z0-9_.-]+", "_", test_name)
        shutil.rmtree(self.dir, ignore_errors=True)
        self.dir.mkdir(parents=True)
        self.keep = False  # set when something failed outside the test body (teardown)
        self.compositor_logs: list[Path] = []
        self.compositors: list = []  # Compositor objects started for this test
        self._counter = 0

    def path(self, name: str) -> Path:
        return self.dir / name

    def unique(self, stem: str, suffix: str) -> Path:
        self._counter += 1
        return self.dir / f"{self._counter:02d}-{stem}{suffix}"

    def record_failure_state(self) -> None:
        """What the screen and spectrumctl showed when the test failed."""
        for comp in self.compositors:
            if not comp.alive():
                continue
            try:
                comp.screenshot("at-failure")
                windows = comp.ctl("windows", "--json", check=False, timeout=5).stdout
                self.unique("windows-at-failure", ".json").write_text(windows)
            except Exception as exc:  # the failure being reported matters more
                self.unique("at-failure-error", ".txt").write_text(repr(exc))

    def summary(self) -> str:
        lines = [f"artifacts: {self.dir}"]
        lines += [f"  {p}" for p in sorted(self.dir.iterdir())] if self.dir.exists() else []
        for log in self.compositor_logs:
            if log.exists():
                tail = log.read_text(errors="replace").splitlines()[-40:]
                lines.append(f"--- last lines of {log} ---")
                lines += tail
        return "\n".join(lines)


class Client:
    """A client process (foot, weston-simple-shm, …) in its own process group."""

    def __init__(self, name: str, proc: subprocess.Popen, log: Path):
        self.name = name
        self.proc = proc
        self.log = log

    @property
    def pid(self) -> int:
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc.poll() is None

    def wait(self, timeout: float = 10.0) -> int:
        return self.proc.wait(timeout=timeout)

    def signal(self, sig: int) -> None:
        if self.alive():
            try:
                os.killpg(self.proc.pid, sig)
            except ProcessLookupError:
                pass

    def kill(self) -> None:
        """SIGTERM, then SIGKILL whatever of its group is left."""
        if self.alive():
            self.signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=3)
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


@dataclass
class FrameParts:
    """The parts of a decorated window, from the geometry spectrumctl reports."""

    frame: Rect
    content: Rect
    border: int
    title_height: int

    @property
    def top(self) -> Rect:
        return Rect(self.frame.x, self.frame.y, self.frame.width, self.border)

    @property
    def bottom(self) -> Rect:
        return Rect(self.frame.x, self.frame.bottom - self.border, self.frame.width,
                    self.border)

    @property
    def left(self) -> Rect:
        return Rect(self.frame.x, self.frame.y, self.border, self.frame.height)

    @property
    def right(self) -> Rect:
        return Rect(self.frame.right - self.border, self.frame.y, self.border,
                    self.frame.height)

    @property
    def title_bar(self) -> Rect:
        return Rect(self.frame.x + self.border, self.frame.y + self.border,
                    self.frame.width - 2 * self.border, self.title_height)

    def sides(self) -> dict[str, Rect]:
        return {"top": self.top, "bottom": self.bottom, "left": self.left, "right": self.right}

    def outside_ring(self, gap: int = 2, width: int = 3) -> list[Rect]:
        """Thin strips just outside the frame, `gap` px away from it."""
        f = self.frame
        d = gap + width
        return [Rect(f.x - d, f.y - d, f.width + 2 * d, width),
                Rect(f.x - d, f.bottom + gap, f.width + 2 * d, width),
                Rect(f.x - d, f.y - d, width, f.height + 2 * d),
                Rect(f.right + gap, f.y - d, width, f.height + 2 * d)]


def check_frame(image, parts, colour, *, text_colour=None):
    """Every border pixel is exactly `colour`; the title bar is `colour` with text in it."""
    expected = hex_rgb(colour)
    for side, rect in parts.sides().items():
        wrong = image.count(rect, lambda c: c != expected)
        assert wrong == 0, (f"{side} border is not {colour}: {image.describe(rect)} "
                            f"(at {rect})")
    bar = parts.title_bar
    total = bar.width * bar.height
    background_share = image.count(bar, lambda c: c == expected)
    assert background_share > 0.6 * total, \
        f"title bar is not mostly {colour}: {image.describe(bar)}"
    text = image.count(bar, lambda c: distance(c, expected) > 120)
    assert text >= 40, f"no text in the title bar ({text} text pixels): {image.describe(bar)}"
    if text_colour is not None:
        near_text = image.count(bar, lambda c: distance(c, text_colour) <= 60)
        assert near_text >= 15, f"title text is not {text_colour}: {image.describe(bar)}"
        opposite = BLACK if text_colour == WHITE else WHITE
        assert image.count(bar, lambda c: distance(c, opposite) <= 60) == 0, \
            f"title text has {opposite} pixels: {image.describe(bar)}"


def frame_parts(window: dict, border: int = BORDER_WIDTH,
                title_height: int = TITLE_HEIGHT) -> FrameParts:
    return FrameParts(Rect.of(window["frame"]), Rect.of(window), border, title_height)


class Compositor:
    """One spectrum-compositor on the headless backend, in a private XDG_RUNTIME_DIR."""

    def __init__(self, artifacts: Artifacts, config: str | None = BASE_CONFIG, *,
                 config_path: Path | None = None, socket: str = HOST_SOCKET,
                 env: dict[str, str] | None = None, name: str = "compositor"):
        self.compositor_bin, self.ctl_bin = binaries()
        self.artifacts = artifacts
        self.name = name
        self.tmp = Path(tempfile.mkdtemp(prefix="spectrum-it-"))
        self.runtime_dir = self.tmp / "run"
        self.runtime_dir.mkdir(mode=0o700)
        os.chmod(self.runtime_dir, 0o700)
        self.home = self.tmp / "home"
        (self.home / ".config").mkdir(parents=True)
        self.config_path = config_path or self.tmp / "spectrum.toml"
        if config is not None:
            self.config_path.write_text(config)
        self.socket = socket
        self.extra_env = env or {}
        self.log_path = artifacts.unique(name, ".log")
        artifacts.compositor_logs.append(self.log_path)
        self.proc: subprocess.Popen | None = None
        self.clients: list[Client] = []
        self.stopped = False

    # --- environment ------------------------------------------------------------------

    def base_env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items()
               if k not in ("WAYLAND_DISPLAY", "WAYLAND_SOCKET", "DISPLAY",
                            "SPECTRUM_CTL_SOCKET")}
        env.update({
            "XDG_RUNTIME_DIR": str(self.runtime_dir),
            "HOME": str(self.home),
            "XDG_CONFIG_HOME": str(self.home / ".config"),
            "LANG": "C.UTF-8",
            "LC_ALL": "C.UTF-8",
            # foot runs $SHELL; a system user's login shell may be nologin.
            "SHELL": "/bin/sh",
        })
        return env

    @property
    def host_socket(self) -> Path:
        return self.runtime_dir / self.socket

    @property
    def ctl_socket(self) -> Path:
        return self.runtime_dir / "spectrum" / "ctl.sock"

    def vm_socket(self, vm: str) -> Path:
        return self.runtime_dir / "spectrum" / "vm" / vm / "wayland-0"

    def display_for(self, vm: str | None) -> str:
        """WAYLAND_DISPLAY for a client of the host (None) or of a VM."""
        return self.socket if vm is None else str(self.vm_socket(vm))

    def socket_path_for(self, vm: str | None) -> str:
        return str(self.host_socket if vm is None else self.vm_socket(vm))

    # --- life cycle -------------------------------------------------------------------

    def command(self) -> list[str]:
        return [str(self.compositor_bin), "--config", str(self.config_path),
                "--socket", self.socket]

    def launch(self) -> None:
        env = self.base_env()
        env.update({"WLR_BACKENDS": "headless", "WLR_RENDERER": "pixman",
                    "WLR_LIBINPUT_NO_DEVICES": "1"})
        env.update(self.extra_env)
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen(self.command(), env=env, stdin=subprocess.DEVNULL,
                                         stdout=log, stderr=log, cwd=self.tmp)

    def start(self) -> "Compositor":
        self.launch()
        deadline = time.monotonic() + READY_TIMEOUT
        while True:
            if self.proc.poll() is not None:
                self.stopped = True  # reported here; teardown need not report it again
                shutil.rmtree(self.tmp, ignore_errors=True)
                raise AssertionError(f"compositor exited with status {self.proc.returncode} "
                                     f"before it was ready:\n{self.log_tail()}")
            if self.ctl_socket.exists():
                result = self.ctl("windows", check=False, timeout=5)
                if result.returncode == 0:
                    return self
            if time.monotonic() > deadline:
                raise AssertionError(f"compositor not ready after {READY_TIMEOUT}s:\n"
                                     f"{self.log_tail()}")
            time.sleep(0.05)

    def run_to_exit(self, timeout: float = 10.0) -> int:
        """Runs the compositor expecting it to exit on its own (a bad config)."""
        self.launch()
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError(f"compositor still running after {timeout}s:\n"
                                 f"{self.log_tail()}")
        finally:
            self.stopped = True

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def wait_exit(self, timeout: float = 10.0) -> int:
        """Waits for an exit the test caused (spectrumctl quit, a signal); cleans up."""
        try:
            status = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"compositor still running after {timeout}s:\n"
                                 f"{self.log_tail()}") from None
        self.stopped = True
        self.kill_clients()
        shutil.rmtree(self.tmp, ignore_errors=True)
        return status

    def kill_clients(self) -> None:
        for client in self.clients:
            client.kill()

    def stop(self, expect_status: int | None = 0) -> int | None:
        """Kills the clients, sends SIGTERM and checks the exit status (None: any)."""
        if self.stopped or self.proc is None:
            return self.proc.returncode if self.proc else None
        self.stopped = True
        self.kill_clients()
        died_early = self.proc.poll() is not None
        if not died_early:
            self.proc.send_signal(signal.SIGTERM)
        try:
            status = self.proc.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError(f"compositor ignored SIGTERM for {STOP_TIMEOUT}s")
        finally:
            shutil.rmtree(self.tmp, ignore_errors=True)
        if died_early:
            raise AssertionError(f"compositor died during the test with status {status}:\n"
                                 f"{self.log_tail()}")
        if expect_status is not None and status != expect_status:
            what = (f"was killed by signal {-status}" if status < 0
                    else f"exited with status {status}")
            raise AssertionError(f"compositor {what} on SIGTERM (expected {expect_status}):\n"
                                 f"{self.log_tail()}")
        return status

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def log_tail(self, lines: int = 30) -> str:
        return "\n".join(self.log_text().splitlines()[-lines:])

    def wait_for_log(self, pattern: str, timeout: float = 10.0) -> str:
        """Waits for a log line matching the regex `pattern`; returns the line."""
        regex = re.compile(pattern)

        def find():
            return next((l for l in self.log_text().splitlines() if regex.search(l)), None)

        return wait_until(find, timeout, message=f"log line matching {pattern!r}")

    def write_config(self, text: str) -> None:
        self.config_path.write_text(text)

    # --- spectrumctl ------------------------------------------------------------------

    def ctl_env(self) -> dict[str, str]:
        return self.base_env()

    def ctl(self, *args: str, check: bool = True, timeout: float = 10.0,
            env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
        run_env = self.ctl_env()
        run_env.update(env or {})
        result = subprocess.run([str(self.ctl_bin), *map(str, args)], env=run_env,
                                capture_output=True, text=True, timeout=timeout)
        if check and result.returncode != 0:
            raise AssertionError(f"spectrumctl {' '.join(map(str, args))} exited "
                                 f"{result.returncode}: {result.stderr.strip()}")
        return result

    def ctl_json(self, *args: str):
        result = self.ctl(*args, "--json")
        try:
            return json.loads(result.stdout)
        except json.JSONDecodeError as exc:
            raise AssertionError(f"spectrumctl {' '.join(args)} --json printed invalid "
                                 f"JSON ({exc}):\n{result.stdout!r}") from exc

    def windows(self) -> list[dict]:
        return self.ctl_json("windows")

    def vms(self) -> list[dict]:
        return self.ctl_json("vms")

    def window(self, window_id: int) -> dict | None:
        return next((w for w in self.windows() if w["id"] == window_id), None)

    def wait_for_window(self, predicate=None, timeout: float = 10.0, **fields) -> dict:
        """The first window matching `predicate(window)` and every `field=value` given."""
        def match(window: dict) -> bool:
            if any(window.get(k) != v for k, v in fields.items()):
                return False
            return predicate is None or predicate(window)

        last: list[dict] = []

        def find():
            last[:] = self.windows()
            return next((w for w in last if match(w)), None)

        try:
            return wait_until(find, timeout)
        except AssertionError:
            raise AssertionError(f"no window matching {fields or ''} {predicate or ''} "
                                 f"after {timeout}s; windows: {json.dumps(last)}\n"
                                 f"{self.log_tail()}") from None

    def wait_for_no_window(self, window_id: int, timeout: float = 10.0) -> None:
        wait_until(lambda: self.window(window_id) is None, timeout,
                   message=f"window {window_id} to go away")

    def focus(self, window_id: int) -> dict:
        self.ctl("focus", window_id)
        return wait_until(lambda: (w := self.window(window_id)) and w["focused"] and w,
                          5, message=f"window {window_id} focused")

    # --- clients ----------------------------------------------------------------------

    def client_env(self, vm: str | None = None, env: dict[str, str] | None = None):
        run_env = self.base_env()
        run_env["WAYLAND_DISPLAY"] = self.display_for(vm)
        run_env.update(env or {})
        return run_env

    def spawn(self, cmd: list[str], vm: str | None = None,
              env: dict[str, str] | None = None, name: str | None = None) -> Client:
        """Starts a client on the host socket (vm=None) or on a VM's socket."""
        name = name or f"{Path(cmd[0]).name}-{vm or 'host'}"
        log_path = self.artifacts.unique(name, ".log")
        with open(log_path, "wb") as log:
            proc = subprocess.Popen(cmd, env=self.client_env(vm, env), stdin=subprocess.DEVNULL,
                                    stdout=log, stderr=log, cwd=self.tmp,
                                    start_new_session=True)
        client = Client(name, proc, log_path)
        self.clients.append(client)
        return client

    def spawn_window(self, cmd: list[str], vm: str | None = None, *, app_id: str | None = None,
                     title: str | None = None, timeout: float = 10.0,
                     env: dict[str, str] | None = None) -> tuple[Client, dict]:
        """Starts a client and waits for its window (matched on vm, and app_id/title if
        given, among windows that were not there before)."""
        before = {w["id"] for w in self.windows()}
        client = self.spawn(cmd, vm, env)

        def predicate(window: dict) -> bool:
            if window["id"] in before or window["vm"] != vm:
                return False
            if app_id is not None and window["app_id"] != app_id:
                return False
            return title is None or window["title"] == title

        try:
            window = self.wait_for_window(predicate, timeout)
        except AssertionError as exc:
            raise AssertionError(f"{exc}\nclient {client.name} "
                                 f"({'running' if client.alive() else 'exited'}):\n"
                                 f"{client.output()[-2000:]}") from None
        return client, window

    def simple_shm(self, vm: str | None = None) -> tuple[Client, dict]:
        return self.spawn_window(["weston-simple-shm"], vm,
                                 app_id="org.freedesktop.weston.simple-shm")

    def foot(self, vm: str | None = None, *args: str, app_id: str = "foot",
             title: str | None = None, command: list[str] | None = None,
             wait_title: str | None = None) -> tuple[Client, dict]:
        """A foot terminal; `command` runs in it instead of the shell."""
        cmd = ["foot", "--app-id", app_id, *args]
        if title is not None:
            cmd += ["--title", title]
        if command:
            cmd += command
        return self.spawn_window(cmd, vm, app_id=app_id, title=wait_title, timeout=15)

    def reader_foot(self, vm: str | None, out: Path, app_id: str) -> tuple[Client, dict]:
        """A foot that writes the first line typed into it to `out`, then exits."""
        script = 'IFS= read -r line; printf %s "$line" > "$0"'
        return self.foot(vm, app_id=app_id, command=["sh", "-c", script, str(out)])

    # --- screen and keys --------------------------------------------------------------

    def screenshot(self, name: str = "screen") -> Image:
        result = subprocess.run(["grim", "-t", "ppm", "-"], env=self.client_env(None),
                                capture_output=True, timeout=15)
        if result.returncode != 0:
            raise AssertionError(f"grim failed ({result.returncode}): "
                                 f"{result.stderr.decode(errors='replace')}")
        image = Image.from_ppm(result.stdout)
        image.save_png(self.artifacts.unique(name, ".png"))
        return image

    def screenshot_until(self, check, name: str = "screen", timeout: float = 5.0) -> Image:
        """Screenshots until `check(image)` stops raising AssertionError (drawing is
        asynchronous); re-raises the last failure, with the screenshot path, on timeout."""
        deadline = time.monotonic() + timeout
        while True:
            image = self.screenshot(name)
            try:
                check(image)
                return image
            except AssertionError as exc:
                if time.monotonic() > deadline:
                    raise AssertionError(f"{exc}\n(screenshot: {image.path})") from None
            time.sleep(0.2)

    def wtype(self, *args: str) -> None:
        result = subprocess.run(["wtype", *args], env=self.client_env(None),
                                capture_output=True, text=True, timeout=15)
        if result.returncode != 0:
            raise AssertionError(f"wtype {' '.join(args)} failed: {result.stderr.strip()}")

    def type_keys(self, text: str) -> None:
        """Types `text` as a virtual keyboard on the host socket ("\\n" presses Return)."""
        self.wtype(text)

    MODIFIERS = {"super": "logo", "logo": "logo", "ctrl": "ctrl", "control": "ctrl",
                 "shift": "shift", "alt": "alt"}

    def press(self, combo: str) -> None:
        """Presses a key combination like "Super+F" or "Ctrl+Shift+C"."""
        *mods, key = combo.split("+")
        mods = [self.MODIFIERS[m.lower()] for m in mods]
        args: list[str] = []
        for mod in mods:
            args += ["-M", mod]
        args += ["-k", key if len(key) > 1 else key.lower()]
        for mod in reversed(mods):
            args += ["-m", mod]
        self.wtype(*args)


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)
