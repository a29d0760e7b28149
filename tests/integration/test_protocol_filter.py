"""VM clients see an allow-list of globals; the privileged ones exist only on the host socket,
and binding one by its numeric name from a VM socket is a protocol error."""

import re
import subprocess

import pytest

from harness import RED, make_config, wait_until
from wire import Connection, ProtocolError

CONFIG = make_config({"red": {"color": RED}})

VM_ALLOWED = {
    "wl_compositor", "wl_subcompositor", "wl_shm", "wl_seat", "wl_output",
    "wl_data_device_manager", "xdg_wm_base", "zxdg_decoration_manager_v1", "wp_viewporter",
    "wp_presentation", "wp_fractional_scale_manager_v1",
    "wp_single_pixel_buffer_manager_v1", "wp_cursor_shape_manager_v1",
    "zwp_primary_selection_device_manager_v1", "xdg_activation_v1",
    "zxdg_output_manager_v1", "zwp_linux_dmabuf_v1",
}

# What a VM needs to show a window at all.
VM_REQUIRED = {"wl_compositor", "wl_shm", "wl_seat", "wl_output", "xdg_wm_base",
               "zxdg_decoration_manager_v1", "wl_data_device_manager"}

# What the host socket offers because tests and trusted tools use it.
HOST_PRIVILEGED = {"zwlr_screencopy_manager_v1", "zwp_virtual_keyboard_manager_v1",
                   "zwlr_virtual_pointer_manager_v1", "zwlr_data_control_manager_v1",
                   "zwlr_foreign_toplevel_manager_v1", "zwlr_output_manager_v1",
                   "zwlr_gamma_control_manager_v1", "wp_security_context_manager_v1"}

# Never on a VM socket, whatever else changes.
NEVER_FOR_VMS = HOST_PRIVILEGED | {
    "zwlr_export_dmabuf_manager_v1", "zwlr_layer_shell_v1",
    "zwlr_foreign_toplevel_manager_v1", "ext_foreign_toplevel_list_v1",
    "zwp_input_method_manager_v2", "zwlr_output_manager_v1",
    "zwlr_gamma_control_manager_v1", "ext_session_lock_manager_v1",
    "wp_security_context_manager_v1", "ext_idle_notifier_v1",
    "zwlr_output_power_manager_v1", "ext_data_control_manager_v1",
    "zwp_keyboard_shortcuts_inhibit_manager_v1", "zwp_pointer_constraints_v1",
    "ext_image_copy_capture_manager_v1", "ext_output_image_capture_source_manager_v1",
}


def wayland_info(comp, vm) -> set[str]:
    result = subprocess.run(["wayland-info"], env=comp.client_env(vm), capture_output=True,
                            text=True, timeout=15)
    assert result.returncode == 0, f"wayland-info on {vm or 'host'}: {result.stderr}"
    interfaces = set(re.findall(r"interface: '([^']+)'", result.stdout))
    assert interfaces, f"wayland-info printed no globals:\n{result.stdout[:2000]}"
    return interfaces


@pytest.fixture
def comp(spectrum):
    return spectrum(CONFIG)


def test_vm_socket_lists_only_allowed_globals(comp):
    interfaces = wayland_info(comp, "red")
    assert interfaces <= VM_ALLOWED, f"not on the allow-list: {sorted(interfaces - VM_ALLOWED)}"
    assert VM_REQUIRED <= interfaces, f"missing: {sorted(VM_REQUIRED - interfaces)}"
    assert not interfaces & NEVER_FOR_VMS


def test_host_socket_lists_privileged_globals(comp):
    interfaces = wayland_info(comp, None)
    assert HOST_PRIVILEGED <= interfaces, f"missing: {sorted(HOST_PRIVILEGED - interfaces)}"
    assert VM_REQUIRED <= interfaces
    assert interfaces & {"zwlr_foreign_toplevel_manager_v1", "ext_foreign_toplevel_list_v1"}, \
        "no foreign-toplevel global for host tools (taskbars, window switchers)"


def test_vm_globals_are_the_hosts_under_the_same_names(comp):
    with Connection(comp.socket_path_for(None)) as host, \
            Connection(comp.socket_path_for("red")) as vm:
        host_globals = host.get_registry()
        vm_globals = vm.get_registry()
    for name, item in vm_globals.items():
        assert name in host_globals, f"{item.interface} has a VM-only name {name}"
        assert host_globals[name].interface == item.interface
    hidden = {item.interface for name, item in host_globals.items() if name not in vm_globals}
    assert HOST_PRIVILEGED <= hidden


def hidden_globals(comp):
    with Connection(comp.socket_path_for(None)) as host, \
            Connection(comp.socket_path_for("red")) as vm:
        host_globals = host.get_registry()
        vm_names = set(vm.get_registry())
    return [item for name, item in sorted(host_globals.items()) if name not in vm_names]


def test_binding_a_hidden_global_by_name_is_refused(comp):
    hidden = hidden_globals(comp)
    assert {item.interface for item in hidden} >= HOST_PRIVILEGED
    for item in hidden:
        with Connection(comp.socket_path_for("red")) as conn:
            conn.get_registry()
            end = conn.expect_end(lambda: conn.bind(item.name, item.interface, 1))
            assert isinstance(end, ProtocolError), f"binding {item.interface}: {end!r}"
        assert comp.alive()
    # The same binds from the host socket are fine.
    for item in hidden:
        with Connection(comp.socket_path_for(None)) as conn:
            conn.get_registry()
            conn.bind(item.name, item.interface, 1)
            conn.roundtrip()


def test_binding_a_hidden_global_under_an_allowed_interface_name_is_refused(comp):
    """The name decides, not the interface string the client claims."""
    screencopy = next(i for i in hidden_globals(comp) if i.interface ==
                      "zwlr_screencopy_manager_v1")
    with Connection(comp.socket_path_for("red")) as conn:
        conn.get_registry()
        end = conn.expect_end(lambda: conn.bind(screencopy.name, "wl_compositor", 1))
        assert isinstance(end, ProtocolError), repr(end)


def test_allowed_globals_bind_from_a_vm(comp):
    with Connection(comp.socket_path_for("red")) as conn:
        for item in conn.get_registry().values():
            conn.bind(item.name, item.interface, 1)
        conn.roundtrip()
        window = conn.create_toplevel(app_id="raw-ok")
        listed = comp.wait_for_window(app_id="raw-ok")
        assert listed["vm"] == "red" and not window.closed


def test_grim_cannot_screenshot_from_a_vm(comp):
    result = subprocess.run(["grim", "-t", "ppm", "-"], env=comp.client_env("red"),
                            capture_output=True, timeout=15)
    assert result.returncode != 0
    assert not result.stdout.startswith(b"P6")


def test_wtype_cannot_type_from_a_vm(comp, artifacts):
    out = artifacts.path("typed.txt")
    _, window = comp.reader_foot(None, out, "reader")
    comp.focus(window["id"])
    result = subprocess.run(["wtype", "injected\n"], env=comp.client_env("red"),
                            capture_output=True, timeout=15)
    assert result.returncode != 0
    comp.type_keys("real\n")
    wait_until(lambda: out.exists() and out.read_text() == "real", 10,
               message="only the host's keys reach the terminal")
