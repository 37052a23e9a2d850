#!/usr/bin/env bash
# Same-runner A/B: build BASE and HEAD, run their benchmarks interleaved on this machine
# (base, head, head, base, … so drift hits both alike), then `cnibench gate` on the pooled
# rounds. Also checks the packet-builder microbenchmark thresholds (mallocs exact).
#
#   scripts/gate-ab.sh BASE_REV [HEAD_REV|WORKTREE] [--rounds N] [--modes m1,m2] [--tests t1,t2]
#                      [--duration S] [--max-regression 5%] [--out DIR] [--summary FILE]
#                      [--inject-forward-rules N]   (validation only: slows HEAD's datapath)
#
# Exit: 0 pass, 1 regression, 2 cannot judge / input error. Needs root.
set -euo pipefail
cd "$(dirname "$0")/.."
top=$(pwd)

base_rev=${1:?usage: scripts/gate-ab.sh BASE_REV [HEAD_REV] [options]}; shift
head_rev=WORKTREE
if [ $# -gt 0 ] && [[ "$1" != --* ]]; then head_rev=$1; shift; fi
rounds=12 modes=host-gw,calico-vxlan tests=tcp1,rr duration=2 max=5% out=bench-results/gate summary="" inject=0
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds=$2; shift 2;;
    --modes) modes=$2; shift 2;;
    --tests) tests=$2; shift 2;;
    --duration) duration=$2; shift 2;;
    --max-regression) max=$2; shift 2;;
    --out) out=$2; shift 2;;
    --summary) summary=$2; shift 2;;
    --inject-forward-rules) inject=$2; shift 2;;
    *) echo "unknown option $1" >&2; exit 2;;
  esac
done

build() { # REV DIR → path of a release cnibench built from REV
  local rev=$1 dir=$2
  if [ "$rev" = WORKTREE ]; then
    swift build -c release >&2 && echo "$top/.build/release/cnibench"; return
  fi
  rm -rf "$dir"; git worktree add -f --detach "$dir" "$rev" >&2
  (cd "$dir" && swift build -c release >&2) && echo "$dir/.build/release/cnibench"
}

scripts/install-deps.sh
mkdir -p "$out"; rm -f "$out"/base-*.json "$out"/head-*.json
base_bin=$(build "$base_rev" "$top/.build-gate-base")
head_bin=$(build "$head_rev" "$top/.build-gate-head")
cleanup() { git worktree remove --force "$top/.build-gate-base" 2>/dev/null || true
            git worktree remove --force "$top/.build-gate-head" 2>/dev/null || true; }
trap cleanup EXIT

extra=()
[ "$inject" -gt 0 ] && extra=(--inject-forward-rules "$inject")
for i in $(seq 1 "$rounds"); do
  # ABBA ordering: alternate which side goes first.
  if [ $((i % 2)) -eq 1 ]; then order="base head"; else order="head base"; fi
  for side in $order; do
    bin=$base_bin; args=(); [ $side = head ] && { bin=$head_bin; args=("${extra[@]}"); }
    echo "== round $i/$rounds: $side"
    # --repeats, the spelling every revision's binary accepts (BASE may predate --rounds).
    "$bin" bench --modes "$modes" --tests "$tests" --repeats 1 --duration "$duration" \
      --out "$out" --basename "$side-$i" --name "cnbg${side:0:1}" --seed "$i" "${args[@]}" >/dev/null
  done
done

status=0
"$head_bin" gate --baseline "$out"/base-*.json --current "$out"/head-*.json --max-regression "$max" \
  ${summary:+--summary "$summary"} || status=$?
if [ -x scripts/bench-packet.sh ] && [ -z "${SKIP_PACKET_THRESHOLDS:-}" ]; then
  scripts/bench-packet.sh || status=$(( status == 0 ? 1 : status ))
fi
exit $status
