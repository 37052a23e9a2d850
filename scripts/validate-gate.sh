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
#                            [--method better-half] [--confidence 95%] [--two-sided]
#                            [--out /tmp/cnibench-gate-validation] [--name cnbv]
#                            [--basename gate-validation]  (bench-results/<basename>.{md,json})
#                            [--lock FILE]       (hold FILE, e.g. /work/bench.lock, around each run
#                                                 only, so others' short measurements interleave)
#                            [--summarize-only]  (judge the runs already in --out again)
#                            [--use-rounds K]    (judge only the first K rounds of each side)
#                            [--regroup K]       (with --summarize-only: cut the same sequence of
#                                                 rounds into trials of K consecutive rounds, so
#                                                 fewer, longer trials; trials × rounds / K of them)
set -euo pipefail
cd "$(dirname "$0")/.."
args="$*"
summarize=0 trials=20 rounds=8 rules=100 modes=host-gw tests=tcp1 duration=1 use=0 regroup=0
out=/tmp/cnibench-gate-validation max=5% method=better-half confidence=95% name=cnbv basename=gate-validation lock="" sided=()
while [ $# -gt 0 ]; do
  case "$1" in
    --trials) trials=$2; shift 2;; --rounds) rounds=$2; shift 2;; --rules) rules=$2; shift 2;;
    --modes) modes=$2; shift 2;; --tests) tests=$2; shift 2;; --duration) duration=$2; shift 2;;
    --out) out=$2; shift 2;; --max-regression) max=$2; shift 2;;
    --method) method=$2; shift 2;; --confidence) confidence=$2; shift 2;; --two-sided) sided=(--two-sided); shift;;
    --name) name=$2; shift 2;; --basename) basename=$2; shift 2;; --lock) lock=$2; shift 2;;
    --summarize-only) summarize=1; shift;; --use-rounds) use=$2; shift 2;; --regroup) regroup=$2; shift 2;;
    *) echo "unknown option $1" >&2; exit 2;;
  esac
done
[ "$use" -gt 0 ] || use=$rounds
B=.build/release/cnibench
[ -x $B ] || swift build -c release
[ $summarize -eq 1 ] || { rm -rf "$out"; mkdir -p "$out"; }

bench() { # FILE-BASENAME SEED [extra args]
  local name_=$1 seed=$2; shift 2
  local cmd=($B bench --modes "$modes" --tests "$tests" --rounds 1 --duration "$duration" --seed "$seed"
             --out "$out" --basename "$name_" --name "$name" "$@")
  # The run's own time, without the wait for the lock: what an A/B on this machine costs.
  if [ -n "$lock" ]; then
    flock "$lock" bash -c 's=$(date +%s%N); "$@" >/dev/null 2>"'"$out/$name_.log"'"; r=$?; echo $(( ($(date +%s%N) - s) / 1000000 )) >>"'"$out/run-ms"'"; exit $r' _ "${cmd[@]}"
  else
    local s; s=$(date +%s%N)
    "${cmd[@]}" >/dev/null 2>"$out/$name_.log"
    echo $(( ($(date +%s%N) - s) / 1000000 )) >>"$out/run-ms"
  fi
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
  # The runs' own time (waits for --lock left out).
  elapsed=$(awk '{ s += $1 } END { printf "%d", s / 1000 }' "$out/run-ms"); echo $elapsed > "$out/elapsed-seconds"
else
  elapsed=$(cat "$out/elapsed-seconds" 2>/dev/null || echo null)  # null: not recorded
fi
if [ "$regroup" -gt 0 ]; then
  # The rounds in the order they were run (trial by trial), cut into trials of $regroup rounds.
  [ $summarize -eq 1 ] || { echo "--regroup needs --summarize-only" >&2; exit 2; }
  g="$out/regroup-$regroup"; rm -rf "$g"; mkdir -p "$g"
  total=$(( trials * rounds )); n=$(( total / regroup ))
  [ "$n" -ge 1 ] || { echo "--regroup $regroup: more than the $total rounds a side there are" >&2; exit 2; }
  for i in $(seq 0 $(( n * regroup - 1 ))); do
    for side in A1 A2 I; do
      ln -s "$out/t$(( i / rounds + 1 ))-$side-r$(( i % rounds + 1 )).json" "$g/t$(( i / regroup + 1 ))-$side-r$(( i % regroup + 1 )).json"
    done
  done
  out=$g trials=$n rounds=$regroup use=$regroup
fi

# Judging and writing bench-results/gate-validation.{md,json} is cnibench's (the gate's own code,
# in-process): the subject whose changes are tabled is the first mode's cross-node path, first test.
elapsed_arg=(); [ "$elapsed" = null ] || elapsed_arg=(--elapsed "$elapsed")
$B summarize gate-validation --out "$out" --trials "$trials" --rounds "$rounds" --use-rounds "$use" \
  --rules "$rules" --modes "$modes" --tests "$tests" --duration "$duration" --max-regression "$max" \
  --method "$method" --confidence "$confidence" "${sided[@]}" --basename "$basename" \
  --reproduce "scripts/validate-gate.sh $args" \
  --commit "$(git rev-parse --short HEAD)" "${elapsed_arg[@]}" --results-directory bench-results
