"""What the wire fuzzer (tests/fuzz/wire) found, each bug minimised to the few requests that
trigger it: a VM client sends them, the compositor must survive with one log line, the other
VM's window stays drawn, and new clients are still welcome."""

import time

import pytest

from harness import BACKGROUND, BLUE, RED, frame_parts, make_config
from pixels import distance, hex_rgb
from wire import ANCHOR_BOTTOM, GRAVITY_BOTTOM, Connection, WaylandError, u32

CONFIG = make_config({"red": {"color": RED}, "blue": {"color": BLUE}})


@pytest.fixture
def desktop(spectrum):
    comp = spectrum(CONFIG)
    bystander, window = comp.simple_shm("blue")
    return comp, bystander, window


def assert_unharmed(comp, bystander, window):
    assert comp.alive(), f"compositor died:\n{comp.log_tail()}"
    assert bystander.alive(), "blue's client lost its connection"
    assert window["id"] in [w["id"] for w in comp.windows()]
    content = frame_parts(comp.focus(window["id"])).content
    background = hex_rgb(BACKGROUND)

    def drawn(image):
        count = image.count(content, lambda c: distance(c, background) > 30)
        assert count > 0.9 * content.width * content.height, image.describe(content)

    comp.screenshot_until(drawn, "bystander")
    with Connection(comp.socket_path_for("red")) as conn:
        assert conn.get_registry(), "no globals on red's socket after the attack"


def parentless_popup(conn: Connection, parent_xdg_surface: int = 0) -> tuple[int, int]:
    """surface, xdg_surface, get_popup(parent, positioner), commit: the popup's parent is
    `parent_xdg_surface`, 0 (null) by default — which xdg_surface.get_popup allows."""
    compositor = conn.shared("wl_compositor", 4)
    wm_base = conn.shared("xdg_wm_base", 2)
    positioner = conn.create_positioner(wm_base, 40, 30, (0, 0, 10, 10), ANCHOR_BOTTOM,
                                        GRAVITY_BOTTOM)
    surface = conn.create_surface(compositor)
    xdg_surface = conn.new_id()
    conn.request(wm_base, 2, u32(xdg_surface), u32(surface))  # get_xdg_surface
    popup = conn.new_id()
    conn.request(xdg_surface, 2, u32(popup), u32(parent_xdg_surface), u32(positioner))
    conn.request(surface, 6)  # commit
    return xdg_surface, popup


def test_popup_without_a_parent(desktop):
    """Seeds 1, 2 and 3 of the first fuzz run: xdg_surface.get_popup with a null parent
    made create_popup() call wlr_xdg_surface_try_from_wlr_surface(NULL): SIGSEGV, every VM
    lost every window."""
    comp, bystander, window = desktop
    with Connection(comp.socket_path_for("red")) as conn:
        try:
            parentless_popup(conn)
            conn.roundtrip()
        except WaylandError:
            pass  # refusing the popup with a protocol error would be fine too
    comp.wait_for_log(r"xdg_popup without a parent from red", timeout=5)
    assert_unharmed(comp, bystander, window)


def test_popup_of_a_popup_without_a_parent(desktop):
    """The same one level down: the nested popup's chain of parents ends in null."""
    comp, bystander, window = desktop
    with Connection(comp.socket_path_for("red")) as conn:
        try:
            root, _ = parentless_popup(conn)
            parentless_popup(conn, parent_xdg_surface=root)
            conn.roundtrip()
        except WaylandError:
            pass
    assert_unharmed(comp, bystander, window)


def rss_kib(pid: int) -> int:
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError(f"no VmRSS for pid {pid}")


def test_refused_drags_without_a_source_are_freed(desktop):
    """wl_data_device.start_drag with no source and a made-up serial: the compositor refuses
    the drag, and wlroots frees a refused drag only when its source goes. LeakSanitizer
    found the 312 bytes each such request left behind; 40,000 of them grew the compositor
    by about 13 MiB, and a VM may send as many as it likes."""
    comp, bystander, window = desktop
    with Connection(comp.socket_path_for("red")) as conn:
        compositor = conn.shared("wl_compositor", 4)
        seat = conn.shared("wl_seat", 5)
        manager = conn.shared("wl_data_device_manager", 3)
        origin = conn.create_surface(compositor)
        icon = conn.create_surface(compositor)
        device = conn.new_id()
        conn.request(manager, 1, u32(device), u32(seat))  # get_data_device
        conn.roundtrip()

        def start_drags(count: int, with_icon: bool = False) -> None:
            # start_drag(source: null, origin, icon, serial: never sent to this client)
            one = (u32(device) + u32((24 << 16) | 0) + u32(0) + u32(origin)
                   + u32(icon if with_icon else 0) + u32(0x7FFFFFF0))
            for _ in range(count // 1000):
                conn.send_raw(one * 1000)
                conn.roundtrip()

        start_drags(1000, with_icon=True)  # an icon too (the surface keeps its role)
        start_drags(3000)  # the allocator's own warm-up
        before = rss_kib(comp.proc.pid)
        start_drags(40000)
        after = rss_kib(comp.proc.pid)
    assert after - before < 4096, f"40,000 refused drags grew the compositor by {after - before} KiB"
    assert_unharmed(comp, bystander, window)


def test_second_grab_of_an_unmapped_popup(desktop):
    """Random seed 640613282: xdg_popup.grab twice before the popup is mapped. wlroots 0.18's
    xdg_popup_handle_grab() only refuses a grab of a mapped popup, and inserts the popup's
    grab_link into the seat's popup grab list a second time: the list turns into a loop,
    and the next walk of it (ending the grab sends popup_done to each popup) sends
    popup_done forever. The compositor answers nobody until libwayland drops the client
    whose buffer overflowed ("Data too big for buffer"), 10-25 s later; a VM may repeat it."""
    comp, bystander, window = desktop
    with Connection(comp.socket_path_for("red")) as conn:
        parent = conn.create_toplevel(200, 120)
        seat = conn.shared("wl_seat", 5)
        positioner = conn.create_positioner(parent.wm_base, 40, 30, (0, 0, 10, 10),
                                            ANCHOR_BOTTOM, GRAVITY_BOTTOM)
        surface = conn.create_surface(parent.compositor)
        xdg_surface = conn.new_id()
        conn.request(parent.wm_base, 2, u32(xdg_surface), u32(surface))  # get_xdg_surface
        popup = conn.new_id()
        conn.request(xdg_surface, 2, u32(popup), u32(parent.xdg_surface), u32(positioner))
        conn.request(popup, 1, u32(seat), u32(51))  # grab
        conn.request(popup, 1, u32(seat), u32(375))  # grab again, still unmapped
        conn.request(surface, 6)  # commit
        started = time.monotonic()
        try:
            conn.roundtrip(timeout=30)
        except WaylandError:
            pass  # cutting the client off is a fine answer
        took = time.monotonic() - started
    assert took < 2, f"the compositor answered nobody for {took:.1f} s"
    assert_unharmed(comp, bystander, window)
