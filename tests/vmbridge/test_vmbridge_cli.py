"""spectrum-vmbridge without booting anything: config and host errors in one line, the
control socket, and `spectrumctl vm …` against it."""

from __future__ import annotations

import os
import re
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from vmbridge_env import VMBRIDGE, Session, stop_process, wait_for

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "integration"))
import pixels  # noqa: E402  (tests/integration/pixels.py: screenshot pixels)


@pytest.fixture
def runtime():
    path = Path(tempfile.mkdtemp(prefix="spectrum-vmb-"))  # short: socket paths are capped
    path.chmod(0o700)
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def session(runtime: Path, tmp_path: Path):
    s = Session(runtime, tmp_path)
    yield s
    s.close()


def run_vmbridge(config: Path, runtime: Path, path: str | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ, XDG_RUNTIME_DIR=str(runtime))
    if path is not None:
        env["PATH"] = path
    return subprocess.run([str(VMBRIDGE), "--config", str(config)], env=env, capture_output=True, text=True, timeout=30)


def test_missing_kernel_is_one_line_with_file_line_column(tmp_path: Path, runtime: Path):
    config = tmp_path / "spectrum.toml"
    config.write_text('state_dir = "/tmp"\n\n[vm.red]\ncolor = "#cc0000"\nkernel = "no/such/vmlinuz"\napp = "foot"\n')
    out = run_vmbridge(config, runtime)
    assert out.returncode == 2, out
    assert out.stderr == f'{config}:3:1: [vm.red] kernel "{tmp_path}/no/such/vmlinuz" does not exist\n'
    assert not (runtime / "spectrum" / "vmbridge.sock").exists(), "nothing may start"


def test_parse_errors_come_from_the_shared_parser(tmp_path: Path, runtime: Path):
    config = tmp_path / "spectrum.toml"
    config.write_text('[vm.red]\ncolor = "#cc0000"\nmemory = "lots"\n')
    out = run_vmbridge(config, runtime)
    assert out.returncode == 2
    assert out.stderr.startswith(f"{config}:3:"), out.stderr
    assert out.stderr.count("\n") == 1, out.stderr


def test_missing_qemu_says_how_to_install_it(tmp_path: Path, runtime: Path):
    (tmp_path / "vmlinuz").write_bytes(b"k")
    config = tmp_path / "spectrum.toml"
    config.write_text('[vm.red]\ncolor = "#cc0000"\nkernel = "vmlinuz"\napp = "foot"\nhypervisor = "qemu"\n')
    empty = tmp_path / "empty-path"
    empty.mkdir()
    out = run_vmbridge(config, runtime, path=str(empty))
    assert out.returncode == 1, out
    assert out.stderr == (
        "spectrum-vmbridge: VM red: qemu-system-x86_64 is not installed; "
        "install it with `apt install qemu-system-x86`\n"
    )


def test_missing_cloud_hypervisor_says_how_to_install_it(tmp_path: Path, runtime: Path):
    (tmp_path / "vmlinuz").write_bytes(b"k")
    config = tmp_path / "spectrum.toml"
    config.write_text('[vm.red]\ncolor = "#cc0000"\nkernel = "vmlinuz"\napp = "foot"\nhypervisor = "cloud-hypervisor"\n')
    empty = tmp_path / "empty-path"
    empty.mkdir()
    out = run_vmbridge(config, runtime, path=str(empty))
    assert out.returncode == 1, out
    assert "cloud-hypervisor is not installed; install it with `apt install cloud-hypervisor`" in out.stderr
    assert out.stderr.count("\n") == 1, out.stderr


