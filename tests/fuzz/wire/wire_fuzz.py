#!/usr/bin/env python3
"""The wire-level fuzzer for the VM sockets: random but well-formed request sequences from
VM clients against the compositor built with AddressSanitizer and UBSan.

For each seed: a fresh compositor (headless, pixman) with three VMs — red and green, where
the fuzz clients connect, and blue, where a bystander client keeps one window — and a host
connection that plays the user (virtual pointer and keyboard, spectrumctl, wtype). Then
ROUNDS sequences of ACTIONS steps, each step one of: a fuzz client's random action (see
fuzz_client.py: objects made and destroyed in random orders), a new fuzz client, a client
exiting at once (sometimes mid-message), or something the user does (move, click, drag
with Super, type, Alt+Tab, focus or close a window, add or remove an output, reload).

After every sequence, with the fuzz clients still connected, the checkpoint asserts:
  * the compositor lives and its log has no ASan/UBSan report;
  * `spectrumctl focus` on blue's window, then a click at a pointer that did not move and a
    key from wtype on the host socket, reach blue's client and no fuzz client;
  * a grim screenshot shows blue's window framed in exactly blue's colour, title bar with
    text, its content in its own colour;
  * with a fuzz window focused by spectrumctl, a key reaches that window's client (when it
    has a wl_keyboard) and never blue's.
Then every fuzz client exits. After the last round the compositor gets SIGTERM and must
exit 0 with no sanitizer report (LeakSanitizer included).

A failure prints the seed, the round and the last actions, keeps the compositor log and the
screenshot, and the command that replays it. Usage:

  wire_fuzz.py --ci                      the fixed seed list CI runs
  wire_fuzz.py --seeds 1000              1000 random seeds (printed as they run)
  wire_fuzz.py --seed 1234 [--seed …]    replay chosen seeds
Options: --rounds N, --actions N, --build-root DIR (default: the checkout's build/; the ASan
tree is DIR/asan, made as asan_session.sh makes it), --compositor/--ctl BIN (another build,
e.g. one with --coverage; then --coverage-from DIR prints gcov's line coverage per file).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCE_ROOT = HERE.parents[2]
sys.path.insert(0, str(SOURCE_ROOT / "tests" / "integration"))
sys.path.insert(0, str(HERE))

from fuzz_client import FuzzClient, FuzzConnection  # noqa: E402
from wire import (BTN_LEFT, KEY_LEFTMETA, MOD_LOGO, PRESSED, RELEASED,  # noqa: E402
                  Connection, Disconnected, ProtocolError, Reader, WaylandError, u32)

# The seeds CI runs, each a fresh compositor: sized for a few minutes on two loaded cores
# under ASan. Never edited to dodge a failure: a seed that fails is a bug to fix or report.
CI_SEEDS = list(range(1, 17))
CI_ROUNDS = 2
CI_ACTIONS = 150

RED = "#cc0000"
GREEN = "#4e9a06"
BLUE = "#3465a4"
VICTIM_COLOUR = 0xFFE0C030  # blue's window content, ARGB
FUZZ_VMS = ("red", "green")

# red has tight limits so that breaking them (and being cut off) is part of every run.
CONFIG_VMS = {
    "red": {"color": RED, "limits": {"clients": 4, "surfaces": 48, "toplevels": 6,
                                     "shm_bytes": 48 * 1024 * 1024, "title_length": 24}},
    "green": {"color": GREEN},
    "blue": {"color": BLUE},
}

SANITIZER_REPORT = re.compile(
    r"ERROR: (Address|Leak)Sanitizer|runtime error:|SUMMARY: UndefinedBehaviorSanitizer|"
    r"AddressSanitizer:DEADLYSIGNAL")


class Finding(Exception):
    """What the fuzzer is looking for: the compositor crashed, stalled, reported a
    sanitizer error, drew another VM wrong, or sent keys or clicks to the wrong client."""


# --- the bystander ----------------------------------------------------------------------


class Victim:
    """blue's client: one window in VICTIM_COLOUR, and every key and button it is sent."""

    def __init__(self, comp, log):
        self.conn = FuzzConnection(comp.socket_path_for("blue"), None, timeout=30.0)
        self.window = self.conn.create_toplevel(240, 160, color=VICTIM_COLOUR,
                                                title="bystander", app_id="victim")
        self.keys: list[tuple[int, int]] = []
        self.buttons: list[tuple[int, int]] = []
        self.keyboard_on = False
        self.pointer_on = False
        seat = self.conn.shared("wl_seat", 5)
        keyboard, pointer = self.conn.new_id(), self.conn.new_id()
        self.conn.request(seat, 1, u32(keyboard))
        self.conn.request(seat, 0, u32(pointer))

        def on_keyboard(opcode: int, reader: Reader) -> None:
            if opcode == 1:
                self.keyboard_on = True
            elif opcode == 2:
                self.keyboard_on = False
            elif opcode == 3:
                reader.u32(), reader.u32()
                self.keys.append((reader.u32(), reader.u32()))

        def on_pointer(opcode: int, reader: Reader) -> None:
            if opcode == 0:
                self.pointer_on = True
            elif opcode == 1:
                self.pointer_on = False
            elif opcode == 3:
                reader.u32(), reader.u32()
                self.buttons.append((reader.u32(), reader.u32()))

        self.conn.handlers[keyboard] = on_keyboard
        self.conn.handlers[pointer] = on_pointer
        self.conn.roundtrip()
        listed = comp.wait_for_window(vm="blue", app_id="victim", timeout=15)
        self.id = listed["id"]
        self.log = log

    def pump(self) -> None:
        try:
            self.conn.pump()
        except WaylandError as exc:
            raise Finding(f"blue's client lost its connection: {exc}") from None


