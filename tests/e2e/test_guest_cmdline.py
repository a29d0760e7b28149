"""The guest init's kernel command line parser (vmbridge/guest/cmdline.awk), run with
busybox awk as in the guest: how spectrum.app and friends survive quoting and encoding.
"""

from __future__ import annotations

import shutil
import subprocess
import urllib.parse
from pathlib import Path

import pytest

PARSER = Path(__file__).resolve().parents[2] / "vmbridge" / "guest" / "cmdline.awk"
BUSYBOX = shutil.which("busybox")

pytestmark = pytest.mark.skipif(BUSYBOX is None, reason="busybox not installed (run via tools/dev)")


def param(cmdline: str, name: str, tmp_path: Path) -> str | None:
    """The value the guest would read, or None when the parser prints nothing."""
    proc_cmdline = tmp_path / "cmdline"
    proc_cmdline.write_text(cmdline + "\n")  # /proc/cmdline ends with a newline
    out = subprocess.run(
        [BUSYBOX, "awk", "-v", f"want={name}", "-f", str(PARSER), str(proc_cmdline)],
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout if out.stdout else None


STATE_APP = "sh -c 'echo hello >> /state/boots; cat /state/boots; exec weston-simple-shm'"


def test_plain_value(tmp_path):
    assert param("console=ttyS0 quiet spectrum.app=weston-simple-shm", "spectrum.app", tmp_path) == "weston-simple-shm"


def test_url_encoded_command_is_decoded(tmp_path):
    encoded = urllib.parse.quote(STATE_APP, safe="")
    assert " " not in encoded and "'" not in encoded
    assert param(f"console=ttyS0 spectrum.app={encoded} quiet", "spectrum.app", tmp_path) == STATE_APP


def test_quoted_value_is_taken_literally(tmp_path):
    line = f'console=ttyS0 spectrum.app="{STATE_APP}" spectrum.transport=vsock'
    assert param(line, "spectrum.app", tmp_path) == STATE_APP
    assert param(line, "spectrum.transport", tmp_path) == "vsock"


def test_whole_parameter_quoted(tmp_path):
    line = f'quiet "spectrum.app=foot --title a%20b" spectrum.state=/dev/vda'
    # Quoted, so %20 stays as written: only unquoted values are URL-decoded.
    assert param(line, "spectrum.app", tmp_path) == "foot --title a%20b"
    assert param(line, "spectrum.state", tmp_path) == "/dev/vda"


def test_absent_parameter_prints_nothing(tmp_path):
    assert param("console=ttyS0 quiet", "spectrum.app", tmp_path) is None


def test_name_must_match_exactly(tmp_path):
    line = "spectrum.apps=no xspectrum.app=no spectrum.app=yes"
    assert param(line, "spectrum.app", tmp_path) == "yes"


def test_last_occurrence_wins(tmp_path):
    assert param("spectrum.transport=vsock spectrum.transport=virtio-serial", "spectrum.transport", tmp_path) == (
        "virtio-serial"
    )


def test_bad_percent_escape_is_kept(tmp_path):
    assert param("spectrum.app=100%zz%4", "spectrum.app", tmp_path) == "100%zz%4"


def test_utf8_and_equals_in_value(tmp_path):
    value = "sh -c 'A=1 echo é'"
    assert param("spectrum.app=" + urllib.parse.quote(value, safe=""), "spectrum.app", tmp_path) == value
