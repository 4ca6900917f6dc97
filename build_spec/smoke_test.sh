#!/usr/bin/env bash
# Prove from outside that the one-folder terminal build works on its own: no Python, no
# source tree. The county's side (feed, keys, cases) is played by the development install,
# as a county's own computer would: the bundle holds only the terminal program.
# Usage: build_spec/smoke_test.sh [DIST_DIR] [COUNTY_KIOSK] [NEXT_DIST_DIR]
#   (defaults: dist/kiosk and .venv/bin/kiosk beside this folder; NEXT_DIST_DIR, the same source
#   built as the next version (make dist-next), makes it update to that build through the feed)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
dist=${1:-dist/kiosk}
bin="$(cd "$dist" && pwd)/kiosk"
county=${2:-$here/../.venv/bin/kiosk}
county="$(cd "$(dirname "$county")" && pwd)/$(basename "$county")"
next_dist=${3:+$(cd "$3" && pwd)}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export QT_QPA_PLATFORM=offscreen
cd "$work"  # far from the source tree, so nothing can be imported from it
db="$work/terminal/kiosk.sqlite3"

step() { printf '\n== %s\n' "$*"; }

step "the bundle holds exactly the files build_spec/bundle-files.txt lists"
bundle=$(dirname "$bin")
(cd "$bundle" && find . \( -type f -o -type l \) -printf '%P\n' | LC_ALL=C sort) > "$work/files.txt"
if grep -E "libgtk|libgdk-3|libatk|VirtualKeyboard|libQt6Quick" "$work/files.txt"; then
  echo "the bundle holds the GTK theme's or the virtual keyboard's libraries" >&2; exit 1
fi
if ! diff -u "$here/bundle-files.txt" "$work/files.txt" > "$work/files.diff"; then
  cat "$work/files.diff" >&2
  echo "the bundle's files differ from build_spec/bundle-files.txt: review what changed and why," \
       "then record it with 'make bundle-list'" >&2
  exit 1
fi

step "the bundle holds the terminal program, not the county's"
if find "$bundle" -path '*kiosk/county*' | grep -q .; then
  echo "county code in the terminal bundle" >&2; exit 1
fi
"$(dirname "$county")/pyi-archive_viewer" -l -r "$bin" > "$work/modules.txt"
grep -q "'kiosk.cli.terminal'" "$work/modules.txt"  # the listing is real: the terminal is in it
if grep -E "'(kiosk\.county|openpyxl|python_calamine)[.']" "$work/modules.txt"; then
  echo "county code or county-only libraries in the terminal bundle's archive" >&2; exit 1
fi

step "a county command in the terminal build says in one line that it is not there"
for command in "feed build --input in --keys k --out out" "inbox import --from x --keys k --db c" \
               "demo --db $work/none.sqlite3"; do
  # shellcheck disable=SC2086
  if "$bin" $command > "$work/county.out" 2> "$work/county.err"; then
    echo "kiosk $command ran in the terminal build" >&2; exit 1
  fi
  test "$(grep -c . "$work/county.err")" -eq 1
  grep -q "属于县级程序" "$work/county.err"
  ! grep -q Traceback "$work/county.err"
done

step "the county (development install) builds the demo county and its signed feed"
"$county" demo --households 500 --format csv --db "$work/county/kiosk.sqlite3" > "$work/demo.out"
feed="$work/county/demo-county/feed"
keys="$work/county/demo-county/keys"

step "kiosk sync fills an empty terminal from the county's feed folder"
"$bin" sync --source "$feed" --trusted-root "$keys/root.json" --db "$db" | tee "$work/sync.out"
grep -q "同步完成" "$work/sync.out"
"$bin" sync --source "$feed" --trusted-root "$keys/root.json" --db "$db" | tee "$work/sync2.out"
grep -q "已是最新" "$work/sync2.out"

step "kiosk print notice writes a PDF with the CJK font embedded"
"$bin" print notice --village 371522102200 --year 2025 --out "$work/notice.pdf" --db "$db"
pdffonts "$work/notice.pdf" > "$work/fonts.txt"
grep -E '^[A-Z]{6}\+WenQuanYiMicroHei\S* +TrueType +\S+ +yes +yes' "$work/fonts.txt"
pdftotext "$work/notice.pdf" "$work/notice.txt"
grep -q "朝城镇" "$work/notice.txt"

