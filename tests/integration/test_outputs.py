"""Outputs come and go: virtual outputs on the headless backend are added and removed at run
time, the desktop extends onto them, and windows on a removed output are brought back."""

from harness import BACKGROUND, wait_until
from pixels import hex_rgb


def outputs(comp):
    return {o["name"]: o for o in comp.ctl_json("outputs")}


def test_added_output_extends_the_desktop(spectrum):
    comp = spectrum()
    assert list(outputs(comp)) == ["HEADLESS-1"]
    name = comp.ctl("output", "add", "800x600").stdout.strip()
    added = wait_until(lambda: outputs(comp).get(name), message="the new output to be listed")
    assert (added["width"], added["height"]) == (800, 600)
    assert added["x"] == 1280, "placed to the right of the first output"
    image = comp.screenshot("two-outputs")
    assert (image.width, image.height) == (1280 + 800, 720), "grim sees the whole layout"
    assert image.pixel(1280 + 400, 300) == hex_rgb(BACKGROUND), "the new output shows the desktop"


def test_removed_output_takes_no_window_with_it(spectrum):
    comp = spectrum()
    # The window opens centred on the first output; the second is too small to hold that
    # spot, so once the first goes the compositor must move the window onto the second.
    second = comp.ctl("output", "add", "640x480").stdout.strip()
    _, window = comp.simple_shm()
    assert window["frame"]["x"] + window["frame"]["width"] // 2 >= 640
    comp.ctl("output", "remove", "HEADLESS-1")
    remaining = wait_until(lambda: list(outputs(comp)) == [second] and outputs(comp)[second],
                           message="only the second output left")
    window = comp.wait_for_window(id=window["id"])
    frame = window["frame"]
    inside = (remaining["x"] <= frame["x"] + frame["width"] // 2 < remaining["x"] + remaining["width"]
              and remaining["y"] <= frame["y"] + 4 < remaining["y"] + remaining["height"])
    assert inside, f"window {frame} is not on the remaining output {remaining}"
    image = comp.screenshot("after-remove")
    assert (image.width, image.height) == (640, 480)
    cx = window["x"] + window["width"] // 2 - remaining["x"]
    cy = window["y"] + window["height"] // 2 - remaining["y"]
    assert image.pixel(cx, cy) != hex_rgb(BACKGROUND), "the window is still drawn"


def test_output_commands_reject_bad_input(spectrum):
    comp = spectrum()
    bad_size = comp.ctl("output", "add", "10x10", check=False)
    assert bad_size.returncode == 1 and "not a usable output size" in bad_size.stderr
    unknown = comp.ctl("output", "remove", "HDMI-A-9", check=False)
    assert unknown.returncode == 1 and "no output named" in unknown.stderr
    usage = comp.ctl("output", "add", "big", check=False)
    assert usage.returncode == 2 and len(usage.stderr.strip().splitlines()) == 1
    assert list(outputs(comp)) == ["HEADLESS-1"], "nothing changed"


def test_every_output_has_a_refresh_rate(spectrum):
    # BASE_CONFIG writes `mode = "1280x720"`, without @HZ: the headless output runs at 60 Hz,
    # and says so (frame pacing needs it); so does an output added at run time.
    comp = spectrum()
    assert outputs(comp)["HEADLESS-1"]["refresh_mhz"] == 60000
    name = comp.ctl("output", "add", "800x600").stdout.strip()
    added = wait_until(lambda: outputs(comp).get(name), message="the new output")
    assert added["refresh_mhz"] == 60000
