"""spectrum-image for real: mmdebstrap from this system's apt sources, mkfs.erofs, the
content-addressed cache and its index, and everything that must not break it — a second
build at the same time, kill -9 in the middle, a modified file, an unknown package, a mirror
that cannot be reached.

The cases share one image directory and run in file order: base is built once (a few
minutes on 2 cores), then reused."""

from __future__ import annotations

import json
import os
import signal
import socket
import stat
import subprocess
import time
from pathlib import Path

import pytest

from vmbridge_env import BUILD, REPO, program, wait_for

IMAGE = program("SPECTRUM_IMAGE", "vmbridge/spectrum-image")
SPECTRUMCTL = program("SPECTRUM_CTL", "compositor/spectrumctl")
HOOK = os.environ.get("SPECTRUM_GUEST_CUSTOMIZE") or str(REPO / "vmbridge/guest/image/customize")
BUILD_TIMEOUT = 1500

if not os.access(HOOK, os.X_OK):
    pytest.skip(f"no guest image hook at {HOOK}", allow_module_level=True)
if os.geteuid() != 0:
    pytest.skip("mmdebstrap's root mode needs root (tools/dev runs the tests as root)", allow_module_level=True)


@pytest.fixture(scope="module")
def cache(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("images") / "cache"


def write_config(directory: Path, cache: Path, images: dict[str, list[str]]) -> Path:
    text = f'image_dir = "{cache}"\n'
    for name, packages in images.items():
        text += f"[image.{name}]\npackages = {json.dumps(packages)}\n"
    path = directory / "spectrum.toml"
    path.write_text(text)
    return path


@pytest.fixture(scope="module")
def config(cache: Path, tmp_path_factory) -> Path:
    return write_config(tmp_path_factory.mktemp("config"), cache,
                        {"extra": ["hello"], "killed": ["sl"], "typo": ["hello", "nosuchpackage-xyz"]})


def image(*args: str, env: dict[str, str] | None = None, timeout: float = BUILD_TIMEOUT) -> subprocess.CompletedProcess:
    return subprocess.run([str(IMAGE), *args], capture_output=True, text=True, timeout=timeout,
                          env=env or dict(os.environ))


def objects(cache: Path) -> set[str]:
    return {p.name for p in (cache / "objects").iterdir()} if (cache / "objects").exists() else set()


def leftovers(cache: Path) -> list[str]:
    return sorted(p.name for p in (cache / "tmp").iterdir()) if (cache / "tmp").exists() else []


def index(cache: Path) -> dict:
    return json.loads((cache / "index.json").read_text())["images"]


def no_builder_processes() -> bool:
    """No mmdebstrap or mkfs.erofs of ours is left running."""
    out = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True).stdout
    return not any(("mmdebstrap" in line or "mkfs.erofs" in line) and "images" in line and "cache" in line
                   for line in out.splitlines())


def test_builds_base(cache: Path, config: Path):
    started = time.monotonic()
    result = image("build", "--config", str(config), "base")
    seconds = time.monotonic() - started
    assert result.returncode == 0, result.stderr
    # Not a terminal: one line per phase, then the summary on stdout.
    assert "base: resolving" in result.stderr
    assert "base: compressing" in result.stderr
    assert "\r" not in result.stderr
    summary = result.stdout.strip()
    assert summary.startswith("base  key "), summary
    print(f"\nbase: built in {seconds:.0f} s: {summary}")

    entry = index(cache)["base"]
    obj = cache / "objects" / entry["key"]
    for name in ("root.erofs", "vmlinuz", "initramfs.cpio", "packages"):
        path = obj / name
        assert path.is_file(), path
        assert stat.S_IMODE(path.stat().st_mode) == 0o644
    assert stat.S_IMODE(cache.stat().st_mode) == 0o755
    assert (obj / "root.erofs").read_bytes()[1024:1028] == bytes.fromhex("e2e1f5e0")  # erofs magic
    assert (obj / "vmlinuz").stat().st_size > 1 << 20
    packages = (obj / "packages").read_text().splitlines()
    names = {line.split("\t")[0] for line in packages}
    assert {"waypipe", "busybox-static", "fontconfig", "libc6"} <= names
    assert "hello" not in names
    assert entry["root_bytes"] == (obj / "root.erofs").stat().st_size
    assert leftovers(cache) == []
    assert objects(cache) == {entry["key"]}
    # The .debs stay for the next build.
    assert any(p.name.startswith("waypipe_") for p in (cache / "debs").iterdir())


def test_paths_prints_verified_files(cache: Path, config: Path):
    result = image("paths", "--config", str(config), "base", timeout=60)
    assert result.returncode == 0, result.stderr
    paths = json.loads(result.stdout)
    key = index(cache)["base"]["key"]
    assert paths["name"] == "base" and paths["key"] == key
    for field, name in (("root", "root.erofs"), ("kernel", "vmlinuz"), ("initramfs", "initramfs.cpio")):
        assert paths[field] == str(cache / "objects" / key / name)
        assert Path(paths[field]).is_absolute()


