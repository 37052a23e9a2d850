#!/usr/bin/env bash
# Validates `cnibench gate` on this (noisy, shared) machine the way it is used: same-runner A/B
# trials, as scripts/gate-ab.sh runs them (every round a fresh `cnibench bench --rounds 1`, so
# each round has its own topology and processes; sides interleaved round by round).
#
# One trial = K rounds of three sides, the order of the sides rotated each round:
#   A1, A2  the same build, unchanged
#   I       the same build with N never-matching nftables rules on each node's forward hook
#           (a real datapath slowdown of about 5–10 %)
# and two verdicts:  gate A1 → A2 (A/A: must pass in ≥ 19 of 20 trials)
#                    gate A1 → I  (injected: must be caught in ≥ 19 of 20 trials)
#
# Writes bench-results/gate-validation.{md,json}; the raw results stay in --out.
#
#   scripts/validate-gate.sh [--trials 20] [--rounds 8] [--rules 100] [--modes host-gw]
#                            [--tests tcp1] [--duration 1] [--max-regression 5%]
#                            [--out /tmp/cnibench-gate-validation]
#                            [--summarize-only]  (judge the runs already in --out again)
#                            [--use-rounds K]    (judge only the first K rounds of each side)
set -euo pipefail
cd "$(dirname "$0")/.."
summarize=0 trials=20 rounds=8 rules=100 modes=host-gw tests=tcp1 duration=1 use=0
out=/tmp/cnibench-gate-validation max=5%
while [ $# -gt 0 ]; do
  case "$1" in
    --trials) trials=$2; shift 2;; --rounds) rounds=$2; shift 2;; --rules) rules=$2; shift 2;;
    --modes) modes=$2; shift 2;; --tests) tests=$2; shift 2;; --duration) duration=$2; shift 2;;
    --out) out=$2; shift 2;; --max-regression) max=$2; shift 2;;
    --summarize-only) summarize=1; shift;; --use-rounds) use=$2; shift 2;;
    *) echo "unknown option $1" >&2; exit 2;;
  esac
done
[ "$use" -gt 0 ] || use=$rounds
B=.build/release/cnibench
[ -x $B ] || swift build -c release
[ $summarize -eq 1 ] || { rm -rf "$out"; mkdir -p "$out"; }

bench() { # FILE-BASENAME SEED [extra args]
  local name=$1 seed=$2; shift 2
  $B bench --modes "$modes" --tests "$tests" --rounds 1 --duration "$duration" --seed "$seed" \
    --out "$out" --basename "$name" --name cnbv "$@" >/dev/null 2>"$out/$name.log"
}
start=$(date +%s)
if [ $summarize -eq 0 ]; then
  for t in $(seq 1 "$trials"); do
    echo "trial $t/$trials ($(( $(date +%s) - start )) s)"
    for r in $(seq 1 "$rounds"); do
      # Rotate the order of the sides every round, so slow drift of the machine hits all three.
      case $(( (t + r) % 3 )) in 0) order="A1 A2 I";; 1) order="A2 I A1";; *) order="I A1 A2";; esac
      for side in $order; do
        extra=(); [ $side = I ] && extra=(--inject-forward-rules "$rules")
        bench "t$t-$side-r$r" "$r" "${extra[@]}"
      done
    done
  done
fi
if [ $summarize -eq 0 ]; then
  elapsed=$(( $(date +%s) - start )); echo $elapsed > "$out/elapsed-seconds"
else
  elapsed=$(cat "$out/elapsed-seconds" 2>/dev/null || echo null)  # null: not recorded
fi

# Judging and writing bench-results/gate-validation.{md,json} is cnibench's (the gate's own code,
# in-process): the subject whose changes are tabled is the first mode's cross-node path, first test.
elapsed_arg=(); [ "$elapsed" = null ] || elapsed_arg=(--elapsed "$elapsed")
$B summarize gate-validation --out "$out" --trials "$trials" --rounds "$rounds" --use-rounds "$use" \
  --rules "$rules" --modes "$modes" --tests "$tests" --duration "$duration" --max-regression "$max" \
  --commit "$(git rev-parse --short HEAD)" "${elapsed_arg[@]}" --results-directory bench-results