def test_control_socket_and_vm_commands(tmp_path: Path, session: Session):
    (tmp_path / "vmlinuz").write_bytes(b"k")
    config = tmp_path / "spectrum.toml"
    config.write_text(
        f'state_dir = "{tmp_path / "state"}"\n'
        '[vm.blue]\ncolor = "#3465a4"\n'  # no kernel: left alone
        '[vm.red]\ncolor = "#cc0000"\nkernel = "vmlinuz"\napp = "foot"\n'
    )
    if shutil.which("qemu-system-x86_64") is None or shutil.which("waypipe") is None:
        pytest.skip("qemu-system-x86_64 and waypipe are needed (run via tools/dev)")
    session.start_vmbridge(config)
    mode = stat.S_IMODE(session.control_socket.stat().st_mode)
    assert mode == 0o600, oct(mode)

    vms = session.vms()
    assert vms["blue"]["state"] == "unconfigured"
    assert vms["blue"]["hypervisor"] == ""
    assert vms["red"]["state"] == "stopped"
    assert vms["red"]["hypervisor"] in ("qemu-tcg", "qemu-kvm", "cloud-hypervisor")
    assert vms["red"]["pid"] is None and vms["red"]["uptime"] is None

    table = session.ctl("vm", "list").stdout.splitlines()
    assert table[0].split()[:6] == ["NAME", "STATE", "HYPERVISOR", "PID", "UPTIME", "RESTARTS"]

    out = session.ctl("vm", "start", "blue", check=False)
    assert out.returncode == 1
    assert out.stderr == ('spectrumctl: VM blue cannot start: no image or kernel set; add image = "base" '
                          '(or an [image.NAME] of your own) to [vm.blue]\n')

    out = session.ctl("vm", "start", "nosuch", check=False)
    assert out.returncode == 1
    assert out.stderr == 'spectrumctl: no VM named "nosuch" in the config\n'

    # No compositor in this session: an explicit start says so instead of booting blind.
    out = session.ctl("vm", "start", "red", check=False)
    assert out.returncode == 1
    assert "the compositor's socket for VM red" in out.stderr and "does not exist" in out.stderr
    assert not (tmp_path / "state").exists(), "nothing was started, so no state was made"

    assert session.ctl("vm", "stop", "red").stdout == "red: stopped\n"
    assert session.ctl("vm", "logs", "red").stdout == ""

    assert stop_process(session.vmbridge, 10) == 0
    assert not session.control_socket.exists()


def test_spectrumctl_without_a_supervisor(session: Session):
    out = session.ctl("vm", "list", check=False)
    assert out.returncode == 1
    assert out.stderr.startswith("spectrumctl: cannot reach the VM supervisor (spectrum-vmbridge) at "), out.stderr


def test_autostart_waits_for_the_compositor_and_can_be_stopped(tmp_path: Path, session: Session):
    if shutil.which("qemu-system-x86_64") is None or shutil.which("waypipe") is None:
        pytest.skip("qemu-system-x86_64 and waypipe are needed (run via tools/dev)")
    (tmp_path / "vmlinuz").write_bytes(b"k")
    config = tmp_path / "spectrum.toml"
    config.write_text(
        f'state_dir = "{tmp_path / "state"}"\n'
        '[vm.red]\ncolor = "#cc0000"\nkernel = "vmlinuz"\napp = "foot"\nautostart = true\n'
    )
    session.start_vmbridge(config)
    red = session.vms()["red"]
    assert red["state"] == "waiting", red
    assert red["detail"].startswith("waiting for the compositor's socket "), red
    assert session.ctl("vm", "stop", "red").stdout == "red: stopped\n"
    assert session.vms()["red"]["state"] == "stopped"
    assert not (tmp_path / "state").exists()


def running(pid: int) -> bool:
    """Alive and not a zombie (a dead child nobody has reaped yet)."""
    try:
        stat_line = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat_line.rsplit(")", 1)[1].split()[0] != "Z"


