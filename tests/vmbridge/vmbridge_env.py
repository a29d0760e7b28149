"""Shared pieces of the spectrum-vmbridge tests: the programs under test, a private runtime
directory, and small helpers around the compositor, the supervisor and spectrumctl."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
BUILD = Path(os.environ.get("SPECTRUM_BUILD_DIR", REPO / "build")).resolve()


def program(env_name: str, relative: str) -> Path:
    return Path(os.environ.get(env_name) or BUILD / relative)


VMBRIDGE = program("SPECTRUM_VMBRIDGE", "vmbridge/spectrum-vmbridge")
COMPOSITOR = program("SPECTRUM_COMPOSITOR", "compositor/spectrum-compositor")
SPECTRUMCTL = program("SPECTRUM_CTL", "compositor/spectrumctl")


def wait_for(predicate, timeout: float, what: str, poll: float = 0.05):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(poll)


def stop_process(proc: subprocess.Popen | None, timeout: float = 30) -> int | None:
    if proc is None:
        return None
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    return proc.returncode


class Session:
    """A private XDG_RUNTIME_DIR with the supervisor (and optionally the compositor) in it."""

    def __init__(self, runtime: Path, work: Path):
        self.runtime = runtime
        self.work = work
        self.compositor: subprocess.Popen | None = None
        self.vmbridge: subprocess.Popen | None = None

    def env(self, **extra: str) -> dict[str, str]:
        env = dict(os.environ)
        env["XDG_RUNTIME_DIR"] = str(self.runtime)
        for name in ("WAYLAND_DISPLAY", "DISPLAY", "SPECTRUM_CTL_SOCKET", "SPECTRUM_VMBRIDGE_SOCKET"):
            env.pop(name, None)
        env.update(extra)
        return env

    @property
    def control_socket(self) -> Path:
        return self.runtime / "spectrum" / "vmbridge.sock"

    def start_compositor(self, config: Path, socket: str = "wayland-vmb", *args: str, **env: str) -> None:
        self.host_socket = socket
        self.compositor = subprocess.Popen(
            [str(COMPOSITOR), "--config", str(config), "--socket", socket, *args],
            env=self.env(WLR_BACKENDS="headless", WLR_RENDERER="pixman", **env),
            stdout=open(self.work / "compositor.log", "wb"),
            stderr=subprocess.STDOUT,
        )
        wait_for(lambda: (self.runtime / socket).exists() or self.compositor.poll() is not None, 30, "the compositor")
        assert self.compositor.poll() is None, (self.work / "compositor.log").read_text()

    def start_vmbridge(self, config: Path, *args: str) -> None:
        self.vmbridge_log = self.work / "vmbridge.log"
        self.vmbridge = subprocess.Popen(
            [str(VMBRIDGE), "--config", str(config), *args],
            env=self.env(),
            stdout=open(self.vmbridge_log, "wb"),
            stderr=subprocess.STDOUT,
        )
        wait_for(
            lambda: self.control_socket.exists() or self.vmbridge.poll() is not None, 30, "the supervisor's socket"
        )
        assert self.vmbridge.poll() is None, self.vmbridge_log.read_text()

    def ctl(self, *args: str, check: bool = True, timeout: float = 120) -> subprocess.CompletedProcess:
        out = subprocess.run(
            [str(SPECTRUMCTL), *args], env=self.env(), capture_output=True, text=True, timeout=timeout
        )
        if check and out.returncode != 0:
            raise AssertionError(f"spectrumctl {' '.join(args)} failed ({out.returncode}): {out.stderr}")
        return out

    def vms(self) -> dict[str, dict]:
        return {vm["name"]: vm for vm in json.loads(self.ctl("vm", "list", "--json").stdout)}

    def windows(self) -> list[dict]:
        return json.loads(self.ctl("windows", "--json").stdout)

    def close(self) -> None:
        stop_process(self.vmbridge, 60)
        stop_process(self.compositor)
