"""Frame pacing (compositor/core/frame_pacer.cpp): a client's frame callback comes as late as
its recent drawing times allow, so what it commits is shown a few milliseconds later instead
of most of a refresh period later. These check the behaviour, not a speed: the callback is
held back for a quick client (its commits land in the second half of the period), a client
that draws for most of a period still presents every frame, one slower than the period keeps
the rate it has without pacing, `frame_pacing = false` (on reload) restores wlroots' loop, and
a client that dies while its callback is held back harms nothing. And a client waiting for
its frame callback is woken once per frame: the buffer it gets back rides with the callback
(compositor/core/event_batcher.cpp), while a client that is not waiting gets it at once."""

import json
import os
import signal
import time

import pytest

from harness import RED, make_config, wait_until
from wire import Connection, u32

# Pacing needs the refresh rate: written out here; a mode without one gets 60 Hz headless
# (test_mode_without_a_rate_is_paced).
PACED = make_config({"red": {"color": RED}}).replace('mode = "1280x720"', 'mode = "1280x720@60"')
NO_RATE = make_config({"red": {"color": RED}})
UNPACED = "frame_pacing = false\n" + PACED
PERIOD_MS = 1000 / 60


def bench_client() -> str:
    path = os.environ.get("SPECTRUM_BENCH_CLIENT")
    if not path:
        pytest.skip("SPECTRUM_BENCH_CLIENT is not set (run through meson)")
    return path


def run_client(comp, *args: str, duration: float = 2.0) -> dict:
    """One 320x240 window on VM red redrawn in full as fast as its callbacks come; the
    client's JSON report (frames/s, output Hz, commit-to-present latency)."""
    client = comp.spawn([bench_client(), "--windows", "1", "--width", "320", "--height", "240",
                         "--damage", "full", "--warmup", "1", "--duration", str(duration),
                         "--title", "paced", *args], vm="red")
    assert client.wait(timeout=duration + 30) == 0, client.output()[-2000:]
    report = next(line for line in reversed(client.output().splitlines()) if line.startswith("{"))
    return json.loads(report)


def test_quick_client_is_shown_early_in_the_period_and_off_means_off(spectrum):
    comp = spectrum(PACED)
    paced = run_client(comp)
    period = PERIOD_MS
    assert 50 < paced["output_hz"] < 66, paced
    # Every output frame carries a new frame of the client's: holding callbacks back costs none.
    assert paced["fps"] >= 0.85 * paced["output_hz"], paced
    # Commits land late in the period, so they wait well under half of it.
    assert paced["latency_ms"]["p50"] < period / 2, paced

    comp.write_config(UNPACED)
    comp.ctl("reload")
    unpaced = run_client(comp)
    # wlroots' own loop: the callback straight after the frame, the commit waits most of a period.
    assert unpaced["latency_ms"]["p50"] > period / 2, unpaced
    assert unpaced["fps"] >= 0.85 * unpaced["output_hz"], unpaced


def test_mode_without_a_rate_is_paced(spectrum):
    """`mode = "1280x720"` (no @HZ) once gave the output 0 mHz, which turned pacing off."""
    assert '"1280x720"' in NO_RATE
    comp = spectrum(NO_RATE)
    assert comp.ctl_json("outputs")[0]["refresh_mhz"] == 60000
    paced = run_client(comp)
    assert 50 < paced["output_hz"] < 66, paced
    assert paced["fps"] >= 0.85 * paced["output_hz"], paced
    assert paced["latency_ms"]["p50"] < PERIOD_MS / 2, paced


def test_client_drawing_most_of_a_period_still_presents_every_frame(spectrum):
    comp = spectrum(PACED)
    report = run_client(comp, "--draw-ms", "8")
    assert report["fps"] >= 0.85 * report["output_hz"], report
    assert report["discarded"] == 0 or report["discarded"] < 0.05 * report["commits"], report


def test_client_slower_than_the_period_keeps_its_rate(spectrum):
    comp = spectrum(PACED)
    paced = run_client(comp, "--draw-ms", "25")
    comp.write_config(UNPACED)
    comp.ctl("reload")
    unpaced = run_client(comp, "--draw-ms", "25")
    # Its callbacks go out at once, as without pacing: about one frame in two either way.
    assert paced["fps"] >= 0.8 * unpaced["fps"], (paced, unpaced)
    assert paced["fps"] > 15, paced


