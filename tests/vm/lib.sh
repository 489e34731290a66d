# shellcheck shell=bash
# Shared by tests/vm/setup, tests/vm/run and the Makefile: where things are
# cached and which Debian package a kernel's short name means today.

FF_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
FF_CACHE=${FASTFAULT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/fastfault}
FF_BUILD=${FASTFAULT_BUILD:-$FF_TOP/build}

ff_die() { echo "${0##*/}: $*" >&2; exit 2; }

# All short names, in order.
ff_kernel_names() {
	awk '!/^#/ && NF { print $1 }' "$FF_TOP/tests/vm/kernels"
}

# ff_kernel_field NAME COLUMN
ff_kernel_field() {
	awk -v n="$1" -v c="$2" '!/^#/ && $1 == n { print $c }' \
		"$FF_TOP/tests/vm/kernels"
}

# The kernel release (uname -r) the metapackage points at in that suite,
# e.g. 6.1.0-56-amd64; never hard-coded, it moves with security updates.
ff_kernel_release() {
	local name=$1 t rel
	t=$(ff_kernel_field "$name" 3)
	[ -n "$t" ] || ff_die "unknown kernel '$name' (known: $(ff_kernel_names | tr '\n' ' '))"
	if [ "$t" = - ]; then
		rel=$(apt-cache depends linux-image-amd64 2>/dev/null)
	else
		rel=$(apt-cache depends -t "$t" linux-image-amd64 2>/dev/null)
	fi
	rel=$(printf '%s\n' "$rel" | sed -n 's/^ *Depends: linux-image-\(.*-amd64\)$/\1/p' | head -n 1)
	[ -n "$rel" ] || ff_die "cannot resolve kernel '$name': run tests/vm/setup"
	echo "$rel"
}
