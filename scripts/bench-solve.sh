#!/usr/bin/env bash
# Solve benchmark: generates networks of several sizes (seed 1, deterministic), solves
# each with `profnet solve`, checks the plan with `profnet check`, and prints a markdown
# table (placements, greedy baseline, bound, gap, time, peak memory, check result).
#
# usage: scripts/bench-solve.sh [--big] [--growth] [--scarce] [--time-limit S] [--threads N] [--work DIR] [--keep] [--bin PATH]
#   --big           also run city 60 schools / 6000 students / 80 courses
#   --growth        instead: rural networks of 500 … 16000 students (about 67 students
#                   per school, 30 courses): how time grows with size
#   --scarce        instead: teacher-limited districts (`generate --family scarce`, 15
#                   schools, 30 courses), 1000 and 3000 students, seeds 1-3
#   --region N      instead: N rural districts (15 schools, 1000 students, 30 courses,
#                   seeds 1..N) solved together by `profnet solve-many`
#   --time-limit S  profnet solve --time-limit (default 120)
#   --threads N     profnet solve --threads (default: profnet's own default)
#   --work DIR      where bundles and plans go (default: a fresh temporary directory)
#   --keep          keep the work directory (default: removed at the end unless --work)
#   --bin PATH      measure this profnet binary instead of building one (e.g. an earlier
#                   commit's, to compare plans and times on the same machine)
#
# The binary is built with `cargo build --release` and taken from
# $CARGO_TARGET_DIR/release/profnet (target/release/profnet when CARGO_TARGET_DIR is unset).
set -euo pipefail

cd "$(dirname "$0")/.."

big=0
growth=0
scarce=0
region=0
time_limit=120
threads=""
work=""
keep=0
bin=""
while [ $# -gt 0 ]; do
    case "$1" in
        --big) big=1 ;;
        --growth) growth=1 ;;
        --scarce) scarce=1 ;;
        --region) region="$2"; shift ;;
        --time-limit) time_limit="$2"; shift ;;
        --time-limit=*) time_limit="${1#*=}" ;;
        --threads) threads="$2"; shift ;;
        --threads=*) threads="${1#*=}" ;;
        --work) work="$2"; keep=1; shift ;;
        --work=*) work="${1#*=}"; keep=1 ;;
        --keep) keep=1 ;;
        --bin) bin="$2"; shift ;;
        -h|--help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "bench-solve: unknown argument '$1' (try --help)" >&2; exit 2 ;;
    esac
    shift
done

# family schools students courses
sizes=(
    "rural 15 500 30"
    "rural 15 1000 30"
    "rural 15 2000 30"
    "chain 10 600 24"
)
if [ "$big" = 1 ]; then
    sizes+=("city 60 6000 80")
fi
if [ "$growth" = 1 ]; then
    sizes=(
        "rural 8 500 30"
        "rural 15 1000 30"
        "rural 30 2000 30"
        "rural 60 4000 30"
        "rural 120 8000 30"
        "rural 240 16000 30"
    )
fi

if [ "$scarce" = 1 ]; then
    sizes=()
    for k in 1000 3000; do
        for seed in 1 2 3; do
            sizes+=("scarce 15 $k 30 $seed")
        done
    done
fi

