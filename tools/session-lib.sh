# Shared by tools/run-session and tools/demo (sourced, not run): a Spectrum session made of
# the compositor and the VM supervisor, with the default config's demo VMs on their images
# (built from Debian packages, cached in the config's image_dir) and a private state store.

# demo_config SOURCE DEST STATE_DIR: the shipped config with a private state store.
demo_config() {
	sed -e "s|^state_dir = .*|state_dir = \"$3\"|" "$1" >"$2"
}

# build_images CONFIG: builds every image the config's VMs boot (a no-op for those already
# in the cache), with spectrum-image's progress on the terminal.
build_images() {
	local images
	images=$(python3 -c 'import sys, tomllib
vms = tomllib.load(open(sys.argv[1], "rb")).get("vm", {})
print(" ".join(sorted({v["image"] for v in vms.values() if isinstance(v, dict) and v.get("image")})))' "$1")
	[[ -z $images ]] || spectrum-image build --config "$1" $images >&2
}

# wait_for SECONDS CMD…: polls CMD every 0.1 s.
wait_for() {
	local tries=$(($1 * 10))
	shift
	for _ in $(seq "$tries"); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done
	return 1
}

# declared_vms: the VM names the running compositor knows.
declared_vms() {
	spectrumctl vms --json | python3 -c 'import json,sys; print(" ".join(v["name"] for v in json.load(sys.stdin)))'
}

# vms_with_windows: the VMs that have a window on screen.
vms_with_windows() {
	spectrumctl windows --json |
		python3 -c 'import json,sys; print(" ".join(sorted({w["vm"] for w in json.load(sys.stdin) if w["vm"]})))'
}