def test_list(cache: Path, config: Path):
    result = image("list", "--config", str(config), "--json", timeout=60)
    assert result.returncode == 0, result.stderr
    listed = {item["name"]: item for item in json.loads(result.stdout)}
    assert list(listed) == ["base", "extra", "killed", "typo"]
    assert listed["base"]["built"] is True and listed["base"]["key"] == index(cache)["base"]["key"]
    assert listed["extra"]["built"] is False and listed["extra"]["packages"] == ["hello"]
    text = image("list", "--config", str(config), timeout=60)
    assert text.returncode == 0
    assert text.stdout.splitlines()[0].split() == ["IMAGE", "KEY", "SIZE", "PACKAGES"]
    assert "not built" in [line for line in text.stdout.splitlines() if line.startswith("extra")][0]
    # spectrumctl passes through to spectrum-image.
    if SPECTRUMCTL.exists():
        # No --config: it finds $XDG_CONFIG_HOME/spectrum/spectrum.toml as the compositor does.
        home = config.parent / "xdg"
        (home / "spectrum").mkdir(parents=True, exist_ok=True)
        (home / "spectrum" / "spectrum.toml").write_text(config.read_text())
        ctl = subprocess.run([str(SPECTRUMCTL), "image", "list", "--json"], capture_output=True, text=True,
                             timeout=60, env=dict(os.environ, XDG_CONFIG_HOME=str(home),
                                                  SPECTRUM_IMAGE=str(IMAGE)))
        assert ctl.returncode == 0, ctl.stderr
        assert json.loads(ctl.stdout) == json.loads(result.stdout)


def test_second_build_is_a_no_op(cache: Path, config: Path):
    key = index(cache)["base"]["key"]
    before = (cache / "objects" / key / "root.erofs").stat().st_mtime_ns
    started = time.monotonic()
    result = image("build", "--config", str(config), "base")
    seconds = time.monotonic() - started
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"base  key {key[:12]}") and "up to date" in result.stdout
    assert "downloading" not in result.stderr and "compressing" not in result.stderr
    assert (cache / "objects" / key / "root.erofs").stat().st_mtime_ns == before
    assert seconds < 60, seconds


def test_update_reads_the_index_again_and_keeps_the_key(cache: Path, config: Path):
    key = index(cache)["base"]["key"]
    result = image("build", "--config", str(config), "--update", "base")
    assert result.returncode == 0, result.stderr
    assert "base: reading the package index" in result.stderr
    assert result.stdout.startswith(f"base  key {key[:12]}") and "up to date" in result.stdout


def test_unknown_package_is_one_line_and_leaves_nothing(cache: Path, config: Path):
    before = objects(cache)
    index_before = (cache / "index.json").read_bytes()
    result = image("build", "--config", str(config), "typo")
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if "resolving" not in line]
    assert errors == ['spectrum-image: [image.typo] unknown package "nosuchpackage-xyz"'], result.stderr
    assert objects(cache) == before
    assert leftovers(cache) == []
    assert (cache / "index.json").read_bytes() == index_before


def test_paths_of_an_image_not_built(config: Path):
    result = image("paths", "--config", str(config), "extra", timeout=60)
    assert result.returncode == 3
    assert result.stderr.strip() == "spectrum-image: image extra is not built (spectrum-image build extra)"
    missing = image("paths", "--config", str(config), "nosuch", timeout=60)
    assert missing.returncode == 1
    assert 'no image named "nosuch"' in missing.stderr


