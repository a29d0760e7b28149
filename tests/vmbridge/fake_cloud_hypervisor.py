#!/usr/bin/env python3
"""A stand-in for cloud-hypervisor's REST API that checks every request against its spec.

cloud-hypervisor needs /dev/kvm, which CI machines do not have, so the supervisor's REST
driver is tested against this server instead. It is strict on purpose: the path and method
must exist in the upstream OpenAPI document, and a JSON body must validate against the
operation's requestBody schema with every object closed (`additionalProperties: false`), so
a misspelt field is an error here even where the real VMM might ignore it.

VM state follows cloud-hypervisor's: a VM is created once, booted only after create, shut
down only while running, and deleted at any time. Error replies copy cloud-hypervisor's
format (a JSON array of messages, outermost first) and use the status codes the spec lists.

Every request is appended to a JSON-lines log: method, path, body, valid, reason, status.
"""

from __future__ import annotations

import argparse
import copy
import http.server
import json
import os
import socketserver
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import yaml

API_ROOT = "/api/v1"
DEFAULT_SPEC = Path(__file__).with_name("cloud-hypervisor-openapi.yaml")

# OpenAPI integer formats, enforced as ranges: jsonschema ignores `format` on integers.
INTEGER_RANGES = {
    "int8": (-(2**7), 2**7 - 1),
    "int16": (-(2**15), 2**15 - 1),
    "int32": (-(2**31), 2**31 - 1),
    "int64": (-(2**63), 2**63 - 1),
    "uint8": (0, 2**8 - 1),
    "uint16": (0, 2**16 - 1),
    "uint32": (0, 2**32 - 1),
    "uint64": (0, 2**64 - 1),
}

# The GPU-patched cloud-hypervisor (Spectrum's virtio-gpu patch, `--gpu socket=…`) adds a
# `gpu` list to VmConfig. Upstream v53 has no such field, so it is accepted only with
# --gpu-patched.
GPU_PATCH_SCHEMAS = {
    "GpuConfig": {
        "required": ["socket"],
        "type": "object",
        "properties": {
            "socket": {"type": "string"},
            "id": {"type": "string"},
            "pci_segment": {"type": "integer", "format": "int16"},
        },
    }
}


def _close_objects(schema: Any) -> None:
    """Injects additionalProperties: false and integer ranges, recursively, in place."""
    if isinstance(schema, list):
        for item in schema:
            _close_objects(item)
        return
    if not isinstance(schema, dict):
        return
    # Only objects that list their properties are closed: an object with no properties
    # (DeviceNode.resources items) is free-form by design.
    if schema.get("type") == "object" and "properties" in schema:
        schema.setdefault("additionalProperties", False)
    if schema.get("type") == "integer" and schema.get("format") in INTEGER_RANGES:
        low, high = INTEGER_RANGES[schema["format"]]
        schema.setdefault("minimum", low)
        schema.setdefault("maximum", high)
    for sub in schema.get("properties", {}).values():
        _close_objects(sub)
    for key in ("items", "additionalProperties", "not"):
        if isinstance(schema.get(key), dict):
            _close_objects(schema[key])
    for key in ("allOf", "anyOf", "oneOf"):
        if key in schema:
            _close_objects(schema[key])


@dataclass
class Check:
    """The verdict on one request."""

    valid: bool
    status: int = 0  # the HTTP status for an invalid request
    reason: str | None = None
    operation: str | None = None  # "vm.create", or None for an unknown path
    body: Any = None  # the parsed JSON body, or the raw text when it is not JSON
    title: str = "Bad Request"  # the first message of the error reply


