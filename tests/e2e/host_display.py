"""The host side of an end-to-end run: a headless compositor a guest's window can reach.

Two kinds, one interface:
- SpectrumHost: the project's own compositor. The guest connects to the VM's socket
  ($XDG_RUNTIME_DIR/spectrum/vm/<vm>/wayland-0); a window counts as shown when the host
  screenshot (grim on the trusted host socket) holds the VM's frame colour.
- WestonHost: Debian's weston (kiosk shell, headless, pixman) for when the project's
  compositor is not built. A window counts as shown when the screenshot differs from the
  empty screen.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from pathlib import Path

from images import Image, read_image

# The VM the tests declare in the host compositor's config, and its frame colour.
E2E_VM = "red"
E2E_VM_COLOR = "#cc0000"


def wait_for_path(path: Path, timeout: float, proc: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{proc.args[0]} exited with {proc.returncode} before creating {path}")
        if time.monotonic() > deadline:
            raise TimeoutError(f"{path} did not appear within {timeout} s")
        time.sleep(0.05)


def stop(proc: subprocess.Popen | None, timeout: float = 5) -> None:
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


class HostCompositor:
    name = "?"
    log_name = "?"  # in log_dir

    def __init__(self, runtime_dir: Path, log_dir: Path):
        self.runtime_dir = runtime_dir
        self.log_dir = log_dir
        self.socket = "wayland-e2e"
        self.proc: subprocess.Popen | None = None
        self.baseline: Image | None = None

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env["XDG_RUNTIME_DIR"] = str(self.runtime_dir)
        env.pop("WAYLAND_DISPLAY", None)
        env.pop("DISPLAY", None)
        return env

    def host_env(self) -> dict[str, str]:
        env = self.env()
        env["WAYLAND_DISPLAY"] = self.socket
        return env

    @property
    def guest_display(self) -> str:
        """What the host waypipe client uses as WAYLAND_DISPLAY for the guest's VM."""
        raise NotImplementedError

    def screenshot(self) -> Image:
        raise NotImplementedError

    def window_shown(self) -> bool:
        raise NotImplementedError

    def save_screenshot(self, path: Path) -> None:
        """A PNG of the host output, kept with the test's logs as evidence."""
        raise NotImplementedError

    def close_windows(self) -> bool:
        """Asks the guest's windows to close, as the user would; False if this host can't."""
        return False

    def check_alive(self) -> None:
        """Raises if the compositor died: a crash is the compositor's failure, not the guest's."""
        if self.proc is not None and self.proc.poll() is not None:
            log = self.log_dir / self.log_name
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise AssertionError(f"{self.name} exited with {self.proc.returncode}\n{tail}")

    def close(self) -> None:
        stop(self.proc)


class SpectrumHost(HostCompositor):
    name = "spectrum-compositor"
    log_name = "compositor.log"

    def __init__(self, binary: Path, runtime_dir: Path, log_dir: Path, vm: str, color: str):
        super().__init__(runtime_dir, log_dir)
        self.vm = vm
        self.color = tuple(int(color[i : i + 2], 16) for i in (1, 3, 5))
        self.spectrumctl = os.environ.get("SPECTRUM_CTL") or shutil.which("spectrumctl", path=str(binary.parent))
        config = log_dir / "spectrum.toml"
        config.write_text(f'[vm.{vm}]\ncolor = "{color}"\n')
        env = self.env()
        env["WLR_BACKENDS"] = "headless"
        env["WLR_RENDERER"] = "pixman"
        self.proc = subprocess.Popen(
            [str(binary), "--config", str(config), "--socket", self.socket],
            env=env,
            stdout=open(log_dir / self.log_name, "wb"),
            stderr=subprocess.STDOUT,
        )
        wait_for_path(runtime_dir / self.socket, 30, self.proc)
        wait_for_path(self.vm_socket, 30, self.proc)

    @property
    def vm_socket(self) -> Path:
        return self.runtime_dir / "spectrum" / "vm" / self.vm / "wayland-0"

    @property
    def guest_display(self) -> str:
        return str(self.vm_socket)

    def screenshot(self) -> Image:
        out = subprocess.run(["grim", "-t", "ppm", "-"], env=self.host_env(), capture_output=True, timeout=20)
        if out.returncode != 0:
            raise RuntimeError(f"grim failed: {out.stderr.decode(errors='replace')}")
        return read_image(out.stdout)

    def save_screenshot(self, path: Path) -> None:
        subprocess.run(["grim", str(path)], env=self.host_env(), check=True, timeout=20)

    def listed_windows(self) -> list[dict] | None:
        """The compositor's own window list, if spectrumctl is built; None otherwise."""
        if self.spectrumctl is None:
            return None
        out = subprocess.run(
            [self.spectrumctl, "windows", "--json"], env=self.env(), capture_output=True, timeout=10, text=True
        )
        if out.returncode != 0:
            return None
        try:
            data = json.loads(out.stdout)
        except json.JSONDecodeError:
            return None
        return data if isinstance(data, list) else data.get("windows")

    def close_windows(self) -> bool:
        windows = [w for w in self.listed_windows() or [] if w.get("vm") == self.vm]
        for w in windows:
            subprocess.run([self.spectrumctl, "close", str(w["id"])], env=self.env(), check=True, timeout=10)
        return bool(windows)

    def window_shown(self) -> bool:
        windows = self.listed_windows()
        if windows is not None and not any(w.get("vm") == self.vm for w in windows):
            return False
        # The frame in the VM's colour is what the user sees; require it on screen.
        return self.screenshot().count_near(self.color) >= 100


