"""Self-test of the fake cloud-hypervisor: its validator must accept what the spec allows and
reject what it does not, or the driver tests that rely on it prove nothing."""

import copy
import http.client
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import fake_cloud_hypervisor as fake  # noqa: E402

SAMPLE_VM_CONFIG = {
    "payload": {
        "kernel": "/usr/share/spectrum/vmlinux",
        "cmdline": "console=ttyS0 quiet",
        "initramfs": "/usr/share/spectrum/initramfs.img",
    },
    "cpus": {"boot_vcpus": 2, "max_vcpus": 2},
    "memory": {"size": 536870912},
    "disks": [
        {"path": "/usr/share/spectrum/root.img", "readonly": True},
        {"path": "/var/lib/spectrum/mail/state.img"},
    ],
    "vsock": {"cid": 3, "socket": "/run/spectrum/mail/vsock.sock"},
    "serial": {"mode": "File", "file": "/run/spectrum/mail/serial.log"},
    "console": {"mode": "Off"},
    "rng": {"src": "/dev/urandom"},
}


@pytest.fixture(scope="module")
def spec():
    return fake.Spec.load(fake.DEFAULT_SPEC)


def create(spec, body, content_type="application/json"):
    return spec.check_request("PUT", "/api/v1/vm.create", content_type,
                              json.dumps(body).encode())


def test_valid_vm_config_passes(spec):
    check = create(spec, SAMPLE_VM_CONFIG)
    assert check.valid, check.reason
    assert check.operation == "vm.create"


def test_misspelt_key_fails(spec):
    body = copy.deepcopy(SAMPLE_VM_CONFIG)
    body["cpus"] = {"boot_vcpu": 2, "max_vcpus": 2}
    check = create(spec, body)
    assert not check.valid
    assert check.status == 400
    assert "boot_vcpu" in check.reason
    assert "/cpus" in check.reason


def test_misspelt_top_level_key_fails(spec):
    body = copy.deepcopy(SAMPLE_VM_CONFIG)
    body["vsocks"] = body.pop("vsock")
    check = create(spec, body)
    assert not check.valid
    assert "vsocks" in check.reason


@pytest.mark.parametrize("where, value", [
    (("memory", "size"), "512M"),
    (("disks", 0, "readonly"), "yes"),
    (("cpus", "boot_vcpus"), 0),  # minimum: 1
    (("vsock", "cid"), 2),  # minimum: 3
    (("serial", "mode"), "file"),  # enum is case-sensitive
    (("disks", 0, "pci_segment"), 70000),  # int16
])
def test_wrong_type_or_value_fails(spec, where, value):
    body = copy.deepcopy(SAMPLE_VM_CONFIG)
    target = body
    for key in where[:-1]:
        target = target[key]
    target[where[-1]] = value
    check = create(spec, body)
    assert not check.valid, where
    assert "/" + "/".join(str(k) for k in where) in check.reason


def test_missing_required_field_fails(spec):
    body = copy.deepcopy(SAMPLE_VM_CONFIG)
    del body["payload"]
    assert not create(spec, body).valid
    body = copy.deepcopy(SAMPLE_VM_CONFIG)
    del body["rng"]["src"]
    assert not create(spec, body).valid


def test_gpu_field_needs_the_patched_build(spec):
    body = copy.deepcopy(SAMPLE_VM_CONFIG)
    body["gpu"] = [{"socket": "/run/spectrum/mail/gpu.sock"}]
    assert not create(spec, body).valid
    patched = fake.Spec.load(fake.DEFAULT_SPEC, gpu_patched=True)
    check = create(patched, body)
    assert check.valid, check.reason
    body["gpu"] = [{"sockett": "/run/spectrum/mail/gpu.sock"}]
    assert not create(patched, body).valid


def test_content_type_and_json_are_checked(spec):
    assert not create(spec, SAMPLE_VM_CONFIG, "text/plain").valid
    check = spec.check_request("PUT", "/api/v1/vm.create", "application/json", b"{not json")
    assert not check.valid and "JSON" in check.reason
    assert not spec.check_request("PUT", "/api/v1/vm.create", "application/json", b"").valid


