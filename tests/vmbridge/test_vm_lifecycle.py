"""End to end: the real compositor (headless), spectrum-vmbridge, and a real guest under QEMU.

`spectrumctl vm start red` boots the guest built by vmbridge/guest/build-image; its
weston-simple-shm must appear as a window of VM red, framed in #cc0000 on a real screenshot.
Killing that VM's QEMU must remove only its window: the compositor carries on and the
supervisor restarts the VM after a backoff. Prints the boot phases, from the supervisor's
log lines (host CLOCK_MONOTONIC) and the guest's serial-console markers.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import stat
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from vmbridge_env import BUILD, REPO, Session, stop_process, wait_for

VM = "red"
COLOR = (0xCC, 0x00, 0x00)
BOOT_TIMEOUT = 180  # TCG on a shared 2-core machine
SUPERVISOR_LINE = re.compile(r"spectrum-vmbridge: (\d+\.\d+): (.*)")
GUEST_MARKER = re.compile(r"spectrum-guest: (init started|app started) (\d+\.\d+)")


def read_ppm(data: bytes) -> tuple[int, int, bytes]:
    """Binary P6 as `grim -t ppm` writes it."""
    fields, pos = [], 0
    while len(fields) < 4:
        while data[pos : pos + 1].isspace():
            pos += 1
        end = pos
        while not data[end : end + 1].isspace():
            end += 1
        fields.append(data[pos:end])
        pos = end
    assert fields[0] == b"P6" and fields[3] == b"255", fields
    width, height = int(fields[1]), int(fields[2])
    return width, height, data[pos + 1 : pos + 1 + width * height * 3]


def count_near(rgb: bytes, color: tuple[int, int, int], tolerance: int = 8) -> int:
    r0, g0, b0 = color
    return sum(
        1
        for i in range(0, len(rgb), 3)
        if abs(rgb[i] - r0) <= tolerance and abs(rgb[i + 1] - g0) <= tolerance and abs(rgb[i + 2] - b0) <= tolerance
    )


@pytest.fixture(scope="module")
def guest_image() -> Path:
    missing = [p for p in ("qemu-system-x86_64", "waypipe", "busybox", "cpio", "grim", "weston-simple-shm")
               if shutil.which(p) is None]
    if missing:
        pytest.skip(f"not in the build environment (missing {', '.join(missing)}); run via tools/dev")
    out = BUILD / "guest"
    built = subprocess.run([str(REPO / "vmbridge" / "guest" / "build-image"), str(out)], capture_output=True, text=True)
    if built.returncode != 0:
        pytest.skip(f"the guest image could not be built: {built.stderr.strip().splitlines()[-1:]}")
    return out


@pytest.fixture
def session(tmp_path: Path):
    runtime = Path(tempfile.mkdtemp(prefix="spectrum-vmb-"))
    runtime.chmod(0o700)
    s = Session(runtime, tmp_path)
    yield s
    s.close()
    shutil.rmtree(runtime, ignore_errors=True)


def current_boot(log: str) -> str:
    """The part of the VM log since the supervisor's last "boot N of VM …" line."""
    at = log.rfind(": boot ")
    return log[log.rfind("\n", 0, at) + 1 :] if at >= 0 else ""


class Phases:
    """Boot phases of the current boot, from the VM log and the host times markers were seen."""

    def __init__(self, log: str, start_command: float, window_seen: float, seen_times: dict[str, float]):
        boot = current_boot(log)
        supervisor = {text.split(",")[0]: float(t) for t, text in SUPERVISOR_LINE.findall(boot)}
        uptime = {name: float(up) for name, up in GUEST_MARKER.findall(boot)}
        qemu = supervisor.get("QEMU started")
        # Kernel start in host time: when the init marker was seen, less the guest's uptime.
        kernel = seen_times["init started"] - uptime["init started"] if "init started" in seen_times else None
        self.rows = [
            ("vm start -> QEMU started (transport up first)", qemu - start_command if qemu else None),
            ("QEMU started -> kernel start (firmware, loading)", kernel - qemu if kernel and qemu else None),
            ("kernel start -> guest init", uptime.get("init started")),
            ("guest init -> app started (state disk, transport)",
             uptime["app started"] - uptime["init started"] if len(uptime) == 2 else None),
            ("app started -> first frame on screen",
             window_seen - seen_times["app started"] if "app started" in seen_times else None),
            ("vm start -> first frame on screen (total)", window_seen - start_command),
        ]

    def table(self) -> str:
        lines = [f"  {'phase':<52}{'seconds':>8}"]
        for name, value in self.rows:
            lines.append(f"  {name:<52}{value:8.2f}" if value is not None else f"  {name:<52}{'-':>8}")
        return "\n".join(lines)


