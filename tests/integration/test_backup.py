"""spectrumctl backup / restore: the running session's config and state store go into one
archive, and come back byte for byte on a wiped host; a damaged archive writes nothing."""

import hashlib
import os
import shutil
import tempfile
from pathlib import Path

from harness import RED, make_config


def tree_digest(root: Path) -> dict[str, str]:
    """Every file under root (relative path → sha256), and every directory (→ 'dir')."""
    found = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames:
            found[str(Path(dirpath, name).relative_to(root))] = "dir"
        for name in filenames:
            path = Path(dirpath, name)
            found[str(path.relative_to(root))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def session_with_state(spectrum):
    store = Path(tempfile.mkdtemp(prefix="spectrum-store-"))
    # Top-level keys go before the tables make_config writes.
    comp = spectrum(f'state_dir = "{store}"\n' + make_config({"red": {"color": RED}, "blue": {"color": "#3465a4"}}))
    for vm, size in (("red", 3 << 20), ("blue", 1 << 20)):
        (store / vm).mkdir(mode=0o700)
        with open(store / vm / "state.img", "wb") as image:
            image.write(os.urandom(4096))
            image.seek(size - 4096)
            image.write(os.urandom(4096))  # sparse in the middle
        (store / vm / "notes").mkdir()
        (store / vm / "notes" / "todo.txt").write_text(f"data of {vm}\n")
    return comp, store


def test_backup_wipe_restore_round_trip(spectrum):
    comp, store = session_with_state(spectrum)
    archive = comp.tmp / "machine.tar.zst"
    config_before = comp.config_path.read_bytes()
    state_before = tree_digest(store)

    out = comp.ctl("backup", str(archive)).stdout
    assert "2 VM(s)" in out and archive.exists()

    # A fresh host: no config file, no store.
    shutil.rmtree(store)
    comp.config_path.unlink()
    out = comp.ctl("restore", str(archive)).stdout
    assert "restored" in out
    assert comp.config_path.read_bytes() == config_before
    assert tree_digest(store) == state_before
    assert (store / "red").stat().st_mode & 0o777 == 0o700
    # The compositor reloaded the restored config: both VMs still have their sockets.
    assert sorted(vm["name"] for vm in comp.vms()) == ["blue", "red"]
    shutil.rmtree(store)


def test_restore_refuses_a_damaged_archive_and_writes_nothing(spectrum):
    comp, store = session_with_state(spectrum)
    archive = comp.tmp / "machine.tar"
    comp.ctl("backup", str(archive))
    data = bytearray(archive.read_bytes())
    data[len(data) // 2] ^= 0xFF
    archive.write_bytes(bytes(data))

    shutil.rmtree(store)
    config_text = comp.config_path.read_bytes()
    result = comp.ctl("restore", str(archive), "--force", check=False)
    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert not store.exists(), "nothing written to the store"
    assert comp.config_path.read_bytes() == config_text


def test_restore_over_an_existing_store_needs_force(spectrum):
    comp, store = session_with_state(spectrum)
    archive = comp.tmp / "machine.tar"
    comp.ctl("backup", str(archive))
    (store / "red" / "notes" / "todo.txt").write_text("changed since the backup\n")
    refused = comp.ctl("restore", str(archive), check=False)
    assert refused.returncode == 1 and "--force" in refused.stderr
    assert (store / "red" / "notes" / "todo.txt").read_text() == "changed since the backup\n"
    comp.ctl("restore", str(archive), "--force")
    assert (store / "red" / "notes" / "todo.txt").read_text() == "data of red\n"
    shutil.rmtree(store)


def test_backup_and_restore_arguments(spectrum):
    comp = spectrum()
    assert comp.ctl("backup", check=False).returncode == 2
    assert comp.ctl("restore", "a", "b", check=False).returncode == 2
    missing = comp.ctl("restore", str(comp.tmp / "nope.tar"), check=False)
    assert missing.returncode == 1 and len(missing.stderr.strip().splitlines()) == 1