class WestonHost(HostCompositor):
    name = "weston"
    log_name = "weston.log"

    def __init__(self, runtime_dir: Path, log_dir: Path):
        super().__init__(runtime_dir, log_dir)
        self.shots = log_dir / "shots"
        self.shots.mkdir(exist_ok=True)
        self.proc = subprocess.Popen(
            [
                "weston",
                "--backend=headless",
                "--renderer=pixman",
                "--shell=kiosk",
                "--no-config",
                "--debug",  # lets weston-screenshooter capture the output
                "--width=800",
                "--height=600",
                f"--socket={self.socket}",
                f"--log={log_dir / self.log_name}",
            ],
            env=self.env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for_path(runtime_dir / self.socket, 30, self.proc)
        self.baseline = self.screenshot()

    @property
    def guest_display(self) -> str:
        return self.socket

    def screenshot(self) -> Image:
        for old in self.shots.glob("*.png"):
            old.unlink()
        out = subprocess.run(
            ["weston-screenshooter"], cwd=self.shots, env=self.host_env(), capture_output=True, timeout=20
        )
        shots = sorted(self.shots.glob("*.png"))
        if out.returncode != 0 or not shots:
            raise RuntimeError(f"weston-screenshooter failed: {out.stderr.decode(errors='replace')}")
        return read_image(shots[-1].read_bytes())

    def save_screenshot(self, path: Path) -> None:
        self.screenshot()
        shutil.copyfile(sorted(self.shots.glob("*.png"))[-1], path)

    def window_shown(self) -> bool:
        assert self.baseline is not None
        return self.screenshot().differing_pixels(self.baseline) >= 1000


def start_host(build_dir: Path, runtime_dir: Path, log_dir: Path, vm: str, color: str) -> HostCompositor:
    """The project's compositor when it is built (or SPECTRUM_E2E_HOST=spectrum), else weston.

    The compositor is $SPECTRUM_COMPOSITOR (as meson passes it) or the build tree's."""
    choice = os.environ.get("SPECTRUM_E2E_HOST", "auto")
    if choice == "auto" and os.environ.get("SPECTRUM_COMPOSITOR"):
        choice = "spectrum"  # named explicitly (meson does): never fall back silently
    binary = Path(os.environ.get("SPECTRUM_COMPOSITOR") or build_dir / "compositor" / "spectrum-compositor")
    if choice == "spectrum" or (choice == "auto" and binary.is_file() and os.access(binary, os.X_OK)):
        if not binary.is_file():
            raise FileNotFoundError(f"{binary} is not built (ninja compositor/spectrum-compositor)")
        return SpectrumHost(binary, runtime_dir, log_dir, vm, color)
    if choice not in ("auto", "weston"):
        raise ValueError(f"SPECTRUM_E2E_HOST={choice}: use auto, spectrum or weston")
    return WestonHost(runtime_dir, log_dir)
