"""Per-VM sockets are never stolen and never left open to others: a second compositor in the
same runtime directory leaves a live VM socket alone, a socket left behind by a killed
compositor is replaced, and each VM's directory is 0700 and its socket 0600 whatever the
umask."""

import errno
import os
import shutil
import signal
import socket
import stat

import pytest

from harness import RED, make_config, mode, wait_until
from wire import Connection

CONFIG = make_config({"red": {"color": RED}})
SECOND_SOCKET = "wayland-spectrum-second"


@pytest.fixture
def leftovers():
    """Folders to remove after every compositor of the test has stopped: the runtime
    directory of a compositor the test killed (list this fixture before `spectrum`, so it
    is torn down after it)."""
    paths = []
    yield paths
    for path in paths:
        shutil.rmtree(path, ignore_errors=True)


def share_runtime_dir(comp, owner) -> None:
    """Makes `comp` (not started yet) run in `owner`'s XDG_RUNTIME_DIR."""
    comp.runtime_dir = owner.runtime_dir


def connect_refused(path) -> bool:
    """True when `path` is a socket file nobody listens on (what a dead owner leaves)."""
    probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        probe.connect(str(path))
    except OSError as exc:
        return exc.errno == errno.ECONNREFUSED
    finally:
        probe.close()
    return False


def serves_red_window(comp, app_id: str) -> None:
    """A new client on `comp`'s red socket gets a window that `comp` lists as red's."""
    with Connection(comp.socket_path_for("red")) as conn:
        conn.create_toplevel(app_id=app_id)
        comp.wait_for_window(app_id=app_id, vm="red")


def kill_hard(comp) -> None:
    """SIGKILL: nothing of the compositor's own cleanup runs."""
    comp.proc.send_signal(signal.SIGKILL)
    comp.proc.wait(timeout=10)
    comp.stopped = True  # the fixture must not report the death the test caused
    comp.kill_clients()


# --- a live socket is never stolen ------------------------------------------------------------


def test_second_compositor_does_not_steal_a_live_vm_socket(spectrum):
    first = spectrum(CONFIG)
    vm_socket = first.vm_socket("red")
    identity = os.stat(vm_socket).st_ino
    # A client of the first compositor, connected before the second one starts.
    early = Connection(first.socket_path_for("red"))
    try:
        early.create_toplevel(app_id="early")
        first.wait_for_window(app_id="early", vm="red")

        second = spectrum(CONFIG, wait=False, socket=SECOND_SOCKET)
        share_runtime_dir(second, first)
        second.launch()
        second.wait_for_log(r"Spectrum running on WAYLAND_DISPLAY=" + SECOND_SOCKET)
        second.wait_for_log(r"VM red: .*wayland-0 is in use by another process")
        assert second.alive(), second.log_tail()
        assert "VM red listening" not in second.log_text()

        # The socket file is the first compositor's, untouched, and it serves new clients.
        assert os.stat(vm_socket).st_ino == identity, "the VM socket file was replaced"
        early.roundtrip()
        serves_red_window(first, "after-second")
        second_ctl = {"SPECTRUM_CTL_SOCKET": str(first.ctl_socket.parent
                                                 / f"ctl-{SECOND_SOCKET}.sock")}
        listed = second.ctl("windows", "--json", env=second_ctl).stdout
        assert "after-second" not in listed and "early" not in listed, listed

        # The second one leaving takes nothing of the first one's with it.
        second.stop()
        assert vm_socket.exists() and os.stat(vm_socket).st_ino == identity
        early.roundtrip()
        serves_red_window(first, "after-second-left")
    finally:
        early.close()


def test_second_compositor_on_the_same_host_socket_fails_cleanly(spectrum):
    """Same runtime dir and same host socket name: the second one cannot start; it says why,
    and the first keeps every socket it had."""
    first = spectrum(CONFIG)
    vm_socket = first.vm_socket("red")
    identity = os.stat(vm_socket).st_ino
    second = spectrum(CONFIG, wait=False)
    share_runtime_dir(second, first)
    status = second.run_to_exit()
    shutil.rmtree(second.tmp, ignore_errors=True)  # its own files; nothing ran in them
    assert status != 0, second.log_text()
    assert "wayland-spectrum-test" in second.log_text(), second.log_text()
    assert os.stat(vm_socket).st_ino == identity
    assert first.host_socket.exists() and first.ctl_socket.exists()
    serves_red_window(first, "still-served")
    assert first.ctl("windows").returncode == 0


# --- a stale socket is replaced ---------------------------------------------------------------