class Spec:
    """The OpenAPI document, with schemas closed and resolvable by name."""

    def __init__(self, document: dict, gpu_patched: bool = False):
        schemas = copy.deepcopy(document["components"]["schemas"])
        if gpu_patched:
            schemas.update(copy.deepcopy(GPU_PATCH_SCHEMAS))
            schemas["VmConfig"]["properties"]["gpu"] = {
                "type": "array",
                "items": {"$ref": "#/components/schemas/GpuConfig"},
            }
        for schema in schemas.values():
            _close_objects(schema)
        self.schemas = schemas
        self.paths: dict = document["paths"]
        self._components = {"schemas": schemas}

    @classmethod
    def load(cls, path: Path, gpu_patched: bool = False) -> "Spec":
        with open(path, encoding="utf-8") as f:
            return cls(yaml.safe_load(f), gpu_patched)

    def errors(self, schema: dict, instance: Any) -> list[str]:
        """Every violation of `schema` (which may $ref #/components/schemas/…), sorted."""
        # OpenAPI 3.0 schemas are JSON Schema draft 4 plus extensions; the $refs resolve
        # against a root document that holds the components.
        root = dict(schema)
        root["components"] = self._components
        validator = jsonschema.Draft4Validator(root)
        found = []
        for error in validator.iter_errors(instance):
            where = "/" + "/".join(str(p) for p in error.absolute_path)
            found.append(f"{where}: {error.message}")
        return sorted(found)

    def errors_for(self, name: str, instance: Any) -> list[str]:
        return self.errors({"$ref": f"#/components/schemas/{name}"}, instance)

    def check_request(self, method: str, path: str, content_type: str | None,
                      raw_body: bytes) -> Check:
        """Checks a request's path, method and body against the spec."""
        body: Any = None
        if raw_body:
            try:
                body = json.loads(raw_body)
            except ValueError:
                body = raw_body.decode("utf-8", "replace")
        if not path.startswith(API_ROOT + "/"):
            return Check(False, 404, f"{path} is not under {API_ROOT}", None, body)
        operation = path[len(API_ROOT) + 1:]
        item = self.paths.get("/" + operation)
        if item is None:
            return Check(False, 404, f"no such endpoint in the spec: {path}", None, body)
        op = item.get(method.lower())
        if op is None:
            allowed = ", ".join(m.upper() for m in item)
            return Check(False, 400, f"{method} {path} is not in the spec (allowed: {allowed})",
                         operation, body)
        request_body = op.get("requestBody")
        if request_body is None:
            if raw_body:
                # cloud-hypervisor answers 400 to a body on an action that takes none.
                return Check(False, 400, f"{operation} takes no request body", operation, body)
            return Check(True, operation=operation)
        if not raw_body:
            if request_body.get("required"):
                return Check(False, 400, f"{operation} needs a JSON body", operation)
            return Check(True, operation=operation)
        media = (content_type or "").split(";")[0].strip().lower()
        content = request_body.get("content", {})
        if media not in content:
            return Check(False, 400,
                         f"Content-Type {media or '(none)'} is not one of {', '.join(content)}",
                         operation, body)
        if isinstance(body, str):
            return Check(False, 400, "body is not valid JSON", operation, body,
                         "Failed to deserialize JSON")
        problems = self.errors(content[media]["schema"], body)
        if problems:
            return Check(False, 400, "; ".join(problems), operation, body,
                         "Failed to deserialize JSON")
        return Check(True, operation=operation, body=body)


def api_error(*messages: str) -> bytes:
    """cloud-hypervisor's error body: the error chain as a JSON array of strings."""
    return json.dumps(["Error from API", *messages]).encode()


