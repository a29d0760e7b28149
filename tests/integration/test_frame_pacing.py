"""Frame pacing (compositor/core/frame_pacer.cpp): a client's frame callback comes as late as
its recent drawing times allow, so what it commits is shown a few milliseconds later instead
of most of a refresh period later. These check the behaviour, not a speed: the callback is
held back for a quick client (its commits land in the second half of the period), a client
that draws for most of a period still presents every frame, one slower than the period keeps
the rate it has without pacing, `frame_pacing = false` (on reload) restores wlroots' loop, and
a client that dies while its callback is held back harms nothing."""

import json
import os
import signal
import time

import pytest

from harness import RED, make_config, wait_until

# Pacing needs the refresh rate (a headless output's custom mode has none unless given).
PACED = make_config({"red": {"color": RED}}).replace('mode = "1280x720"', 'mode = "1280x720@60"')
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