def test_socket_of_a_killed_compositor_is_replaced(leftovers, spectrum):
    first = spectrum(CONFIG)
    vm_socket = first.vm_socket("red")
    kill_hard(first)
    leftovers.append(first.tmp)
    # What a crash leaves: the socket file (nobody listening) and its lock file (unlocked).
    assert stat.S_ISSOCK(os.lstat(vm_socket).st_mode)
    assert connect_refused(vm_socket)
    assert vm_socket.with_name("wayland-0.lock").exists()

    second = spectrum(CONFIG, wait=False)
    share_runtime_dir(second, first)
    second.start()
    second.wait_for_log(r"VM red listening on " + str(vm_socket))
    serves_red_window(second, "after-crash")
    assert mode(vm_socket) == 0o600


def test_abandoned_socket_file_without_lock_is_replaced(spectrum):
    """A socket file bound and then abandoned (no lock file at all) is stale too."""
    comp = spectrum(CONFIG, wait=False)
    vm_dir = comp.runtime_dir / "spectrum" / "vm" / "red"
    vm_dir.mkdir(parents=True, mode=0o700)
    abandoned = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    abandoned.bind(str(vm_dir / "wayland-0"))
    abandoned.close()  # bound, never listening, now without an owner
    assert connect_refused(vm_dir / "wayland-0")
    assert not (vm_dir / "wayland-0.lock").exists()

    comp.start()
    comp.wait_for_log(r"VM red listening on ")
    serves_red_window(comp, "after-abandoned")
    assert comp.vm_socket("red") == vm_dir / "wayland-0"


# --- permissions ------------------------------------------------------------------------------


@pytest.mark.parametrize("umask", [0o022, 0o000], ids=["umask-022", "umask-000"])
def test_vm_socket_directory_is_private(spectrum, umask):
    old = os.umask(umask)
    try:
        comp = spectrum(CONFIG)  # the compositor inherits the umask
    finally:
        os.umask(old)
    vm_socket = comp.vm_socket("red")
    vm_dir = vm_socket.parent
    # Every directory the compositor makes is private, not only the last one.
    for path, expected in ((vm_dir, 0o700), (vm_dir.parent, 0o700), (vm_socket, 0o600),
                           (vm_socket.with_name("wayland-0.lock"), 0o600),
                           (comp.ctl_socket.parent, 0o700)):
        assert mode(path) == expected, f"{path} has mode {oct(mode(path))}"
        assert os.lstat(path).st_uid == os.geteuid(), f"{path} is not ours"
    assert stat.S_ISDIR(os.lstat(vm_dir).st_mode)
    assert stat.S_ISSOCK(os.lstat(vm_socket).st_mode)
    serves_red_window(comp, "private")


def test_loose_vm_directory_is_made_private(spectrum):
    """A VM directory left with mode 0755 (by anything) is tightened before the socket is
    made in it."""
    comp = spectrum(CONFIG, wait=False)
    vm_dir = comp.runtime_dir / "spectrum" / "vm" / "red"
    vm_dir.mkdir(parents=True)
    os.chmod(vm_dir, 0o755)
    comp.start()
    assert mode(vm_dir) == 0o700, f"{vm_dir} has mode {oct(mode(vm_dir))}"
    assert mode(comp.vm_socket("red")) == 0o600


def test_symlinked_vm_directory_is_refused(spectrum, tmp_path):
    """A symlink where the VM's directory belongs could send the socket anywhere: the VM
    gets no socket, the log says why, and nothing is created where the link points."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir(mode=0o700)
    comp = spectrum(CONFIG, wait=False)
    vm_parent = comp.runtime_dir / "spectrum" / "vm"
    vm_parent.mkdir(parents=True)
    (vm_parent / "red").symlink_to(elsewhere)
    comp.start()
    comp.wait_for_log(r"VM red: .*red is not a directory")
    assert list(elsewhere.iterdir()) == [], "files were created through the symlink"
    with pytest.raises(OSError):
        Connection(comp.socket_path_for("red")).close()


def test_vm_socket_and_lock_are_removed_on_exit(spectrum):
    comp = spectrum(CONFIG)
    vm_socket = comp.vm_socket("red")
    runtime = comp.runtime_dir
    comp.proc.send_signal(signal.SIGTERM)
    # wait_exit() removes the runtime dir: look before it does.
    wait_until(lambda: comp.proc.poll() is not None, 10, message="compositor to exit")
    assert comp.proc.returncode == 0, comp.log_tail()
    leftover = sorted(str(p.relative_to(runtime)) for p in runtime.rglob("*"))
    assert not vm_socket.exists() and not vm_socket.with_name("wayland-0.lock").exists(), \
        leftover
    assert not vm_socket.parent.exists(), f"empty VM directory left behind: {leftover}"
    comp.wait_exit()
