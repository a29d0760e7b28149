"""A window's VM is the socket its client connected to, and the screen says so: a border and
a title bar in the VM's colour with a `[label] title` text, drawn by the compositor."""

import pytest

from harness import (BLACK, BLUE, HOST_FRAME, RED, WHITE, check_frame, frame_parts, make_config, mode,
                     wait_until)
from pixels import Rect, distance, hex_rgb

CONFIG = make_config({"red": {"color": RED, "label": "red"},
                      "blue": {"color": BLUE, "label": "Work"}})

def text_span(image, parts, colour) -> int:
    """How many pixel columns of the title bar hold text."""
    expected = hex_rgb(colour)
    columns = image.columns_where(parts.title_bar, lambda c: distance(c, expected) > 120)
    return (columns[-1] - columns[0] + 1) if columns else 0


@pytest.fixture
def three(spectrum):
    comp = spectrum(CONFIG)
    windows = {}
    for vm in ("red", "blue", None):
        _, windows[vm] = comp.simple_shm(vm)
    return comp, windows


def test_windows_report_their_vm(three):
    comp, windows = three
    listed = {w["id"]: w for w in comp.windows()}
    assert len(listed) == 3
    for vm, window in windows.items():
        assert listed[window["id"]]["vm"] == vm


def test_each_vm_window_has_its_colour_on_all_sides(three):
    comp, windows = three
    for vm, colour in (("red", RED), ("blue", BLUE)):
        window = comp.focus(windows[vm]["id"])  # focused = on top: every side visible
        parts = frame_parts(window)
        comp.screenshot_until(lambda image: check_frame(image, parts, colour,
                                                        text_colour=WHITE), f"frame-{vm}")


def test_unfocused_windows_keep_their_colour(three):
    """Focus never changes a frame's colour (the compositor draws no dimmed variant): with
    the focus on each window in turn, every other window is still framed exactly in its own
    VM's colour, the host's in grey, wherever no other window covers it."""
    comp, windows = three
    colours = {"red": RED, "blue": BLUE, None: HOST_FRAME}
    for focused in colours:
        comp.focus(windows[focused]["id"])
        listed = {w["id"]: w for w in comp.windows()}

        def check(image):
            for vm, colour in colours.items():
                window = listed[windows[vm]["id"]]
                assert window["focused"] == (vm == focused), window
                if vm == focused:
                    continue
                parts = frame_parts(window)
                others = [Rect.of(listed[windows[o]["id"]]["frame"]) for o in colours if o != vm]
                expected = hex_rgb(colour)
                seen = 0
                for side, rect in parts.sides().items():
                    seen += image.count(rect, lambda c: True, exclude=others)
                    wrong = image.count(rect, lambda c: c != expected, exclude=others)
                    assert wrong == 0, (f"{vm or 'host'}'s {side} border, unfocused while "
                                        f"{focused or 'host'} has the focus, is not {colour}: "
                                        f"{image.describe(rect)}")
                # Cascaded windows overlap, but every frame shows a good part of itself.
                assert seen >= 400, f"only {seen} border pixels of {vm or 'host'} visible"
                bar = parts.title_bar
                visible = image.count(bar, lambda c: True, exclude=others)
                assert visible > 0 and image.count(bar, lambda c: c == expected, exclude=others) \
                    > 0.5 * visible, f"{vm or 'host'}'s title bar: {image.describe(bar)}"

        comp.screenshot_until(check, f"unfocused-while-{focused or 'host'}")


def test_host_window_frame_is_grey_not_a_vm_colour(three):
    comp, windows = three
    window = comp.focus(windows[None]["id"])
    parts = frame_parts(window)

    def check(image):
        check_frame(image, parts, HOST_FRAME)
        for vm_colour in (RED, BLUE):
            found = image.count(parts.frame, lambda c: c == hex_rgb(vm_colour),
                                exclude=[parts.content])
            assert found == 0, f"{vm_colour} pixels on the host window's frame"

    comp.screenshot_until(check, "frame-host")


def test_vm_title_bar_carries_the_label(three):
    """Same title, same width: the VM's bar shows `[label] simple-shm`, the host's only
    `simple-shm`, so the VM's text is wider by at least the label."""
    comp, windows = three
    spans = {}
    for vm, colour in (("blue", BLUE), (None, HOST_FRAME)):
        window = comp.focus(windows[vm]["id"])
        parts = frame_parts(window)

        def measure(image):
            spans[vm] = text_span(image, parts, colour)
            assert spans[vm] > 0, f"no title text for {vm or 'host'}"

        comp.screenshot_until(measure, f"label-{vm or 'host'}")
    assert spans["blue"] >= spans[None] + 25, \
        f"'[Work] simple-shm' ({spans['blue']} px) not wider than 'simple-shm' ({spans[None]} px)"


