#!/usr/bin/env bash
# Fleet benchmark (issue 5): generates networks with `profnet generate --fleet` (rural:
# a 22-seat bus per village school and two 30-seat buses at the centre; chain and city:
# a 22-seat bus per school), solves each with its fleet and once more without
# vehicles.csv, checks both plans (the one with the fleet against rule 8 too), and
# prints a markdown table: placements without and with the fleet, their ratio, vehicles
# used, vehicle minutes, student legs that lacked seats, solve time.
#
# usage: scripts/bench-fleet.sh [--time-limit S] [--work DIR] [--bin PATH]
#   --bin PATH  measure this profnet binary instead of building one
set -euo pipefail
cd "$(dirname "$0")/.."

time_limit=120
work=""
bin=""
while [ $# -gt 0 ]; do
    case "$1" in
        --time-limit) time_limit="$2"; shift ;;
        --work) work="$2"; shift ;;
        --bin) bin="$2"; shift ;;
        -h|--help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "bench-fleet: unknown argument '$1' (try --help)" >&2; exit 2 ;;
    esac
    shift
done
command -v python3 >/dev/null || { echo "bench-fleet: python3 is needed" >&2; exit 1; }
if [ -z "$bin" ]; then
    target="${CARGO_TARGET_DIR:-target}"
    cargo build --release --quiet >&2
    bin="$target/release/profnet"
fi
if [ -z "$work" ]; then
    work="$(mktemp -d "${TMPDIR:-/tmp}/profnet-fleet.XXXXXX")"
    trap 'rm -rf "$work"' EXIT
fi
mkdir -p "$work"

# family schools students courses seed (seeds other than the ones tuned on: 1 and 2)
nets=(
    "rural 15 1000 30 3"
    "rural 15 1000 30 4"
    "rural 15 1000 30 5"
    "rural 15 500 30 7"
    "chain 10 600 24 3"
    "city 20 2000 40 3"
)
echo "| network | seed | placements without fleet | with fleet | kept % | vehicles used | vehicle min | legs short of seats | solve s (with fleet) | check |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"
status=0
for n in "${nets[@]}"; do
    read -r fam ns nk nc seed <<<"$n"
    tag="$fam-$ns-$nk-$nc-s$seed"
    rm -rf "$work/$tag" "$work/$tag-free" "$work/$tag-plan" "$work/$tag-free-plan"
    "$bin" generate --family "$fam" --schools "$ns" --students "$nk" --courses "$nc" \
        --seed "$seed" --fleet --out "$work/$tag" >/dev/null
    cp -r "$work/$tag" "$work/$tag-free"
    rm "$work/$tag-free/vehicles.csv"
    echo "bench-fleet: $tag" >&2
    "$bin" solve "$work/$tag" --out "$work/$tag-plan" --quiet --time-limit "$time_limit" >/dev/null
    "$bin" solve "$work/$tag-free" --out "$work/$tag-free-plan" --quiet --time-limit "$time_limit" >/dev/null
    check=ok
    "$bin" check "$work/$tag" "$work/$tag-plan" >/dev/null 2>&1 || { check=FAIL; status=1; }
    "$bin" check "$work/$tag-free" "$work/$tag-free-plan" >/dev/null 2>&1 || { check=FAIL; status=1; }
    python3 - "$work/$tag-plan" "$work/$tag-free-plan" "$fam $ns/$nk/$nc" "$seed" "$check" <<'PY'
import csv, json, sys
plan, free, name, seed, check = sys.argv[1:]
a = json.load(open(plan + "/summary.json"))
b = json.load(open(free + "/summary.json"))
short = sum(int(r["seats"]) for r in csv.DictReader(open(plan + "/shortages.csv")))
pa, pb = a["kpis"]["placements"], b["kpis"]["placements"]
print("| %s | %s | %d | %d | %.1f | %d | %d | %d | %.1f | %s |" % (
    name, seed, pb, pa, 100.0 * pa / max(pb, 1), a["kpis"]["vehicles_used"],
    a["kpis"]["vehicle_minutes"], short, a["solve_seconds"], check))
PY
done
exit $status
