"""Fixtures for end-to-end tests with a real guest under QEMU.

SPECTRUM_BUILD_DIR names the build tree (meson passes it; tools/dev exports it). The
guest image is built there once, under guest/, and reused while its inputs are unchanged.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from guest_vm import GuestImage
from host_display import E2E_VM, E2E_VM_COLOR, start_host

REPO = Path(__file__).resolve().parents[2]


def _build_dir() -> Path:
    return Path(os.environ.get("SPECTRUM_BUILD_DIR", REPO / "build")).resolve()


@pytest.fixture(scope="session")
def build_dir() -> Path:
    return _build_dir()


@pytest.fixture(scope="session")
def guest_image(build_dir: Path) -> GuestImage:
    missing = [p for p in ("qemu-system-x86_64", "waypipe", "busybox", "cpio") if shutil.which(p) is None]
    if missing:
        pytest.skip(f"not in the build environment (missing {', '.join(missing)}); run via tools/dev")
    out = build_dir / "guest"
    subprocess.run([str(REPO / "vmbridge" / "guest" / "build-image"), str(out)], check=True)
    return GuestImage(
        kernel=out / "vmlinuz", initrd=out / "initramfs.cpio.gz", initrd_uncompressed=out / "initramfs.cpio"
    )


@pytest.fixture
def runtime_dir():
    # Short and private: Unix socket paths are capped at 108 bytes.
    path = Path(tempfile.mkdtemp(prefix="spectrum-e2e-"))
    path.chmod(0o700)
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def host(build_dir: Path, runtime_dir: Path, tmp_path: Path):
    compositor = start_host(build_dir, runtime_dir, tmp_path, E2E_VM, E2E_VM_COLOR)
    yield compositor
    compositor.close()
