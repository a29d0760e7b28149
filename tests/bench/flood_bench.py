#!/usr/bin/env python3
"""One VM floods the compositor; does the desktop stay responsive?

    tests/bench/flood_bench.py [--seconds S] [--compositors spectrum,sway] [--floods LIST]

For each compositor (headless, pixman, a 1280x720 output) three raw Wayland clients
(tests/integration/wire.py) run side by side:

  - the flooder (on Spectrum: a client of VM "flood"), which repeats one flood for S seconds:
      damage   one commit carrying 22,500 1x1 damage rectangles, again and again
      commits  2,000 commits of one small damage rectangle per write
      offers   data sources with 128 MIME types of 256 bytes each
      pools    wl_shm pools of 4 KiB, 200 per write, never destroyed
    and reconnects whenever the compositor cuts it off (counted);
  - the calm client (on Spectrum: VM "calm"), which redraws a window on every frame
    callback and counts the frames it gets;
  - the host probe, a host client sending wl_display.sync every 10 ms and timing the answer.

It prints, per flood, the probe's median, p99 and max roundtrip, the calm client's frames
per second, and how often the flooder was cut off; an "idle" row first is the baseline.
sway gets the same three clients on its one socket. Not a test: nothing is asserted.
`meson test --benchmark flood` runs it against Spectrum; `tools/dev bench` installs sway,
then `tools/dev exec python3 tests/bench/flood_bench.py` compares both.
"""

from __future__ import annotations

import argparse
import os
import pwd
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "integration"))
sys.dont_write_bytecode = True
from wire import Connection, WaylandError, i32, string, u32  # noqa: E402

FLOODS = ["damage", "commits", "offers", "pools"]


class Compositor:
    def __init__(self, name: str, binary: str | None, extra_config: str = ""):
        self.name = name
        self.extra_config = extra_config
        self.binary = binary
        self.dir = Path(tempfile.mkdtemp(prefix=f"flood-bench-{name}-"))
        self.runtime = self.dir / "run"
        self.runtime.mkdir(mode=0o700)
        self.user = None
        if os.geteuid() == 0 and name == "sway":  # sway refuses to run as root
            self.user = pwd.getpwnam("nobody")
            for path in (self.dir, self.runtime):
                os.chown(path, self.user.pw_uid, self.user.pw_gid)
        self.proc = None

    def env(self) -> dict[str, str]:
        return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(self.dir),
                "XDG_RUNTIME_DIR": str(self.runtime), "LANG": "C.UTF-8",
                "WLR_BACKENDS": "headless", "WLR_RENDERER": "pixman",
                "WLR_LIBINPUT_NO_DEVICES": "1"}

    def start(self) -> None:
        if self.name == "spectrum":
            config = self.dir / "spectrum.toml"
            config.write_text(self.extra_config + '\n[[output]]\nmode = "1280x720"\n\n[vm.flood]\n'
                              'color = "#cc0000"\n\n[vm.calm]\ncolor = "#3465a4"\n')
            cmd = [self.binary, "--config", str(config), "--socket", "wayland-bench"]
        else:
            config = self.dir / "sway.conf"
            config.write_text("output HEADLESS-1 mode 1280x720 position 0 0\nxwayland disable\n")
            os.chmod(config, 0o644)
            cmd = [self.binary, "-c", str(config)]
        user = self.user

        def demote():
            if user:
                os.setgid(user.pw_gid)
                os.setuid(user.pw_uid)

        self.log = open(self.dir / "compositor.log", "wb")
        self.proc = subprocess.Popen(cmd, env=self.env(), stdin=subprocess.DEVNULL, stdout=self.log,
                                     stderr=self.log, cwd=self.dir, start_new_session=True,
                                     preexec_fn=demote)
        deadline = time.monotonic() + 20
        while not all(Path(p).is_socket() for p in self.sockets()):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{self.name} did not start; see {self.dir}/compositor.log")
            time.sleep(0.05)

    def host_socket(self) -> str:
        if self.name == "spectrum":
            return str(self.runtime / "wayland-bench")
        found = sorted(p for p in self.runtime.glob("wayland-*") if not p.name.endswith(".lock"))
        return str(found[0]) if found else str(self.runtime / "wayland-1")

    def vm_socket(self, vm: str) -> str:
        if self.name == "spectrum":
            return str(self.runtime / "spectrum" / "vm" / vm / "wayland-0")
        return self.host_socket()

    def sockets(self) -> list[str]:
        if self.name == "spectrum":
            return [self.host_socket(), self.vm_socket("flood"), self.vm_socket("calm")]
        return [self.host_socket()] if list(self.runtime.glob("wayland-*")) else ["/nonexistent"]

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)


class Calm(threading.Thread):
    """Redraws an 800x500 window on every frame callback; counts the callbacks. (Large: the
    flooder's window, placed over its middle, must not hide it all.)"""

    def __init__(self, path: str):
        super().__init__(daemon=True)
        self.conn = Connection(path, timeout=30)
        self.window = self.conn.create_toplevel(width=800, height=500, app_id="calm",
                                                follow_configure=False)
        self.buffer = self.conn.create_buffer(self.window.shm, 800, 500, 0xFF3465A4)
        self.frames = 0
        self.stopped = False

    def run(self) -> None:
        conn, surface = self.conn, self.window.surface
        try:
            while not self.stopped:
                callback = conn.new_id()
                done = []
                conn.handlers[callback] = lambda opcode, reader: done.append(1)
                conn.request(surface, 3, u32(callback))  # frame
                conn.request(surface, 1, u32(self.buffer), i32(0), i32(0))  # attach
                conn.request(surface, 2, i32(0), i32(0), i32(20), i32(20))  # damage: a corner
                conn.request(surface, 6)  # commit
                conn.dispatch_until(lambda: bool(done), 30)
                self.frames += 1
        except (WaylandError, TimeoutError, OSError):
            pass


