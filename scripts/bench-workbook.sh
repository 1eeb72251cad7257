#!/usr/bin/env bash
# Workbook benchmark (issue 18): generates rural networks of growing size, converts each
# to a network workbook, and times `profnet validate` on the directory and on the
# workbook (best of 3 runs, wall seconds and peak memory), and `convert` both ways.
# Prints a markdown table.
#
# usage: scripts/bench-workbook.sh [--work DIR] [--bin PATH]
#   --bin PATH  measure this profnet binary instead of building one
set -euo pipefail
cd "$(dirname "$0")/.."

work=""
bin=""
while [ $# -gt 0 ]; do
    case "$1" in
        --work) work="$2"; shift ;;
        --bin) bin="$2"; shift ;;
        -h|--help) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "bench-workbook: unknown argument '$1' (try --help)" >&2; exit 2 ;;
    esac
    shift
done
[ -x /usr/bin/time ] || { echo "bench-workbook: /usr/bin/time is needed (Debian package 'time')" >&2; exit 1; }
if [ -z "$bin" ]; then
    target="${CARGO_TARGET_DIR:-target}"
    cargo build --release --quiet >&2
    bin="$target/release/profnet"
fi
[ -n "$work" ] || work=$(mktemp -d)
mkdir -p "$work"

# Best of three: "seconds peak_kb" of the command.
best() {
    local best_s="" best_kb=""
    for _ in 1 2 3; do
        /usr/bin/time -f "%e %M" -o "$work/time" "$@" >/dev/null 2>&1 || true
        read -r s kb <"$work/time"
        if [ -z "$best_s" ] || awk -v a="$s" -v b="$best_s" 'BEGIN{exit !(a<b)}'; then
            best_s=$s; best_kb=$kb
        fi
    done
    echo "$best_s $best_kb"
}

echo "| students | schools | workbook KB | validate dir s | validate xlsx s | xlsx peak MB | dir → xlsx s | xlsx → dir s |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|"
for size in "1000 15" "5000 30" "20000 40"; do
    set -- $size
    n=$1; k=$2
    dir="$work/net-$n"; book="$work/net-$n.xlsx"; back="$work/back-$n"
    rm -rf "$dir" "$book" "$back"
    "$bin" generate --family rural --schools "$k" --students "$n" --seed 3 --fleet --out "$dir" >/dev/null
    read -r to_x _ < <(best bash -c "rm -f '$book'; '$bin' convert '$dir' --to '$book'")
    read -r to_d _ < <(best bash -c "rm -rf '$back'; '$bin' convert '$book' --to '$back'")
    read -r vd _ < <(best "$bin" validate "$dir")
    read -r vx kb < <(best "$bin" validate "$book")
    size_kb=$(( $(stat -c %s "$book") / 1024 ))
    echo "| $n | $k | $size_kb | $vd | $vx | $(( kb / 1024 )) | $to_x | $to_d |"
done
