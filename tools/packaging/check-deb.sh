#!/bin/bash
# Builds the .deb from a configured and built tree, unpacks it (no root needed), validates the
# desktop entry and AppStream metainfo it carries, and starts the unpacked workbench under Xvfb
# through the screenshot tour on stories260K, so the package is known to install and start.
#   tools/packaging/check-deb.sh BUILD_DIR
set -euo pipefail
build=$(cd "${1:?usage: check-deb.sh BUILD_DIR}" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cpack --config "$build/CPackConfig.cmake" -B "$work/out" -G DEB > "$work/cpack.log" || { cat "$work/cpack.log"; exit 1; }
deb=$(ls "$work"/out/quantiscope_*_amd64.deb)
echo "package: $(basename "$deb") ($(stat -c %s "$deb") bytes)"
dpkg-deb -f "$deb" Depends | tr ',' '\n' | grep -q libtorch || { echo "Depends lacks libtorch"; exit 1; }
dpkg-deb -x "$deb" "$work/root"
root="$work/root/usr"
for f in bin/quantiscope bin/quantiscope-workbench lib/quantiscope/libqs_llm.so lib/quantiscope/libqs_recon_cs_tv.so \
         share/applications/io.github.quantiscope.Quantiscope.desktop share/metainfo/io.github.quantiscope.Quantiscope.metainfo.xml \
         share/icons/hicolor/256x256/apps/io.github.quantiscope.Quantiscope.png; do
  [ -e "$root/$f" ] || { echo "missing from the package: $f"; exit 1; }
done
desktop-file-validate "$root/share/applications/io.github.quantiscope.Quantiscope.desktop"
if command -v appstreamcli > /dev/null; then
  appstreamcli validate --no-net "$root/share/metainfo/io.github.quantiscope.Quantiscope.metainfo.xml"
fi
# The unpacked binaries must find their own libraries and plugins (relative RUNPATH), not the build tree's.
if ldd "$root/bin/quantiscope-workbench" | grep -E "not found|$build" ; then echo "unresolved or build-tree libraries"; exit 1; fi
"$root/bin/quantiscope" --help > /dev/null
XDG_CONFIG_HOME="$work/config" timeout 240 xvfb-run -a "$root/bin/quantiscope-workbench" --tour "$work/shots" --volume "" 2> "$work/tour.log" \
  || { cat "$work/tour.log"; exit 1; }
n=$(ls "$work"/shots/*.png | wc -l)
[ "$n" -ge 9 ] || { cat "$work/tour.log"; echo "the tour saved $n pictures"; exit 1; }
echo "unpacked workbench started under Xvfb and saved $n pictures"
