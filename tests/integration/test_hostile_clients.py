"""Clients that break the protocol lose their own connection and nothing else: the
compositor keeps answering spectrumctl and keeps drawing everyone else's windows."""

import os
import random
import signal

import pytest

from harness import BACKGROUND, BLACK, RED, frame_parts, make_config, wait_until
from pixels import distance, hex_rgb
from wire import Connection, Disconnected, ProtocolError, string, u32

CONFIG = make_config({"red": {"color": RED}})


@pytest.fixture
def desktop(spectrum):
    """A compositor with a VM and a host window that must survive every hostile client."""
    comp = spectrum(CONFIG)
    survivor, window = comp.simple_shm()
    return comp, survivor, window


def assert_unharmed(comp, survivor, window):
    assert comp.alive(), f"compositor died:\n{comp.log_tail()}"
    assert survivor.alive(), "an innocent client lost its connection"
    assert [w["id"] for w in comp.windows()] == [window["id"]]
    parts = frame_parts(window)
    background = hex_rgb(BACKGROUND)

    def drawn(image):
        content = parts.content
        count = image.count(content, lambda c: distance(c, background) > 30)
        assert count > 0.9 * content.width * content.height, image.describe(content)

    comp.screenshot_until(drawn, "survivor")
    # New clients are still welcome on every socket.
    for vm in (None, "red"):
        with Connection(comp.socket_path_for(vm)) as conn:
            assert conn.get_registry(), f"no globals on the {vm or 'host'} socket"


def header(object_id: int, size: int, opcode: int) -> bytes:
    return u32(object_id) + u32((size << 16) | opcode)


MALFORMED = {
    # Random bytes behind a header naming an object that does not exist.
    "garbage": header(0x41414141, 32, 7) + random.Random(7).randbytes(4096 - 8),
    # wl_display has two requests; opcode 9 is not one of them.
    "bad-opcode": header(1, 8, 9),
    # wl_display.sync without its new_id argument.
    "truncated-arguments": header(1, 8, 0),
    # wl_display.get_registry with an id the client may not allocate (server-side range).
    "server-side-id": header(1, 12, 1) + u32(0xFF000001),
}


@pytest.mark.parametrize("vm", [None, "red"], ids=["host", "vm"])
@pytest.mark.parametrize("kind", sorted(MALFORMED))
def test_malformed_request_disconnects_only_that_client(desktop, vm, kind):
    comp, survivor, window = desktop
    with Connection(comp.socket_path_for(vm)) as conn:
        conn.get_registry()
        conn.send_raw(MALFORMED[kind])
        end = conn.wait_for_end(timeout=5)
        assert isinstance(end, (ProtocolError, Disconnected)), end
    assert_unharmed(comp, survivor, window)


@pytest.mark.parametrize("vm", [None, "red"], ids=["host", "vm"])
def test_bad_bind_arguments_are_protocol_errors(desktop, vm):
    comp, survivor, window = desktop
    with Connection(comp.socket_path_for(vm)) as conn:
        compositor = conn.get_registry() and conn.find_global("wl_compositor")
        conn.bind(compositor.name, "wl_compositor", compositor.version + 50)
        end = conn.wait_for_end(timeout=5)
        assert isinstance(end, ProtocolError), end
    with Connection(comp.socket_path_for(vm)) as conn:
        conn.get_registry()
        # A string whose length runs past the end of the message.
        conn.request(conn.registry, 0, u32(1), u32(0xFFFFFFF0), u32(1), u32(3))
        assert isinstance(conn.wait_for_end(timeout=5), (ProtocolError, Disconnected))
    assert_unharmed(comp, survivor, window)


def test_garbage_without_a_handshake(desktop):
    comp, survivor, window = desktop
    rng = random.Random(11)
    for vm in (None, "red"):
        for _ in range(5):
            conn = Connection(comp.socket_path_for(vm))
            try:
                conn.send_raw(rng.randbytes(rng.randrange(1, 2048)))
            except (ProtocolError, Disconnected):
                pass
            conn.close()  # mid-message: the compositor must not wait on it forever
    assert_unharmed(comp, survivor, window)


