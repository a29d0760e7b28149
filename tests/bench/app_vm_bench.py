#!/usr/bin/env python3
"""App VMs from Debian package images, measured (issue 12): `tools/dev bench app-vms`.

    tests/bench/app_vm_bench.py [--foot-runs N] [--firefox-runs N] [--keys N] [--no-cold]
                                [--no-firefox] [--image-dir DIR] [--json FILE]

Everything is real: spectrum-image (mmdebstrap, mkfs.erofs) builds the images, the
compositor runs headless with pixman, spectrum-vmbridge boots QEMU through `spectrumctl vm
start`, and the apps are Debian's foot and Firefox ESR behind waypipe over virtio-serial.
One invocation measures, and prints as Markdown tables:

1. Image builds: cold (`base` into a fresh, empty image_dir: every package downloaded from
   the configured mirror), warm (the same build again: a no-op) and after adding one package
   (`hello`) to the foot image; and the sizes of root.erofs, vmlinuz and initramfs.cpio of
   `base`, the foot image (`term`) and the Firefox image (`web`).
2. `vm start` -> first frame: from the moment spectrumctl is run to the moment the VM's
   window is in `spectrumctl windows --json` (polled every 50 ms). A window is listed once
   its xdg_toplevel is mapped, which happens on the commit of its first buffer: the frame is
   in the scene and reaches the (60 Hz headless) output within one refresh.
3. Host memory per running VM: RSS and PSS (/proc/PID/smaps_rollup) of the QEMU process and
   of the transport (bwrap and the host-side waypipe: every process the supervisor started
   for the VM that is not QEMU), for an idle foot VM and for Firefox ESR.
4. Key press -> the app's next frame on screen. A virtual keyboard (zwp_virtual_keyboard_v1
   on the host socket, written with tests/integration/wire.py: no process start in the
   measured path) presses and releases one key; the time is taken with CLOCK_MONOTONIC just
   before the press is sent. A wlr-screencopy client has asked for the output's next frame
   with damage (copy_with_damage) beforehand; the compositor answers `ready` with the
   CLOCK_MONOTONIC time of the output commit that first showed a change, and only frames
   whose damage meets the app's window are counted. So the figure is input -> guest app ->
   its frame through the transport -> composited frame on the output, including any wait
   for the output (an idle headless output draws at once, a busy one at its next 60 Hz
   refresh). Keys alternate `a` and
   BackSpace in foot's shell prompt. The same foot run on the host, connected to a VM
   socket of the same compositor without a VM ($XDG_RUNTIME_DIR/spectrum/vm/NAME/wayland-0),
   is measured the same way in the same invocation.

Figures are measured each run; nothing is hard-coded. Each row gives the number of runs,
the median and, where there are enough samples for it to mean something, p99.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.dont_write_bytecode = True
sys.path.insert(0, str(REPO / "tests" / "integration"))
sys.path.insert(0, str(REPO / "tests" / "vmbridge"))
import pixels  # noqa: E402
import wire  # noqa: E402
from vmbridge_env import BUILD, Session, program, stop_process, wait_for  # noqa: E402

SPECTRUM_IMAGE = program("SPECTRUM_IMAGE", "vmbridge/spectrum-image")
DEFAULT_IMAGE_DIR = os.environ.get("SPECTRUM_TEST_IMAGE_DIR", "/var/cache/spectrum/images")
BOOT_TIMEOUT = 300  # TCG on a shared machine; Firefox is slow to its first frame
FOOT_BACKGROUND = (0x24, 0x24, 0x24)
KEY_A, KEY_BACKSPACE = 30, 14
TERM_COLOR, WEB_COLOR = "#2e8b57", "#3465a4"


def log(message: str) -> None:
    print(f"app-vm-bench: {message}", file=sys.stderr, flush=True)


# --- figures ---------------------------------------------------------------------------------


def percentile(samples: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(samples)
    rank = max(1, -(-len(ordered) * p // 100))
    return ordered[int(rank) - 1]


class Table:
    def __init__(self) -> None:
        self.rows: list[tuple[str, int, str, str, str]] = []
        self.raw: dict[str, list[float]] = {}

    def add(self, what: str, samples: list[float], unit: str, digits: int = 1, p99: bool = True,
            note: str = "") -> None:
        self.raw[what] = samples
        if not samples:
            self.rows.append((what, 0, "-", "-", note or "not measured"))
            return
        median = f"{statistics.median(samples):.{digits}f} {unit}"
        tail = f"{percentile(samples, 99):.{digits}f} {unit}" if p99 and len(samples) >= 10 else "-"
        self.rows.append((what, len(samples), median, tail, note))

    def markdown(self) -> str:
        lines = ["| measurement | runs | median | p99 | notes |", "|---|---:|---:|---:|---|"]
        lines += [f"| {w} | {n} | {m} | {p} | {note} |" for w, n, m, p, note in self.rows]
        return "\n".join(lines)


def mib(n: int) -> str:
    return f"{n / 2**20:.1f} MiB"


# --- the machine -----------------------------------------------------------------------------


def machine() -> dict:
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    kvm = os.access("/dev/kvm", os.R_OK | os.W_OK)
    mem = 0
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            mem = int(line.split()[1]) * 1024
    return {"nproc": os.cpu_count(), "cpu": model, "kvm_device": kvm, "memory": mem,
            "kernel": platform.release(), "load": os.getloadavg()}


def accelerator(pid: int) -> str:
    """What QEMU was told to use, from its command line."""
    try:
        words = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return "unknown"
    text = " ".join(w.decode(errors="replace") for w in words)
    for candidate in ("kvm", "tcg"):
        if f"accel={candidate}" in text or f"-accel {candidate}" in text or f"accel {candidate}" in text:
            return candidate.upper()
    return "TCG" if "kvm" not in text else "KVM"


# --- processes and memory --------------------------------------------------------------------


def children_map() -> dict[int, list[int]]:
    kids: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        kids.setdefault(ppid, []).append(int(entry))
    return kids


def descendants(pid: int, kids: dict[int, list[int]]) -> list[int]:
    out, todo = [], list(kids.get(pid, []))
    while todo:
        p = todo.pop()
        out.append(p)
        todo += kids.get(p, [])
    return out


def rss_pss(pids: list[int]) -> tuple[int, int]:
    rss = pss = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Rss:"):
                    rss += int(line.split()[1]) * 1024
                elif line.startswith("Pss:"):
                    pss += int(line.split()[1]) * 1024
        except OSError:
            pass
    return rss, pss


def comm(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return "?"


def vm_memory(session: Session, vm: str) -> dict:
    qemu = session.vms()[vm]["pid"]
    assert qemu, f"VM {vm} has no process"
    kids = children_map()
    qemu_tree = {qemu, *descendants(qemu, kids)}
    transport = [p for p in descendants(session.vmbridge.pid, kids) if p not in qemu_tree]
    q_rss, q_pss = rss_pss(sorted(qemu_tree))
    t_rss, t_pss = rss_pss(transport)
    return {"qemu_rss": q_rss, "qemu_pss": q_pss, "transport_rss": t_rss, "transport_pss": t_pss,
            "transport_processes": sorted(comm(p) for p in transport), "accel": accelerator(qemu)}


# --- images ----------------------------------------------------------------------------------


def config_text(state: Path, image_dir: Path, images: dict[str, list[str]], vms: str = "") -> str:
    text = f'state_dir = "{state}"\nimage_dir = "{image_dir}"\n'
    for name, packages in images.items():
        text += f"[image.{name}]\npackages = [{', '.join(json.dumps(p) for p in packages)}]\n"
    return text + vms


def build(config: Path, name: str) -> float:
    started = time.monotonic()
    out = subprocess.run([str(SPECTRUM_IMAGE), "build", "--config", str(config), name],
                         capture_output=True, text=True, timeout=3600)
    if out.returncode != 0:
        raise SystemExit(f"spectrum-image build {name} failed:\n{out.stdout}\n{out.stderr}")
    seconds = time.monotonic() - started
    log(f"spectrum-image build {name}: {seconds:.1f} s")
    return seconds


def sizes(config: Path, name: str) -> dict[str, int]:
    out = subprocess.run([str(SPECTRUM_IMAGE), "paths", "--config", str(config), name],
                         capture_output=True, text=True, timeout=120, check=True)
    paths = json.loads(out.stdout)
    return {"root.erofs": Path(paths["root"]).stat().st_size,
            "vmlinuz": Path(paths["kernel"]).stat().st_size,
            "initramfs.cpio": Path(paths["initramfs"]).stat().st_size,
            "packages": len(Path(paths["packages"]).read_text().splitlines())}


# --- screen and input ------------------------------------------------------------------------


class FrameWatcher:
    """A wlr-screencopy client on the host socket: `arm()` asks for the output's next frame
    with damage; `wait()` returns the frame's CLOCK_MONOTONIC time and its damage."""

    def __init__(self, socket_path: str):
        self.conn = wire.Connection(socket_path, timeout=10)
        self.conn.get_registry()
        self.manager = self.conn.bind_interface("zwlr_screencopy_manager_v1", 2)
        self.output = self.conn.bind_interface("wl_output", 1)
        self.shm = self.conn.bind_interface("wl_shm", 1)
        self.keyboard = self.conn.create_virtual_keyboard()
        self.buffer: int | None = None
        self.frame: int | None = None
        self.result: dict | None = None

    def arm(self) -> None:
        frame = self.conn.new_id()
        self.frame, self.result = frame, None
        state: dict = {"damage": []}
        info: dict = {}

        def on_frame(opcode: int, reader: wire.Reader) -> None:
            if opcode == 0:  # buffer(format, width, height, stride)
                info.update(format=reader.u32(), width=reader.u32(), height=reader.u32(), stride=reader.u32())
            elif opcode == 2:  # ready(tv_sec_hi, tv_sec_lo, tv_nsec)
                hi, lo, ns = reader.u32(), reader.u32(), reader.u32()
                state["time"] = ((hi << 32) | lo) + ns / 1e9
                self.result = state
            elif opcode == 3:  # failed
                state["failed"] = True
                self.result = state
            elif opcode == 4:  # damage(x, y, width, height)
                state["damage"].append(pixels.Rect(reader.u32(), reader.u32(), reader.u32(), reader.u32()))

        self.conn.handlers[frame] = on_frame
        self.conn.request(self.manager, 0, wire.u32(frame), wire.i32(0), wire.u32(self.output))
        self.conn.roundtrip()
        assert info, "no wl_shm buffer offered by screencopy"
        if self.buffer is None:
            assert info["stride"] == info["width"] * 4, info
            self.buffer = self.conn.create_buffer(self.shm, info["width"], info["height"], fmt=info["format"])
        self.conn.request(frame, 2, wire.u32(self.buffer))  # copy_with_damage
        self.conn.roundtrip()

    def wait(self, timeout: float) -> dict | None:
        try:
            self.conn.dispatch_until(lambda: self.result is not None, timeout)
        except TimeoutError:
            return None
        self.conn.request(self.frame, 1)  # destroy
        assert not self.result.get("failed"), "screencopy failed"
        return self.result

    def pending(self, timeout: float) -> bool:
        """Whether the armed frame completes within `timeout` (something else still drew)."""
        try:
            self.conn.dispatch_until(lambda: self.result is not None, timeout)
        except TimeoutError:
            return False
        self.conn.request(self.frame, 1)
        return True

    def close(self) -> None:
        self.conn.close()


