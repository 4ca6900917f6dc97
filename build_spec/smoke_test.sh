#!/usr/bin/env bash
# Prove from outside that the one-folder build works on its own: no Python, no source tree.
# Usage: build_spec/smoke_test.sh [DIST_DIR]   (default: dist/kiosk)
set -euo pipefail
dist=${1:-dist/kiosk}
bin="$(cd "$dist" && pwd)/kiosk"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export QT_QPA_PLATFORM=offscreen
cd "$work"  # far from the source tree, so nothing can be imported from it
db="$work/terminal/kiosk.sqlite3"

step() { printf '\n== %s\n' "$*"; }

step "kiosk demo builds a database through feed and sync"
"$bin" demo --households 500 --format csv --db "$db"
test -s "$db"

step "kiosk print notice writes a PDF with the CJK font embedded"
"$bin" print notice --village 371522102200 --year 2025 --out "$work/notice.pdf" --db "$db"
pdffonts "$work/notice.pdf" > "$work/fonts.txt"
grep -E '^[A-Z]{6}\+WenQuanYiMicroHei\S* +TrueType +\S+ +yes +yes' "$work/fonts.txt"
pdftotext "$work/notice.pdf" "$work/notice.txt"
grep -q "朝城镇" "$work/notice.txt"

step "kiosk sync against a local feed folder succeeds"
feed="$work/terminal/demo-county/feed"
"$bin" sync --source "$feed" --db "$db" | tee "$work/sync.out"
grep -q "已是最新" "$work/sync.out"

step "kiosk sync refuses a tampered feed and leaves the database alone"
cp -r "$feed" "$work/tampered"
sed -i 's/"version": [0-9]*/"version": 99/' "$work/tampered/metadata/timestamp.json"
before=$(sha256sum "$db" | cut -d' ' -f1)
if "$bin" sync --source "$work/tampered" --db "$db" 2> "$work/refused.err"; then
  echo "a tampered feed was accepted" >&2; exit 1
fi
grep -q "签名无效" "$work/refused.err"
test "$before" = "$(sha256sum "$db" | cut -d' ' -f1)"

step "kiosk screenshot renders the payouts page to a non-blank PNG"
"$bin" screenshot --page payouts --db "$db" --out "$work/payouts.png"
head -c 8 "$work/payouts.png" | od -An -tx1 | grep -q "89 50 4e 47 0d 0a 1a 0a"
# A blank 1280x800 page compresses to a few KB; a rendered page with text is far larger.
test "$(stat -c %s "$work/payouts.png")" -gt 30000

step "kiosk handwriting recognize reads the bundle's own Zinnia and model"
printf '%s' '{"width": 300, "height": 300, "strokes": [[[30, 150], [150, 148], [270, 150]], [[150, 30], [150, 270]]]}' \
  > "$work/shi.json"  # 十: two clean strokes
"$bin" handwriting recognize "$work/shi.json" --limit 5 --show-files > "$work/shi.out" 2> "$work/shi.err"
cat "$work/shi.err"
head -n 1 "$work/shi.out" | grep -qx "十"
bundle=$(dirname "$bin")
grep -q "library: $bundle/.*zinnia/libzinnia.so.0$" "$work/shi.err"
grep -q "model: $bundle/.*zinnia/handwriting-zh_CN.model$" "$work/shi.err"

step "kiosk run starts, keeps running, and ends cleanly on SIGTERM"
set +e
started=$(date +%s)
timeout --preserve-status 8 "$bin" run --windowed --db "$db" 2> "$work/run.err"
code=$?
set -e
ran=$(( $(date +%s) - started ))
if [ "$code" -ne 0 ] || [ "$ran" -lt 8 ]; then
  cat "$work/run.err" >&2; echo "kiosk run exited with $code after $ran s" >&2; exit 1
fi

step "smoke test passed"
