"""The control socket (ctl.sock) answers every bad request with one JSON error line and
keeps running: wrong types for every field of every command, non-objects, huge numbers,
deep nesting, invalid UTF-8, oversized requests. Before the fix, a string where a number
belongs ({"command":"output-add","width":"x"}) threw inside the event loop: SIGABRT."""

import json
import socket

import pytest

from harness import RED, make_config

CONFIG = make_config({"red": {"color": RED}})

# Values of every JSON type, and numbers no field accepts.
WRONG_TYPES = ['"x"', '""', "null", "true", "[]", "{}", "[1]", '{"a":1}', "1.5", "-1", "1e400",
               "18446744073709551616", "-9223372036854775809", "4294967296", "99999999999999999999999"]

BAD_REQUESTS = [
    # The command itself.
    b'{}', b'{"command":1}', b'{"command":null}', b'{"command":[]}', b'{"command":{}}',
    b'{"command":true}', b'{"command":"nosuch"}', b'{"command":"windows\\u0000"}', b'{"command":""}',
    # Not an object, not JSON.
    b'[]', b'"windows"', b'1', b'null', b'true', b'', b'{', b'{"command":"windows"', b'\x00\x00',
    b'{"command":"windows"}}', b'{"command":"windows",}',
    # Deep nesting, inside and outside the object.
    b'[' * 60000, b'{"a":' * 12000 + b'1' + b'}' * 12000,
    b'{"command":"output-add","width":' + b'[' * 20000 + b']' * 20000 + b'}',
    # Invalid UTF-8, raw and escaped.
    b'{"command":"\xff"}', b'{"command":"\xc0\xaf"}', b'{"command":"\xed\xa0\x80"}',
    b'{"command":"\\ud800"}', b'{"command":"output-remove","name":"\xfe\xfe"}',
    b'{"command":"output-remove","name":"\\udc00x"}', b'\xef\xbb\xbf\xff{"command":"windows"}',
    # Huge numbers.
    b'{"command":"focus","id":' + b'9' * 5000 + b'}',
    b'{"command":"output-add","width":1e308,"height":1e308}',
    b'{"command":"output-add","width":-2147483649}',
    b'{"command":"output-add","width":2147483648}',
]
for field, commands in {"id": ["focus", "close"], "width": ["output-add"], "height": ["output-add"],
                        "name": ["output-remove"]}.items():
    for command in commands:
        for value in WRONG_TYPES:
            if field == "name" and value in ('"x"', '""'):
                continue  # a string is the right type: "no output named"
            BAD_REQUESTS.append(f'{{"command":"{command}","{field}":{value}}}'.encode())
for command in ("focus", "close", "output-remove"):
    BAD_REQUESTS.append(f'{{"command":"{command}"}}'.encode())  # the field is required


def request(comp, data: bytes, newline: bool = True) -> bytes:
    """Sends `data` on a fresh connection and returns everything the socket answers."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(10)
        s.connect(str(comp.ctl_socket))
        try:
            s.sendall(data + (b"\n" if newline else b""))
            s.shutdown(socket.SHUT_WR)
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


@pytest.fixture
def comp(spectrum):
    return spectrum(CONFIG)


def test_every_bad_request_gets_an_error_and_the_compositor_lives(comp):
    outputs_before = comp.ctl_json("outputs")
    for data in BAD_REQUESTS:
        reply = request(comp, data)
        assert comp.alive(), f"the compositor died on {data[:80]!r}:\n{comp.log_tail()}"
        assert_error_reply(reply, data)
    # Nothing was added, removed, focused or closed; good requests still work.
    assert comp.ctl_json("outputs") == outputs_before
    added = json.loads(request(comp, b'{"command":"output-add","width":640,"height":480}'))
    assert added["ok"] is True and added["name"], added
    assert json.loads(request(comp, b'{"command":"windows","id":"ignored"}'))["ok"] is True
    # Deep nesting in a field no command reads is still a good request.
    deep = b'{"command":"windows","x":' + b'[' * 30000 + b']' * 30000 + b'}'
    assert json.loads(request(comp, deep))["ok"] is True


def test_the_reported_abort(comp):
    """The request from issue 18, hole 11, and its twin for the height."""
    for data in (b'{"command":"output-add","width":"x"}', b'{"command":"output-add","height":"x"}'):
        error = assert_error_reply(request(comp, data), data)
        assert "width" in error or "height" in error, error
        assert comp.alive(), comp.log_tail()


def test_an_id_beyond_32_bits_never_names_another_window(comp):
    """2**32 + id used to be cut to id: a request for a window that does not exist acted
    on a window that does."""
    _, window = comp.simple_shm()
    for data in (f'{{"command":"close","id":{2**32 + window["id"]}}}'.encode(),
                 f'{{"command":"focus","id":{2**64 + window["id"]}}}'.encode()):
        assert_error_reply(request(comp, data), data)
    assert [w["id"] for w in comp.windows()] == [window["id"]], "the window was closed"


def test_oversized_and_unterminated_requests(comp):
    huge = b'{"command":"windows","pad":"' + b"a" * (200 * 1024) + b'"}'
    assert "too large" in assert_error_reply(request(comp, huge), huge)
    # No newline: the request is the bytes before the hang-up.
    bad = b'{"command":"output-add","width":"x"}'
    assert_error_reply(request(comp, bad, newline=False), bad)
    assert comp.alive(), comp.log_tail()
