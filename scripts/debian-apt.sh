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

# private_apt DIR SUITE ARCH...: an apt configuration of its own under DIR
# (sources list for SUITE of the system's mirror, lists, cache), leaving the
# system's untouched; sets the array apt_opts for apt-get and apt-cache.
private_apt() {
	local dir=$1 suite=$2 uri arch
	shift 2
	uri=$(debian_mirror) || return 1
	mkdir -p "$dir/lists/partial" "$dir/cache/archives/partial"
	echo "deb [signed-by=$DEBIAN_KEYRING] $uri $suite main" > "$dir/sources.list"
	apt_opts=(-o "Dir::Etc::SourceList=$dir/sources.list"
		  -o "Dir::Etc::SourceParts=$dir/none"
		  -o "Dir::State::Lists=$dir/lists"
		  -o "Dir::Cache=$dir/cache"
		  -o "APT::Architectures=$1")
	shift
	for arch in "$@"; do
		apt_opts+=(-o "APT::Architectures::=$arch")
	done
}

# private_apt_src DIR SUITE: as private_apt, for the source packages of
# SUITE (deb-src only, for apt-get source); sets apt_opts.
private_apt_src() {
	private_apt "$1" "$2" "$(dpkg --print-architecture)" || return 1
	sed -i 's/^deb /deb-src /' "$1/sources.list"
}