step "kiosk print consultation prints the open draft's notice from the bundle (意见征集)"
"$bin" print consultation --draft "YJ$(date +%Y)-01" --out "$work/consultation.pdf" --db "$db"
pdftotext "$work/consultation.pdf" "$work/consultation.txt"
grep -q "征求意见公告" "$work/consultation.txt"
grep -q "农村公路养护管理办法" "$work/consultation.txt"

step "kiosk screen tells an 80-year-old from the bundle what he may be missing (政策找人)"
printf '{"户籍": "是", "年龄": "80至89岁"}' > "$work/answers.json"
"$bin" screen --answers "$work/answers.json" --db "$db" > "$work/screen.txt"
grep -q "ZC01 高龄津贴 · 免申即享" "$work/screen.txt"
grep -q "^无法判断" "$work/screen.txt"

step "kiosk sync refuses a tampered feed and leaves the database alone"
cp -r "$feed" "$work/tampered"
sed -i 's/"version": [0-9]*/"version": 99/' "$work/tampered/metadata/timestamp.json"
before=$(sha256sum "$db" | cut -d' ' -f1)
if "$bin" sync --source "$work/tampered" --trusted-root "$keys/root.json" --db "$db" 2> "$work/refused.err"; then
  echo "a tampered feed was accepted" >&2; exit 1
fi
grep -q "签名无效" "$work/refused.err"
test "$before" = "$(sha256sum "$db" | cut -d' ' -f1)"

step "kiosk submit seals a request in the bundle; the county opens it and the terminal's status report"
printf '%s' '{"phone": "13900000009", "topic": "社会救助", "text": "冒烟测试"}' > "$work/form.json"
"$bin" submit --kind callback --form "$work/form.json" --db "$db" | tee "$work/submit.out"
tail -n 1 "$work/submit.out" | grep -Eq '^[0-9]{5}-[0-9]{5}-[0-9]{4}$'
grep -q "SQGK-RECEIPT:" "$work/submit.out"
mkdir "$work/stick"
"$bin" outbox push --to "$work/stick" --db "$db"
fingerprint=$("$bin" terminal id --db "$db" | head -n 1 | sed 's/.*：//')
mkdir "$work/county-input"
printf 'fingerprint,name,town,status\n%s,冒烟测试终端,,在用\n' "$fingerprint" > "$work/county-input/terminals.csv"
KIOSK_KEY_PASSPHRASE=demo "$county" inbox import --from "$work/stick" --keys "$work/county/demo-county/inbox-keys" \
  --db "$work/cases.sqlite3" --county-input "$work/county-input" | tee "$work/import.out"
grep -q "导入 1 件" "$work/import.out"
grep -q "终端状态报告 1 份" "$work/import.out"  # the bundle signed its status report with the push
"$county" fleet status --db "$work/cases.sqlite3" | tee "$work/fleet.out"
grep -q "冒烟测试终端  最后报告" "$work/fleet.out"

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
grep -q "library: $bundle/.*zinnia/libzinnia.so.0$" "$work/shi.err"
grep -q "model: $bundle/.*zinnia/handwriting-zh_CN.model$" "$work/shi.err"

step "kiosk run starts, keeps running, and ends cleanly on SIGTERM"
log="$(dirname "$db")/logs/kiosk.log"
seen=$(stat -c %s "$log" 2>/dev/null || echo 0)  # earlier commands' lines are not this run's
set +e
started=$(date +%s)
timeout --preserve-status 8 "$bin" run --windowed --db "$db" 2> "$work/run.err"
code=$?
set -e
ran=$(( $(date +%s) - started ))
if [ "$code" -ne 0 ] || [ "$ran" -lt 8 ]; then
  cat "$work/run.err" >&2; echo "kiosk run exited with $code after $ran s" >&2; exit 1
fi
# Everything start-up puts off until after the first frame (modules the bundle must hold,
# the pages) ran, and nothing failed on the way.
tail -c +"$((seen + 1))" "$log" > "$work/run.log"
grep -q "villager pages built" "$work/run.log" || { echo "the villager pages were never built" >&2; exit 1; }
if grep -E "Traceback|ERROR|failed" "$work/run.log"; then echo "kiosk run logged a failure" >&2; exit 1; fi

