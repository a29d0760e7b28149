#!/usr/bin/env python3
"""Clipboard throughput between VMs, beside a plain pipe measured in the same run.

For each size: wl-copy N MiB in VM red, Ctrl+Shift+C there, focus VM blue, then time from
pressing Ctrl+Shift+V to the last byte wl-paste reads in blue. The same bytes through `cat`
into the same reader are the baseline. Also shown: wl-paste alone (the paste already made),
which is the transfer without the key press and wl-paste's start-up.

    clipboard_bench.py [--sizes 1,16,64] [--build DIR]

Run through meson (`meson test --benchmark -C BUILD`, or `tools/dev exec` this script); not
a timed test: it prints numbers and fails only if a transfer is wrong.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "integration"))

from harness import BLUE, RED, Artifacts, Compositor, make_config, wait_until  # noqa: E402
from wire import Connection  # noqa: E402

MiB = 1 << 20


def read_all(proc: subprocess.Popen) -> tuple[int, str]:
    """Reads a child's stdout to the end: (bytes, sha256)."""
    digest = hashlib.sha256()
    total = 0
    while chunk := proc.stdout.read1(1 << 20):
        total += len(chunk)
        digest.update(chunk)
    proc.wait()
    return total, digest.hexdigest()


def timed_read(cmd: list[str], env: dict | None = None) -> tuple[float, int, str]:
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, env=env)
    total, digest = read_all(proc)
    return time.perf_counter() - start, total, digest


class Bench:
    def __init__(self, comp: Compositor):
        self.comp = comp
        comp.spawn(["wtype", "-s", "3600000"], name="keyboard")
        self.conns = []
        self.windows = {}
        for vm in ("red", "blue"):
            conn = Connection(comp.socket_path_for(vm))
            conn.create_toplevel(240, 160, title=f"{vm}-bench", app_id=f"{vm}-bench")
            self.conns.append(conn)
            self.windows[vm] = comp.wait_for_window(app_id=f"{vm}-bench")["id"]

    def clipboard(self) -> dict:
        return self.comp.ctl_json("clipboard")

    def press(self, combo: str, event: str) -> None:
        before = (self.clipboard().get("last") or {}).get("seq", 0)
        self.comp.press(combo)
        status = wait_until(lambda: (s := self.clipboard())["last"] and s["last"]["seq"] > before
                            and s["state"] != "copying" and s, 60)
        if status["last"]["event"] != event:
            raise SystemExit(f"expected {event}, got {status['last']}")

    def run(self, path: Path, size: int, expected: str) -> tuple[float, float]:
        self.comp.focus(self.windows["red"])
        copy = self.comp.spawn(["sh", "-c", 'exec wl-copy < "$0"', str(path)], "red", name="wl-copy")
        if copy.wait(timeout=120) != 0:
            raise SystemExit(f"wl-copy failed: {copy.output()}")
        self.press("Ctrl+Shift+C", "copied")
        self.comp.focus(self.windows["blue"])
        env = self.comp.client_env("blue")
        # From the key press to wl-paste's last byte: wtype returns once the compositor has
        # the keys, so the paste is made before wl-paste asks for the selection.
        start = time.perf_counter()
        self.comp.press("Ctrl+Shift+V")
        _, total, digest = timed_read(["wl-paste", "--no-newline"], env)
        with_keys = time.perf_counter() - start
        if (total, digest) != (size, expected):
            raise SystemExit(f"wl-paste in blue got {total} bytes, expected {size} (or wrong hash)")
        alone, total, digest = timed_read(["wl-paste", "--no-newline"], env)
        if (total, digest) != (size, expected):
            raise SystemExit("the second wl-paste got other bytes")
        return with_keys, alone


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1,4,15", help="MiB, comma-separated (default 1,4,15)")
    parser.add_argument("--build", default=os.environ.get("SPECTRUM_BUILD_DIR", "build"))
    parser.add_argument("--repeat", type=int, default=3, help="runs per size; the best counts")
    args = parser.parse_args()
    build = Path(args.build).resolve()
    os.environ.setdefault("SPECTRUM_COMPOSITOR", str(build / "compositor" / "spectrum-compositor"))
    os.environ.setdefault("SPECTRUM_CTL", str(build / "compositor" / "spectrumctl"))
    sizes = [int(s) for s in args.sizes.split(",")]
    cap = max(sizes) + 1

    artifacts = Artifacts("clipboard-bench")
    vms = {"red": {"color": RED, "limits": {"clipboard_bytes": f"{cap}M"}}, "blue": {"color": BLUE}}
    comp = Compositor(artifacts, make_config(vms)).start()
    try:
        bench = Bench(comp)
        print(f"{'size':>8}  {'keys→last byte':>15}  {'MB/s':>8}  {'wl-paste alone':>15}  "
              f"{'cat pipe':>9}  {'ratio':>6}")
        for mib in sizes:
            size = mib * MiB
            path = comp.tmp / f"bench-{mib}"
            data = os.urandom(size // 2).hex().encode()[:size]  # text: the UTF-8 check runs
            path.write_bytes(data)
            expected = hashlib.sha256(data).hexdigest()
            del data
            best_keys = best_alone = best_pipe = float("inf")
            for _ in range(args.repeat):
                keys, alone = bench.run(path, size, expected)
                pipe, total, digest = timed_read(["cat", str(path)])
                if (total, digest) != (size, expected):
                    raise SystemExit("cat read other bytes")
                best_keys, best_alone, best_pipe = min(best_keys, keys), min(best_alone, alone), \
                    min(best_pipe, pipe)
            mbps = lambda seconds: size / 1e6 / seconds  # noqa: E731
            print(f"{mib:>5} MiB  {best_keys * 1000:>12.1f} ms  {mbps(best_keys):>8.1f}  "
                  f"{mbps(best_alone):>10.1f} MB/s  {mbps(best_pipe):>9.1f}  "
                  f"{mbps(best_pipe) / mbps(best_keys):>5.2f}×")
        return 0
    finally:
        comp.stop()


if __name__ == "__main__":
    sys.exit(main())
