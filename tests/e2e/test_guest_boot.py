"""A real Linux guest under QEMU runs a Wayland app whose window reaches the host.

Also proves the VM's state disk: blank on first boot, formatted by the guest init, and
what the app writes there is still there on the next boot.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from guest_vm import GuestImage, GuestRun
from host_display import HostCompositor, SpectrumHost

BOOT_TIMEOUT = 180


def boot(image: GuestImage, host: HostCompositor, work: Path, app: str, state: Path | None = None) -> GuestRun:
    run = GuestRun(image, host, work, app, state_disk=state)
    try:
        run.wait_window(BOOT_TIMEOUT)
        print("\n" + run.phases.table(f"{work.name}: guest boot phases ({host.name}, host time)"))
        rc = run.shut_down()
        assert rc == 0, f"QEMU exited with {rc}\n{run.logs()}"
        assert run.serial.marker("app exited"), f"no 'app exited' marker\n{run.logs()}"
        return run
    finally:
        run.close()


def test_guest_window_reaches_host_compositor(guest_image: GuestImage, host: HostCompositor, tmp_path: Path):
    run = boot(guest_image, host, tmp_path / "boot", "weston-simple-shm")
    p = run.phases
    assert p.kernel_start is not None and p.init_started is not None and p.app_started is not None
    assert p.qemu_start <= p.init_started <= p.app_started <= p.window_shown
    if isinstance(host, SpectrumHost):
        windows = host.listed_windows()
        if windows is not None:
            assert any(w.get("vm") == "red" for w in windows), windows


def test_state_disk_survives_reboot(guest_image: GuestImage, host: HostCompositor, tmp_path: Path):
    state = tmp_path / "state.img"
    subprocess.run(["qemu-img", "create", "-f", "raw", str(state), "64M"], check=True, capture_output=True)
    app = "sh -c 'echo hello >> /state/boots; cat /state/boots; exec weston-simple-shm'"

    first = boot(guest_image, host, tmp_path / "boot1", app, state)
    log1 = first.serial.text()
    assert "state disk /dev/vda is blank: formatting ext2" in log1, log1
    assert "state mounted /dev/vda" in log1, log1
    assert _hello_count(log1) == 1, log1

    second = boot(guest_image, host, tmp_path / "boot2", app, state)
    log2 = second.serial.text()
    assert "is blank" not in log2, log2
    assert "state mounted /dev/vda" in log2, log2
    assert _hello_count(log2) == 2, log2


def _hello_count(serial: str) -> int:
    """Lines `hello` the app printed (cat /state/boots), however the console wrapped them."""
    return sum(1 for line in serial.splitlines() if line.strip() == "hello")
