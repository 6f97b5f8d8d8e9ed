#!/bin/bash
# Regenerates docs/screenshots/ from a built tree: the workbench's tour drives every workspace
# on the real assets (the shipped reference LLM, resources/models/qs-ref-llm, and Colin27 from
# mricron-data) under Xvfb.
#   tools/screenshots.sh [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
out=docs/screenshots
mkdir -p "$out"
XDG_CONFIG_HOME=$(mktemp -d) xvfb-run -a -s "-screen 0 1600x1000x24" \
  "$build/app/workbench/quantiscope-workbench" --tour "$out" 2>&1 | grep -E "saved|FAILED|tour:" || true
# The same tour in the smaller windows users open it in (the default 1200x800 and a 720p laptop),
# to see that nothing is clipped or overlaps there.
for size in 1200x800 1280x720; do
  mkdir -p "$out/$size"
  XDG_CONFIG_HOME=$(mktemp -d) xvfb-run -a -s "-screen 0 1600x1000x24" \
    "$build/app/workbench/quantiscope-workbench" --tour "$out/$size" --tour-size "$size" 2>&1 | grep -E "FAILED|tour:" || true
done
ls -1 "$out"/*.png "$out"/*/*.png
