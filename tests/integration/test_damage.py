"""Damage with many windows (compositor/core/damage_limit.cpp): wlroots 0.18 repaints the
bounding box of an output's damage once it has more than 20 rectangles, so two dozen VM
windows each changing a few pixels would cost a repaint of most of the screen every frame.
Spectrum merges the rectangles into at most 20 first, around what changed.

The test sees what was repainted by having each client say less than it did: every window
turns its whole buffer blue but damages only an 8x8 square. What is repainted shows blue;
what is not keeps the old green. So the blue on screen is the repaint, pixel by pixel."""

from harness import RED, make_config
from pixels import Rect
from wire import Connection, i32, u32

WINDOWS = 24
GREEN = 0xFF30A030
BLUE = 0xFF2040E0
SQUARE = 8


def is_blue(rgb) -> bool:
    r, g, b = rgb
    return b > 180 and r < 80 and g < 100


def test_many_small_changes_repaint_little_more_than_themselves(spectrum):
    comp = spectrum(make_config({"red": {"color": RED}}).replace('mode = "1280x720"',
                                                                   'mode = "1920x1080"'))
    with Connection(comp.socket_path_for("red")) as conn:
        windows = [conn.create_toplevel(200, 150, color=GREEN, title=f"w{i}")
                   for i in range(WINDOWS)]
        comp.wait_for_window(lambda w: w["title"] == f"w{WINDOWS - 1}")
        placed = {w["title"]: Rect.of(w) for w in comp.windows()}
        assert len(placed) == WINDOWS, placed
        # Each square is the top-left corner of its window's content, which the cascade
        # leaves in sight (the next window starts 32 px right and down).
        squares = [Rect(placed[f"w{i}"].x, placed[f"w{i}"].y, SQUARE, SQUARE) for i in range(WINDOWS)]
        comp.screenshot_until(lambda image: _all_green(image, squares), name="before")

        # All of every buffer blue, only the square damaged; one burst, so one frame.
        for window in windows:
            width, height = window.size
            blue = conn.create_buffer(window.shm, width, height, BLUE)
            conn.request(window.surface, 1, u32(blue), i32(0), i32(0))  # attach
            conn.request(window.surface, 2, i32(0), i32(0), i32(SQUARE), i32(SQUARE))  # damage
            conn.request(window.surface, 6)  # commit
        conn.roundtrip()

        def check(image):
            missing = [s for s in squares if image.count(s, is_blue) < SQUARE * SQUARE]
            assert not missing, f"{len(missing)} damaged squares not repainted: {missing[:3]}"

        image = comp.screenshot_until(check, name="after")
        screen = Rect(0, 0, image.width, image.height)
        blue = image.count(screen, is_blue)
        xs = [s.x for s in squares] + [s.right for s in squares]
        ys = [s.y for s in squares] + [s.bottom for s in squares]
        bounding_box = (max(xs) - min(xs)) * (max(ys) - min(ys))
        # The squares themselves: 24 x 64 = 1536 pixels; merged into 20 rectangles, some of
        # the windows around them come along (about 5,000 pixels). Repainting the squares'
        # bounding box, as wlroots alone does, shows about 135,000.
        assert blue >= WINDOWS * SQUARE * SQUARE
        assert blue < 10 * WINDOWS * SQUARE * SQUARE, (blue, bounding_box, image.path)
    assert comp.alive()


def _all_green(image, squares) -> None:
    for square in squares:
        assert image.pixel(square.x + 1, square.y + 1) == (0x30, 0xA0, 0x30), square
