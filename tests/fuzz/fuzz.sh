#!/usr/bin/env bash
# Runs one libFuzzer target for SECONDS (0: until stopped) from its seed corpus.
#
#   tests/fuzz/fuzz.sh SOURCE_ROOT BUILD_ROOT TARGET SECONDS [LIBFUZZER_ARGS…]
#
# Builds every target first with clang, ASan and UBSan in BUILD_ROOT/fuzz (configured once,
# -Dfuzzing=true; a lock keeps parallel callers from building at once). New inputs collect
# in BUILD_ROOT/fuzz-corpus/TARGET, so a longer run starts where the last one stopped; the
# seeds in tests/fuzz/TARGET/ are only read. A crash, leak, UB, timeout or broken invariant
# fails the run and prints the input (hex) and where it was saved: add it to the seeds as
# the regression once fixed.
set -euo pipefail
source_root=$1 build_root=$2 target=$3 seconds=$4
shift 4
fuzz_build=$build_root/fuzz
seeds=$source_root/tests/fuzz/$target
[[ -d $seeds && -f $source_root/tests/fuzz/${target}_fuzz.cpp ]] || { echo "fuzz.sh: no fuzz target '$target' (no $seeds)" >&2; exit 2; }

# Per-target limits: inputs as large as real ones, and small enough that a quadratic
# algorithm shows as slow rather than as a timeout of the whole run.
case $target in
	damage_bounds) max_len=4097 ;;  # 512 boxes of 8 bytes and the budget byte
	store_archive) max_len=65536 ;; # small real archives are 10-30 KiB of tar headers
	config) max_len=16384 ;;
	*) max_len=8192 ;;
esac

(
	flock 9
	if [[ ! -f $fuzz_build/build.ninja ]]; then
		CC=clang CXX=clang++ meson setup "$fuzz_build" "$source_root" -Dfuzzing=true \
			-Db_sanitize=address,undefined -Db_lundef=false --buildtype=debugoptimized >/dev/null
	fi
	targets=()
	# A target is a NAME_fuzz.cpp (its seeds in NAME/); wire/ is the wire-level fuzzer's.
	for src in "$source_root"/tests/fuzz/*_fuzz.cpp; do
		targets+=("tests/fuzz/fuzz-$(basename "$src" _fuzz.cpp)")
	done
	ninja -C "$fuzz_build" -j2 "${targets[@]}" >/dev/null
) 9>"$build_root/fuzz.lock"

corpus=$build_root/fuzz-corpus/$target
artifacts=$build_root/fuzz-artifacts/$target
mkdir -p "$corpus" "$artifacts"
export ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
log=$build_root/fuzz-artifacts/$target.log
status=0
"$fuzz_build/tests/fuzz/fuzz-$target" -max_total_time="$seconds" -max_len="$max_len" -timeout=10 \
	-rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$artifacts/" "$@" \
	"$corpus" "$seeds" >"$log" 2>&1 || status=$?
# The figures a CI log keeps: the last status line (exec/s, cov) and the run's totals.
grep -E '^#[0-9]+.*(DONE|pulse|NEW|REDUCE|INITED)' "$log" | tail -1 || true
grep -E '^stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)' "$log" || true
if ((status != 0)); then
	echo "fuzz-$target FAILED (status $status); libFuzzer's report:"
	grep -E -A40 'ERROR: |runtime error:|invariant broken|ALARM|Test unit written' "$log" | head -80 || tail -40 "$log"
	for input in $(grep -oE 'Test unit written to \S+' "$log" | awk '{print $5}'); do
		echo "input $input ($(stat -c %s "$input") bytes, hex):"
		od -An -tx1 "$input" | head -20
	done
	exit 1
fi
echo "fuzz-$target: no finding in $seconds s"
