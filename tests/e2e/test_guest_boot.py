"""A real Linux guest under QEMU runs a Wayland app whose window reaches the host.

Also proves the VM's state disk: blank on first boot, formatted by the guest init, and
what the app writes there is still there on the next boot.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

from guest_vm import GuestImage, GuestRun
from host_display import E2E_VM, HostCompositor, SpectrumHost

BOOT_TIMEOUT = 180


@dataclass
class Boot:
    run: GuestRun
    windows: list[dict] | None  # the compositor's list while the window was up, if it has one


def boot(
    image: GuestImage,
    host: HostCompositor,
    work: Path,
    app: str,
    state: Path | None = None,
    compressed: bool = True,
    end: str = "disconnect",
) -> Boot:
    """Boots the guest, waits for its window, then ends the app (see GuestRun.shut_down)
    and expects a clean power-off."""
    run = GuestRun(image, host, work, app, state_disk=state, compressed=compressed)
    try:
        run.wait_window(BOOT_TIMEOUT)
        host.save_screenshot(work / "window.png")
        windows = host.listed_windows() if isinstance(host, SpectrumHost) else None
        print("\n" + run.phases.table(f"{work.name}: {run.initrd_name} on {host.name}, host time"))
        rc = run.shut_down(end)
        print(f"  ended by: {run.how_ended}")
        assert rc == 0, f"QEMU exited with {rc}\n{run.logs()}"
        assert run.serial.marker("app exited"), f"no 'app exited' marker\n{run.logs()}"
        return Boot(run, windows)
    finally:
        run.close()


def test_guest_window_reaches_host_compositor(guest_image: GuestImage, host: HostCompositor, tmp_path: Path):
    # Ended by dropping the host end of the transport: the guest must notice and power off.
    result = boot(guest_image, host, tmp_path / "boot", "weston-simple-shm", end="disconnect")
    p = result.run.phases
    assert p.kernel_start is not None and p.init_started is not None and p.app_started is not None
    assert p.qemu_start <= p.kernel_start <= p.init_started <= p.app_started <= p.window_shown
    if result.windows is not None:
        # Identity comes from the socket the guest's waypipe reached: the VM's own.
        assert [w["vm"] for w in result.windows] == [E2E_VM], result.windows
        assert result.windows[0]["title"] == "simple-shm", result.windows


def test_state_disk_survives_reboot(guest_image: GuestImage, host: HostCompositor, tmp_path: Path):
    state = tmp_path / "state.img"
    subprocess.run(["qemu-img", "create", "-f", "raw", str(state), "64M"], check=True, capture_output=True)
    app = "sh -c 'echo hello >> /state/boots; cat /state/boots; exec weston-simple-shm'"

    # Both boots use the uncompressed initramfs (the other test covers the gzip one) and
    # end with the host closing the window, so the app exits on its own.
    first = boot(guest_image, host, tmp_path / "boot1", app, state, compressed=False, end="close")
    log1 = first.run.serial.text()
    assert "state disk /dev/vda is blank: formatting ext2" in log1, log1
    assert "state mounted /dev/vda" in log1, log1
    assert _hello_count(log1) == 1, log1

    second = boot(guest_image, host, tmp_path / "boot2", app, state, compressed=False, end="close")
    log2 = second.run.serial.text()
    assert "is blank" not in log2, log2
    assert "state mounted /dev/vda" in log2, log2
    assert _hello_count(log2) == 2, log2


def _hello_count(serial: str) -> int:
    """Lines `hello` the app printed (cat /state/boots), however the console wrapped them."""
    return sum(1 for line in serial.splitlines() if line.strip() == "hello")
