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
