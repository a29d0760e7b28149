"""pytest glue: the `spectrum` fixture starts compositors, and a failed test keeps (and
names) its artifacts folder: the compositor log, the client logs and every screenshot."""

import os
import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from harness import BASE_CONFIG, Artifacts, Compositor  # noqa: E402


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)
    artifacts = getattr(item, "spectrum_artifacts", None)
    if report.failed and artifacts is not None:
        artifacts.keep = True
        if report.when == "call":
            artifacts.record_failure_state()
        report.sections.append(("spectrum artifacts", artifacts.summary()))
        # Also on stderr, so the paths are in meson's log even when pytest's report is cut.
        print(f"\nspectrum artifacts of {item.nodeid}: {artifacts.dir}", file=sys.stderr)


@pytest.fixture
def artifacts(request):
    name = f"{Path(request.node.fspath).stem}.{request.node.name}"
    art = Artifacts(name)
    request.node.spectrum_artifacts = art
    yield art
    passed = all(getattr(request.node, f"rep_{when}", None) is None
                 or getattr(request.node, f"rep_{when}").passed for when in ("setup", "call"))
    if passed and not art.keep and not os.environ.get("SPECTRUM_KEEP"):
        shutil.rmtree(art.dir, ignore_errors=True)


@pytest.fixture
def spectrum(artifacts):
    """A factory: spectrum(config_text, **kwargs) starts a compositor and waits until it
    answers spectrumctl. Each is stopped with SIGTERM at teardown and must exit 0; call
    comp.stop(expect_status=…) in the test to check something else."""
    started: list[Compositor] = []

    def start(config: str | None = BASE_CONFIG, *, wait: bool = True, **kwargs) -> Compositor:
        comp = Compositor(artifacts, config, name=f"compositor{len(started) or ''}", **kwargs)
        started.append(comp)
        artifacts.compositors.append(comp)
        return comp.start() if wait else comp

    yield start
    errors = []
    for comp in started:
        try:
            comp.stop()
        except AssertionError as exc:
            errors.append(str(exc))
    if errors:
        artifacts.keep = True
        pytest.fail("\n".join(errors), pytrace=False)
