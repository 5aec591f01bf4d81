#!/usr/bin/env bash
# Builds a local Debian bookworm + OpenJDK 17 base image from Debian's packages, with no container
# registry. Use it on machines that cannot pull eclipse-temurin (air-gapped CI, mirrors of Debian
# only), then build the KV image with --build-arg BASE_IMAGE=raftkit/base-jre17:bookworm.
# Needs root, mmdebstrap and a running Docker engine. Takes about a minute; skips if the tag exists.
set -euo pipefail

TAG="${1:-raftkit/base-jre17:bookworm}"
MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
SECURITY_MIRROR="${DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}"

if docker image inspect "$TAG" >/dev/null 2>&1 && [ "${FORCE:-0}" != 1 ]; then
  echo "base image $TAG already exists (FORCE=1 rebuilds it)"
  exit 0
fi
command -v mmdebstrap >/dev/null || { echo "mmdebstrap is missing: apt-get install mmdebstrap" >&2; exit 1; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
tarball="$work/rootfs.tar"

# Written to a file first: piping straight into `docker import` produced empty images when
# mmdebstrap failed half-way.
mmdebstrap --variant=minbase --mode=root --format=tar \
  --include=openjdk-17-jre-headless,procps,iproute2,iptables,curl,ca-certificates \
  --aptopt='APT::Install-Recommends "false"' \
  --hook-dir=/usr/share/mmdebstrap/hooks/merged-usr \
  --dpkgopt='path-exclude=/usr/share/doc/*' \
  --dpkgopt='path-exclude=/usr/share/man/*' \
  --dpkgopt='path-exclude=/usr/share/locale/*' \
  --dpkgopt='path-exclude=/usr/share/info/*' \
  --essential-hook='mkdir -p "$1"/usr/share/man/man1' \
  bookworm "$tarball" \
  "deb $MIRROR bookworm main" \
  "deb $MIRROR bookworm-updates main" \
  "deb $SECURITY_MIRROR bookworm-security main"

[ -s "$tarball" ] || { echo "mmdebstrap produced no root file system" >&2; exit 1; }
docker import \
  --change 'ENV JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64' \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'CMD ["/bin/bash"]' \
  "$tarball" "$TAG"
echo "built $TAG"