class Run:
    def __init__(self, session: Session, log_path: Path):
        self.session = session
        self.log_path = log_path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def vm_windows(self) -> list[dict]:
        return [w for w in self.session.windows() if w["vm"] == VM]

    def wait_window(self, boot: int, started: float, title: str) -> list[dict]:
        """Waits for VM's window in boot number `boot`; prints the boot's phases."""
        seen: dict[str, float] = {}

        def up():
            text = current_boot(self.log())
            if f": boot {boot} of VM {VM} " not in text.partition("\n")[0]:
                return None  # that boot has not begun (a restart waits out its backoff)
            for name, _ in GUEST_MARKER.findall(text):
                seen.setdefault(name, time.monotonic())
            if self.session.vmbridge.poll() is not None or self.session.compositor.poll() is not None:
                raise AssertionError(f"a host process died\n{self.log()[-4000:]}")
            return self.vm_windows()

        try:
            windows = wait_for(up, BOOT_TIMEOUT, f"VM {VM}'s window", poll=0.1)
        except AssertionError:
            print(self.session.ctl("vm", "logs", VM, "200").stdout)
            raise
        phases = Phases(self.log(), started, time.monotonic(), seen)
        vm = self.session.vms()[VM]
        print(f"\n{title}: VM {VM} on {vm['hypervisor']}, host CLOCK_MONOTONIC\n{phases.table()}")
        return windows