if [ -n "$next_dist" ]; then
  step "the program updates itself through the signed feed: to a second build, and back on its own from a release that fails"
  export KIOSK_KEY_PASSPHRASE=demo
  app="$work/app"
  app_keys="$work/county/demo-county/app-keys"
  now() { date +%s.%N; }
  since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
  wait_for() {  # wait_for SECONDS COMMAND...: until the command succeeds
    local limit=$1; shift
    for _ in $(seq 1 "$((limit * 5))"); do "$@" && return 0; sleep 0.2; done
    echo "timed out waiting for: $*" >&2; cat "$app/state.json" "$app/logs/kiosk.log" >&2; return 1
  }
  state_says() { grep -q "\"$1\": \"$2\"" "$app/state.json"; }
  "$bin" app install --root "$app" | tee "$work/install.out"
  first=$(cat "$app/launcher")
  next=$(cat "$next_dist/_internal/kiosk/VERSION")
  test "$first" = "$(cat "$bundle/_internal/kiosk/VERSION")" && test -x "$app/kiosk-launch" && test "$first" != "$next"

  t=$(now)
  "$county" feed release --bundle "$next_dist" --version "$next" --app-keys "$app_keys" --keys "$keys" \
    --out "$feed" | tee "$work/release.out"
  echo "  the county packed and signed $next in $(since "$t") s"
  grep -q "已发布 $next 版" "$work/release.out"
  t=$(now)
  "$bin" app update --source "$feed" --trusted-root "$keys/root.json" --root "$app" --db "$db" | tee "$work/update.out"
  echo "  the terminal downloaded, checked and unpacked it in $(since "$t") s"
  grep -q "已下载 $next 版" "$work/update.out"
  "$bin" app switch --root "$app" | grep -q "下次启动 $next 版"
  t=$(now)
  "$app/kiosk-launch" --trial-seconds 8 --home-seconds 120 -- --windowed --db "$db" > "$work/launch.out" 2>&1 &
  launcher=$!
  wait_for 120 test -e "$app/marks/$next.home"
  echo "  $next showed its home screen $(since "$t") s after the launcher started it"
  wait_for 60 state_says proven "$next"
  test "$(cat "$app/launcher")" = "$next"  # the new version's launcher from the next boot on
  kill -TERM "$launcher"; wait "$launcher"
  "$app/versions/$next/kiosk" app status --root "$app" --db "$db" | tee "$work/status.out"
  grep -q "正在运行：$next" "$work/status.out"

  broken=$(echo "$next" | awk -F. '{ print $1 "." $2 "." $3 + 1 }')
  cp -a "$next_dist" "$work/broken"
  echo "$broken" > "$work/broken/_internal/kiosk/VERSION"
  : > "$work/broken/_internal/base_library.zip"  # a release that cannot start
  "$county" feed release --bundle "$work/broken" --version "$broken" --app-keys "$app_keys" --keys "$keys" \
    --out "$feed" > /dev/null
  "$app/versions/$next/kiosk" app update --source "$feed" --trusted-root "$keys/root.json" --root "$app" --db "$db" | grep -q "已下载 $broken 版"
  "$app/versions/$next/kiosk" app switch --root "$app" > /dev/null
  rm "$app/marks/$next.home"  # the last run's: only the next start of $next may write it
  t=$(now)
  "$app/kiosk-launch" --trial-seconds 8 --home-seconds 120 -- --windowed --db "$db" > "$work/launch2.out" 2>&1 &
  launcher=$!
  wait_for 120 state_says current "$next"
  wait_for 60 test -e "$app/marks/$next.home"
  echo "  $broken failed twice and $next was back on screen $(since "$t") s later"
  kill -TERM "$launcher"; wait "$launcher"
  state_says version "$broken"
  test ! -e "$app/versions/$broken"
  "$app/versions/$next/kiosk" app status --root "$app" --db "$db" | grep -q "更新失败：$broken"
  unset KIOSK_KEY_PASSPHRASE
fi

step "smoke test passed"
