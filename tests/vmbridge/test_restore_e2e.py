"""End to end: backup → wipe → restore brings a VM back with its data.

A real guest (VM red, under QEMU) writes a line with a token into its state disk. The VM is
stopped, `spectrum-store backup` saves the config and the state store, and both are deleted,
as on a fresh host. `spectrum-store restore` puts them back: the state disk must be
byte-identical, and the VM booted again from the restored config must find the line of its
first boot, next to a new one. A damaged copy of the archive must be refused with nothing
written. Prints the timings of each step.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import shlex
import shutil
import stat
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from vmbridge_env import BUILD, REPO, Session, program, stop_process, wait_for

STORE = program("SPECTRUM_STORE", "vmbridge/store/spectrum-store")
VM = "red"
BOOT_TIMEOUT = 180  # TCG on a shared 2-core machine
DATA_LINE = re.compile(r"state-data: (restore-e2e \S+ \S+)")


@pytest.fixture(scope="module")
def guest_image() -> Path:
    missing = [p for p in ("qemu-system-x86_64", "waypipe", "busybox", "cpio", "weston-simple-shm")
               if shutil.which(p) is None]
    if missing:
        pytest.skip(f"not in the build environment (missing {', '.join(missing)}); run via tools/dev")
    if not STORE.exists():
        pytest.skip(f"{STORE} is not built")
    out = BUILD / "guest"
    built = subprocess.run([str(REPO / "vmbridge" / "guest" / "build-image"), str(out)], capture_output=True, text=True)
    if built.returncode != 0:
        pytest.skip(f"the guest image could not be built: {built.stderr.strip().splitlines()[-1:]}")
    return out


def app_command(run_token: str) -> str:
    """Appends `restore-e2e RUN_TOKEN BOOT_UUID` to /state/data and prints the whole file,
    one `state-data:` line each, to the serial console. The boot's own uuid comes from the
    guest kernel, because the restored config (so the app) is the same on both boots."""
    return (
        f'line="restore-e2e {run_token} $(cat /proc/sys/kernel/random/uuid)"; '
        'echo "$line" >>/state/data; '
        'sed "s/^/state-data: /" /state/data; '
        "exec weston-simple-shm"
    )


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def store_cli(*args: str) -> tuple[subprocess.CompletedProcess, float]:
    started = time.monotonic()
    out = subprocess.run([str(STORE), *args], capture_output=True, text=True, timeout=300)
    return out, time.monotonic() - started


def mib(n: int) -> str:
    return f"{n / (1 << 20):.1f} MiB" if n >= 1 << 20 else f"{n / 1024:.0f} KiB"


class Host:
    """One life of the host: compositor and supervisor in their own runtime directory,
    gone with close(). Nothing but the config and the state store outlives it."""

    def __init__(self, config: Path, work: Path):
        work.mkdir()
        self.runtime = Path(tempfile.mkdtemp(prefix="spectrum-restore-"))  # short: socket paths
        self.runtime.chmod(0o700)
        self.session = Session(self.runtime, work)
        self.hypervisor = "?"  # known once the VM runs
        self.session.start_compositor(config)
        self.session.start_vmbridge(config, "--stop-timeout", "10")
        self.log_path = Path(self.session.vms()[VM]["log"])

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def boot(self) -> float:
        """Starts VM red and waits for its window; returns seconds from `vm start`."""
        started = time.monotonic()
        assert self.session.ctl("vm", "start", VM).stdout == f"{VM}: starting\n"

        def window():
            if self.session.vmbridge.poll() is not None or self.session.compositor.poll() is not None:
                raise AssertionError(f"a host process died\n{self.log()[-4000:]}")
            return [w for w in self.session.windows() if w["vm"] == VM]

        try:
            windows = wait_for(window, BOOT_TIMEOUT, f"VM {VM}'s window", poll=0.1)
        except AssertionError:
            print(self.session.ctl("vm", "logs", VM, "200", check=False).stdout)
            raise
        seconds = time.monotonic() - started
        assert windows[0]["title"] == "simple-shm", windows
        self.hypervisor = self.session.vms()[VM]["hypervisor"]
        return seconds

    def data_lines(self, count: int) -> list[str]:
        """The /state/data lines the app printed, read back with `spectrumctl vm logs`."""

        def printed():
            log = self.session.ctl("vm", "logs", VM, "2000").stdout
            lines = DATA_LINE.findall(log)
            return lines if len(lines) >= count else None

        try:
            return wait_for(printed, 30, f"{count} state-data line(s) on the console", poll=0.2)
        except AssertionError:
            print(self.log()[-4000:])
            raise

    def stop(self) -> float:
        started = time.monotonic()
        assert self.session.ctl("vm", "stop", VM).stdout == f"{VM}: stopped\n"
        wait_for(lambda: self.session.vms()[VM]["state"] == "stopped", 30, f"VM {VM} to stop")
        return time.monotonic() - started

    def close(self) -> None:
        try:
            assert stop_process(self.session.vmbridge, 60) == 0, "the supervisor must exit cleanly"
        finally:
            self.session.close()
            shutil.rmtree(self.runtime, ignore_errors=True)


def wipe(config: Path, state: Path) -> None:
    """A fresh host: no config file and no state store."""
    shutil.rmtree(state)
    config.unlink()
    assert not state.exists() and not config.exists()


def test_backup_wipe_restore_brings_the_vm_back_with_its_data(guest_image: Path, tmp_path: Path):
    config = tmp_path / "spectrum.toml"
    state = tmp_path / "state"
    image = state / VM / "state.img"
    archive = tmp_path / "backup" / "spectrum-backup.tar.zst"
    archive.parent.mkdir()
    run_token = secrets.token_hex(8)
    config.write_text(
        f'state_dir = "{state}"\n'
        f'[vm.{VM}]\ncolor = "#cc0000"\n'
        f'kernel = "{guest_image / "vmlinuz"}"\n'
        f'initramfs = "{guest_image / "initramfs.cpio"}"\n'
        "cmdline = \"quiet\"\nmemory = 1024\nrestart = \"never\"\n"
        f"app = {json.dumps('sh -c ' + shlex.quote(app_command(run_token)))}\n"
    )
    config_bytes = config.read_bytes()
    timings: list[tuple[str, str]] = []

    # --- boot 1: a blank state disk; the app writes the first line ------------------------
    host = Host(config, tmp_path / "host1")
    try:
        seconds = host.boot()
        timings.append(("boot 1: vm start -> window (blank disk)", f"{seconds:.1f} s on {host.hypervisor}"))
        assert "state disk /dev/vda is blank" in host.log(), "boot 1 starts from a blank state disk"
        first = host.data_lines(1)
        assert len(first) == 1 and first[0].startswith(f"restore-e2e {run_token} "), first
        timings.append(("boot 1: vm stop", f"{host.stop():.1f} s"))
        assert "spectrum-guest: app exited" in host.log(), "the guest must shut down cleanly (state synced)"
    finally:
        host.close()

    # --- backup -----------------------------------------------------------------------------
    before = sha256_of(image)
    allocated_before = image.stat().st_blocks * 512
    out, seconds = store_cli("backup", str(archive), "--config", str(config))
    assert out.returncode == 0, out.stderr
    assert f"1 VM ({VM})" in out.stdout, out.stdout
    timings.append(("backup", f"{seconds:.1f} s ({mib(archive.stat().st_size)} archive, "
                              f"{mib(allocated_before)} of the 256 MiB image in use)"))
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600, "the archive holds every VM's data"
    out, seconds = store_cli("verify", str(archive))
    assert out.returncode == 0 and ": OK (" in out.stdout, (out.stdout, out.stderr)
    timings.append(("verify", f"{seconds:.1f} s"))

    # --- wipe, then restore onto the "fresh host" -------------------------------------------
    wipe(config, state)
    # No config on a fresh host: the user names where the store goes (a restore never takes
    # it from the archive, whose config must name the same place).
    out, seconds = store_cli("restore", str(archive), "--config", str(config), "--state-dir", str(state))
    assert out.returncode == 0, out.stderr
    timings.append(("restore", f"{seconds:.1f} s"))
    assert config.read_bytes() == config_bytes, "the restored config must be the archived one"
    assert stat.S_IMODE((state / VM).stat().st_mode) == 0o700
    assert image.stat().st_size == 256 << 20
    assert sha256_of(image) == before, "the restored state disk must be byte-identical"
    print(f"\n  state.img sha256 {before} before backup and after restore; "
          f"allocated {mib(allocated_before)} before, {mib(image.stat().st_blocks * 512)} after")

    # --- boot 2 on the restored host: the VM finds its first boot's line ---------------------
    host = Host(config, tmp_path / "host2")
    try:
        seconds = host.boot()
        timings.append(("boot 2: vm start -> window (restored disk)", f"{seconds:.1f} s on {host.hypervisor}"))
        assert "is blank" not in host.log(), "the restored state disk must not be formatted again"
        assert "state mounted /dev/vda" in host.log()
        second = host.data_lines(2)
        assert len(second) == 2, second
        assert second[0] == first[0], f"boot 1's line must come back from the restored disk: {second}"
        assert second[1].startswith(f"restore-e2e {run_token} ") and second[1] != first[0], second
        print("  /state/data on boot 2 (spectrumctl vm logs):\n" + "".join(f"    {line}\n" for line in second), end="")
        timings.append(("boot 2: vm stop", f"{host.stop():.1f} s"))
    finally:
        host.close()

    # --- a damaged archive is refused, and the wiped destination stays empty -----------------
    damaged = archive.with_name("damaged.tar.zst")
    data = bytearray(archive.read_bytes())
    data[len(data) // 2] ^= 0xFF
    damaged.write_bytes(data)
    wipe(config, state)
    left_before = sorted(p.name for p in tmp_path.iterdir())
    out, seconds = store_cli("restore", str(damaged), "--config", str(config))
    timings.append(("restore of the damaged archive (refused)", f"{seconds:.1f} s"))
    assert out.returncode == 1, (out.returncode, out.stdout, out.stderr)
    assert len(out.stderr.splitlines()) == 1 and "nothing was restored" in out.stderr, out.stderr
    print(f"  damaged archive: {out.stderr.strip()}")
    assert not state.exists() or not any(state.iterdir()), "a refused restore writes no state"
    assert not config.exists(), "a refused restore writes no config"
    assert sorted(p.name for p in tmp_path.iterdir()) == left_before, "no staging left behind"
    assert store_cli("verify", str(damaged))[0].returncode == 1, "verify refuses it too"

    print("\n  step" + " " * 44 + "time")
    for name, value in timings:
        print(f"  {name:<48}{value}")