def test_two_builds_at_once_one_more_package(cache: Path, config: Path):
    base_key = index(cache)["base"]["key"]
    debs_before = {p.name for p in (cache / "debs").glob("*.deb")}
    # An object no index entry names (an image since rebuilt) goes with the next build.
    stale = cache / "objects" / ("0" * 64)
    stale.mkdir()
    (stale / "root.erofs").write_bytes(b"old")
    first = subprocess.Popen([str(IMAGE), "build", "--config", str(config), "extra"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    second = subprocess.Popen([str(IMAGE), "build", "--config", str(config), "extra"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    started = time.monotonic()
    out1, err1 = first.communicate(timeout=BUILD_TIMEOUT)
    out2, err2 = second.communicate(timeout=BUILD_TIMEOUT)
    print(f"\nextra (base + hello): {out1.strip()} | {out2.strip()} ({time.monotonic() - started:.0f} s)")
    assert first.returncode == 0, err1
    assert second.returncode == 0, err2
    # One of them built it, the other waited and found it built.
    assert sorted(["built in" in out1, "built in" in out2]) == [False, True], (out1, out2)
    assert "waiting for another build" in err1 + err2
    entries = index(cache)
    assert entries["extra"]["key"] != base_key
    assert objects(cache) == {base_key, entries["extra"]["key"]}
    assert not stale.exists()
    assert leftovers(cache) == []
    packages = (cache / "objects" / entries["extra"]["key"] / "packages").read_text()
    assert "\nhello\t" in packages
    # Only hello came from the mirror: every other .deb was in the shared cache already.
    new_debs = {p.name for p in (cache / "debs").glob("*.deb")} - debs_before
    assert {name.split("_")[0] for name in new_debs} == {"hello"}, new_debs
    log = (cache / "logs" / "extra.log").read_text()
    fetched = [line for line in log.splitlines() if line.startswith("Get:") and "http" in line
               and "InRelease" not in line and " Packages " not in line]
    assert fetched and all(" hello " in line for line in fetched), fetched


def test_modified_file_is_refused(cache: Path, config: Path):
    key = index(cache)["extra"]["key"]
    root = cache / "objects" / key / "root.erofs"
    data = bytearray(root.read_bytes())
    original = data[4096]
    data[4096] ^= 0xFF
    root.write_bytes(data)
    try:
        result = image("paths", "--config", str(config), "extra", timeout=60)
        assert result.returncode == 1
        line = result.stderr.strip()
        assert "\n" not in line
        assert line.startswith(f"spectrum-image: image extra: {root} was modified in the cache (sha256 "), line
        assert line.endswith("refused — rebuild with spectrum-image build extra"), line
        assert result.stdout == ""
    finally:
        data[4096] = original
        root.write_bytes(data)
    assert image("paths", "--config", str(config), "extra", timeout=60).returncode == 0


def start_and_wait_until_installing(cache: Path, config: Path) -> subprocess.Popen:
    log = cache / "logs" / "killed.log"
    log.unlink(missing_ok=True)
    proc = subprocess.Popen([str(IMAGE), "build", "--config", str(config), "killed"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    # Until mmdebstrap is installing packages: staging and mounts exist by then.
    def installing():
        assert proc.poll() is None, proc.communicate()
        return leftovers(cache) and log.exists() and "I: extracting archives" in log.read_text()
    wait_for(installing, 600, "the build to reach mmdebstrap's extract step", poll=0.5)
    return proc


def test_sigterm_during_a_build_cleans_up_at_once(cache: Path, config: Path):
    before = objects(cache)
    index_before = (cache / "index.json").read_bytes()
    proc = start_and_wait_until_installing(cache, config)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 128 + signal.SIGTERM, err
    assert "[image.killed] interrupted" in err
    assert leftovers(cache) == []
    assert objects(cache) == before
    assert (cache / "index.json").read_bytes() == index_before
    wait_for(no_builder_processes, 30, "mmdebstrap to end with spectrum-image", poll=0.5)


def test_kill_9_during_a_build_leaves_nothing(cache: Path, config: Path):
    before = objects(cache)
    index_before = (cache / "index.json").read_bytes()
    proc = start_and_wait_until_installing(cache, config)
    proc.kill()
    proc.wait()
    assert leftovers(cache), "a killed build leaves its staging directory until the next run"
    wait_for(no_builder_processes, 60, "mmdebstrap to die with spectrum-image", poll=0.5)
    assert objects(cache) == before
    assert (cache / "index.json").read_bytes() == index_before
    # The next run cleans up and works.
    result = image("build", "--config", str(config), "base")
    assert result.returncode == 0, result.stderr
    assert leftovers(cache) == []
    assert objects(cache) == before
    assert "killed" not in index(cache)
    # Nothing of the dead build stayed mounted.
    assert str(cache) not in Path("/proc/self/mountinfo").read_text()


def test_changed_package_list_is_not_built(cache: Path, tmp_path: Path):
    changed = write_config(tmp_path, cache, {"extra": ["hello", "sl"]})
    result = image("paths", "--config", str(changed), "extra", timeout=60)
    assert result.returncode == 3
    assert "image extra is not built for its current package list" in result.stderr


def test_unreachable_mirror_is_one_clear_line(tmp_path: Path):
    with socket.socket() as s:  # a loopback port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    sources = tmp_path / "closed.list"
    sources.write_text(f"deb http://127.0.0.1:{port}/debian trixie main\n")
    cache = tmp_path / "cache"
    config = write_config(tmp_path, cache, {})
    result = image("build", "--config", str(config), "base", timeout=120,
                   env=dict(os.environ, SPECTRUM_IMAGE_SOURCES=str(sources)))
    assert result.returncode == 1
    lines = [line for line in result.stderr.splitlines() if not line.endswith("package index")]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("spectrum-image: cannot read the package index from the mirror: ")
    assert f"127.0.0.1:{port}" in lines[0]
    assert objects(cache) == set() and leftovers(cache) == []