def amber_pixels(session: Session) -> int:
    """Pixels of the compositor's error notices' border colour (#f5a623) on its screen."""
    shot = subprocess.run(["grim", "-t", "ppm", "-"], env=session.env(WAYLAND_DISPLAY="wayland-vmb"),
                          capture_output=True, timeout=15)
    assert shot.returncode == 0, shot.stderr.decode(errors="replace")
    image = pixels.Image.from_ppm(shot.stdout)
    return image.count(pixels.Rect(0, 0, image.width, image.height), lambda rgb: rgb == (0xF5, 0xA6, 0x23))


def test_the_compositor_keeps_its_supervisor_running(tmp_path: Path, session: Session):
    """Started with --vmbridge (as spectrum-session does), the compositor starts the
    supervisor again when it dies: after 1 s, then 2 s if it dies again within a minute; the
    new one answers spectrumctl. A notice on screen says it stopped. When the compositor
    goes, the supervisor goes too."""
    config = tmp_path / "spectrum.toml"
    config.write_text(f'state_dir = "{tmp_path}/state"\n')
    session.start_compositor(config, "wayland-vmb", "--vmbridge",
                             PATH=f"{VMBRIDGE.parent}:{os.environ['PATH']}")
    log = session.work / "compositor.log"

    def started() -> list[int]:
        return [int(pid) for pid in re.findall(r"VM supervisor started \(pid (\d+)\)", log.read_text())]

    def answering() -> bool:
        return session.ctl("vm", "list", check=False).returncode == 0

    wait_for(lambda: started() and answering(), 30, "the supervisor")
    assert amber_pixels(session) == 0, "a notice before anything happened"
    waits = []
    for kill in (1, 2):
        before = started()
        os.kill(before[-1], signal.SIGKILL)
        killed_at = time.monotonic()
        if kill == 1:
            # Every VM window just went: the screen says why, in the compositor's own notice.
            wait_for(lambda: amber_pixels(session) > 200, 5, "the notice that the supervisor stopped")
        wait_for(lambda: len(started()) > len(before), 15, f"the supervisor started again ({kill})")
        waits.append(time.monotonic() - killed_at)
        assert started()[-1] != before[-1]
        wait_for(answering, 15, "the new supervisor answering spectrumctl")
    assert len(re.findall(r"VM supervisor \(pid \d+\) exited after", log.read_text())) == 2, log.read_text()
    # 1 s, then 2 s: it died again well within a minute.
    assert 0.9 <= waits[0] < waits[1] and waits[1] >= 1.9, waits
    last = started()[-1]
    assert running(last)

    stop_process(session.compositor)
    session.compositor = None
    wait_for(lambda: not running(last), 30, "the supervisor to stop with the compositor")


# --- what a guest writes, and the transport's sandbox (issue 18: holes 7 and 12) ----------

OSC52 = b"\x1b]52;c;ZXZpbA==\x07"  # would set the terminal's clipboard to "evil"
FLOOD = 12 << 20
LOG_CAP = 4 << 20  # VmLog::kRotateAt

# Stands in for QEMU: what it prints is what a guest's serial console prints (QEMU's
# console is its stdout, `-chardev stdio`), then it waits to be killed like a guest that
# never answers QMP.
FAKE_QEMU = f"""#!/bin/sh
export PATH=/usr/bin:/bin
printf 'SeaBIOS\\n\\377\\376 \\033]52;c;ZXZpbA==\\007 \\033[2J\\r\\n'
head -c {FLOOD} /dev/zero | tr '\\0' 'y'
printf '\\nguest-end \\377 \\033]52;c;ZXZpbA==\\007\\n'
exec sleep 600
"""


# A quiet guest: the supervisor's own lines stay in the log where a test reads them (the
# flood above rotates them out within milliseconds on an idle machine).
QUIET_QEMU = """#!/bin/sh
export PATH=/usr/bin:/bin
echo 'SeaBIOS'
exec sleep 600
"""