# --- the user -------------------------------------------------------------------------------


class User:
    """What the person at the desk does, over the host socket and spectrumctl."""

    def __init__(self, comp, rng: random.Random, log, victim_id: int):
        self.comp = comp
        self.victim_id = victim_id
        self.rng = rng
        self.log = log
        self.conn = Connection(comp.socket_path_for(None), timeout=30.0)
        self.pointer = self.conn.create_virtual_pointer()
        self.keyboard = self.conn.create_virtual_keyboard()
        self.pointer.move_to(0, 0)  # a known place, away from every window
        self.pointer.sync()
        self.held: int | None = None  # the button held down
        self.added_outputs: list[str] = []

    def ctl(self, *args, check=False):
        return self.comp.ctl(*args, check=check, timeout=30)

    def windows(self) -> list[dict]:
        result = self.ctl("windows", "--json")
        if result.returncode != 0:
            raise Finding(f"spectrumctl windows failed: {result.stderr.strip()}")
        return json.loads(result.stdout)

    def wtype(self, *args: str) -> None:
        result = subprocess.run(["wtype", *args], env=self.comp.client_env(None),
                                capture_output=True, text=True, timeout=30)
        if result.returncode != 0:
            raise Finding(f"wtype {' '.join(args)} failed: {result.stderr.strip()}")

    def on_victim_frame(self, x: int, y: int, content_too: bool = False) -> bool:
        """Whether (x, y) is on blue's border or title bar (or anywhere on its window, with
        content_too): a press there starts a move of blue's window (a title-bar drag, or any
        Super+drag), the user's right, which would take it from where the checks look."""
        victim = next((w for w in self.windows() if w["id"] == self.victim_id), None)
        if victim is None:
            return False
        frame, content = victim["frame"], victim
        in_frame = (frame["x"] <= x < frame["x"] + frame["width"]
                    and frame["y"] <= y < frame["y"] + frame["height"])
        in_content = (content["x"] <= x < content["x"] + content["width"]
                      and content["y"] <= y < content["y"] + content["height"])
        return in_frame and (content_too or not in_content)

    def release(self) -> None:
        if self.held:
            self.pointer.release(self.held)
            self.held = None
        self.pointer.sync()

    def act(self) -> None:
        rng = self.rng
        choice = min(rng.randrange(15), 12)  # press-and-hold thrice as often
        windows = self.windows() if choice in (1, 2, 4, 5, 9, 12) else []
        if choice in (2, 5, 9, 12):
            # Moving, resizing or closing is for the fuzz clients' windows: blue's stays
            # where the checks look for it.
            windows = [w for w in windows if w["vm"] in FUZZ_VMS]
        window = rng.choice(windows) if windows else None
        if choice == 0 or (window is None and choice in (1, 2, 4, 5, 9, 12)):
            x, y = rng.randrange(1280), rng.randrange(720)
            self.pointer.move_to(x, y)
            what = f"move to {x},{y}"
        elif choice == 1:
            x = window["x"] + rng.randrange(max(window["width"], 1))
            y = window["y"] + rng.randrange(max(window["height"], 1))
            self.pointer.click(max(0, min(x, 1279)), max(0, min(y, 719)))
            what = f"click window {window['id']} at {x},{y}"
        elif choice == 2:
            frame = window["frame"]
            x, y = frame["x"] + frame["width"] // 2, frame["y"] + 8
            if self.on_victim_frame(x, y, content_too=True):
                self.log("user: (title bar under blue's window: no drag)")
                return
            self.pointer.drag((max(0, min(x, 1279)), max(0, min(y, 719))),
                              (rng.randrange(1280), rng.randrange(720)))
            what = f"drag title bar of {window['id']}"
        elif choice == 3:
            button = rng.choice([BTN_LEFT, BTN_LEFT + 1])
            if self.held:
                self.pointer.release(self.held)
                self.held = None
            elif not self.on_victim_frame(*(self.pointer.position or (0, 0))):
                self.pointer.press(button)
                self.held = button
            self.pointer.sync()
            what = "button " + ("down" if self.held else "up")
        elif choice == 4:
            self.ctl("focus", window["id"])
            what = f"focus {window['id']}"
        elif choice == 5:
            x = window["x"] + window["width"] // 2
            y = window["y"] + window["height"] // 2
            if self.on_victim_frame(x, y, content_too=True):
                self.log("user: (window under blue's: no Super+drag)")
                return
            with self.keyboard.hold(KEY_LEFTMETA, MOD_LOGO):
                self.pointer.drag((max(0, min(x, 1279)), max(0, min(y, 719))),
                                  (rng.randrange(1280), rng.randrange(720)),
                                  button=rng.choice([BTN_LEFT, BTN_LEFT + 1]))
            what = f"super-drag {window['id']}"
        elif choice == 6:
            self.wtype(rng.choice(["a", "Z", "é", "\n", " "]))
            what = "type"
        elif choice == 7:
            self.wtype("-M", "alt", "-k", "Tab", "-m", "alt")
            what = "alt+tab"
        elif choice == 8:
            if self.added_outputs and rng.random() < 0.6:
                name = self.added_outputs.pop()
                self.comp_request({"command": "output-remove", "name": name})
                what = f"remove output {name}"
            else:
                reply = self.comp_request({"command": "output-add",
                                           "width": rng.choice([640, 1024, 1280]),
                                           "height": rng.choice([480, 720])})
                if reply.get("name"):
                    self.added_outputs.append(reply["name"])
                what = f"add output {reply.get('name')}"
        elif choice == 9:
            self.ctl("close", window["id"])
            what = f"close {window['id']}"
        elif choice == 10:
            self.ctl("reload")
            what = "reload"
        elif choice == 12:
            # A button held on a fuzz window: its client gets a serial it may start a drag
            # (or a move, a resize, a popup grab) with, for as long as the button stays down.
            x = window["x"] + window["width"] // 2
            y = window["y"] + window["height"] // 2
            if self.held or self.on_victim_frame(x, y, content_too=True):
                self.log("user: (no press-and-hold)")
                return
            self.pointer.move_to(max(0, min(x, 1279)), max(0, min(y, 719)))
            self.pointer.press()
            self.pointer.sync()
            self.held = BTN_LEFT
            what = f"press and hold on {window['id']}"
        else:
            x, y = rng.randrange(1280), rng.randrange(720)
            if self.on_victim_frame(x, y):
                x, y = 0, 0
            self.pointer.move_to(x, y)
            self.pointer.press()
            self.pointer.move_to(rng.randrange(1280), rng.randrange(720))
            self.pointer.release()
            self.pointer.sync()
            what = "press, move, release"
        self.log(f"user: {what}")

    def comp_request(self, request: dict) -> dict:
        """A control-socket request spectrumctl has no subcommand for (outputs)."""
        import socket as socketlib
        with socketlib.socket(socketlib.AF_UNIX, socketlib.SOCK_STREAM) as sock:
            sock.settimeout(30)
            sock.connect(str(self.comp.ctl_socket))
            sock.sendall(json.dumps(request).encode() + b"\n")
            data = b""
            while not data.endswith(b"\n"):
                chunk = sock.recv(65536)
                if not chunk:
                    break
                data += chunk
        try:
            return json.loads(data or b"{}")
        except json.JSONDecodeError:
            return {}

    def tidy(self) -> None:
        """Back to one output and no button held, before the checks."""
        self.release()
        while self.added_outputs:
            self.comp_request({"command": "output-remove", "name": self.added_outputs.pop()})


