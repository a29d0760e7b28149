"""spectrum-store against hand-built hostile archives (Python's tarfile, not backup()).

Each attack is refused with one line on stderr, and nothing is written anywhere: neither
the store nor the config in use, nor the directory the archive points at. A backup is data,
never instructions: where a restore writes comes from the config it runs under, its modes
are the restore's own, VM directories are named like VMs, and every entry's size is checked
against the MANIFEST and a cap before a byte is hashed.
"""

from __future__ import annotations

import hashlib
import io
import os
import subprocess
import tarfile
import time
from pathlib import Path

import pytest

STORE = Path(os.environ.get("SPECTRUM_STORE", "build/vmbridge/store/spectrum-store"))
PIB = 1 << 50
GIB = 1 << 30


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Archive:
    """A store archive entry by entry, and a MANIFEST listing what it is told to list."""

    def __init__(self, path: Path):
        self.path = path
        self.tar = tarfile.open(path, "w", format=tarfile.PAX_FORMAT)
        self.lines: list[str] = []

    def dir(self, name: str, mode: int = 0o700, listed: bool = True) -> "Archive":
        info = tarfile.TarInfo(name)
        info.type, info.mode, info.mtime = tarfile.DIRTYPE, mode, 1700000000
        self.tar.addfile(info)
        if listed:
            self.lines.append(f"dir {mode:04o} 0 - {name}")
        return self

    def file(self, name: str, data: bytes, mode: int = 0o600, listed: bool = True) -> "Archive":
        info = tarfile.TarInfo(name)
        info.size, info.mode, info.mtime = len(data), mode, 1700000000
        self.tar.addfile(info, io.BytesIO(data))
        if listed:
            self.lines.append(f"file {mode:04o} {len(data)} {sha(data)} {name}")
        return self

    def config(self, state_dir: Path | str, mode: int = 0o600, extra: str = "") -> "Archive":
        return self.file("config/spectrum.toml", f'state_dir = "{state_dir}"\n{extra}'.encode(), mode)

    def sparse(self, name: str, claimed: int, listed_size: int | None) -> "Archive":
        """A GNU sparse 1.0 entry: 512 bytes of data, then a hole up to `claimed` bytes."""
        data = b"B" * 512
        sparse_map = f"2\n0\n512\n{claimed}\n0\n".encode().ljust(512, b"\0")
        info = tarfile.TarInfo(f"state/web/GNUSparseFile.0/{Path(name).name}")
        info.size, info.mode, info.mtime = len(sparse_map) + len(data), 0o600, 1700000000
        info.pax_headers = {
            "GNU.sparse.major": "1",
            "GNU.sparse.minor": "0",
            "GNU.sparse.name": name,
            "GNU.sparse.realsize": str(claimed),
        }
        self.tar.addfile(info, io.BytesIO(sparse_map + data))
        if listed_size is not None:
            self.lines.append(f"file 0600 {listed_size} {'0' * 64} {name}")
        return self

    def manifest(self) -> Path:
        text = ("spectrum-store manifest 1\n" + "".join(line + "\n" for line in self.lines)).encode()
        info = tarfile.TarInfo("MANIFEST")
        info.size, info.mode, info.mtime = len(text), 0o644, 1700000000
        self.tar.addfile(info, io.BytesIO(text))
        self.tar.close()
        return self.path


def listing(root: Path) -> dict[str, str]:
    """Every path below root with its mode and content: equal listings, nothing written."""
    found = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            path = Path(dirpath, name)
            mode = f"{path.lstat().st_mode:o}"
            found[str(path.relative_to(root))] = mode if path.is_dir() else mode + " " + sha(path.read_bytes())
    return found


def store(*args: str, timeout: float = 30) -> subprocess.CompletedProcess:
    return subprocess.run([str(STORE), *map(str, args)], capture_output=True, text=True, timeout=timeout)


def refused(out: subprocess.CompletedProcess, why: str) -> None:
    assert out.returncode == 1, (out.returncode, out.stdout, out.stderr)
    lines = out.stderr.splitlines()
    assert len(lines) == 1, out.stderr
    assert why in lines[0], lines[0]


@pytest.fixture
def host(tmp_path: Path):
    """A host with a config in use, its store holding one VM, and a victim directory."""
    state = tmp_path / "state"
    (state / "web").mkdir(parents=True, mode=0o700)
    (state / "web" / "state.img").write_bytes(b"the data that must survive\n")
    config = tmp_path / "spectrum.toml"
    config.write_text(f'state_dir = "{state}"\n')
    victim = tmp_path / "home"
    (victim / ".ssh").mkdir(parents=True)
    (victim / "precious").write_text("not the store's\n")
    return tmp_path, config, state, victim


