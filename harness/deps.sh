#!/bin/bash
# Install the Debian packages the harness needs, if any are missing.
set -euo pipefail

PKGS=(build-essential bc bison flex libelf-dev libssl-dev cpio ccache sparse
      qemu-system-x86 python3 perl rsync xz-utils util-linux coreutils
      linux-source-6.12)

missing=()
for p in "${PKGS[@]}"; do
	dpkg -s "$p" 2>/dev/null | grep -q '^Status: install ok installed' ||
		missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "harness: installing: ${missing[*]}" >&2
[ "$(id -u)" = 0 ] || { echo "harness: run as root: apt-get install -y ${missing[*]}" >&2; exit 1; }
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
