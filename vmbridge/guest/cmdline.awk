# cmdline.awk — print the value of kernel parameter `want` (awk -v want=NAME) from a
# kernel command line, or nothing when it is absent; the last occurrence wins.
#
# Follows the kernel's own quoting: spaces inside double quotes do not split a parameter,
# and both "key=value with spaces" and key="value with spaces" are accepted. A quoted
# value is taken as it is; an unquoted one is URL-decoded (%20 is a space), so any
# command fits on the command line either way.
#
# With -v raw=1 an unquoted value is printed as it is, still encoded (spectrum.argv's words
# are decoded one by one).
#
# Used by the guest inits (busybox awk); tested with tests/e2e/test_guest_cmdline.py.

function urldecode(s,   out, i, c, h) {
	out = ""
	for (i = 1; i <= length(s); i++) {
		c = substr(s, i, 1)
		h = toupper(substr(s, i + 1, 2))
		if (c == "%" && h ~ /^[0-9A-F][0-9A-F]$/) {
			out = out sprintf("%c", hex[substr(h, 1, 1)] * 16 + hex[substr(h, 2, 1)])
			i += 2
		} else {
			out = out c
		}
	}
	return out
}
function take(t,   eq, k, v) {
	if (substr(t, 1, 1) == "\"") { # "key=value with spaces"
		t = substr(t, 2); sub(/"$/, "", t); quoted = 1
	} else {
		quoted = 0
	}
	eq = index(t, "=")
	if (eq == 0) return
	k = substr(t, 1, eq - 1)
	v = substr(t, eq + 1)
	if (k != want) return
	if (!quoted && substr(v, 1, 1) == "\"") { # key="value with spaces"
		v = substr(v, 2); sub(/"$/, "", v); quoted = 1
	}
	found = 1
	value = (quoted || raw) ? v : urldecode(v)
}
BEGIN { for (i = 0; i < 16; i++) hex[substr("0123456789ABCDEF", i + 1, 1)] = i }
{
	tok = ""; inq = 0
	for (i = 1; i <= length($0); i++) {
		c = substr($0, i, 1)
		if (c == "\"") inq = !inq
		if ((c == " " || c == "\t") && !inq) {
			if (tok != "") take(tok)
			tok = ""
		} else {
			tok = tok c
		}
	}
	if (tok != "") take(tok)
}
END { if (found) printf "%s", value }

