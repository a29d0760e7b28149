"""Reloading the config (spectrumctl reload or SIGHUP) adds and removes VM sockets, cuts off
the clients of a removed VM, applies new colours, and never replaces a good config with a
broken one."""

import signal

import pytest

from harness import BLUE, RED, check_frame, frame_parts, make_config, wait_until
from wire import Connection, Disconnected, ProtocolError

GREEN = "#4e9a06"
RED_AND_BLUE = make_config({"red": {"color": RED}, "blue": {"color": BLUE}})
RED_AND_GREEN = make_config({"red": {"color": RED}, "green": {"color": GREEN}})


def vm_names(comp) -> set[str]:
    return {vm["name"] for vm in comp.vms()}


def reload_with(comp, how: str) -> None:
    if how == "ctl":
        comp.ctl("reload")
    else:
        comp.proc.send_signal(signal.SIGHUP)


@pytest.mark.parametrize("how", ["ctl", "sighup"])
def test_reload_adds_and_removes_vms(spectrum, how):
    comp = spectrum(RED_AND_BLUE)
    red_client, red_window = comp.simple_shm("red")
    blue_client, blue_window = comp.simple_shm("blue")
    assert not comp.vm_socket("green").exists()

    comp.write_config(RED_AND_GREEN)
    reload_with(comp, how)
    wait_until(lambda: vm_names(comp) == {"red", "green"}, 5, message="VMs after reload")
    assert comp.vm_socket("green").exists()
    wait_until(lambda: not comp.vm_socket("blue").exists(), 5, message="blue socket removed")
    # The removed VM's clients are cut off; the kept VM's are not touched.
    blue_client.wait(10)
    comp.wait_for_no_window(blue_window["id"])
    assert red_client.alive() and comp.window(red_window["id"]) is not None
    # The new VM works at once.
    _, green_window = comp.simple_shm("green")
    assert green_window["vm"] == "green"
    parts = frame_parts(comp.focus(green_window["id"]))
    comp.screenshot_until(lambda image: check_frame(image, parts, GREEN), "green-after-reload")


def test_reload_recolours_existing_windows(spectrum):
    comp = spectrum(RED_AND_BLUE)
    _, window = comp.simple_shm("red")
    comp.write_config(make_config({"red": {"color": "#ad7fa8"}, "blue": {"color": BLUE}}))
    comp.ctl("reload")
    wait_until(lambda: next(v for v in comp.vms() if v["name"] == "red")["color"].lower()
               == "#ad7fa8", 5, message="new colour listed")
    parts = frame_parts(comp.focus(window["id"]))
    comp.screenshot_until(lambda image: check_frame(image, parts, "#ad7fa8"), "recoloured")


@pytest.mark.parametrize("how", ["ctl", "sighup"])
def test_broken_config_leaves_running_one(spectrum, how):
    comp = spectrum(RED_AND_BLUE)
    red_client, red_window = comp.simple_shm("red")
    before_vms = comp.vms()
    comp.write_config(RED_AND_GREEN + "\n[vm.broken\ncolor = 1\n")
    if how == "ctl":
        result = comp.ctl("reload", check=False)
        assert result.returncode != 0, "reload of a broken config reported success"
        message = result.stderr.strip()
        assert len(message.splitlines()) == 1, message
        assert str(comp.config_path) in message, message
    else:
        comp.proc.send_signal(signal.SIGHUP)
        comp.wait_for_log(str(comp.config_path) + r":\d+:\d+: ", timeout=5)
    assert comp.alive()
    assert comp.vms() == before_vms
    assert comp.vm_socket("blue").exists() and not comp.vm_socket("green").exists()
    assert red_client.alive() and comp.window(red_window["id"]) is not None
    with Connection(comp.socket_path_for("blue")) as conn:
        conn.get_registry()
    parts = frame_parts(comp.focus(red_window["id"]))
    comp.screenshot_until(lambda image: check_frame(image, parts, RED), "after-bad-reload")


def test_removed_vm_raw_connection_is_closed(spectrum):
    comp = spectrum(RED_AND_BLUE)
    conn = Connection(comp.socket_path_for("blue"))
    try:
        conn.get_registry()
        comp.write_config(RED_AND_GREEN)
        comp.ctl("reload")
        end = conn.wait_for_end(timeout=5)
        assert isinstance(end, (ProtocolError, Disconnected))
    finally:
        conn.close()
    assert comp.alive()


def test_reload_lowers_a_running_vms_limits(spectrum):
    """Limits lowered by a reload bind the running VM at once: what it already holds stays,
    the next client or surface beyond the new limit is refused. Raised, they let it grow."""
    comp = spectrum(RED_AND_BLUE)
    first = Connection(comp.socket_path_for("red"))
    second = Connection(comp.socket_path_for("red"))
    try:
        first.get_registry()
        compositor = first.bind_interface("wl_compositor", 4)
        for _ in range(2):
            first.create_surface(compositor)
        first.roundtrip()
        second.get_registry()
        second.roundtrip()

        comp.write_config(make_config({"red": {"color": RED, "limits": {"clients": 2, "surfaces": 3}},
                                       "blue": {"color": BLUE}}))
        comp.ctl("reload")
        first.roundtrip()  # within the new limits: both keep their connections
        second.roundtrip()

        # A third client is one too many now (16 before the reload).
        with Connection(comp.socket_path_for("red")) as third:
            third.expect_end(third.get_registry)
        comp.wait_for_log(r"(?=.*\bred\b)(?=.*\bclients limit 2\b)", timeout=5)
        # The third surface fits, the fourth does not (1024 before the reload).
        first.create_surface(compositor)
        first.roundtrip()
        first.expect_end(lambda: first.create_surface(compositor))
        comp.wait_for_log(r"(?=.*\bred\b)(?=.*\bsurfaces limit 3\b)", timeout=5)
        second.roundtrip()  # the rest of the VM carries on

        # Blue kept its defaults.
        with Connection(comp.socket_path_for("blue")) as a, Connection(comp.socket_path_for("blue")) as b, \
                Connection(comp.socket_path_for("blue")) as c:
            for conn in (a, b, c):
                conn.get_registry()
                conn.roundtrip()

        # Raised again, the limit lets red grow past the old one at once.
        comp.write_config(make_config({"red": {"color": RED, "limits": {"clients": 3}},
                                       "blue": {"color": BLUE}}))
        comp.ctl("reload")
        wait_until(lambda: next(v for v in comp.vms() if v["name"] == "red")["clients"] == 1, 5,
                   message=lambda: f"one red client left: {comp.vms()}")
        with Connection(comp.socket_path_for("red")) as a, Connection(comp.socket_path_for("red")) as b:
            for conn in (a, b):
                conn.get_registry()
                conn.roundtrip()
    finally:
        first.close()
        second.close()
    assert comp.alive()