class Flooder(threading.Thread):
    def __init__(self, path: str, flood: str, seconds: float):
        super().__init__(daemon=True)
        self.path, self.flood, self.seconds = path, flood, seconds
        self.cut_off = 0
        self.rounds = 0

    def connect(self):
        conn = Connection(self.path, timeout=30)
        surface = None
        if self.flood in ("damage", "commits"):
            surface = conn.create_toplevel(width=300, height=300, app_id="flood",
                                           follow_configure=False).surface
        return conn, surface

    def payload(self, surface: int) -> bytes:
        if self.flood == "damage":
            side = 150
            rects = b"".join(u32(surface) + u32((24 << 16) | 2) + i32(2 * (k % side))
                             + i32(2 * (k // side)) + i32(1) + i32(1) for k in range(side * side))
            return rects + u32(surface) + u32((8 << 16) | 6)
        one = (u32(surface) + u32((24 << 16) | 2) + i32(0) + i32(0) + i32(10) + i32(10)
               + u32(surface) + u32((8 << 16) | 6))
        return one * 2000

    def once(self, conn, surface, payload) -> None:
        if self.flood in ("damage", "commits"):
            conn.send_raw(payload)
        elif self.flood == "offers":
            manager = conn.shared("wl_data_device_manager", 3)
            source = conn.new_id()
            conn.request(manager, 0, u32(source))
            offers = []
            for k in range(128):
                mime = string(f"application/x-flood-{self.rounds}-{k}-".ljust(256, "x"))
                offers.append(u32(source) + u32((8 + len(mime)) << 16) + mime)
            conn.send_raw(b"".join(offers))
        elif self.flood == "pools":
            shm = conn.shared("wl_shm", 1)
            for _ in range(200):
                fd = os.memfd_create("flood", os.MFD_CLOEXEC)
                os.ftruncate(fd, 4096)
                conn.request(shm, 0, u32(conn.new_id()), i32(4096), fds=[fd])
                os.close(fd)
        conn.roundtrip()  # paced by the compositor, as a real flood would be
        self.rounds += 1

    def run(self) -> None:
        deadline = time.monotonic() + self.seconds
        conn = None
        while time.monotonic() < deadline:
            try:
                if conn is None:
                    conn, surface = self.connect()
                    payload = self.payload(surface) if surface else b""
                self.once(conn, surface, payload)
            except (WaylandError, TimeoutError, OSError):
                self.cut_off += 1
                if conn:
                    conn.close()
                conn = None
                time.sleep(0.01)
        if conn:
            conn.close()


def probe(path: str, seconds: float) -> list[float]:
    """wl_display.sync every 10 ms for `seconds`: the roundtrips, in milliseconds."""
    times = []
    with Connection(path, timeout=60) as host:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            start = time.monotonic()
            host.roundtrip()
            times.append((time.monotonic() - start) * 1000)
            time.sleep(0.01)
    return times


def measure(comp: Compositor, flood: str | None, seconds: float) -> dict:
    calm = Calm(comp.vm_socket("calm"))
    calm.start()
    time.sleep(0.5)
    flooder = Flooder(comp.vm_socket("flood"), flood, seconds) if flood else None
    frames_before = calm.frames
    start = time.monotonic()
    if flooder:
        flooder.start()
    times = probe(comp.host_socket(), seconds)
    elapsed = time.monotonic() - start
    fps = (calm.frames - frames_before) / elapsed
    if flooder:
        flooder.join(60)
    calm.stopped = True
    calm.join(5)
    calm.conn.close()
    times.sort()
    return {"flood": flood or "idle", "median": statistics.median(times),
            "p99": times[min(len(times) - 1, int(len(times) * 0.99))], "max": times[-1],
            "fps": fps, "cut": flooder.cut_off if flooder else 0,
            "rounds": flooder.rounds if flooder else 0, "alive": comp.proc.poll() is None}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--compositors", default="spectrum,sway")
    parser.add_argument("--floods", default=",".join(FLOODS))
    parser.add_argument("--spectrum-config", default="",
                        help="TOML put before Spectrum's config, e.g. '[limits]\\ndamage_rects = 256'")
    args = parser.parse_args()
    rows = []
    for name in args.compositors.split(","):
        binary = shutil.which(name)
        if name == "spectrum":
            binary = os.environ.get("SPECTRUM_COMPOSITOR") or shutil.which("spectrum-compositor")
        if not binary:
            print(f"{name}: not installed (tools/dev bench installs sway); skipped")
            continue
        for flood in ["idle", *args.floods.split(",")]:
            flood = None if flood == "idle" else flood
            # A fresh one per flood: nothing carries over.
            comp = Compositor(name, binary, args.spectrum_config.replace("\\n", "\n"))
            try:
                comp.start()
                rows.append((name, measure(comp, flood, args.seconds)))
            except Exception as exc:  # a compositor that died is a result too
                rows.append((name, {"flood": flood or "idle", "error": repr(exc)}))
            finally:
                comp.stop()
    print(f"\nHost wl_display.sync roundtrip (ms) while one client floods for {args.seconds:g} s; "
          "calm: another client's frames per second")
    print("| compositor | flood | median | p99 | max | calm fps | flood rounds | cut off | alive |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---|")
    for name, r in rows:
        if "error" in r:
            print(f"| {name} | {r['flood']} | error: {r['error']} |||||||")
            continue
        print(f"| {name} | {r['flood']} | {r['median']:.1f} | {r['p99']:.1f} | {r['max']:.1f} | "
              f"{r['fps']:.0f} | {r['rounds']} | {r['cut']} | {'yes' if r['alive'] else 'NO'} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
