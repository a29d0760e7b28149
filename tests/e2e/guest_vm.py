"""Boot a real guest under QEMU and watch it: serial-log markers, timed on the host.

The guest's Wayland connection goes: app -> waypipe server (guest) -> Unix socket ->
socat -> /dev/vportNpM -> QEMU virtserialport -> QEMU chardev, a *client* of the host
Unix socket -> waypipe client (host, listening there) -> the VM's compositor socket.
waypipe client must therefore listen before QEMU starts.
"""

from __future__ import annotations

import os
import re
import subprocess
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

from host_display import HostCompositor, stop, wait_for_path

MARKER = re.compile(r"spectrum-guest: (init started|app started|app exited) ?(\S+)?(?: (\S+))?")


@dataclass
class GuestImage:
    kernel: Path
    initrd: Path  # initramfs.cpio.gz
    initrd_uncompressed: Path  # initramfs.cpio: the same files, boots faster under TCG


class SerialLog:
    """Follows QEMU's -serial file and stamps each complete line with host time."""

    def __init__(self, path: Path):
        self.path = path
        self.lines: list[tuple[float, str]] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._follow, daemon=True)
        self._thread.start()

    def _follow(self) -> None:
        pending = b""
        offset = 0
        while True:
            stopping = self._stop.is_set()
            try:
                with open(self.path, "rb") as f:
                    f.seek(offset)
                    chunk = f.read()
            except FileNotFoundError:
                chunk = b""
            offset += len(chunk)
            pending += chunk
            now = time.monotonic()
            *complete, pending = pending.split(b"\n")
            with self._lock:
                for raw in complete:
                    self.lines.append((now, raw.decode(errors="replace").rstrip("\r")))
            if stopping:
                return
            time.sleep(0.02)

    def close(self) -> None:
        self._stop.set()
        self._thread.join()

    def text(self) -> str:
        with self._lock:
            return "\n".join(line for _, line in self.lines)

    def marker(self, name: str) -> tuple[float, list[str]] | None:
        """(host time seen, the marker's values) of the first `spectrum-guest: NAME ...`."""
        with self._lock:
            for t, line in self.lines:
                m = MARKER.search(line)
                if m and m.group(1) == name:
                    return t, [v for v in m.groups()[1:] if v is not None]
        return None


@dataclass
class Phases:
    qemu_start: float
    kernel_start: float | None = None  # derived: host time of init marker - guest uptime
    init_started: float | None = None
    app_started: float | None = None
    window_shown: float | None = None
    guest_uptime: dict[str, float] = field(default_factory=dict)

    def table(self, title: str) -> str:
        rows = [
            ("QEMU start -> kernel start", self.qemu_start, self.kernel_start),
            ("kernel start -> init started", self.kernel_start, self.init_started),
            ("init started -> app started", self.init_started, self.app_started),
            ("app started -> window shown", self.app_started, self.window_shown),
            ("QEMU start -> window shown", self.qemu_start, self.window_shown),
        ]
        out = [title, f"  {'phase':<32}{'seconds':>8}"]
        for name, a, b in rows:
            value = f"{b - a:8.2f}" if a is not None and b is not None else f"{'-':>8}"
            out.append(f"  {name:<32}{value}")
        if self.guest_uptime:
            marks = ", ".join(f"{k} at {v:.2f}" for k, v in self.guest_uptime.items())
            out.append(f"  guest uptime: {marks}")
        return "\n".join(out)


