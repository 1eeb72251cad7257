#!/usr/bin/env bash
# Re-planning benchmark (issue 8): generates an unseen rural network with a fleet,
# solves it (the published plan), then re-plans it under four changes and prints a
# markdown table: time, peak memory, the candidate chosen, placements before and
# after, what a plan from scratch of the changed network places (`--compare-fresh`)
# and the re-plan's share of it, students the change touched, the share of the others
# who keep exactly their groups (and who keep every group they had), and how many rows
# changes.csv and notify.csv have. Every re-plan is checked under its change with
# `profnet check --change`.
#
# usage: scripts/bench-replan.sh [--time-limit S] [--work DIR]
set -euo pipefail
cd "$(dirname "$0")/.."

time_limit=60
work=""
while [ $# -gt 0 ]; do
    case "$1" in
        --time-limit) time_limit="$2"; shift ;;
        --work) work="$2"; shift ;;
        -h|--help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "bench-replan: unknown argument '$1' (try --help)" >&2; exit 2 ;;
    esac
    shift
done
command -v python3 >/dev/null || { echo "bench-replan: python3 is needed" >&2; exit 1; }
target="${CARGO_TARGET_DIR:-target}"
cargo build --release --quiet >&2
bin="$target/release/profnet"
if [ -z "$work" ]; then
    work="$(mktemp -d "${TMPDIR:-/tmp}/profnet-replan.XXXXXX")"
    trap 'rm -rf "$work"' EXIT
fi
mkdir -p "$work"
net="$work/rural"
"$bin" generate --family rural --schools 15 --students 1000 --seed 8 --fleet --out "$net" >/dev/null
"$bin" solve "$net" --out "$work/plan" --time-limit "$time_limit" --quiet >/dev/null

cat > "$work/flu.toml" <<'T'
[[absent_teacher]]
id = "T0001"
[[absent_teacher]]
id = "T0002"
periods = [1, 2]
T
cat > "$work/road.toml" <<'T'
[[closed_link]]
from = "S01"
to = "S03"
T
cat > "$work/bus-room.toml" <<'T'
[[broken_vehicle]]
id = "BUS-S01-1"
[[closed_room]]
id = "S01-R1"
T
cat > "$work/school.toml" <<'T'
[[closed_school]]
id = "S05"
[[choice_change]]
student = "P00012"
choices = ["C03", "C07"]
T

echo "| change | time | peak memory | chosen | placements before → after | fresh plan | of fresh | touched | others keeping exactly their groups | keeping every group | changes.csv rows | notify.csv rows |"
echo "|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|"
for c in flu road bus-room school; do
    out="$work/new-$c"
    /usr/bin/time -f "%e %M" -o "$work/$c.time" \
        "$bin" replan "$net" "$work/plan" --change "$work/$c.toml" --out "$out" \
        --time-limit "$time_limit" --compare-fresh --quiet >/dev/null
    "$bin" check "$net" "$out" --change "$work/$c.toml" >/dev/null
    read -r secs kb < "$work/$c.time"
    python3 - "$out" "$c" "$secs" "$kb" <<'P'
import csv, json, sys
out, name, secs, kb = sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4])
r = json.load(open(f"{out}/summary.json"))["replan"]
rows = lambda f: sum(1 for _ in csv.reader(open(f"{out}/{f}"))) - 1
fresh = r['resolve_placements']
share = 100 * r['placements_after'] / fresh if fresh else float('nan')
n = r['untouched_students']
print(f"| {name} | {secs:.1f} s | {kb / 1024:.0f} MiB | {r['chosen']} | {r['placements_before']} → {r['placements_after']} | {fresh} | {share:.1f} % "
      f"| {r['touched_students']} | {r['untouched_kept']}/{n} ({100 * r['untouched_kept_share']:.1f} %) "
      f"| {r['untouched_keeping_all']}/{n} ({100 * r['untouched_keeping_all'] / max(n, 1):.1f} %) | {rows('changes.csv')} | {rows('notify.csv')} |")
P
done
