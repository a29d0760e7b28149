"""Key bindings from the config: the terminal key, exec bindings, quit, and a binding's
keys never reaching the focused window."""

from harness import BASE_CONFIG, wait_until


def config(keys: str = "", top: str = "") -> str:
    return top + BASE_CONFIG + "\n[keys]\n" + keys


def test_super_return_opens_the_configured_terminal(spectrum):
    comp = spectrum(config(top='terminal = "foot --app-id launched-terminal"\n'))
    comp.press("Super+Return")
    window = comp.wait_for_window(app_id="launched-terminal", timeout=15)
    assert window["vm"] is None, "what the compositor launches is a host client"
    assert window["focused"] is True


def test_exec_binding_runs_its_command(spectrum):
    comp = spectrum(config(keys='"Ctrl+Alt+t" = "exec foot --app-id from-exec"\n'))
    comp.press("Ctrl+Alt+T")
    comp.wait_for_window(app_id="from-exec", timeout=15)


def test_quit_key_ends_the_session_cleanly(spectrum):
    comp = spectrum(config())
    comp.simple_shm()
    comp.press("Super+Shift+E")
    assert comp.wait_exit(10) == 0, comp.log_tail()


def test_a_bindings_keys_never_reach_the_focused_window(spectrum, artifacts):
    # Ctrl+Alt+X would reach a terminal as ESC ^X: if the binding leaked, the line read
    # by the shell in foot would hold those bytes.
    comp = spectrum(config(keys='"Ctrl+Alt+x" = "maximize"\n'))
    out = artifacts.path("typed.txt")
    client, window = comp.reader_foot(None, out, "reader")
    comp.focus(window["id"])
    comp.type_keys("before")
    comp.press("Ctrl+Alt+X")
    comp.wait_for_window(lambda w: w["maximized"], id=window["id"])
    comp.type_keys("after\n")
    wait_until(out.exists, 10, message="foot to write what was typed")
    wait_until(lambda: out.read_text() == "beforeafter", 5,
               message=f"only the typed text, file has {out.read_text()!r}")
    client.wait(10)