def descendants(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        try:
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        found += map(int, children)
        todo += map(int, children)
    return found


def check_transport_sandbox(session: Session, log: str) -> None:
    """Where bubblewrap works, the transport's waypipe runs without the host's network."""
    warnings = session.vmbridge_log.read_text()
    if "bubblewrap cannot build a sandbox here" in warnings:
        why = warnings.split("bubblewrap cannot build a sandbox here (")[1].split("); only VMs")[0]
        print(f"  transport sandbox: not checked, bwrap cannot work here ({why})")
        return
    transport = int(re.findall(r"transport started, pid (\d+)", current_boot(log))[-1])
    mine = os.readlink("/proc/self/ns/net")
    waypipes = [p for p in descendants(transport) if Path(f"/proc/{p}/comm").read_text().strip() == "waypipe"]
    assert waypipes, f"no waypipe under the transport {transport}"
    for pid in waypipes:
        assert os.readlink(f"/proc/{pid}/ns/net") != mine, "the transport must not share the host's network"
        assert not Path(f"/proc/{pid}/root/home").exists(), "the sandbox shows only /usr of the host's files"
        # bwrap --seccomp: the live waypipe runs under the filter (mode 2).
        assert "Seccomp:\t2\n" in Path(f"/proc/{pid}/status").read_text(), "waypipe runs without its seccomp filter"
    print(f"  transport sandbox: waypipe {waypipes} in its own network namespace, no /home, seccomp filter")


def test_vm_lifecycle_window_app_exit_crash_and_stop(guest_image: Path, session: Session, tmp_path: Path):
    config = tmp_path / "spectrum.toml"
    state = tmp_path / "state"
    config.write_text(
        f'state_dir = "{state}"\n'
        f'[vm.{VM}]\ncolor = "#cc0000"\n'
        f'kernel = "{guest_image / "vmlinuz"}"\n'
        # Uncompressed: under TCG the guest kernel spends seconds inflating the gzip one.
        f'initramfs = "{guest_image / "initramfs.cpio"}"\n'
        'cmdline = "quiet"\napp = "weston-simple-shm"\nmemory = 1024\nrestart = "on-failure"\n'
    )
    session.start_compositor(config)
    session.start_vmbridge(config, "--stop-timeout", "10")
    run = Run(session, Path(session.vms()[VM]["log"]))

    # --- boot 1: a fresh state disk; the window appears framed in the VM's colour ---------
    started = time.monotonic()
    assert session.ctl("vm", "start", VM).stdout == f"{VM}: starting\n"
    assert session.ctl("vm", "start", VM, check=False).returncode == 1, "a second start is refused"
    windows = run.wait_window(1, started, "boot 1 (blank state disk, formatted by the guest)")
    assert windows[0]["title"] == "simple-shm", windows

    host = session.env(WAYLAND_DISPLAY=session.host_socket)
    shot = subprocess.run(["grim", "-t", "ppm", "-"], env=host, capture_output=True, timeout=30, check=True).stdout
    subprocess.run(["grim", str(tmp_path / "window.png")], env=host, timeout=30, check=True)
    _, _, rgb = read_ppm(shot)
    assert count_near(rgb, COLOR) >= 100, "no #cc0000 frame on screen"

    vm = session.vms()[VM]
    assert vm["state"] == "running", vm
    assert vm["hypervisor"] in ("qemu-tcg", "qemu-kvm"), vm
    assert isinstance(vm["pid"], int) and vm["uptime"] > 0, vm
    assert stat.S_IMODE((state / VM).stat().st_mode) == 0o700
    assert (state / VM / "state.img").stat().st_size == 256 << 20
    assert "state disk /dev/vda is blank" in current_boot(run.log())

    check_transport_sandbox(session, run.log())

    # --- the app exits (its window closed): the guest powers off, the VM stays stopped ----
    session.ctl("close", str(windows[0]["id"]))
    stopped = wait_for(lambda: (v := session.vms()[VM])["state"] == "stopped" and v, 60, "the VM to stop with its app")
    assert stopped["restarts"] == 0 and stopped["detail"] == "the guest powered off", stopped
    assert "spectrum-guest: app exited 0" in run.log()

    # --- boot 2: the state disk is kept; then this VM's QEMU is killed -------------------
    started = time.monotonic()
    session.ctl("vm", "start", VM)
    run.wait_window(2, started, "boot 2 (state disk kept)")
    assert "is blank" not in current_boot(run.log()), "the state disk must survive a restart"
    qemu_pid = session.vms()[VM]["pid"]
    os.kill(qemu_pid, signal.SIGKILL)
    wait_for(lambda: not run.vm_windows(), 30, "the crashed VM's window to go")
    assert session.compositor.poll() is None, "the compositor must survive a VM crash"
    assert session.vmbridge.poll() is None, "the supervisor must survive a VM crash"
    session.ctl("windows")  # and still answers
    after = wait_for(lambda: (v := session.vms()[VM])["restarts"] >= 1 and v, 30, "the restart")
    assert after["state"] in ("backoff", "starting", "running"), after
    assert "VM crashed: QEMU was killed by signal 9" in run.log()

    # --- boot 3: restarted by the supervisor after the backoff; then stopped --------------
    run.wait_window(3, time.monotonic(), "boot 3 (restarted after the crash; timed from the crash)")
    stop_started = time.monotonic()
    assert session.ctl("vm", "stop", VM).stdout == f"{VM}: stopped\n"
    print(f"  vm stop (power button): {time.monotonic() - stop_started:.1f} s")
    assert not run.vm_windows()
    # The guest answered the button itself (busybox acpid), so the supervisor never had to
    # close the transport (it would after 3 s) or force the VM off.
    boot3 = current_boot(run.log())
    assert "spectrum-guest: power button" in boot3, boot3[-3000:]
    assert "closing the transport" not in boot3 and "forcing it off" not in boot3, boot3[-3000:]
    assert "the guest powered off" in boot3 or "stopped" in boot3, boot3[-3000:]
    final = session.vms()[VM]
    assert final["state"] == "stopped" and final["pid"] is None, final
    assert (state / VM / "state.img").exists(), "the state disk outlives the VM"

    assert stop_process(session.vmbridge, 60) == 0
    assert session.compositor.poll() is None