def key_latencies(watcher: FrameWatcher, window: dict, presses: int, warmup: int = 4) -> tuple[list[float], int]:
    """Milliseconds from each key press to the first output frame whose damage meets
    `window`. Returns the samples and how many unrelated frames were skipped."""
    area = pixels.Rect.of(window)
    samples: list[float] = []
    skipped = 0
    for i in range(presses + warmup):
        # Quiet first: a frame armed now must not complete before the key is pressed.
        for _ in range(20):
            watcher.arm()
            if not watcher.pending(0.25):
                break
        else:
            raise AssertionError("the output never went quiet")
        key = KEY_A if i % 2 == 0 else KEY_BACKSPACE
        pressed = time.monotonic()
        watcher.keyboard.key(key, wire.PRESSED)
        watcher.keyboard.key(key, wire.RELEASED)
        while True:
            result = watcher.wait(10)
            assert result is not None, f"no frame within 10 s of key press {i}"
            if any(area.intersects(d) for d in result["damage"]):
                break
            skipped += 1
            watcher.arm()
        latency = (result["time"] - pressed) * 1000
        if i >= warmup:
            samples.append(latency)
    return samples, skipped


def screenshot(session: Session) -> pixels.Image:
    env = session.env(WAYLAND_DISPLAY=session.host_socket)
    data = subprocess.run(["grim", "-t", "ppm", "-"], env=env, capture_output=True, timeout=30, check=True).stdout
    return pixels.Image.from_ppm(data)