def test_vm_sockets_are_private_and_listed(three):
    comp, windows = three
    for vm in ("red", "blue"):
        directory = comp.vm_socket(vm).parent
        assert mode(directory) == 0o700, f"{directory} has mode {oct(mode(directory))}"
    vms = {vm["name"]: vm for vm in comp.vms()}
    assert set(vms) == {"red", "blue"}
    assert vms["red"]["color"].lower() == RED and vms["blue"]["color"].lower() == BLUE
    assert vms["red"]["label"] == "red" and vms["blue"]["label"] == "Work"
    for name in ("red", "blue"):
        assert vms[name]["socket"] == str(comp.vm_socket(name))
        assert vms[name]["clients"] == 1


def test_client_count_follows_connections(spectrum):
    comp = spectrum(CONFIG)
    counts = lambda: {vm["name"]: vm["clients"] for vm in comp.vms()}
    assert counts() == {"red": 0, "blue": 0}
    first, _ = comp.simple_shm("red")
    second, _ = comp.foot("red")
    wait_until(lambda: counts() == {"red": 2, "blue": 0}, 5,
               message=lambda: f"two red clients expected, vms: {comp.vms()}")
    first.kill()
    second.kill()
    wait_until(lambda: counts() == {"red": 0, "blue": 0}, 5,
               message=lambda: f"red clients gone expected, vms: {comp.vms()}")


def test_identity_cannot_be_claimed_by_the_client(spectrum):
    """A red client calling itself blue, by app id and by title, is still red."""
    comp = spectrum(CONFIG)
    _, window = comp.foot("red", app_id="blue", title="[Work] totally blue")
    assert window["vm"] == "red"
    window = comp.focus(window["id"])
    parts = frame_parts(window)
    comp.screenshot_until(lambda image: check_frame(image, parts, RED, text_colour=WHITE),
                          "impostor")


def test_vm_windows_label_text_is_black_on_light_colours(spectrum):
    comp = spectrum(make_config({"sun": {"color": "#f5d000"}}))
    _, window = comp.simple_shm("sun")
    parts = frame_parts(comp.focus(window["id"]))
    comp.screenshot_until(lambda image: check_frame(image, parts, "#f5d000",
                                                    text_colour=BLACK), "sun")


def test_frame_sizes_follow_the_config(spectrum):
    config = make_config({"red": {"color": RED}}).replace(
        "border_width = 4", "border_width = 7").replace("title_height = 22", "title_height = 30")
    comp = spectrum(config)
    _, window = comp.simple_shm("red")
    parts = frame_parts(comp.focus(window["id"]), border=7, title_height=30)
    assert (window["x"] - parts.frame.x, window["y"] - parts.frame.y) == (7, 37)
    assert parts.frame.width == window["width"] + 14
    assert parts.frame.height == window["height"] + 14 + 30
    comp.screenshot_until(lambda image: check_frame(image, parts, RED, text_colour=WHITE),
                          "thick-frame")


def test_labels_are_sharp_on_a_hidpi_output(spectrum):
    """On a scale-2 output the label is rendered with four times the pixels, not a scale-1
    label stretched: about four times as many pixels of pure text colour as at scale 1,
    where a stretched label has hardly more than at scale 1 (each pixel of a thin stroke
    is blended with its neighbours when stretched)."""
    ink = WHITE  # the label colour on this blue (black-on-light is tested above)
    counts = {}
    for scale in (1, 2):
        config = make_config({"blue": {"color": BLUE, "label": "Work"}}).replace(
            'mode = "1280x720"', f'mode = "1280x720"\nscale = {scale}')
        comp = spectrum(config)
        _, window = comp.simple_shm("blue")
        bar = frame_parts(window).title_bar
        pixels = Rect(bar.x * scale, bar.y * scale, bar.width * scale, bar.height * scale)

        def check(image):
            assert image.width == 1280 and image.height == 720, (image.width, image.height)
            drawn = image.count(pixels, lambda c: distance(c, hex_rgb(BLUE)) > 120)
            assert drawn > 0, "no label text yet"
            counts[scale] = image.count(pixels, lambda c: distance(c, ink) <= 24)

        comp.screenshot_until(check, f"label-scale{scale}")
        comp.stop()
    assert counts[2] >= 2.5 * counts[1], f"pure text pixels at scale 1 and 2: {counts}"