def test_paths_and_methods_must_exist(spec):
    assert spec.check_request("GET", "/api/v1/vmm.ping", None, b"").valid
    assert spec.check_request("PUT", "/api/v1/vm.boot", None, b"").valid
    unknown = spec.check_request("PUT", "/api/v1/vm.start", None, b"")
    assert not unknown.valid and unknown.status == 404
    wrong_method = spec.check_request("GET", "/api/v1/vm.boot", None, b"")
    assert not wrong_method.valid and wrong_method.status == 400
    assert not spec.check_request("PUT", "/vm.boot", None, b"").valid


def test_body_on_an_action_without_one_fails(spec):
    check = spec.check_request("PUT", "/api/v1/vm.boot", "application/json", b"{}")
    assert not check.valid and check.status == 400


def test_vm_info_reply_is_checked(spec):
    assert spec.errors_for("VmInfo", {"config": SAMPLE_VM_CONFIG, "state": "Running"}) == []
    assert spec.errors_for("VmInfo", {"config": SAMPLE_VM_CONFIG, "state": "running"})


# --- the server itself, over its Unix socket ------------------------------------------------

class UnixConnection(http.client.HTTPConnection):
    def __init__(self, path):
        super().__init__("localhost", timeout=5)
        self.unix_path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(5)
        self.sock.connect(self.unix_path)


@pytest.fixture
def server(tmp_path):
    sock, log = tmp_path / "api.sock", tmp_path / "requests.jsonl"
    proc = subprocess.Popen([sys.executable, str(HERE / "fake_cloud_hypervisor.py"),
                             "--socket", str(sock), "--log", str(log)])
    deadline = time.monotonic() + 10
    while not sock.exists():
        assert proc.poll() is None, "the fake exited early"
        assert time.monotonic() < deadline, "the fake did not create its socket"
        time.sleep(0.02)
    yield sock, log, proc
    if proc.poll() is None:
        proc.terminate()
    proc.wait(timeout=5)


def call(sock, method, path, body=None):
    conn = UnixConnection(str(sock))
    headers = {"Content-Type": "application/json"} if body is not None else {}
    conn.request(method, path, None if body is None else json.dumps(body), headers)
    reply = conn.getresponse()
    data = reply.read()
    conn.close()
    return reply.status, json.loads(data) if data else None


def test_server_keeps_vm_state_and_logs_every_request(server):
    sock, log, proc = server
    assert call(sock, "PUT", "/api/v1/vm.boot")[0] == 404
    assert call(sock, "PUT", "/api/v1/vm.create", SAMPLE_VM_CONFIG)[0] == 204
    status, reply = call(sock, "PUT", "/api/v1/vm.create", SAMPLE_VM_CONFIG)
    assert status == 500 and "already created" in reply[-1]
    assert call(sock, "PUT", "/api/v1/vm.shutdown")[0] == 405
    assert call(sock, "PUT", "/api/v1/vm.boot")[0] == 204
    status, info = call(sock, "GET", "/api/v1/vm.info")
    assert status == 200 and info["state"] == "Running"
    assert info["config"] == SAMPLE_VM_CONFIG
    assert call(sock, "PUT", "/api/v1/vm.shutdown")[0] == 204
    assert call(sock, "PUT", "/api/v1/vm.delete")[0] == 204
    assert call(sock, "GET", "/api/v1/vm.info")[0] == 404
    bad = dict(SAMPLE_VM_CONFIG, cpus={"boot_vcpu": 1, "max_vcpus": 1})
    status, reply = call(sock, "PUT", "/api/v1/vm.create", bad)
    assert status == 400 and "boot_vcpu" in reply[-1]
    assert call(sock, "PUT", "/api/v1/vmm.shutdown")[0] == 204
    assert proc.wait(timeout=5) == 0
    assert not sock.exists()

    entries = [json.loads(line) for line in log.read_text().splitlines()]
    assert len(entries) == 11
    assert [e["valid"] for e in entries].count(False) == 1
    assert entries[-2]["valid"] is False and "boot_vcpu" in entries[-2]["reason"]
    assert entries[1]["body"] == SAMPLE_VM_CONFIG
