#!/usr/bin/env bash
# Regenerates docs/img/L_ack.png, the README's picture of a real counterexample: kdc explain
# draws traces/at-most-once/L_ack.jsonl as SVG and headless Chromium renders it.
# Needs a built kdc and Chromium (Debian: apt-get install chromium). Not part of the test
# suite, and CI does not install Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
KDC=${KDC:-build/kdc}
CHROMIUM=${CHROMIUM:-$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)}
if [ -z "$CHROMIUM" ]; then
  echo "render-readme-picture: Chromium not found (apt-get install chromium, or set CHROMIUM)" >&2
  exit 2
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$KDC" explain traces/at-most-once/L_ack.jsonl --svg "$tmp/L_ack.svg" >/dev/null
# The window is the SVG's own size, so the screenshot holds the whole picture.
read -r w h < <(sed -n 's/.*viewBox="0 0 \([0-9.]*\) \([0-9.]*\)".*/\1 \2/p' "$tmp/L_ack.svg" | head -1)
"$CHROMIUM" --headless --disable-gpu --no-sandbox --hide-scrollbars --force-device-scale-factor=1 \
  --screenshot="$tmp/L_ack.png" --window-size="${w%.*},${h%.*}" "file://$tmp/L_ack.svg" 2>/dev/null
cp "$tmp/L_ack.png" docs/img/L_ack.png
echo "render-readme-picture: wrote docs/img/L_ack.png (${w%.*}x${h%.*})"
