"""The supervisor's control socket (vmbridge.sock) answers every bad request with one JSON
error line and keeps running (an exception out of its event loop would end every VM):
wrong types for every field of every command, non-objects, huge numbers, deep nesting,
invalid UTF-8, oversized requests."""

from __future__ import annotations

import json
import shutil
import socket
import tempfile
from pathlib import Path

import pytest

from vmbridge_env import Session

WRONG_TYPES = ['1', '0', 'null', 'true', '[]', '{}', '["blue"]', '{"a":"blue"}', '1.5', '-1', '1e400',
               '18446744073709551616', '99999999999999999999999']
# "lines" also refuses what is a number but not a count.
WRONG_LINES = ['"x"', '""', 'null', 'true', '[]', '{}', '[1]', '1.5', '-1', '-9223372036854775809', '1e400',
               '2.0']

BAD_REQUESTS = [
    b'{}', b'{"command":1}', b'{"command":null}', b'{"command":[]}', b'{"command":{}}', b'{"command":true}',
    b'{"command":"nosuch"}', b'{"command":"list\\u0000"}', b'{"command":""}',
    b'[]', b'"list"', b'1', b'null', b'', b'{', b'{"command":"list"', b'\x00', b'{"command":"list"}}',
    b'[' * 60000, b'{"a":' * 12000 + b'1' + b'}' * 12000,
    b'{"command":"logs","name":"blue","lines":' + b'[' * 30000 + b']' * 30000 + b'}',
    b'{"command":"\xff"}', b'{"command":"\xc0\xaf"}', b'{"command":"start","name":"\xed\xa0\x80"}',
    b'{"command":"start","name":"\\ud800"}', b'{"command":"logs","name":"\xfe"}',
    b'{"command":"logs","name":"blue","lines":' + b'9' * 5000 + b'.5}',
]
for command in ("start", "stop", "logs"):
    BAD_REQUESTS.append(f'{{"command":"{command}"}}'.encode())
    for value in WRONG_TYPES:
        BAD_REQUESTS.append(f'{{"command":"{command}","name":{value}}}'.encode())
for value in WRONG_LINES:
    BAD_REQUESTS.append(f'{{"command":"logs","name":"blue","lines":{value}}}'.encode())


@pytest.fixture
def session(tmp_path: Path):
    runtime = Path(tempfile.mkdtemp(prefix="spectrum-vmb-"))  # short: socket paths are capped
    runtime.chmod(0o700)
    s = Session(runtime, tmp_path)
    config = tmp_path / "spectrum.toml"
    config.write_text(f'state_dir = "{tmp_path / "state"}"\n[vm.blue]\ncolor = "#3465a4"\n')  # no kernel
    s.start_vmbridge(config)
    yield s
    s.close()
    shutil.rmtree(runtime, ignore_errors=True)


def request(session: Session, data: bytes, newline: bool = True) -> bytes:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(10)
        s.connect(str(session.control_socket))
        try:
            s.sendall(data + (b"\n" if newline else b""))
        except (BrokenPipeError, ConnectionResetError):
            pass  # an oversized request is answered (and closed) before it is all sent
        reply = b""
        try:
            while chunk := s.recv(65536):
                reply += chunk
        except ConnectionResetError:
            pass  # closed with our unread bytes in its queue: the reply came before the reset
        return reply


def assert_error_reply(reply: bytes, sent: bytes) -> str:
    assert reply.endswith(b"\n") and reply.count(b"\n") == 1, f"{sent[:80]!r}: not one line: {reply!r}"
    answer = json.loads(reply)
    assert answer["ok"] is False, f"{sent[:80]!r} was accepted: {answer}"
    assert isinstance(answer["error"], str) and answer["error"], answer
    return answer["error"]


def test_every_bad_request_gets_an_error_and_the_supervisor_lives(session: Session):
    for data in BAD_REQUESTS:
        reply = request(session, data)
        assert session.vmbridge.poll() is None, f"the supervisor died on {data[:80]!r}:\n" + \
            session.vmbridge_log.read_text()
        assert_error_reply(reply, data)
    # Good requests still work, and a count above the cap is capped, not refused.
    listed = json.loads(request(session, b'{"command":"list","name":7}'))
    assert listed["ok"] is True and [vm["name"] for vm in listed["vms"]] == ["blue"], listed
    logs = json.loads(request(session, b'{"command":"logs","name":"blue","lines":18446744073709551615}'))
    assert logs["ok"] is True, logs
    assert session.ctl("vm", "list", "--json").returncode == 0


def test_oversized_and_unterminated_requests(session: Session):
    huge = b'{"command":"list","pad":"' + b"a" * (200 * 1024) + b'"}'
    assert "too large" in assert_error_reply(request(session, huge), huge)
    # Without a newline the supervisor waits for the rest; a hang-up ends it quietly.
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.connect(str(session.control_socket))
        s.sendall(b'{"command":"logs","name":"blue","lines":-1}')
        s.shutdown(socket.SHUT_WR)
        s.settimeout(10)
        assert s.recv(100) == b""
    assert session.vmbridge.poll() is None, session.vmbridge_log.read_text()
