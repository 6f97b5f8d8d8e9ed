#!/usr/bin/env bash
# Installs every Debian 12 package Quantiscope's build, tests and app need. Idempotent: does
# nothing when all are present. Uses sudo when not root.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config git
  qt6-base-dev libqcustomplot-dev libgl-dev
  libtorch-dev
  libinsighttoolkit5-dev insighttoolkit5-examples
  libhdf5-dev zlib1g-dev
  libgtest-dev libgmock-dev
  nlohmann-json3-dev
  xvfb xauth
  mricron-data
  python3-numpy python3-skimage
  clang libclang-rt-14-dev
  bart
  dpkg-dev file appstream desktop-file-utils
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "install-deps: installing ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
