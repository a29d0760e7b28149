"""A real guest under QEMU writes to its serial console what an attacker would: a byte that
is not UTF-8, an OSC 52 (set the terminal's clipboard), and 9 MiB without end. The real
supervisor carries it into the VM's log: the log never passes its cap (4 MiB, one older
.1 kept), `spectrumctl vm logs` answers with no ESC byte, and the supervisor lives.

No compositor is needed: the app draws nothing, so a listening socket stands in for the
compositor's socket the VM's start waits for.
"""

from __future__ import annotations

import json
import shlex
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from vmbridge_env import BUILD, REPO, SPECTRUMCTL, Session, wait_for

VM = "red"
LOG_CAP = 4 << 20  # VmLog::kRotateAt
FLOOD = 9 << 20
BOOT_TIMEOUT = 300  # TCG on a shared 2-core machine

APP = (
    r"printf 'guest-start \377\376 \033]52;c;ZXZpbA==\007 \033[2J\n'; "
    rf"head -c {FLOOD} /dev/zero | tr '\0' y; "
    r"printf '\nguest-end \377 \033]52;c;ZXZpbA==\007\n'"
)


@pytest.fixture(scope="module")
def guest_image() -> Path:
    missing = [p for p in ("qemu-system-x86_64", "waypipe", "busybox", "cpio") if shutil.which(p) is None]
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


def test_a_guest_console_flood_with_escapes(guest_image: Path, session: Session, tmp_path: Path):
    config = tmp_path / "spectrum.toml"
    config.write_text(
        f'state_dir = "{tmp_path / "state"}"\n[vm.{VM}]\ncolor = "#cc0000"\nhypervisor = "qemu"\n'
        f'kernel = "{guest_image / "vmlinuz"}"\ninitramfs = "{guest_image / "initramfs.cpio"}"\n'
        f'cmdline = "quiet"\napp = {json.dumps("sh -c " + shlex.quote(APP))}\nmemory = 512\nrestart = "never"\n'
    )
    session.start_vmbridge(config, "--stop-timeout", "10")
    compositor = session.runtime / "spectrum" / "vm" / VM / "wayland-0"
    compositor.parent.mkdir(parents=True)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(str(compositor))
    listener.listen(4)
    log = session.runtime / "spectrum" / "vmbridge" / VM / "console.log"
    try:
        session.ctl("vm", "start", VM)
        largest = 0
        started = time.monotonic()

        def done() -> bool:
            nonlocal largest
            assert session.vmbridge.poll() is None, "the supervisor died"
            try:
                largest = max(largest, log.stat().st_size)
            except FileNotFoundError:
                pass
            return session.vms()[VM]["state"] in ("stopped", "failed")

        wait_for(done, BOOT_TIMEOUT, "the guest to write its flood and power off", poll=0.05)
        print(f"\n  guest booted, wrote {FLOOD >> 20} MiB and powered off in {time.monotonic() - started:.1f} s")
        text = log.read_bytes()
        assert b"guest-end" in text, text[-2000:].decode(errors="replace")
        assert largest <= LOG_CAP and log.stat().st_size <= LOG_CAP, largest
        older = log.with_name("console.log.1")
        assert older.exists() and older.stat().st_size <= LOG_CAP

        out = subprocess.run([str(SPECTRUMCTL), "vm", "logs", VM, "200"], env=session.env(),
                             capture_output=True, timeout=60)
        assert out.returncode == 0, out.stderr
        assert b"\x1b" not in out.stdout and b"\x07" not in out.stdout and b"\r" not in out.stdout
        assert b"guest-end \xef\xbf\xbd \\x1b]52;c;ZXZpbA==\\x07" in out.stdout, out.stdout[-2000:]
        assert session.vmbridge.poll() is None
    finally:
        listener.close()