# --- one seed -----------------------------------------------------------------------------


class Run:
    def __init__(self, seed: int, args, artifacts_dir: Path):
        self.seed = seed
        self.args = args
        self.rng = random.Random(seed)
        self.artifacts_dir = artifacts_dir
        self.actions: list[str] = []
        self.stats: Counter = Counter()
        self.clients: list[FuzzClient] = []
        self.client_count = 0
        self.round = 0
        self.error_kinds: Counter = Counter()

    def log(self, text: str) -> None:
        self.actions.append(f"[r{self.round}] {text}")

    # --- life cycle ---

    def start(self):
        from harness import Artifacts, Compositor, make_config
        self.art = Artifacts(f"wire-fuzz-seed-{self.seed}")
        env = {
            "ASAN_OPTIONS": "detect_leaks=1:abort_on_error=0:exitcode=99",
            "UBSAN_OPTIONS": "print_stacktrace=1:halt_on_error=1:exitcode=98",
            "LSAN_OPTIONS": f"suppressions={SOURCE_ROOT}/tests/sanitizers/lsan.supp:"
                            "print_suppressions=0",
        }
        self.comp = Compositor(self.art, make_config(CONFIG_VMS), env=env).start()
        self.log_offset = 0
        self.victim = Victim(self.comp, self.log)
        self.user = User(self.comp, self.rng, self.log, self.victim.id)

    def check_log(self) -> None:
        text = self.comp.log_text()
        match = SANITIZER_REPORT.search(text)
        if match:
            start = text.rfind("\n", 0, max(match.start() - 200, 0)) + 1
            raise Finding("sanitizer report in the compositor log:\n"
                          + "\n".join(text[start:].splitlines()[:80]))

    def check_alive(self, doing: str) -> None:
        if not self.comp.alive():
            status = self.comp.proc.returncode
            self.check_log()
            raise Finding(f"compositor died ({self._status(status)}) during {doing}:\n"
                          f"{self.comp.log_tail(40)}")

    @staticmethod
    def _status(status: int) -> str:
        return f"signal {-status}" if status < 0 else f"exit status {status}"

    def stop(self) -> None:
        for client in self.clients:
            client.exit()
        self.clients.clear()
        for conn in (self.victim.conn, self.user.conn):
            conn.close()
        try:
            self.comp.stop(expect_status=0)
        except AssertionError as exc:
            self.check_log()
            raise Finding(f"at SIGTERM: {exc}") from None
        self.check_log()

    # --- the sequence ---

    def new_client(self) -> None:
        vm = self.rng.choice(FUZZ_VMS)
        self.client_count += 1
        name = f"c{self.client_count}"
        try:
            client = FuzzClient(name, self.comp.socket_path_for(vm),
                                random.Random(self.rng.getrandbits(64)), self.log,
                                tag=f"fz{self.client_count}")
        except (WaylandError, OSError) as exc:  # over the VM's client limit, or a crash
            self.log(f"{name} on {vm} refused: {exc}")
            time.sleep(0.2)  # a crashing compositor takes a moment to print and exit
            self.check_alive(f"{name}'s connection")
            self.stats["refused"] += 1
            return
        client.vm = vm
        self.clients.append(client)
        self.stats["clients"] += 1
        self.log(f"{name} connects to {vm}")

    def client_ended(self, client: FuzzClient, exc: WaylandError) -> None:
        client.flush_trace(type(exc).__name__)
        client.dead = str(exc)
        client.conn.close()
        if client in self.clients:
            self.clients.remove(client)
        kind = "protocol error" if isinstance(exc, ProtocolError) else "disconnected"
        self.stats[kind] += 1
        if self.args.error_stats:
            message = exc.message if isinstance(exc, ProtocolError) else str(exc)
            self.error_kinds[re.sub(r"\d+", "N", message)[:70]] += 1
        self.log(f"{client.name} {kind}: {exc}")

    def guarded(self, client: FuzzClient | None, what, doing: str) -> None:
        """Runs a step; a client's end is an outcome, a timeout is a stall (a finding)."""
        try:
            what()
        except WaylandError as exc:
            if client is None:
                self.check_alive(doing)
                raise Finding(f"a trusted connection ended during {doing}: {exc}") from None
            self.client_ended(client, exc)
        except (TimeoutError, OSError) as exc:
            if client is not None:
                client.flush_trace(type(exc).__name__)
            self.check_alive(doing)
            if isinstance(exc, TimeoutError) or "timed out" in str(exc):
                raise Finding(f"the compositor did not answer for 30 s during {doing}") from None
            if client is None:
                raise
            self.client_ended(client, Disconnected(str(exc)))
        self.check_alive(doing)

    def sequence(self) -> None:
        rng = self.rng
        for _ in range(self.args.actions):
            roll = rng.random()
            if not self.clients or roll < 0.03:
                if len(self.clients) < 4:
                    self.new_client()
                    continue
            if roll < 0.05 and self.clients:
                client = rng.choice(self.clients)
                truncated = rng.random() < 0.3
                self.log(f"{client.name} exits{' mid-message' if truncated else ''}")
                client.exit(truncated)
                self.clients.remove(client)
                self.stats["exits"] += 1
                continue
            if roll < 0.13:
                self.guarded(None, self.user.act, "a user action")
                continue
            if not self.clients:
                continue
            client = rng.choice(self.clients)
            self.stats["steps"] += 1
            try:
                # The roundtrip reads what the action caused before the next one is chosen:
                # the same seed makes the same choices however fast the compositor is.
                self.guarded(client, lambda: (client.step(), client.conn.roundtrip()),
                             f"{client.name}'s action")
            except Finding:
                client.flush_trace("finding")
                raise
            for other in list(self.clients):
                self.guarded(other, other.pump, f"{other.name}'s events")
            self.victim.pump()

    # --- the checks ---

    def screenshot(self):
        from pixels import Image
        result = subprocess.run(["grim", "-t", "ppm", "-"], env=self.comp.client_env(None),
                                capture_output=True, timeout=30)
        if result.returncode != 0:
            raise Finding(f"grim failed: {result.stderr.decode(errors='replace')}")
        return Image.from_ppm(result.stdout)

    def settle_clients(self) -> None:
        """Every fuzz client's events read, up to now."""
        for client in list(self.clients):
            self.guarded(client, client.conn.roundtrip, f"{client.name}'s roundtrip")

    def wait_for(self, condition, conn, timeout: float = 5.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                conn.pump()
            except WaylandError as exc:
                raise Finding(f"blue's client lost its connection: {exc}") from None
            if condition():
                return True
            time.sleep(0.02)
        return condition()

    def checkpoint(self) -> None:
        from harness import check_frame, frame_parts
        from pixels import Rect
        self.check_alive("the checkpoint")
        self.check_log()
        user, victim = self.user, self.victim
        self.guarded(None, user.tidy, "tidying up")
        self.settle_clients()
        windows = user.windows()
        mine = next((w for w in windows if w["id"] == victim.id), None)
        if mine is None:
            raise Finding(f"blue's window {victim.id} is no longer listed: {windows}")

        # A click where the pointer already is, after a restack: it goes to what is drawn.
        cx, cy = mine["x"] + mine["width"] // 2, mine["y"] + mine["height"] // 2
        user.pointer.move_to(cx, cy)
        user.pointer.sync()
        self.settle_clients()
        result = user.ctl("focus", victim.id)
        if result.returncode != 0:
            raise Finding(f"spectrumctl focus {victim.id} failed: {result.stderr.strip()}")
        windows = user.windows()
        focused = [w["id"] for w in windows if w["focused"]]
        if focused != [victim.id]:
            raise Finding(f"spectrumctl focus {victim.id}, but windows says {focused} focused")
        mine = next(w for w in windows if w["id"] == victim.id)
        buttons_before = {c.name: c.pointer_buttons for c in self.clients}
        keys_before = {c.name: len(c.keys) for c in self.clients}
        victim.buttons.clear()
        victim.keys.clear()
        user.pointer.press()
        user.pointer.release()
        user.pointer.sync()
        if not self.wait_for(lambda: (BTN_LEFT, PRESSED) in victim.buttons, victim.conn):
            raise Finding("a click on blue's focused, raised window did not reach blue's client "
                          f"(pointer on it: {victim.pointer_on})")
        user.wtype("k")
        if not self.wait_for(lambda: any(s == PRESSED for _, s in victim.keys), victim.conn):
            raise Finding("spectrumctl says blue's window is focused but a key typed on the "
                          f"host socket did not reach blue's client (keyboard enter: "
                          f"{victim.keyboard_on})")
        self.settle_clients()
        for client in self.clients:
            if client.pointer_buttons != buttons_before.get(client.name, 0):
                raise Finding(f"the click on blue's window reached fuzz client {client.name}")
            if len(client.keys) != keys_before.get(client.name, 0):
                raise Finding(f"blue's window is focused but fuzz client {client.name} ({client.vm}) "
                              f"received the key: {client.keys[keys_before.get(client.name, 0):]}")

        # Blue's window, raised and focused, drawn in blue's colour with its own content.
        user.pointer.move_to(1279, 719)
        user.pointer.sync()
        parts = frame_parts(mine)
        deadline = time.monotonic() + 5
        while True:
            image = self.screenshot()
            try:
                check_frame(image, parts, BLUE)
                content = parts.content
                expected = ((VICTIM_COLOUR >> 16) & 255, (VICTIM_COLOUR >> 8) & 255,
                            VICTIM_COLOUR & 255)
                inner = Rect(content.x, content.y, content.width, content.height)
                right = image.count(inner, lambda c: c == expected)
                assert right >= 0.97 * inner.width * inner.height, \
                    f"blue's content is not its own colour: {image.describe(inner)}"
                break
            except AssertionError as exc:
                if time.monotonic() > deadline:
                    path = self.art.unique("screen-at-failure", ".png")
                    image.save_png(path)
                    self.art.unique("windows-at-failure", ".json").write_text(
                        json.dumps(user.windows(), indent=1))
                    raise Finding(f"blue's window is not drawn right: {exc} "
                                  f"(screenshot {path})") from None
                time.sleep(0.2)

        # A fuzz window focused by the user: keys go there, never to blue.
        fuzz_windows = [w for w in windows if w["vm"] in FUZZ_VMS]
        if fuzz_windows:
            target = self.rng.choice(fuzz_windows)
            if user.ctl("focus", target["id"]).returncode != 0:
                return  # it went away in between: nothing to check
            focused = [w for w in user.windows() if w["focused"]]
            if [w["id"] for w in focused] != [target["id"]]:
                raise Finding(f"spectrumctl focus {target['id']}, but windows says "
                              f"{[w['id'] for w in focused]} focused")
            owner = next((c for c in self.clients
                          if target["app_id"].startswith(c.tag + ".")), None)
            self.settle_clients()
            before = len(owner.keys) if owner else 0
            victim.keys.clear()
            user.wtype("q")
            self.settle_clients()
            victim.pump()
            victim.conn.roundtrip()
            if victim.keys:
                raise Finding(f"window {target['id']} of {target['vm']} is focused but blue's "
                              f"client received the key: {victim.keys}")
            if owner and owner in self.clients and owner.live("wl_keyboard"):
                if len(owner.keys) == before:
                    raise Finding(f"window {target['id']} ({owner.name}) is focused and its "
                                  "client has a wl_keyboard, but the key did not reach it")
                self.stats["keys to fuzz"] += 1
        self.stats["checkpoints"] += 1

    def end_round(self) -> None:
        for client in self.clients:
            client.exit(self.rng.random() < 0.2)
            self.stats["exits"] += 1
        self.clients.clear()
        self.victim.pump()
        self.check_alive("the clients' exit")
        if self.user.windows() and self.victim.id not in [w["id"] for w in self.user.windows()]:
            raise Finding("blue's window went away when the fuzz clients exited")

    def run(self) -> None:
        self.start()
        for self.round in range(1, self.args.rounds + 1):
            self.sequence()
            self.checkpoint()
            self.end_round()
        self.stop()


# --- building and coverage -----------------------------------------------------------------


def ensure_asan_build(source_root: Path, build_root: Path) -> tuple[Path, Path]:
    """The ASan/UBSan tree tests/sanitizers/asan_session.sh uses, configured the same way."""
    asan = build_root / "asan"
    if not (asan / "build.ninja").exists():
        subprocess.run(["meson", "setup", str(asan), str(source_root),
                        "-Db_sanitize=address,undefined", "-Db_lundef=false",
                        "--buildtype=debug"], check=True, stdout=subprocess.DEVNULL)
    subprocess.run(["ninja", "-C", str(asan), "-j2", "compositor/spectrum-compositor",
                    "compositor/spectrumctl"], check=True, stdout=subprocess.DEVNULL)
    return asan / "compositor" / "spectrum-compositor", asan / "compositor" / "spectrumctl"


def coverage_report(build_dir: Path) -> str:
    """gcov's line coverage of every compositor source file, from the .gcda files a
    --coverage build wrote when the compositor exited."""
    rows = []
    gcdas = sorted((build_dir / "compositor").rglob("*.gcda"))
    total_lines = total_hit = 0
    for gcda in gcdas:
        result = subprocess.run(["gcov", "-n", "-o", str(gcda.parent), str(gcda)],
                                cwd=build_dir, capture_output=True, text=True)
        current = None
        for line in result.stdout.splitlines():
            match = re.match(r"File '(.*)'", line)
            if match:
                current = match.group(1)
                continue
            match = re.match(r"Lines executed:([\d.]+)% of (\d+)", line)
            if match and current:
                path = os.path.normpath(os.path.join(build_dir, current))
                rel = os.path.relpath(path, SOURCE_ROOT)
                if rel.startswith("compositor/") and rel.endswith(".cpp"):
                    lines = int(match.group(2))
                    hit = round(float(match.group(1)) * lines / 100)
                    rows.append((rel, hit, lines))
                current = None
    seen = {}
    for rel, hit, lines in rows:
        seen[rel] = max(seen.get(rel, (0, 0)), (hit, lines))
    out = [f"{'file':48} {'lines':>6} {'hit':>6} {'cover':>7}"]
    for rel, (hit, lines) in sorted(seen.items()):
        total_lines += lines
        total_hit += hit
        out.append(f"{rel:48} {lines:6} {hit:6} {100 * hit / max(lines, 1):6.1f}%")
    out.append(f"{'total':48} {total_lines:6} {total_hit:6} "
               f"{100 * total_hit / max(total_lines, 1):6.1f}%")
    return "\n".join(out)


# --- main ---------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ci", action="store_true", help="the fixed CI seed list")
    parser.add_argument("--seeds", type=int, help="this many random seeds")
    parser.add_argument("--seed", type=int, action="append", default=[], help="replay a seed")
    parser.add_argument("--rounds", type=int)
    parser.add_argument("--actions", type=int)
    parser.add_argument("--build-root", type=Path, default=SOURCE_ROOT / "build")
    parser.add_argument("--compositor", type=Path)
    parser.add_argument("--ctl", type=Path)
    parser.add_argument("--coverage-from", type=Path,
                        help="a --coverage build dir: print line coverage per file after")
    parser.add_argument("--keep-going", action="store_true",
                        help="run every seed even after a failure")
    parser.add_argument("--show", type=int, default=40, help="actions shown on failure")
    parser.add_argument("--error-stats", action="store_true",
                        help="count how the fuzz clients' connections ended")
    args = parser.parse_args()

    if args.ci:
        seeds = CI_SEEDS
        args.rounds = args.rounds or CI_ROUNDS
        args.actions = args.actions or CI_ACTIONS
        args.keep_going = True
    elif args.seed:
        seeds = args.seed
    else:
        count = args.seeds or 20
        seeds = [int.from_bytes(os.urandom(4), "little") for _ in range(count)]
    args.rounds = args.rounds or 3
    args.actions = args.actions or 200

    if args.compositor:
        compositor = args.compositor.resolve()
        ctl = (args.ctl or args.compositor.parent / "spectrumctl").resolve()
    else:
        compositor, ctl = ensure_asan_build(SOURCE_ROOT, args.build_root)
    os.environ["SPECTRUM_COMPOSITOR"] = str(compositor)
    os.environ["SPECTRUM_CTL"] = str(ctl)
    artifacts = Path(os.environ.setdefault(
        "SPECTRUM_ARTIFACTS", str(args.build_root / "wire-fuzz-artifacts")))
    artifacts.mkdir(parents=True, exist_ok=True)

    failed: list[int] = []
    totals: Counter = Counter()
    errors: Counter = Counter()
    started = time.monotonic()
    for seed in seeds:
        run = Run(seed, args, artifacts)
        began = time.monotonic()
        try:
            run.run()
        except Finding as finding:
            failed.append(seed)
            report(run, seed, str(finding), args)
        except Exception:  # the fuzzer's own bug: say so, with the seed
            failed.append(seed)
            report(run, seed, "the fuzzer itself failed:\n" + traceback.format_exc(), args)
        else:
            shutil.rmtree(run.art.dir, ignore_errors=True)
        finally:
            cleanup(run)
        totals.update(run.stats)
        errors.update(run.error_kinds)
        stats = ", ".join(f"{k} {v}" for k, v in sorted(run.stats.items()))
        print(f"wire-fuzz: seed {seed}: {'FAILED' if seed in failed else 'ok'} "
              f"in {time.monotonic() - began:.1f}s ({stats})", flush=True)
        if failed and not args.keep_going:
            break
    print(f"wire-fuzz: {len(seeds)} seeds, {len(failed)} failed "
          f"{failed if failed else ''}in {time.monotonic() - started:.0f}s; "
          + ", ".join(f"{k} {v}" for k, v in sorted(totals.items())), flush=True)
    for message, count in errors.most_common():
        print(f"  {count:5}  {message}")
    if args.coverage_from:
        print(coverage_report(args.coverage_from.resolve()))
    return 1 if failed else 0


def report(run: Run, seed: int, message: str, args) -> None:
    print(f"\nwire-fuzz: FAILED seed {seed}, round {run.round}: {message}", flush=True)
    if run.actions:
        print(f"last {min(args.show, len(run.actions))} of {len(run.actions)} actions:")
        for line in run.actions[-args.show:]:
            print(f"  {line}")
    art = getattr(run, "art", None)
    if art is not None:
        (art.dir / "actions.txt").write_text("\n".join(run.actions) + "\n")
        print(f"compositor log and actions: {art.dir}")
    print(f"replay: tools/dev exec python3 tests/fuzz/wire/wire_fuzz.py --seed {seed} "
          f"--rounds {args.rounds} --actions {args.actions}\n", flush=True)


def cleanup(run: Run) -> None:
    comp = getattr(run, "comp", None)
    if comp is not None and not comp.stopped:
        for client in run.clients:
            client.exit()
        try:
            comp.stop(expect_status=None)
        except AssertionError:
            pass


if __name__ == "__main__":
    sys.exit(main())
