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

# Kernels built from source (tests/vm/kernels-built, e.g. "debug"):
# tests/vm/run --kernel takes them too, `make check` does not.
ff_built_names() {
	awk '!/^#/ && NF { print $1 }' "$FF_TOP/tests/vm/kernels-built" 2>/dev/null
}

# ff_built_field NAME COLUMN (empty if NAME is not a built kernel)
ff_built_field() {
	awk -v n="$1" -v c="$2" '!/^#/ && $1 == n { print $c }' \
		"$FF_TOP/tests/vm/kernels-built" 2>/dev/null
}

# ff_built_dir RELEASE: where a built kernel of that release lives
# (vmlinuz, modules.*, linux/ = its build tree); empty for Debian's
ff_built_dir() {
	local n
	for n in $(ff_built_names); do
		if [ -e "$FF_CACHE/$n/$1/vmlinuz" ]; then
			echo "$FF_CACHE/$n/$1"
			return
		fi
	done
}

# ff_kdir RELEASE: the tree an out-of-tree module builds against
ff_kdir() {
	local d
	d=$(ff_built_dir "$1")
	if [ -n "$d" ]; then echo "$d/linux"; else echo "/lib/modules/$1/build"; fi
}

# ff_image_dir RELEASE: vmlinuz, modules.builtin* and modules.order
ff_image_dir() {
	local d
	d=$(ff_built_dir "$1")
	if [ -n "$d" ]; then echo "$d"; else echo "$FF_CACHE/kernels/$1"; fi
}

# The kernel release (uname -r) the metapackage points at in that suite,
# e.g. 6.1.0-56-amd64; never hard-coded, it moves with security updates.
# For a built kernel (tests/vm/kernels-built): what its builder built.
ff_kernel_release() {
	local name=$1 t rel
	t=$(ff_built_field "$name" 2)
	if [ -n "$t" ]; then
		"$FF_TOP/$t" --release
		return
	fi
	t=$(ff_kernel_field "$name" 3)
	[ -n "$t" ] || ff_die "unknown kernel '$name' (known: $(ff_kernel_names | tr '\n' ' ')$(ff_built_names | tr '\n' ' '))"
	if [ "$t" = - ]; then
		rel=$(apt-cache depends linux-image-amd64 2>/dev/null)
	else
		rel=$(apt-cache depends -t "$t" linux-image-amd64 2>/dev/null)
	fi
	rel=$(printf '%s\n' "$rel" | sed -n 's/^ *Depends: linux-image-\(.*-amd64\)$/\1/p' | head -n 1)
	[ -n "$rel" ] || ff_die "cannot resolve kernel '$name': run tests/vm/setup"
	echo "$rel"
}
