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

# ff_kernel_chroot NAME: the chroot its module is built in, "" for this
# machine (tests/vm/kernels' fourth column)
ff_kernel_chroot() {
	local c
	c=$(ff_kernel_field "$1" 4)
	[ -n "$c" ] && [ "$c" != - ] && echo "$FF_CACHE/chroot/$c"
	return 0
}

# ff_chroot_kdir ROOT RELEASE: that release's headers in the chroot ROOT,
# as this machine sees them: the build link followed inside the chroot
# (bullseye's is absolute, /usr/src/...)
ff_chroot_kdir() {
	local d=$1/lib/modules/$2/build t
	t=$(readlink "$d" 2>/dev/null) || true
	case $t in /*) d=$1$t ;; esac
	echo "$d"
}

# ff_rel_chroot RELEASE: the chroot whose headers that release's are,
# "" if they are this machine's (or none are installed yet)
ff_rel_chroot() {
	local r
	[ -e "/lib/modules/$1/build/Makefile" ] && return 0
	for r in "$FF_CACHE"/chroot/*/; do
		r=${r%/}
		if [ -e "$(ff_chroot_kdir "$r" "$1")/Makefile" ]; then
			echo "$r"
			return 0
		fi
	done
	return 0
}

# ff_in_chroot ROOT COMMAND...: COMMAND in the chroot ROOT (with /proc,
# which 7.x's objtool reads), or here if ROOT is ""
ff_in_chroot() {
	local root=$1
	shift
	if [ -z "$root" ]; then
		"$@"
		return
	fi
	mountpoint -q "$root/proc" || mount -t proc proc "$root/proc" ||
		ff_die "cannot mount $root/proc"
	chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
		LANG=C.UTF-8 "$@"
}

# ff_kmake RELEASE DIR MAKE-ARGS...: make -C DIR for that kernel, with its
# own compiler: in its chroot, where DIR is (ff_build_dir), or here
ff_kmake() {
	local rel=$1 dir=$2 root
	shift 2
	root=$(ff_rel_chroot "$rel")
	if [ -n "$root" ]; then
		dir=$(readlink -f "$dir")
		case $dir in
		"$root"/*) dir=${dir#"$root"} ;;
		*) ff_die "$dir is not inside $root" ;;
		esac
		ff_in_chroot "$root" make -C "$dir" KERNELRELEASE="$rel" \
			KDIR="/lib/modules/$rel/build" "$@"
	else
		make -C "$dir" KERNELRELEASE="$rel" KDIR="$(ff_kdir "$rel")" "$@"
	fi
}

# ff_build_dir RELEASE: where tests/vm/build puts that kernel's module,
# $FF_BUILD/RELEASE; for a chroot's kernel a link to a directory in the
# chroot (one per FF_BUILD), so that its make can see it
ff_build_dir() {
	local root d
	root=$(ff_rel_chroot "$1")
	if [ -n "$root" ]; then
		d=$root/var/tmp/fastfault/$(printf '%s' "$FF_BUILD" | md5sum | cut -c1-8)/$1
		mkdir -p "$d" "$FF_BUILD"
		if [ ! -L "$FF_BUILD/$1" ] || [ "$(readlink "$FF_BUILD/$1")" != "$d" ]; then
			rm -rf "${FF_BUILD:?}/$1"
			ln -s "$d" "$FF_BUILD/$1"
		fi
	fi
	echo "$FF_BUILD/$1"
}

# ff_kdir RELEASE: the tree an out-of-tree module builds against (as this
# machine sees it: in its chroot for a chroot's kernel)
ff_kdir() {
	local d
	d=$(ff_built_dir "$1")
	if [ -n "$d" ]; then echo "$d/linux"; return; fi
	local root
	root=$(ff_rel_chroot "$1")
	if [ -n "$root" ]; then ff_chroot_kdir "$root" "$1"; return; fi
	echo "/lib/modules/$1/build"
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
	# a chroot's kernel: its own apt knows it
	local root
	root=$(ff_kernel_chroot "$name")
	if [ -n "$root" ] && [ ! -x "$root/usr/bin/apt-cache" ]; then
		ff_die "cannot resolve kernel '$name': no chroot $root yet (run tests/vm/setup $name)"
	fi
	if [ "$t" = - ]; then
		rel=$(ff_in_chroot "$root" apt-cache depends linux-image-amd64 2>/dev/null)
	else
		rel=$(ff_in_chroot "$root" apt-cache depends -t "$t" linux-image-amd64 2>/dev/null)
	fi
	rel=$(printf '%s\n' "$rel" | sed -n 's/^ *Depends: linux-image-\(.*-amd64\)$/\1/p' | head -n 1)
	[ -n "$rel" ] || ff_die "cannot resolve kernel '$name': run tests/vm/setup"
	echo "$rel"
}