def test_invalid_utf8_title_is_refused_or_made_valid(desktop):
    """Either answer is safe: a protocol error for the client, or a listed title that is
    valid text. What must not happen is invalid UTF-8 in spectrumctl's JSON or a crash."""
    comp, survivor, window = desktop
    with Connection(comp.socket_path_for("red")) as conn:
        try:
            conn.create_toplevel(title=b"ab\xff\xfe\xc0\xafcd\xed\xa0\x80", app_id="bad-utf8")
        except ProtocolError:
            assert not [w for w in comp.windows() if w["app_id"] == "bad-utf8"]
        else:
            listed = comp.wait_for_window(app_id="bad-utf8", vm="red")  # JSON parsed: valid
            assert listed["title"].startswith("ab"), listed["title"]
            assert "cd" in listed["title"], listed["title"]
            listed["title"].encode("utf-8")  # no lone surrogates smuggled through
            comp.ctl("windows")  # the table printer copes too
    wait_until(lambda: not [w for w in comp.windows() if w["app_id"] == "bad-utf8"], 5)
    assert_unharmed(comp, survivor, window)


def test_many_short_connections(desktop):
    comp, survivor, window = desktop
    for i in range(60):
        with Connection(comp.socket_path_for("red" if i % 2 else None)) as conn:
            if i % 3 == 0:
                conn.get_registry()
            # else: connect and hang up at once
    assert_unharmed(comp, survivor, window)


def test_killed_vm_client_mid_frame(desktop):
    comp, survivor, window = desktop
    victim, victim_window = comp.foot("red", app_id="victim")
    victim.signal(signal.SIGKILL)
    comp.wait_for_no_window(victim_window["id"])
    assert_unharmed(comp, survivor, window)


def test_client_vanishing_with_a_mapped_window(desktop):
    comp, survivor, window = desktop
    conn = Connection(comp.socket_path_for("red"))
    conn.create_toplevel(app_id="vanishing")
    listed = comp.wait_for_window(app_id="vanishing")
    conn.close()  # no destroy requests at all
    comp.wait_for_no_window(listed["id"])
    assert_unharmed(comp, survivor, window)


def test_request_string_without_terminator(desktop):
    comp, survivor, window = desktop
    with Connection(comp.socket_path_for("red")) as conn:
        conn.get_registry()
        item = conn.find_global("wl_compositor")
        raw = string("wl_compositor")[:-3] + b"xyz"  # NUL overwritten
        conn.request(conn.registry, 0, u32(item.name), raw, u32(1), u32(3))
        assert isinstance(conn.wait_for_end(timeout=5), (ProtocolError, Disconnected))
    assert_unharmed(comp, survivor, window)


def sigbus_caught(pid: int) -> bool:
    """Whether the process has a handler for SIGBUS installed (SigCgt in /proc/PID/status)."""
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("SigCgt:"):
            return bool(int(line.split()[1], 16) >> (signal.SIGBUS - 1) & 1)
    raise AssertionError(f"no SigCgt in /proc/{pid}/status")


def test_shrunk_shm_file_reads_as_black(desktop):
    """A client may shrink the file under a buffer it has shown; reading past its end raises
    SIGBUS in the compositor. wlroots maps zeroes there; Spectrum keeps that handler
    installed for good (the shm pin: no sigaction() per buffer drawn), so it must still
    catch the fault — the window turns black, the frame stays, nobody else is hurt."""
    comp, survivor, window = desktop
    # Between frames, with no buffer being read: only the pin keeps the handler installed.
    assert sigbus_caught(comp.proc.pid), "SIGBUS has no handler: the shm pin is not held"
    green = 0xFF20C040
    with Connection(comp.socket_path_for("red")) as conn:
        shrinker = conn.create_toplevel(320, 200, color=green, app_id="shrinker",
                                        follow_configure=False)
        listed = comp.wait_for_window(app_id="shrinker", vm="red")
        # It opened without focus, so below the focused window: bring it up to look at it.
        comp.focus(listed["id"])
        parts = frame_parts(listed)
        content = parts.content
        red = hex_rgb(RED)

        def coloured(colour):
            def check(image):
                assert image.count(content, lambda c: distance(c, colour) < 30) > \
                    0.95 * content.width * content.height, image.describe(content)
                assert image.count(parts.top, lambda c: distance(c, red) < 30) > \
                    0.9 * parts.top.width * parts.top.height, image.describe(parts.top)
            return check

        comp.screenshot_until(coloured((0x20, 0xC0, 0x40)), "shm-before-shrink")
        buffer = conn.create_buffer(shrinker.shm, 320, 200, green)
        fd, _mapping = conn._shm_pools[-1]
        os.ftruncate(fd, 0)  # the whole buffer now lies past the end of its file
        conn.attach_and_commit(shrinker.surface, buffer, 320, 200)
        conn.roundtrip()
        comp.screenshot_until(coloured(BLACK), "shm-after-shrink")
        assert comp.alive(), f"compositor died:\n{comp.log_tail()}"
    assert sigbus_caught(comp.proc.pid), "the handler went with the fault"
    assert_unharmed(comp, survivor, window)
