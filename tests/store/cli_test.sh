#!/bin/bash
# Drives spectrum-store as a user would: usage errors (status 2), a backup → wipe → restore
# round trip checked with cmp, refusals in one line (status 1), --force, a damaged archive,
# and GNU tar reading the archive.
# Usage: cli_test.sh PATH/TO/spectrum-store
set -u

store=$(realpath "$1")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1

failures=0
pass() { echo "ok: $1"; }
fail() {
    echo "FAIL: $1"
    [ -s out ] && sed 's/^/  stdout: /' out
    [ -s err ] && sed 's/^/  stderr: /' err
    failures=$((failures + 1))
}

# expect NAME STATUS [STDERR_PATTERN] -- ARGS…: runs spectrum-store ARGS, checks the exit
# status, and for a failure that stderr is exactly one line matching the pattern.
expect() {
    local name=$1 status=$2 pattern=""
    shift 2
    if [ "$1" != "--" ]; then pattern=$1; shift; fi
    shift
    "$store" "$@" >out 2>err
    local got=$?
    if [ "$got" -ne "$status" ]; then fail "$name (status $got, expected $status)"; return; fi
    if [ "$status" -ne 0 ]; then
        if [ "$(wc -l <err)" -ne 1 ]; then fail "$name (stderr is not one line)"; return; fi
        if ! grep -q -- "$pattern" err; then fail "$name (stderr does not match '$pattern')"; return; fi
    fi
    pass "$name"
}

mkdir -p state/web/home state/mail
chmod 700 state/web state/mail
printf 'hello from web\n' >state/web/home/notes.txt
: >state/mail/empty
truncate -s 32M state/web/state.img
printf 'HEAD' | dd of=state/web/state.img conv=notrunc status=none
printf 'TAIL' | dd of=state/web/state.img bs=1 seek=$((32 * 1024 * 1024 - 4)) conv=notrunc status=none
printf 'state_dir = "%s"\n' "$work/state" >spectrum.toml
cp -a state original-state
cp spectrum.toml original.toml

expect "no arguments is a usage error" 2 "missing command" --
expect "unknown command is a usage error" 2 'unknown command "frobnicate"' -- frobnicate x
expect "backup without --config is a usage error" 2 "backup needs --config CFG" -- backup b.tar
expect "unknown option is a usage error" 2 'unknown option "--fast"' -- verify b.tar --fast
expect "verify takes no --config" 2 "verify takes only FILE" -- verify b.tar --config spectrum.toml
if "$store" --help | grep -q "spectrum-store restore FILE --config CFG"; then pass "--help prints usage"; else fail "--help prints usage"; fi

expect "backup writes the archive" 0 -- backup b.tar.zst --config spectrum.toml
grep -q "2 VMs (mail, web), 3 files, 32.0 MiB" out && pass "backup names the VMs" || fail "backup names the VMs"
expect "verify accepts the archive" 0 -- verify b.tar.zst
grep -q "b.tar.zst: OK" out && pass "verify says OK" || fail "verify says OK"
expect "plain tar backup" 0 -- backup b.tar --config=spectrum.toml
if tar -tf b.tar 2>tar-err | tail -n 1 | grep -qx MANIFEST && [ ! -s tar-err ]; then
    pass "GNU tar lists the archive quietly, MANIFEST last"
else
    fail "GNU tar lists the archive quietly, MANIFEST last"
fi
if tar -xOf b.tar MANIFEST | grep -q "$(sha256sum <state/web/home/notes.txt | cut -d' ' -f1) state/web/home/notes.txt"; then
    pass "MANIFEST sums are sha256sum's"
else
    fail "MANIFEST sums are sha256sum's"
fi

rm -rf state spectrum.toml
# No config yet: the store goes where --state-dir says (the built-in default's otherwise),
# never where the archive says; the archived config names the same place.
expect "restore into an empty host" 0 -- restore b.tar.zst --config spectrum.toml --state-dir "$work/state"
if diff -r original-state state >/dev/null && cmp -s original.toml spectrum.toml; then
    pass "restored state and config are identical"
else
    fail "restored state and config are identical"
fi
[ "$(stat -c %a state/web)" = 700 ] && pass "VM directory is 0700" || fail "VM directory is 0700"
[ "$(du -k state/web/state.img | cut -f1)" -lt 1024 ] && pass "image stays sparse" || fail "image stays sparse"

expect "restore refuses a non-empty store" 1 "not empty; pass --force" -- restore b.tar.zst --config spectrum.toml
printf 'extra\n' >state/web/extra
expect "restore --force replaces the store" 0 -- restore b.tar.zst --config spectrum.toml --force
[ ! -e state/web/extra ] && pass "--force removed what the backup lacks" || fail "--force removed what the backup lacks"

printf '# another config\n' >other.toml
expect "restore refuses a different config" 1 "differs from the archived config; pass --force" -- \
    restore b.tar.zst --config other.toml --state-dir "$work/elsewhere"
[ ! -e elsewhere ] && pass "refused restore wrote no state" || fail "refused restore wrote no state"

expect "restore refuses an archived config naming another state_dir" 1 "keeps the store in $work/state" -- \
    restore b.tar --config new.toml --state-dir "$work/elsewhere"
[ ! -e elsewhere ] && [ ! -e new.toml ] && pass "that refusal wrote nothing" || fail "that refusal wrote nothing"

cp b.tar damaged.tar
offset=$(grep -obUa 'hello from web' damaged.tar | head -n 1 | cut -d: -f1)
printf 'J' | dd of=damaged.tar bs=1 seek="$offset" conv=notrunc status=none
rm -rf state spectrum.toml
expect "verify refuses a damaged archive" 1 "state/web/home/notes.txt: sha256 does not match" -- verify damaged.tar
expect "restore refuses a damaged archive" 1 "sha256 does not match" -- restore damaged.tar --config spectrum.toml --state-dir "$work/state"
[ ! -e state ] && [ ! -e spectrum.toml ] && pass "damaged restore wrote nothing" || fail "damaged restore wrote nothing"

head -c $(($(stat -c %s b.tar.zst) / 2)) b.tar.zst >cut.tar.zst
expect "restore refuses a truncated archive" 1 "nothing was restored" -- restore cut.tar.zst --config spectrum.toml --state-dir "$work/state"
[ ! -e state ] && pass "truncated restore wrote nothing" || fail "truncated restore wrote nothing"
expect "verify names a missing archive" 1 "missing.tar: no such file or directory" -- verify missing.tar

printf 'state_dir = "%s"\n' "$work/no-such-store" >broken.toml
expect "backup names a missing store" 1 "no-such-store: no such file or directory; check state_dir" -- \
    backup x.tar --config broken.toml
printf 'state_dir = 7\n' >bad.toml
expect "backup reports a bad config as FILE:LINE:COL" 1 "bad.toml:1:13: state_dir" -- backup x.tar --config bad.toml

if [ "$failures" -ne 0 ]; then
    echo "$failures check(s) failed"
    exit 1
fi
echo "all checks passed"
