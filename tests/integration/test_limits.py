"""Per-VM limits: a VM that goes past one loses the offending connection, the log names the
VM and the limit, and every other VM and the host carry on."""

import re

import pytest

from harness import BACKGROUND, RED, frame_parts, make_config, wait_until
from pixels import distance, hex_rgb
from wire import Connection

CONFIG = make_config({
    "red": {"color": RED},
    "narrow": {"color": "#4e9a06", "limits": {"buffer_width": 100, "buffer_height": 200}},
    "tight": {"color": "#75507b", "limits": {"shm_bytes": 100000}},
    "few": {"color": "#c4a000", "limits": {"clients": 2, "surfaces": 3, "toplevels": 1}},
    "short": {"color": "#06989a", "limits": {"title_length": 10}},
})


@pytest.fixture
def desktop(spectrum):
    """The compositor, with a red and a host window that must outlive every breach."""
    comp = spectrum(CONFIG)
    bystanders = [comp.simple_shm("red"), comp.simple_shm(None)]
    return comp, bystanders


def assert_bystanders_fine(comp, bystanders):
    assert comp.alive(), comp.log_tail()
    listed = {w["id"] for w in comp.windows()}
    background = hex_rgb(BACKGROUND)
    for client, window in bystanders:
        assert client.alive(), f"{client.name} lost its connection"
        assert window["id"] in listed, f"{client.name}'s window is gone"
    for client, window in bystanders:
        parts = frame_parts(comp.focus(window["id"]))

        def drawn(image):
            content = parts.content
            count = image.count(content, lambda c: distance(c, background) > 30)
            assert count > 0.9 * content.width * content.height, image.describe(content)

        comp.screenshot_until(drawn, f"bystander-{client.name}")


def assert_logged(comp, vm, limit):
    comp.wait_for_log(rf"(?=.*\b{vm}\b)(?=.*\b{limit}\b)", timeout=5)


def test_wide_buffer_disconnects_the_client(desktop):
    comp, bystanders = desktop
    client = comp.spawn(["weston-simple-shm"], vm="narrow")  # 250 px wide, limit 100
    client.wait(10)  # it exits once its connection is cut (with status 0, as it happens)
    assert not [w for w in comp.windows() if w["vm"] == "narrow"]
    assert_logged(comp, "narrow", "buffer_width")
    assert_bystanders_fine(comp, bystanders)


def test_tall_buffer_disconnects_the_client(desktop):
    comp, bystanders = desktop
    with Connection(comp.socket_path_for("narrow")) as conn:
        conn.expect_end(lambda: conn.create_toplevel(width=80, height=300,
                                                              follow_configure=False))
    assert_logged(comp, "narrow", "buffer_height")
    # Within the limits the same VM is welcome.
    with Connection(comp.socket_path_for("narrow")) as conn:
        conn.create_toplevel(width=100, height=200, app_id="fits", follow_configure=False)
        assert comp.wait_for_window(app_id="fits")["vm"] == "narrow"
    assert_bystanders_fine(comp, bystanders)


def test_shm_bytes_limit(desktop):
    comp, bystanders = desktop
    client = comp.spawn(["weston-simple-shm"], vm="tight")  # 250*250*4 bytes per buffer
    client.wait(10)
    assert not [w for w in comp.windows() if w["vm"] == "tight"]
    assert_logged(comp, "tight", "shm_bytes")
    assert_bystanders_fine(comp, bystanders)


def test_clients_limit(desktop):
    comp, bystanders = desktop
    first = Connection(comp.socket_path_for("few"))
    second = Connection(comp.socket_path_for("few"))
    first.get_registry()
    second.get_registry()
    third = Connection(comp.socket_path_for("few"))
    try:
        third.expect_end(third.get_registry)
    finally:
        third.close()
    assert_logged(comp, "few", "clients")
    first.roundtrip()  # the two within the limit keep their connections
    second.roundtrip()
    second.close()
    # A slot is free again once a client leaves.
    wait_until(lambda: next(v for v in comp.vms() if v["name"] == "few")["clients"] == 1, 5)
    with Connection(comp.socket_path_for("few")) as again:
        again.get_registry()
        again.roundtrip()
    first.close()
    assert_bystanders_fine(comp, bystanders)


def test_surfaces_limit(desktop):
    comp, bystanders = desktop
    with Connection(comp.socket_path_for("few")) as conn:
        conn.get_registry()
        compositor = conn.bind_interface("wl_compositor", 4)
        for _ in range(3):
            conn.create_surface(compositor)
        conn.roundtrip()
        conn.expect_end(lambda: conn.create_surface(compositor))
    assert_logged(comp, "few", "surfaces")
    assert_bystanders_fine(comp, bystanders)


def test_toplevels_limit(desktop):
    comp, bystanders = desktop
    with Connection(comp.socket_path_for("few")) as first:
        first.create_toplevel(app_id="one")
        window = comp.wait_for_window(app_id="one")
        with Connection(comp.socket_path_for("few")) as second:
            second.expect_end(lambda: second.create_toplevel(app_id="two"))
        assert_logged(comp, "few", "toplevels")
        first.roundtrip()
        assert comp.window(window["id"]) is not None, "the first toplevel must stay"
    assert_bystanders_fine(comp, bystanders)


def test_title_length_limit(desktop):
    comp, bystanders = desktop
    title = "abcdefghijklmnopqrstuvwxyz"
    _, window = comp.foot("short", title=title, wait_title="abcdefghi…")
    assert len(window["title"]) == 10
    with Connection(comp.socket_path_for("short")) as conn:
        conn.create_toplevel(title="0123456789", app_id="exact")  # exactly the limit
        assert comp.wait_for_window(app_id="exact")["title"] == "0123456789"
    assert_bystanders_fine(comp, bystanders)


def test_default_title_cap(desktop):
    comp, bystanders = desktop
    _, window = comp.foot("red", title="x" * 5000, app_id="long",
                          wait_title="x" * 127 + "…")
    assert len(window["title"]) == 128 and window["title"].endswith("…"), \
        f"{len(window['title'])} code points"
    assert re.fullmatch("x{127}…", window["title"])