def text_pixels(session: Session, window: dict) -> int:
    shot = screenshot(session)
    return shot.count(pixels.Rect.of(window).inset(2), lambda c: pixels.distance(c, FOOT_BACKGROUND) > 150)


# --- VMs -------------------------------------------------------------------------------------


def vm_log(session: Session, vm: str) -> str:
    path = Path(session.vms()[vm]["log"])
    return path.read_text(errors="replace") if path.exists() else ""


def start_to_window(session: Session, vm: str, previous: set[int]) -> tuple[dict, float]:
    started = time.monotonic()
    session.ctl("vm", "start", vm)

    def window():
        state = session.vms()[vm]
        if state["state"] in ("failed", "stopped"):
            raise AssertionError(f"{state}\n{vm_log(session, vm)[-4000:]}")
        return [w for w in session.windows() if w["vm"] == vm and w["id"] not in previous]

    windows = wait_for(window, BOOT_TIMEOUT, f"VM {vm}'s window", poll=0.05)
    return windows[0], time.monotonic() - started


def guest_phases(session: Session, vm: str) -> tuple[float, float] | None:
    """The guest's own uptime (its kernel clock, from boot) when its init started and when
    it started the app: the last boot's lines in the VM's log."""
    text = vm_log(session, vm)
    init = re.findall(r"spectrum-guest: init started ([0-9.]+)", text)
    app = re.findall(r"spectrum-guest: app started ([0-9.]+)", text)
    return (float(init[-1]), float(app[-1])) if init and app else None