class GuestRun:
    """One boot of the guest with `app`, its window forwarded to `host`'s VM socket."""

    def __init__(
        self,
        image: GuestImage,
        host: HostCompositor,
        work: Path,
        app: str,
        state_disk: Path | None = None,
        memory_mb: int = 1024,
        compressed: bool = True,
    ):
        self.host = host
        self.work = work
        work.mkdir(parents=True, exist_ok=True)
        self.serial_path = work / "serial.log"
        self.serial_path.unlink(missing_ok=True)
        self.bridge = work / "wl.sock"
        self.bridge.unlink(missing_ok=True)

        env = host.env()
        env["WAYLAND_DISPLAY"] = host.guest_display
        self.waypipe = subprocess.Popen(
            ["waypipe", "--oneshot", "--no-gpu", "-s", str(self.bridge), "client"],
            env=env,
            stdout=open(work / "waypipe-client.log", "wb"),
            stderr=subprocess.STDOUT,
        )
        wait_for_path(self.bridge, 10, self.waypipe)

        cmdline = [
            "console=ttyS0",
            "quiet",
            "spectrum.app=" + urllib.parse.quote(app, safe=""),
            "spectrum.transport=virtio-serial",
        ]
        # TCG by default: /dev/kvm may exist yet fail (nested virtualisation without the
        # CPU features the guest kernel uses); SPECTRUM_E2E_ACCEL=kvm opts in.
        accel = ["-accel", os.environ.get("SPECTRUM_E2E_ACCEL", "tcg")]
        qemu = [
            "qemu-system-x86_64",
            *accel,
            "-m",
            str(memory_mb),
            "-nodefaults",
            "-display",
            "none",
            "-no-reboot",
            "-kernel",
            str(image.kernel),
            "-initrd",
            str(image.initrd if compressed else image.initrd_uncompressed),
            "-device",
            "virtio-serial-pci",
            "-chardev",
            f"socket,id=wl,path={self.bridge}",
            "-device",
            "virtserialport,chardev=wl,name=wayland",
            "-serial",
            f"file:{self.serial_path}",
        ]
        if state_disk is not None:
            qemu += ["-drive", f"file={state_disk},format=raw,if=virtio"]
            cmdline.append("spectrum.state=/dev/vda")
        qemu += ["-append", " ".join(cmdline)]
        self.qemu_args = qemu
        self.initrd_name = Path(qemu[qemu.index("-initrd") + 1]).name
        self.how_ended = ""
        self.phases = Phases(qemu_start=time.monotonic())
        self.qemu = subprocess.Popen(
            qemu, stdin=subprocess.DEVNULL, stdout=open(work / "qemu.log", "wb"), stderr=subprocess.STDOUT
        )
        self.serial = SerialLog(self.serial_path)

    def logs(self) -> str:
        parts = [f"--- serial log ({self.serial_path})", self.serial.text()]
        for name in ("qemu.log", "waypipe-client.log"):
            path = self.work / name
            if path.exists():
                parts += [f"--- {name}", path.read_text(errors="replace")[-4000:]]
        return "\n".join(parts)

    def _note_markers(self) -> None:
        p = self.phases
        init = self.serial.marker("init started")
        if init and p.init_started is None:
            p.init_started = init[0]
            uptime = float(init[1][0])
            p.guest_uptime["init started"] = uptime
            p.kernel_start = init[0] - uptime
        app = self.serial.marker("app started")
        if app and p.app_started is None:
            p.app_started = app[0]
            p.guest_uptime["app started"] = float(app[1][0])

    def wait_window(self, timeout: float = 180, poll: float = 0.25) -> float:
        """Waits until the host shows the guest's window; returns QEMU start -> window, s."""
        deadline = self.phases.qemu_start + timeout
        while True:
            self._note_markers()
            self.host.check_alive()
            if self.qemu.poll() is not None:
                raise AssertionError(f"QEMU exited ({self.qemu.returncode}) before the window appeared\n{self.logs()}")
            if self.serial.marker("app exited"):
                raise AssertionError(f"the guest app exited before its window appeared\n{self.logs()}")
            if self.phases.app_started is not None and self.host.window_shown():
                self.phases.window_shown = time.monotonic()
                self._note_markers()
                return self.phases.window_shown - self.phases.qemu_start
            if time.monotonic() > deadline:
                raise AssertionError(f"no guest window on the host within {timeout} s\n{self.logs()}")
            time.sleep(poll)

    def shut_down(self, how: str = "disconnect", timeout: float = 60) -> int:
        """Ends the app and waits for the guest to power itself off; returns QEMU's exit code.

        how="close": the host compositor closes the window, the app exits by itself
        (falls back to "disconnect" on a host that cannot close windows).
        how="disconnect": the host's waypipe client goes away; the guest's bridge sees
        the port's host end close, waypipe server loses its channel and the app ends.
        Either way init then syncs the state disk and powers off."""
        if how == "close" and self.host.close_windows():
            self.how_ended = "window closed by the host"
        else:
            stop(self.waypipe)
            self.how_ended = "host transport closed"
        try:
            return self.qemu.wait(timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"the guest did not power off within {timeout} s\n{self.logs()}") from None
        finally:
            self._note_markers()

    def close(self) -> None:
        stop(self.waypipe)
        stop(self.qemu)
        self.serial.close()