def fake_host_path(tmp_path: Path, bwrap: bool, qemu_script: str = FAKE_QEMU) -> str:
    """A PATH with a fake QEMU, the real waypipe, and bubblewrap only if `bwrap`."""
    for program in ("waypipe", "bwrap"):
        if shutil.which(program) is None:
            pytest.skip(f"{program} is needed (run via tools/dev)")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    qemu = bin_dir / "qemu-system-x86_64"
    qemu.write_text(qemu_script)
    qemu.chmod(0o755)
    (bin_dir / "waypipe").symlink_to(shutil.which("waypipe"))
    if bwrap:
        (bin_dir / "bwrap").symlink_to(shutil.which("bwrap"))
    return str(bin_dir)


def fake_compositor_socket(runtime: Path, vm: str):
    """The compositor's socket for `vm`, which is all a start waits for before booting."""
    import socket

    path = runtime / "spectrum" / "vm" / vm / "wayland-0"
    path.parent.mkdir(parents=True, exist_ok=True)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(str(path))
    listener.listen(4)
    return listener


def start_vmbridge_with_path(session: Session, config: Path, path: str) -> None:
    session.vmbridge_log = session.work / "vmbridge.log"
    session.vmbridge = subprocess.Popen(
        [str(VMBRIDGE), "--config", str(config), "--stop-timeout", "3"],
        env=session.env(PATH=path, SPECTRUM_VMBRIDGE_KVM="0"),
        stdout=open(session.vmbridge_log, "wb"),
        stderr=subprocess.STDOUT,
    )
    wait_for(lambda: session.control_socket.exists() or session.vmbridge.poll() is not None, 30,
             "the supervisor's socket")
    assert session.vmbridge.poll() is None, session.vmbridge_log.read_text()


def ctl_bytes(session: Session, *args: str) -> subprocess.CompletedProcess:
    from vmbridge_env import SPECTRUMCTL

    return subprocess.run([str(SPECTRUMCTL), *args], env=session.env(), capture_output=True, timeout=60)


def test_guest_bytes_in_the_log_neither_abort_the_supervisor_nor_reach_the_terminal(tmp_path: Path, session: Session):
    """The log file is what `vm logs` reads: written here as a guest's console would, with
    a byte that is not UTF-8, an OSC 52, a C1 CSI and a carriage return."""
    config = tmp_path / "spectrum.toml"
    config.write_text(f'state_dir = "{tmp_path / "state"}"\n[vm.red]\ncolor = "#cc0000"\n')
    session.start_vmbridge(config)
    log = session.runtime / "spectrum" / "vmbridge" / "red" / "console.log"
    log.parent.mkdir(parents=True)
    log.write_bytes(b"boot\n\xff\xfe " + OSC52 + b" \xc2\x9b2J \x1b[31mred\r\nlast line\n")

    out = ctl_bytes(session, "vm", "logs", "red")
    assert out.returncode == 0, out.stderr
    assert session.vmbridge.poll() is None, "the supervisor died"
    for byte in (b"\x1b", b"\x07", b"\r", b"\xc2\x9b", b"\xff"):
        assert byte not in out.stdout, (byte, out.stdout)
    assert b"\\x1b]52;c;ZXZpbA==\\x07" in out.stdout, out.stdout
    assert "\ufffd".encode() in out.stdout and out.stdout.endswith(b"last line\n"), out.stdout
    # Still answering, every VM still there.
    assert session.vms()["red"]["state"] == "unconfigured"