def test_client_killed_while_its_callback_is_held_back(spectrum):
    comp = spectrum(PACED)
    for _ in range(5):
        client = comp.spawn([bench_client(), "--windows", "4", "--width", "200", "--height", "150",
                             "--damage", "full", "--warmup", "0", "--duration", "30",
                             "--title", "doomed"], vm="red")
        wait_until(lambda: len([w for w in comp.windows() if w["vm"] == "red"]) == 4, 10,
                   message="the client's windows")
        time.sleep(0.3)  # callbacks are being held back now
        client.signal(signal.SIGKILL)
        wait_until(lambda: not comp.windows(), 10, message="its windows gone")
    assert comp.alive()
    # The next client is paced as usual.
    report = run_client(comp, duration=1.0)
    assert report["fps"] >= 0.85 * report["output_hz"], report


class CountingConnection(Connection):
    """Records, for each event it receives, which read from the socket brought it."""

    def __init__(self, path: str):
        super().__init__(path)
        self.reads = 0
        self.events: list[tuple[int, int, int]] = []  # (read, object, opcode)

    def _read_some(self, deadline: float) -> None:
        self.reads += 1
        super()._read_some(deadline)

    def _dispatch(self, object_id: int, opcode: int, payload: bytes) -> None:
        self.events.append((self.reads, object_id, opcode))
        super()._dispatch(object_id, opcode, payload)


def draw_frames(conn: CountingConnection, window, buffers: list[int], frames: int) -> list[int]:
    """Commits `frames` frames, alternating `buffers`, each asking for a frame callback and
    waiting for it (as a client that draws on its callbacks does); the callbacks' ids."""
    width, height = window.size
    callbacks = []
    for frame in range(frames):
        callback = conn.new_id()
        done = []
        conn.handlers[callback] = lambda opcode, reader, done=done: done.append(True)
        conn.request(window.surface, 3, u32(callback))  # wl_surface.frame
        conn.attach_and_commit(window.surface, buffers[frame % len(buffers)], width, height)
        conn.dispatch_until(lambda: bool(done))
        callbacks.append(callback)
    return callbacks


@pytest.mark.parametrize("config", [PACED, UNPACED], ids=["paced", "unpaced"])
def test_a_client_waiting_for_its_frame_is_woken_once_per_frame(spectrum, config):
    comp = spectrum(config)
    with CountingConnection(comp.socket_path_for("red")) as conn:
        window = conn.create_toplevel(320, 240, title="batched")
        buffers = [conn.create_buffer(window.shm, *window.size, color) for color in
                   (0xFF30A030, 0xFF3030A0)]
        for buffer in buffers:
            conn.handlers[buffer] = lambda opcode, reader: None
        draw_frames(conn, window, buffers, 10)  # settled: shown, and paced
        first_read = conn.reads + 1
        callbacks = set(draw_frames(conn, window, buffers, 60))
        reads = conn.reads - first_read + 1
        events = [e for e in conn.events if e[0] >= first_read]
        frame_reads = {read for read, obj, _ in events if obj in callbacks}
        release_reads = [read for read, obj, opcode in events if obj in buffers and opcode == 0]
        # Every commit but the first gave the other buffer back.
        assert len(release_reads) >= 59, events
        # Each came in the read that brought a frame callback, not in one of its own...
        alone = [read for read in release_reads if read not in frame_reads]
        assert len(alone) <= 3, (alone, events)
        # ...so the client read its socket about once per frame, not twice.
        assert reads <= 66, (reads, events)
    assert comp.alive()


def test_a_client_not_waiting_for_a_frame_gets_its_buffer_back_at_once(spectrum):
    comp = spectrum(PACED)
    with CountingConnection(comp.socket_path_for("red")) as conn:
        window = conn.create_toplevel(320, 240, title="unpaced")
        width, height = window.size
        waits = []
        for attempt in range(5):
            buffers = [conn.create_buffer(window.shm, width, height, 0xFF30A030 + attempt)
                       for _ in range(2)]
            released = []
            conn.handlers[buffers[0]] = lambda opcode, reader, r=released: r.append(True)
            conn.attach_and_commit(window.surface, buffers[0], width, height)
            conn.roundtrip()
            start = time.monotonic()
            # No frame callback asked for: nothing to wait for, nothing to carry it.
            conn.attach_and_commit(window.surface, buffers[1], width, height)
            conn.dispatch_until(lambda: bool(released), timeout=2)
            waits.append(time.monotonic() - start)
        # At once, not at the time limit that ends a hold (40 ms from the commit): a client
        # drawing on buffer releases alone keeps its pace. (30 ms leaves room for a loaded
        # machine; a held release could not come before 40.)
        assert sorted(waits)[2] < 0.030, waits