def stop_vm(session: Session, vm: str) -> None:
    session.ctl("vm", "stop", vm)
    wait_for(lambda: session.vms()[vm]["state"] in ("stopped", "failed"), 120, f"VM {vm} to stop", poll=0.2)


def window_ids(session: Session) -> set[int]:
    return {w["id"] for w in session.windows()}


# --- main ------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--foot-runs", type=int, default=3)
    parser.add_argument("--firefox-runs", type=int, default=1)
    parser.add_argument("--keys", type=int, default=50)
    parser.add_argument("--no-cold", action="store_true", help="skip the cold build of base")
    parser.add_argument("--no-firefox", action="store_true")
    parser.add_argument("--image-dir", default=DEFAULT_IMAGE_DIR)
    parser.add_argument("--json", type=Path, help="also write every sample here")
    args = parser.parse_args()

    missing = [p for p in ("qemu-system-x86_64", "waypipe", "mmdebstrap", "mkfs.erofs", "grim", "foot", "bwrap")
               if shutil.which(p) is None]
    if missing:
        raise SystemExit(f"not in the build environment: {', '.join(missing)} (run via tools/dev bench app-vms)")

    began = time.monotonic()
    host = machine()
    image_dir = Path(args.image_dir)
    image_dir.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="spectrum-app-bench-"))
    runtime = Path(tempfile.mkdtemp(prefix="spectrum-app-bench-run-"))
    runtime.chmod(0o700)
    table = Table()
    size_rows: list[tuple[str, dict]] = []
    memory: dict[str, dict] = {}
    extra: dict = {}
    images = {"term": ["foot"], "web": ["firefox-esr"]}
    config = work / "spectrum.toml"
    state = work / "state"
    session: Session | None = None
    direct: subprocess.Popen | None = None
    watcher: FrameWatcher | None = None
    try:
        # --- 1. builds and sizes ---------------------------------------------------------------
        if not args.no_cold:
            cold_dir = work / "cold-images"
            cold_config = work / "cold.toml"
            cold_config.write_text(config_text(state, cold_dir, {}))
            log("cold build of base into an empty image_dir (downloads every package)")
            cold = build(cold_config, "base")
            table.add("build `base`, cold (empty image_dir)", [cold], "s", p99=False)
            size_rows.append(("base", sizes(cold_config, "base")))
            shutil.rmtree(cold_dir, ignore_errors=True)
        config.write_text(config_text(state, image_dir, images))
        build(config, "term")  # whatever the cache held before (the tests leave foot + hello)
        table.add("build `term` (foot) again, warm (no-op)", [build(config, "term") for _ in range(3)], "s",
                  p99=False)
        if args.no_cold:
            build(config, "base")
            size_rows.insert(0, ("base", sizes(config, "base")))
        size_rows.append(("term (foot)", sizes(config, "term")))
        # One package more, and back: the VMs below boot `term` with foot only, as shipped.
        config.write_text(config_text(state, image_dir, {**images, "term": ["foot", "hello"]}))
        table.add("build `term` + one package (`hello`), warm cache", [build(config, "term")], "s", p99=False)
        config.write_text(config_text(state, image_dir, images))
        table.add("build `term` - that package again, warm cache", [build(config, "term")], "s", p99=False)
        if not args.no_firefox:
            build(config, "web")
            size_rows.append(("web (firefox-esr)", sizes(config, "web")))

        # The demo's VMs as shipped (config/spectrum.toml), on the bench's own state store.
        vms = (f'[vm.term]\ncolor = "{TERM_COLOR}"\nimage = "term"\napp = "foot"\nmemory = "1G"\n'
               'restart = "never"\n'
               f'[vm.web]\ncolor = "{WEB_COLOR}"\nimage = "web"\napp = "firefox-esr"\nmemory = "2G"\ncpus = 2\n'
               'restart = "never"\n'
               '[vm.direct]\ncolor = "#c4a000"\n')
        config.write_text(config_text(state, image_dir, images, vms))

        session = Session(runtime, work)
        session.start_compositor(config)
        session.start_vmbridge(config, "--stop-timeout", "20")

        # --- 2-4. foot in a VM ---------------------------------------------------------------
        boots: list[float] = []
        init_at: list[float] = []
        app_at: list[float] = []
        vm_keys: list[float] = []
        for run in range(args.foot_runs):
            window, seconds = start_to_window(session, "term", window_ids(session))
            boots.append(seconds)
            if phases := guest_phases(session, "term"):
                init_at.append(phases[0])
                app_at.append(phases[1])
            log(f"foot run {run + 1}: vm start -> first frame {seconds:.2f} s (guest phases {phases})")
            if run == args.foot_runs - 1:
                wait_for(lambda: text_pixels(session, window) > 20, 60, "foot's prompt", poll=0.2)
                time.sleep(5)  # idle
                memory["foot VM, idle"] = vm_memory(session, "term")
                watcher = FrameWatcher(str(runtime / session.host_socket))
                vm_keys, skipped = key_latencies(watcher, window, args.keys)
                extra["vm_keys_skipped_frames"] = skipped
                log(f"foot in a VM: {len(vm_keys)} key presses measured")
            stop_vm(session, "term")
        table.add("`vm start` -> first frame, foot (1 GiB, 1 vCPU)", boots, "s", digits=2)
        table.add("  of which: guest uptime when its init started (firmware excluded)", init_at, "s", digits=2,
                  note="kernel boot, guest clock")
        table.add("  of which: guest uptime when the app was started", app_at, "s", digits=2,
                  note="+ init: mounts, state disk, D-Bus, transport")

        # The same foot on the host, on the VM socket of VM `direct` (never started).
        direct_socket = runtime / "spectrum" / "vm" / "direct" / "wayland-0"
        wait_for(direct_socket.exists, 10, "VM direct's socket")
        previous = window_ids(session)
        direct = subprocess.Popen(["foot"], env=session.env(WAYLAND_DISPLAY=str(direct_socket), LANG="C.UTF-8",
                                                           SHELL="/bin/sh", HOME=str(work)),
                                  stdout=open(work / "direct-foot.log", "wb"), stderr=subprocess.STDOUT,
                                  cwd=work)
        window = wait_for(lambda: [w for w in session.windows() if w["vm"] == "direct" and w["id"] not in previous],
                          30, "the direct foot's window")[0]
        wait_for(lambda: text_pixels(session, window) > 20, 30, "the direct foot's prompt", poll=0.2)
        if watcher is None:
            watcher = FrameWatcher(str(runtime / session.host_socket))
        direct_keys, skipped = key_latencies(watcher, window, args.keys)
        extra["direct_keys_skipped_frames"] = skipped
        stop_process(direct, 10)
        direct = None
        table.add("key -> next frame on screen, foot in a VM (waypipe over virtio-serial)", vm_keys, "ms")
        table.add("key -> next frame on screen, the same foot on a VM socket, no VM", direct_keys, "ms")

        # --- Firefox ESR -----------------------------------------------------------------------
        ff_boots: list[float] = []
        ff_note = ""
        if not args.no_firefox:
            try:
                for run in range(args.firefox_runs):
                    window, seconds = start_to_window(session, "web", window_ids(session))
                    ff_boots.append(seconds)
                    log(f"firefox run {run + 1}: vm start -> first frame {seconds:.2f} s")
                    if run == args.firefox_runs - 1:
                        time.sleep(15)  # past its first paint and startup work
                        memory["Firefox ESR VM, 15 s after its window"] = vm_memory(session, "web")
                    stop_vm(session, "web")
            except AssertionError as failure:
                ff_note = "failed: " + str(failure).splitlines()[0][:200]
                log(f"Firefox ESR: {failure}")
        table.add("`vm start` -> first frame, Firefox ESR (2 GiB, 2 vCPUs)", ff_boots, "s", digits=2, note=ff_note)
    finally:
        if watcher:
            watcher.close()
        stop_process(direct, 10)
        if session:
            session.close()
            for path in (runtime / "spectrum" / "vmbridge").glob("*/console.log*"):
                shutil.copy(path, work / f"{path.parent.name}-{path.name}")
        shutil.rmtree(runtime, ignore_errors=True)

    accel = {m["accel"] for m in memory.values()} or {"unknown"}
    why = ""
    if (work / "vmbridge.log").exists():
        lines = [line for line in (work / "vmbridge.log").read_text(errors="replace").splitlines()
                 if "kvm" in line.lower()]
        why = f' (the supervisor: "{lines[0].strip()}")' if lines else ""
    print()
    print(f"Machine: {host['nproc']} CPUs ({host['cpu']}), {mib(host['memory'])} RAM, kernel {host['kernel']}, "
          f"/dev/kvm {'present' if host['kvm_device'] else 'absent'}; QEMU ran with {'/'.join(sorted(accel))}{why}; "
          f"load average at start {host['load'][0]:.2f}.")
    print()
    print(table.markdown())
    print()
    print("| image | packages installed | root.erofs | vmlinuz | initramfs.cpio |")
    print("|---|---:|---:|---:|---:|")
    for name, s in size_rows:
        print(f"| {name} | {s['packages']} | {mib(s['root.erofs'])} | {mib(s['vmlinuz'])} | {mib(s['initramfs.cpio'])} |")
    print()
    print("| host memory of a running VM | QEMU RSS | QEMU PSS | transport RSS | transport PSS | transport processes |")
    print("|---|---:|---:|---:|---:|---|")
    for what, m in memory.items():
        print(f"| {what} | {mib(m['qemu_rss'])} | {mib(m['qemu_pss'])} | {mib(m['transport_rss'])} "
              f"| {mib(m['transport_pss'])} | {', '.join(m['transport_processes'])} |")
    print()
    print("Method: first frame = `spectrumctl vm start` until the window is listed by `spectrumctl windows "
          "--json` (mapped on its first buffer commit; polled every 50 ms). Key -> frame = CLOCK_MONOTONIC "
          "before a zwp_virtual_keyboard_v1 key press to the `ready` time of the first wlr-screencopy "
          "copy_with_damage frame whose damage meets the window (the output commit that showed it, so "
          "an idle headless output draws at once, a busy one at its next 60 Hz refresh); keys alternate `a` and BackSpace in foot's prompt, "
          f"after 4 unmeasured ones. Frames with damage elsewhere skipped: VM {extra.get('vm_keys_skipped_frames')}, "
          f"direct {extra.get('direct_keys_skipped_frames')}. Memory = /proc/PID/smaps_rollup summed over the "
          "QEMU process and over the VM's transport processes.")
    print(f"Total bench time {time.monotonic() - began:.0f} s. Logs: {work}")
    if args.json:
        args.json.write_text(json.dumps({"machine": host, "samples": table.raw, "sizes": dict(size_rows),
                                         "memory": memory, **extra}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