# /usr/bin/time (GNU time) gives the peak resident set size.
if [ ! -x /usr/bin/time ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        echo "bench-solve: installing GNU time (apt-get install time)" >&2
        apt-get install -y time >&2 || { apt-get update >&2 && apt-get install -y time >&2; }
    fi
    if [ ! -x /usr/bin/time ]; then
        echo "bench-solve: /usr/bin/time is missing; install it with: sudo apt-get install time" >&2
        exit 1
    fi
fi
command -v python3 >/dev/null || { echo "bench-solve: python3 is needed to read summary.json" >&2; exit 1; }

if [ -z "$bin" ]; then
    target="${CARGO_TARGET_DIR:-target}"
    echo "bench-solve: cargo build --release" >&2
    cargo build --release --quiet >&2
    bin="$target/release/profnet"
fi
[ -x "$bin" ] || { echo "bench-solve: $bin not found after the build" >&2; exit 1; }

if [ -z "$work" ]; then
    work="$(mktemp -d "${TMPDIR:-/tmp}/profnet-bench.XXXXXX")"
fi
mkdir -p "$work"
if [ "$keep" = 0 ]; then
    trap 'rm -rf "$work"' EXIT
fi

thread_args=()
if [ -n "$threads" ]; then
    thread_args=(--threads "$threads")
fi

if [ "$region" -gt 0 ]; then
    dir="$work/region-$region"
    rm -rf "$dir" "$dir-plans"
    mkdir -p "$dir"
    for i in $(seq 1 "$region"); do
        "$bin" generate --family rural --schools 15 --students 1000 --courses 30 \
            --seed "$i" --out "$dir/district-$(printf %02d "$i")" >/dev/null
    done
    echo "bench-solve: region of $region districts: solve-many (time limit ${time_limit}s each)" >&2
    /usr/bin/time -v -o "$work/region.time" "$bin" solve-many "$dir" --out "$dir-plans" \
        --quiet --time-limit "$time_limit" ${thread_args[@]+"${thread_args[@]}"} \
        >"$work/region.log" 2>&1
    status=0
    for d in "$dir"/district-*; do
        "$bin" check "$d" "$dir-plans/$(basename "$d")" >/dev/null 2>&1 || { echo "bench-solve: check failed: $d" >&2; status=1; }
    done
    python3 - "$dir-plans/summary.csv" "$work/region.time" "$status" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
wall = rss = None
for line in open(sys.argv[2]):
    if "Elapsed (wall clock) time" in line:
        v = line.rsplit(": ", 1)[1].strip()
        wall = 0.0
        for p in v.split(":"):
            wall = wall * 60 + float(p)
    if "Maximum resident set size" in line:
        rss = int(line.rsplit(": ", 1)[1]) / 1024
gaps = [float(r["gap"]) for r in rows]
pl = sum(int(r["placements"]) for r in rows)
gr = sum(int(r["greedy_placements"]) for r in rows)
bd = sum(float(r["bound"]) for r in rows)
st = sum(int(r["students"]) for r in rows)
print("| networks | students | placements | greedy | bound | gap % (total) | largest gap % | slowest network s | wall s | peak RSS MiB | check |")
print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
print("| %d | %d | %d | %d | %g | %.2f | %.2f | %.2f | %.1f | %.0f | %s |" % (
    len(rows), st, pl, gr, bd, 100 * (bd - pl) / bd, 100 * max(gaps),
    max(float(r["solve_seconds"]) for r in rows), wall, rss,
    "ok" if sys.argv[3] == "0" else "FAIL"))
PY
    exit $status
fi

echo "| family | schools | students | courses | seed | placements | greedy | bound | bound kind | gap % | solve s | wall s | peak RSS MiB | check |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---|"

status=0
for size in "${sizes[@]}"; do
    read -r fam ns nk nc seed <<<"$size"
    seed="${seed:-1}"
    tag="$fam-$ns-$nk-$nc-$seed"
    bundle="$work/$tag"
    plan="$work/$tag-plan"
    echo "bench-solve: $tag: generate" >&2
    "$bin" generate --family "$fam" --schools "$ns" --students "$nk" --courses "$nc" \
        --seed "$seed" --out "$bundle" >/dev/null
    echo "bench-solve: $tag: solve (time limit ${time_limit}s)" >&2
    rm -rf "$plan"
    solve_rc=0
    /usr/bin/time -v -o "$work/$tag.time" "$bin" solve "$bundle" --out "$plan" --quiet \
        --time-limit "$time_limit" ${thread_args[@]+"${thread_args[@]}"} >"$work/$tag.solve.log" 2>&1 || solve_rc=$?
    wall=$(python3 - "$work/$tag.time" <<'PY'
import sys
t = None
for line in open(sys.argv[1]):
    if "Elapsed (wall clock) time" in line:
        v = line.rsplit(": ", 1)[1].strip()
        parts = [float(x) for x in v.split(":")]
        t = 0.0
        for p in parts:
            t = t * 60 + p
print("%.1f" % t if t is not None else "?")
PY
)
    rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2/1024}' "$work/$tag.time")
    if [ "$solve_rc" != 0 ] || [ ! -f "$plan/summary.json" ]; then
        echo "bench-solve: $tag: solve exited $solve_rc; log in $work/$tag.solve.log" >&2
        echo "| $fam | $ns | $nk | $nc | $seed | solve exit $solve_rc | | | | | | $wall | ${rss:-?} | – |"
        status=1
        continue
    fi
    echo "bench-solve: $tag: check" >&2
    if "$bin" check "$bundle" "$plan" >"$work/$tag.check.log" 2>&1; then
        check=ok
    else
        check=FAIL
        status=1
    fi
    python3 - "$plan/summary.json" "$fam" "$ns" "$nk" "$nc" "$seed" "$wall" "${rss:-?}" "$check" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
fam, ns, nk, nc, seed, wall, rss, check = sys.argv[2:]
bound = s.get("bound")
bound_s = "%g" % bound if isinstance(bound, (int, float)) else str(bound)
gap = s.get("gap")
gap_s = "%.2f" % (100 * gap) if isinstance(gap, (int, float)) else str(gap)
print("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
    fam, ns, nk, nc, seed, s.get("objective"), s.get("greedy_placements"), bound_s,
    s.get("bound_kind", "?"), gap_s, s.get("solve_seconds"), wall, rss, check))
for n in s.get("solver_notes", []):
    print("bench-solve:   %s" % n, file=sys.stderr)
PY
done
if [ "$keep" = 1 ]; then
    echo "bench-solve: bundles, plans and logs kept in $work" >&2
fi
exit $status
