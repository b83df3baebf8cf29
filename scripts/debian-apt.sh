# shellcheck shell=bash
# Helpers for the scripts that fetch from Debian's archive; sourced, not run.

DEBIAN_KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg

# Print the code name of the system's Debian release (e.g. bookworm).
debian_codename() {
	sed -n 's/^VERSION_CODENAME=//p' /etc/os-release
}

# Print the URI of the Debian mirror that the system's apt configuration
# uses for the system's own release.
debian_mirror() {
	local codename
	codename=$(debian_codename)
	[ -n "$codename" ] || return 1
	# shellcheck disable=SC2016 # $(...) is apt's format, not the shell's
	apt-get indextargets --format '$(REPO_URI) $(CODENAME)' |
		awk -v c="$codename" '$2 == c { print $1; found = 1; exit } END { exit !found }'
}

# private_apt_dir DIR SOURCES ARCH...: apt options (the array apt_opts, for
# apt-get and apt-cache) for a configuration of its own under DIR: the
# sources list DIR/SOURCES, which the caller writes, and its own lists and
# cache, leaving the system's untouched.
private_apt_dir() {
	local dir=$1 sources=$2 arch
	shift 2
	mkdir -p "$dir/lists/partial" "$dir/cache/archives/partial"
	apt_opts=(-o "Dir::Etc::SourceList=$dir/$sources"
		  -o "Dir::Etc::SourceParts=$dir/none"
		  -o "Dir::State::Lists=$dir/lists"
		  -o "Dir::Cache=$dir/cache"
		  -o "APT::Architectures=$1")
	shift
	for arch in "$@"; do
		apt_opts+=(-o "APT::Architectures::=$arch")
	done
}

# private_apt DIR SUITE ARCH...: a private apt configuration for the binary
# packages of SUITE of the system's mirror (DIR/sources.list); sets apt_opts.
private_apt() {
	local dir=$1 suite=$2 uri
	shift 2
	uri=$(debian_mirror) || return 1
	private_apt_dir "$dir" sources.list "$@"
	echo "deb [signed-by=$DEBIAN_KEYRING] $uri $suite main" > "$dir/sources.list"
}

# private_apt_src DIR SUITE: a private apt configuration for the source
# packages of SUITE (deb-src only, for apt-get source), with its own sources
# list DIR/sources-src.list; sets apt_opts.
private_apt_src() {
	local dir=$1 suite=$2 uri
	uri=$(debian_mirror) || return 1
	private_apt_dir "$dir" sources-src.list "$(dpkg --print-architecture)"
	echo "deb-src [signed-by=$DEBIAN_KEYRING] $uri $suite main" > "$dir/sources-src.list"
}