class FakeVmm:
    """The VM state machine of cloud-hypervisor's API, one VM per VMM."""

    def __init__(self, spec: Spec, options: argparse.Namespace):
        self.spec = spec
        self.options = options
        self.lock = threading.Lock()
        self.config: dict | None = None
        self.state: str | None = None  # None until created; then a VmState
        self.shutting_down = threading.Event()

    def handle(self, operation: str, body: Any) -> tuple[int, bytes | None]:
        """Runs a valid request; returns (status, body or None)."""
        if operation in self.options.fail:
            return 500, api_error(f"The {operation} request failed",
                                  f"injected failure (--fail {operation})")
        with self.lock:
            handler = getattr(self, "op_" + operation.replace(".", "_").replace("-", "_"), None)
            if handler is None:
                return 500, api_error(f"{operation} is not modelled by the fake VMM")
            return handler(body)

    def _json(self, schema: str, reply: dict) -> tuple[int, bytes]:
        problems = self.spec.errors_for(schema, reply)
        if problems:  # a bug in the fake itself: say so loudly rather than mislead a test
            return 500, api_error(f"fake VMM built an invalid {schema}", *problems)
        return 200, json.dumps(reply).encode()

    def op_vmm_ping(self, _body: Any):
        return self._json("VmmPingResponse", {
            "build_version": "v53.0-fake", "version": "53.0", "pid": os.getpid(),
            "features": ["kvm"]})

    def op_vmm_shutdown(self, _body: Any):
        self.shutting_down.set()
        return 204, None

    def op_vm_create(self, body: Any):
        if self.config is not None:
            return 500, api_error("The VM could not be created", "The VM is already created")
        self.config, self.state = body, "Created"
        return 204, None

    def op_vm_boot(self, _body: Any):
        if self.config is None:
            return 404, api_error("The VM could not boot", "The VM is not created")
        if self.state == "Running":
            return 500, api_error("The VM could not boot",
                                  "Invalid VM state transition: Running to Running")
        self.state = "Running"
        return 204, None

    def op_vm_info(self, _body: Any):
        if self.config is None:
            return 404, api_error("The VM information could not be retrieved",
                                  "The VM is not created")
        info = {"config": self.config, "state": self.state, "device_tree": {}}
        memory = self.config.get("memory", {}).get("size")
        if memory is not None:
            info["memory_actual_size"] = memory
        return self._json("VmInfo", info)

    def op_vm_shutdown(self, _body: Any):
        if self.config is None:
            return 404, api_error("The VM could not shut down", "The VM is not created")
        if self.state != "Running":
            return 405, api_error("The VM could not shut down", "The VM is not running")
        self.state = "Shutdown"
        return 204, None

    def op_vm_power_button(self, _body: Any):
        if self.config is None:
            return 404, api_error("The power button could not be triggered",
                                  "The VM is not created")
        if self.state != "Running":
            return 405, api_error("The power button could not be triggered",
                                  "The VM is not running")
        if self.options.on_power_button != "ignore":
            timer = threading.Timer(self.options.power_off_delay, self._guest_powered_off)
            timer.daemon = True
            timer.start()
        return 204, None

    def _guest_powered_off(self):
        # The real VMM exits when its guest powers off, without ever reporting "Shutdown";
        # --on-power-button exit copies that.
        if self.options.on_power_button == "exit":
            self.shutting_down.set()
            return
        with self.lock:
            if self.state == "Running":
                self.state = "Shutdown"

    def op_vm_delete(self, _body: Any):
        self.config, self.state = None, None
        return 204, None


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "Cloud Hypervisor API (fake)"
    server: "Server"

    def address_string(self) -> str:
        return "unix"  # a Unix socket peer has no host; the default handler expects one

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the JSON-lines log is the record

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if self.headers.get("Transfer-Encoding"):
            self._reply(400, api_error("chunked request bodies are not supported"))
            self.close_connection = True
            return
        raw = self.rfile.read(length) if length else b""
        path = self.path.split("?", 1)[0]
        check = self.server.spec.check_request(self.command, path,
                                               self.headers.get("Content-Type"), raw)
        entry = {
            "time": time.time(),
            "method": self.command,
            "path": path,
            "operation": check.operation,
            "body": check.body,
            "valid": check.valid,
            "reason": check.reason,
        }
        if self.server.options.hang:
            entry["status"] = None
            self.server.record(entry)
            threading.Event().wait()  # accept, read, never answer
        if check.valid:
            status, body = self.server.vmm.handle(check.operation, check.body)
        elif check.status == 404:
            status, body = 404, json.dumps(["Not Found", check.reason]).encode()
        else:
            status, body = check.status, json.dumps([check.title, check.reason]).encode()
        entry["status"] = status
        self.server.record(entry)
        self._reply(status, body)

    do_GET = do_PUT = do_POST = do_PATCH = do_DELETE = do_HEAD = _handle

    def _reply(self, status: int, body: bytes | None) -> None:
        self.send_response(status)
        if status != 204:
            payload = body or b""
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if status != 204 and body:
            self.wfile.write(body)
        self.wfile.flush()


class Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True

    def __init__(self, path: str, spec: Spec, options: argparse.Namespace):
        self.spec = spec
        self.options = options
        self.vmm = FakeVmm(spec, options)
        self.socket_path = path
        self._log_lock = threading.Lock()
        self._log = open(options.log, "a", encoding="utf-8") if options.log else None
        if os.path.exists(path):
            os.unlink(path)
        super().__init__(path, Handler)

    def record(self, entry: dict) -> None:
        if self._log is None:
            return
        with self._log_lock:
            self._log.write(json.dumps(entry) + "\n")
            self._log.flush()

    def serve(self) -> None:
        watcher = threading.Thread(target=self._exit_when_asked, daemon=True)
        watcher.start()
        try:
            self.serve_forever(poll_interval=0.05)
        finally:
            self.server_close()
            try:
                os.unlink(self.socket_path)
            except FileNotFoundError:
                pass

    def _exit_when_asked(self) -> None:
        # vmm.shutdown and a guest power-off with --on-power-button exit end the process,
        # like the real VMM, after the reply is on its way.
        self.vmm.shutting_down.wait()
        time.sleep(0.05)
        self.shutdown()


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--socket", required=True, help="API socket path (like --api-socket)")
    parser.add_argument("--log", help="append every request here as JSON lines")
    parser.add_argument("--spec", default=str(DEFAULT_SPEC), help="the OpenAPI YAML")
    parser.add_argument("--gpu-patched", action="store_true",
                        help="accept the GPU patch's VmConfig.gpu (absent upstream)")
    parser.add_argument("--hang", action="store_true",
                        help="accept and read every request, never answer")
    parser.add_argument("--fail", action="append", default=[], metavar="OP",
                        help="answer 500 to operation OP (e.g. vm.boot); repeatable")
    parser.add_argument("--on-power-button", choices=["poweroff", "ignore", "exit"],
                        default="poweroff",
                        help="what the guest does on vm.power-button (exit: the VMM exits)")
    parser.add_argument("--power-off-delay", type=float, default=0.2, metavar="SECONDS")
    return parser.parse_args(argv)


def main(argv: list[str]) -> int:
    options = parse_args(argv)
    spec = Spec.load(Path(options.spec), options.gpu_patched)
    Server(options.socket, spec, options).serve()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