def test_restore_never_writes_where_the_archived_config_says(host):
    work, config, state, victim = host
    archive = Archive(work / "a.tar").config(victim).dir("state/web").file("state/web/x", b"x\n").manifest()
    before = listing(work)
    refused(store("restore", archive, "--config", config, "--force"), f"keeps the store in {victim}")
    assert listing(work) == before
    # Fresh host, no config yet: the built-in default's state_dir or --state-dir, never the archive's.
    config.unlink()
    before = listing(work)
    refused(store("restore", archive, "--config", config, "--state-dir", state, "--force"),
            f"keeps the store in {victim}")
    assert listing(work) == before


@pytest.mark.parametrize("vm", [".ssh", "..ssh", "Web", "host", "a" * 33, "web_1"])
def test_vm_directories_are_named_like_vms(host, vm: str):
    work, config, state, victim = host
    archive = (Archive(work / "a.tar").config(state).dir(f"state/{vm}")
               .file(f"state/{vm}/authorized_keys", b"ssh-ed25519 AAAA attacker\n").manifest())
    refused(store("verify", archive), f"state/{vm}: not a VM name")
    before = listing(work)
    refused(store("restore", archive, "--config", config, "--force"), f"state/{vm}: not a VM name")
    assert listing(work) == before


def test_modes_come_from_the_restore_not_the_archive(host):
    work, config, state, victim = host
    archive = (Archive(work / "a.tar").config(state, mode=0o666)
               .dir("state/web", 0o777).dir("state/web/sub", 0o777)
               .file("state/web/sub/f", b"data\n", 0o4777).manifest())
    # The MANIFEST cannot carry set-id bits, so that one is refused as damaged ...
    refused(store("verify", archive), "mode")
    archive = (Archive(work / "b.tar").config(state, mode=0o666)
               .dir("state/web", 0o777).dir("state/web/sub", 0o777)
               .file("state/web/sub/f", b"data\n", 0o666).manifest())
    # ... and a well-formed one is restored with the restore's own modes.
    out = store("restore", archive, "--config", config, "--force")
    assert out.returncode == 0, out.stderr
    assert config.stat().st_mode & 0o7777 == 0o600
    assert (state / "web").stat().st_mode & 0o7777 == 0o700
    assert (state / "web" / "sub").stat().st_mode & 0o7777 == 0o700
    assert (state / "web" / "sub" / "f").stat().st_mode & 0o7777 == 0o600


@pytest.mark.parametrize("listed", ["claimed", "small", "unlisted"])
def test_archive_bomb_is_refused_before_hashing(host, listed: str):
    """A few KiB claiming a huge sparse file: refused at once, naming it, in every case
    (listed with its claimed size, listed with another size, not listed at all)."""
    work, config, state, victim = host
    claimed = PIB if listed == "claimed" else 512 * GIB
    listed_size = {"claimed": PIB, "small": 1024, "unlisted": None}[listed]
    archive = (Archive(work / "bomb.tar").config(state).dir("state/web")
               .sparse("state/web/bomb.img", claimed, listed_size).manifest())
    assert archive.stat().st_size < 20 << 10
    for command in (["verify", archive], ["restore", archive, "--config", config, "--force"]):
        before = listing(work)
        started = time.monotonic()
        try:
            out = store(*command, timeout=20)
        except subprocess.TimeoutExpired:
            pytest.fail(f"spectrum-store {command[0]} was still hashing the bomb after 20 s")
        elapsed = time.monotonic() - started
        refused(out, "state/web/bomb.img")
        assert elapsed < 1.0, f"{command[0]} took {elapsed:.2f} s"
        assert listing(work) == before


def test_a_same_size_edit_of_the_archived_config_is_refused(host):
    work, config, state, victim = host
    config.write_text(f'state_dir = "{state}"\n[keys]\n"Super+d" = "exec fuzzel"\n')
    archive = work / "b.tar"
    out = store("backup", archive, "--config", config)
    assert out.returncode == 0, out.stderr
    data = archive.read_bytes()
    binding = b'"exec fuzzel"'
    assert data.count(binding) == 1
    # Same length, another command: the size in the header and the MANIFEST still agree,
    # and the config still parses and names the same store; only its sha256 differs.
    tampered = work / "tampered.tar"
    tampered.write_bytes(data.replace(binding, b'"exec rm -rf"'))
    refused(store("verify", tampered), "config/spectrum.toml: sha256 does not match the MANIFEST")
    before = listing(work)
    refused(store("restore", tampered, "--config", config, "--force"),
            "config/spectrum.toml: sha256 does not match the MANIFEST")
    assert listing(work) == before
