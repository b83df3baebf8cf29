#!/bin/bash
# Build sparse for the kernel's C=1/C=2 checks (check-bisect.sh) from
# Debian's source package, fetched with apt-get source under a private apt
# configuration (apt checks the files against the signed archive), and
# install the binary once into CACHE_DIR/sparse-VERSION.  Linux 7.3's
# scripts/checker-valid.sh wants __typeof_unqual__, which Debian 12's sparse
# 0.6.4 lacks; the package in SPARSE_SUITE (default unstable) has it, and
# its binary package needs a newer libc than Debian 12's, so it is built
# here, with none of sparse's optional libraries (the checker needs none).
# Usage: fetch-sparse.sh CACHE_DIR   (prints the sparse binary's path)
set -euo pipefail

cache=${1:?usage: fetch-sparse.sh CACHE_DIR}
suite=${SPARSE_SUITE:-unstable}
# The first upstream version with __typeof_unqual__.
min_version=0.6.5~rc1
die() { echo "fetch-sparse: $*" >&2; exit 1; }
say() { echo "fetch-sparse: $*" >&2; }
# shellcheck source=scripts/debian-apt.sh
. "$(dirname "$(realpath "$0")")/debian-apt.sh"

mkdir -p "$cache"
# The newest one built before, if any: nothing to fetch.
installed=$(find "$cache" -maxdepth 3 -path "$cache/sparse-*/bin/sparse" -type f -perm -u+x \
		2>/dev/null | sort -V | tail -n 1)
if [ -n "$installed" ]; then
	echo "$installed"
	exit 0
fi

apt_dir=$cache/apt-src
say "reading the source packages of $suite"
private_apt_src "$apt_dir" "$suite" ||
	die "no Debian mirror in the system's apt configuration"
apt-get "${apt_opts[@]}" -qq update >"$apt_dir/update.log" 2>&1 ||
	die "cannot read $suite's source packages; see $apt_dir/update.log"
version=$(apt-cache "${apt_opts[@]}" showsrc sparse 2>/dev/null |
	  sed -n 's/^Version: //p' | sort -V | tail -n 1)
[ -n "$version" ] || die "no source package sparse in $suite"
dpkg --compare-versions "$version" ge "$min_version" ||
	die "$suite has sparse $version, older than $min_version (no __typeof_unqual__)"

dest=$cache/sparse-$version
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
say "fetching sparse $version (source package, dpkg-source unpacks and patches it)"
(cd "$tmp" && apt-get "${apt_opts[@]}" -o APT::Sandbox::User=root -qq source "sparse=$version" \
	>"$apt_dir/source.log" 2>&1) ||
	die "apt-get source sparse=$version failed; see $apt_dir/source.log"
src=$(find "$tmp" -mindepth 1 -maxdepth 1 -type d -name 'sparse-*')
[ -f "$src/Makefile" ] || die "no unpacked source in $tmp"

# Debian patches CC to its current default gcc-N; use the system's gcc.  No
# optional libraries: only the sparse program itself is built.
say "building sparse $version"
make -C "$src" -j"$(nproc)" CC=gcc HAVE_LIBXML=no HAVE_SQLITE=no HAVE_GTK=no \
	HAVE_LLVM=no HAVE_BOOLECTOR=no sparse >"$apt_dir/build.log" 2>&1 ||
	die "building sparse failed; see $apt_dir/build.log"

# What the kernel's scripts/checker-valid.sh asks of it.
cat > "$tmp/check.c" <<'EOT'
static inline int u(const int *q)
{
	__typeof_unqual__(*q) v = *q;
	return v;
}
EOT
if "$src/sparse" "$tmp/check.c" 2>&1 | grep -q error; then
	die "the sparse built does not take __typeof_unqual__"
fi

install -D -m 0755 "$src/sparse" "$tmp/install/bin/sparse"
mkdir -p "$cache"
rm -rf "$dest"
mv "$tmp/install" "$dest"
say "installed sparse $version in $dest"
echo "$dest/bin/sparse"
