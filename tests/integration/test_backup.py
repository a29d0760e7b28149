"""spectrumctl backup / restore: the running session's config and state store go into one
archive, and come back byte for byte on a wiped host; a damaged archive writes nothing."""

import hashlib
import io
import os
import shutil
import tarfile
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

    # A fresh host with its config written (where the store goes comes from the config in
    # use, never from the archive), and no store.
    shutil.rmtree(store)
    out = comp.ctl("restore", str(archive)).stdout
    assert "restored" in out and "not loaded" not in out
    assert comp.config_path.read_bytes() == config_before
    assert tree_digest(store) == state_before
    assert (store / "red").stat().st_mode & 0o777 == 0o700
    assert (store / "red" / "notes" / "todo.txt").stat().st_mode & 0o777 == 0o600
    assert comp.config_path.stat().st_mode & 0o777 == 0o600
    # The restored config is the one in use: nothing to reload, both VMs keep their sockets.
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


def hostile_archive(path: Path, config: bytes, config_mode: int, vm_dir: str, files: dict[str, bytes]) -> Path:
    """A store archive built by hand (Python's tarfile), MANIFEST and all, as an attacker
    would: everything consistent, so only the restore's own rules stand in the way."""
    lines = []
    with tarfile.open(path, "w", format=tarfile.PAX_FORMAT) as tar:
        def add(name: str, data: bytes | None, mode: int):
            info = tarfile.TarInfo(name)
            info.mode, info.mtime = mode, 1700000000
            if data is None:
                info.type = tarfile.DIRTYPE
                tar.addfile(info)
                lines.append(f"dir {mode:04o} 0 - {name}")
            else:
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
                lines.append(f"file {mode:04o} {len(data)} {hashlib.sha256(data).hexdigest()} {name}")

        add("config/spectrum.toml", config, config_mode)
        add(f"state/{vm_dir}", None, 0o777)
        for name, data in files.items():
            add(f"state/{vm_dir}/{name}", data, 0o666)
        manifest = ("spectrum-store manifest 1\n" + "".join(f"{line}\n" for line in lines)).encode()
        info = tarfile.TarInfo("MANIFEST")
        info.size, info.mode = len(manifest), 0o644
        tar.addfile(info, io.BytesIO(manifest))
    return path


def test_restore_takes_no_orders_from_the_archive(spectrum):
    """Issue 18, hole 8: an archive naming another state_dir, a VM directory ".ssh", a
    mode-0666 config with an exec binding. Refused or defused, one line each, and a
    restored config that differs from the running one is not loaded."""
    comp, store = session_with_state(spectrum)
    config_text = comp.config_path.read_bytes()
    victim = Path(tempfile.mkdtemp(prefix="spectrum-victim-"))
    (victim / "precious").write_text("not the store's\n")
    evil_keys = '[keys]\n"Super+d" = "exec touch /tmp/spectrum-pwned"\n'
    try:
        # 1. The archived config points the store at another directory: refused, nothing written.
        archive = hostile_archive(comp.tmp / "elsewhere.tar", f'state_dir = "{victim}"\n{evil_keys}'.encode(),
                                  0o666, "red", {"state.img": b"x"})
        before = tree_digest(store)
        out = comp.ctl("restore", str(archive), "--force", check=False)
        assert out.returncode == 1 and len(out.stderr.strip().splitlines()) == 1, out.stderr
        assert f"keeps the store in {victim}" in out.stderr, out.stderr
        assert sorted(p.name for p in victim.iterdir()) == ["precious"]
        assert tree_digest(store) == before and comp.config_path.read_bytes() == config_text

        # 2. A VM directory that is no VM's name (into a store in $HOME it would be ~/.ssh).
        config = f'state_dir = "{store}"\n'.encode() + config_text.split(b"\n", 1)[1]
        archive = hostile_archive(comp.tmp / "ssh.tar", config, 0o600, ".ssh",
                                  {"authorized_keys": b"ssh-ed25519 AAAA attacker\n"})
        out = comp.ctl("restore", str(archive), "--force", check=False)
        assert out.returncode == 1 and len(out.stderr.strip().splitlines()) == 1, out.stderr
        assert "state/.ssh: not a VM name" in out.stderr, out.stderr
        assert not (store / ".ssh").exists() and tree_digest(store) == before

        # 3. Same store, but a mode-0666 config with an exec binding and a VM the session
        # lacks: restored with mode 0600, and not loaded until the user reloads.
        config = (f'state_dir = "{store}"\n'.encode() + config_text.split(b"\n", 1)[1]
                  + f'\n{evil_keys}\n[vm.green]\ncolor = "#00aa00"\n'.encode())
        archive = hostile_archive(comp.tmp / "keys.tar", config, 0o666, "red", {"state.img": b"x"})
        out = comp.ctl("restore", str(archive), "--force")
        assert "was not loaded" in out.stdout and "spectrumctl reload" in out.stdout, out.stdout
        assert comp.config_path.read_bytes() == config
        assert comp.config_path.stat().st_mode & 0o777 == 0o600
        assert (store / "red").stat().st_mode & 0o777 == 0o700
        assert (store / "red" / "state.img").stat().st_mode & 0o777 == 0o600
        assert "green" not in [vm["name"] for vm in comp.vms()], "the restored config was loaded"
    finally:
        shutil.rmtree(victim, ignore_errors=True)
        shutil.rmtree(store, ignore_errors=True)
