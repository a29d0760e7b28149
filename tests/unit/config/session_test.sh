#!/bin/sh
# Checks config/spectrum-session (which config it picks, the session variables it sets,
# that arguments pass through) against a stand-in spectrum-compositor, and the fields of
# config/wayland-sessions/spectrum.desktop that display managers read.
# Usage: session_test.sh PATH/TO/spectrum-session PATH/TO/spectrum.desktop
set -eu

session=$1
desktop=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

failures=0
check() { # NAME EXPECTED ACTUAL
    if [ "$2" = "$3" ]; then
        echo "ok: $1"
    else
        echo "FAIL: $1"
        echo "  expected: $(printf '%s' "$2" | tr '\n' '|')"
        echo "  actual:   $(printf '%s' "$3" | tr '\n' '|')"
        failures=$((failures + 1))
    fi
}

mkdir -p "$work/bin" "$work/home"
cat >"$work/bin/spectrum-compositor" <<'STUB'
#!/bin/sh
printf '%s\n' "$XDG_CURRENT_DESKTOP" "$XDG_SESSION_TYPE" "$@"
STUB
chmod +x "$work/bin/spectrum-compositor"

run() {
    env "$@" PATH="$work/bin:$PATH" HOME="$work/home" XDG_CURRENT_DESKTOP=other \
        XDG_SESSION_TYPE=tty sh "$session"
}

check "no user config: the system path (a missing file means the built-in default)" \
    "$(printf '%s\n' Spectrum wayland --config /etc/spectrum/spectrum.toml --vmbridge)" \
    "$(run XDG_CONFIG_HOME="$work/config")"

mkdir -p "$work/config/spectrum"
: >"$work/config/spectrum/spectrum.toml"
check "user config in XDG_CONFIG_HOME" \
    "$(printf '%s\n' Spectrum wayland --config "$work/config/spectrum/spectrum.toml" --vmbridge)" \
    "$(run XDG_CONFIG_HOME="$work/config")"

mkdir -p "$work/home/.config/spectrum"
: >"$work/home/.config/spectrum/spectrum.toml"
check "XDG_CONFIG_HOME unset: ~/.config" \
    "$(printf '%s\n' Spectrum wayland --config "$work/home/.config/spectrum/spectrum.toml" --vmbridge)" \
    "$(run -u XDG_CONFIG_HOME)"

rm "$work/config/spectrum/spectrum.toml"
ln -s "$work/nowhere.toml" "$work/config/spectrum/spectrum.toml"
check "a broken user link is still passed on, so the compositor reports it" \
    "$(printf '%s\n' Spectrum wayland --config "$work/config/spectrum/spectrum.toml" --vmbridge)" \
    "$(run XDG_CONFIG_HOME="$work/config")"
rm "$work/config/spectrum/spectrum.toml"
: >"$work/config/spectrum/spectrum.toml"

check "extra arguments pass through" \
    "$(printf '%s\n' Spectrum wayland --config "$work/config/spectrum/spectrum.toml" --vmbridge --socket w-1)" \
    "$(env PATH="$work/bin:$PATH" XDG_CONFIG_HOME="$work/config" sh "$session" --socket w-1)"

field() { sed -n "s/^$1=//p" "$desktop"; }
check "desktop entry Type" Application "$(field Type)"
check "desktop entry Exec" spectrum-session "$(field Exec)"
check "desktop entry DesktopNames" Spectrum "$(field DesktopNames)"
check "desktop entry has a Name" 1 "$(grep -c '^Name=.' "$desktop")"

[ "$failures" -eq 0 ]
