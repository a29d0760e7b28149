#!/usr/bin/env bash
# Builds the compositor with AddressSanitizer + UBSan in its own build tree, runs a session
# that opens and closes host and VM windows, types, reloads and quits on SIGTERM, and fails
# on any sanitizer report (LeakSanitizer included) or a non-zero exit.
set -euo pipefail
source_root=$1
build_root=$2
asan_build=$build_root/asan
if [[ ! -f $asan_build/build.ninja ]]; then
	meson setup "$asan_build" "$source_root" -Db_sanitize=address,undefined -Db_lundef=false \
		--buildtype=debug >/dev/null
fi
ninja -C "$asan_build" -j2 compositor/spectrum-compositor compositor/spectrumctl >/dev/null

work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
export XDG_RUNTIME_DIR=$work/run WLR_BACKENDS=headless WLR_RENDERER=pixman WLR_LIBINPUT_NO_DEVICES=1
mkdir -m 0700 "$XDG_RUNTIME_DIR"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=99
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:exitcode=98
export LSAN_OPTIONS=suppressions=$source_root/tests/sanitizers/lsan.supp:print_suppressions=0
cat >"$work/config.toml" <<'TOML'
[[output]]
mode = "1280x720"
[vm.red]
color = "#cc0000"
[vm.blue]
color = "#3465a4"
TOML
ctl=$asan_build/compositor/spectrumctl
"$asan_build/compositor/spectrum-compositor" --config "$work/config.toml" --socket wl-asan >"$work/log" 2>&1 &
compositor=$!
for _ in $(seq 150); do "$ctl" windows >/dev/null 2>&1 && break; sleep 0.1; done

for round in 1 2; do
	WAYLAND_DISPLAY=wl-asan weston-simple-shm >/dev/null 2>&1 &
	host=$!
	WAYLAND_DISPLAY=$XDG_RUNTIME_DIR/spectrum/vm/red/wayland-0 foot -T "red $round" >/dev/null 2>&1 &
	red=$!
	WAYLAND_DISPLAY=$XDG_RUNTIME_DIR/spectrum/vm/blue/wayland-0 weston-simple-shm >/dev/null 2>&1 &
	blue=$!
	for _ in $(seq 100); do
		[[ $("$ctl" windows --json | grep -c '"id"') -ge 3 ]] && break
		sleep 0.1
	done
	WAYLAND_DISPLAY=wl-asan wtype "typed in round $round"
	WAYLAND_DISPLAY=wl-asan wtype -M alt -k Tab -m alt
	first=$("$ctl" windows --json | sed -n 's/.*"id": \([0-9]*\).*/\1/p' | head -1)
	"$ctl" focus "$first"
	"$ctl" close "$first"
	kill -KILL $blue 2>/dev/null || true
	kill $host $red 2>/dev/null || true
	wait $host $red $blue 2>/dev/null || true
	"$ctl" reload
done
kill -TERM $compositor
status=0
wait $compositor || status=$?
if [[ $status -ne 0 ]] || grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$work/log"; then
	echo "sanitizer session failed (exit status $status):"
	grep -A25 -E 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$work/log" | head -80 || tail -40 "$work/log"
	exit 1
fi
echo "sanitizer session clean: host and VM windows opened and closed twice, no ASan/LSan/UBSan report, exit 0"