def test_a_guest_console_flood_is_capped_and_printable(tmp_path: Path, session: Session):
    """A guest writes 12 MiB with escape sequences to its console: the log file never passes
    its cap (one older .1 is kept), `vm logs` answers with no ESC byte, the supervisor lives.
    The transport runs in the real sandbox (bubblewrap with the seccomp filter): QEMU starts
    only once waypipe has made its socket in there."""
    path = fake_host_path(tmp_path, bwrap=True)
    (tmp_path / "vmlinuz").write_bytes(b"k")
    config = tmp_path / "spectrum.toml"
    config.write_text(
        f'state_dir = "{tmp_path / "state"}"\n'
        '[vm.red]\ncolor = "#cc0000"\nkernel = "vmlinuz"\napp = "foot"\nhypervisor = "qemu"\nrestart = "never"\n'
    )
    start_vmbridge_with_path(session, config, path)
    listener = fake_compositor_socket(session.runtime, "red")
    try:
        session.ctl("vm", "start", "red")
        log = session.runtime / "spectrum" / "vmbridge" / "red" / "console.log"
        largest = 0

        def ended() -> bool:
            nonlocal largest
            try:
                data = log.read_bytes()
            except FileNotFoundError:
                return False
            largest = max(largest, len(data))
            assert session.vmbridge.poll() is None, "the supervisor died"
            return b"guest-end" in data

        wait_for(ended, 120, "the fake guest's last line in the log", poll=0.02)
        assert largest <= LOG_CAP, f"the log reached {largest} bytes"
        assert log.stat().st_size <= LOG_CAP
        older = log.with_name("console.log.1")
        assert older.exists() and older.stat().st_size <= LOG_CAP
        assert sorted(p.name for p in log.parent.glob("console.log*")) == ["console.log", "console.log.1"]
        assert "(transport not sandboxed)" not in log.read_text(errors="replace")

        out = ctl_bytes(session, "vm", "logs", "red", "5")
        assert out.returncode == 0, out.stderr
        assert b"\x1b" not in out.stdout and b"\x07" not in out.stdout, out.stdout[-300:]
        assert b"guest-end \xef\xbf\xbd \\x1b]52;c;ZXZpbA==\\x07" in out.stdout, out.stdout[-300:]
        assert session.vmbridge.poll() is None
        session.ctl("vm", "stop", "red")
    finally:
        listener.close()


def test_without_bubblewrap_a_vm_starts_only_with_sandbox_false(tmp_path: Path, session: Session):
    path = fake_host_path(tmp_path, bwrap=False, qemu_script=QUIET_QEMU)
    (tmp_path / "vmlinuz").write_bytes(b"k")
    config = tmp_path / "spectrum.toml"
    config.write_text(
        f'state_dir = "{tmp_path / "state"}"\n'
        '[vm.red]\ncolor = "#cc0000"\nkernel = "vmlinuz"\napp = "foot"\nhypervisor = "qemu"\nrestart = "never"\n'
        '[vm.blue]\ncolor = "#3465a4"\nkernel = "vmlinuz"\napp = "foot"\nhypervisor = "qemu"\nrestart = "never"\n'
        "sandbox = false\n"
    )
    start_vmbridge_with_path(session, config, path)
    assert "bubblewrap is not installed" in session.vmbridge_log.read_text()
    red = session.vms()["red"]
    assert red["state"] == "unconfigured", red
    assert "bubblewrap is not installed" in red["detail"] and "sandbox = false in [vm.red]" in red["detail"], red
    listeners = [fake_compositor_socket(session.runtime, vm) for vm in ("red", "blue")]
    try:
        out = session.ctl("vm", "start", "red", check=False)
        assert out.returncode == 1
        assert out.stderr.startswith("spectrumctl: VM red cannot start: bubblewrap is not installed"), out.stderr
        assert out.stderr.count("\n") == 1
        assert session.vms()["red"]["pid"] is None

        # sandbox = false: it starts, its transport unsandboxed, and its log says so.
        session.ctl("vm", "start", "blue")
        log = session.runtime / "spectrum" / "vmbridge" / "blue" / "console.log"
        wait_for(lambda: log.exists() and "QEMU started" in log.read_text(errors="replace"), 60, "blue's QEMU")
        assert "boot 1 of VM blue on qemu-tcg (transport not sandboxed)" in log.read_text(errors="replace")
        session.ctl("vm", "stop", "blue")
    finally:
        for listener in listeners:
            listener.close()
