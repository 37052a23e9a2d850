#!/usr/bin/env bash
# Validates `cnibench gate` on this (noisy, shared) machine the way it is used: same-runner A/B
# trials, as scripts/gate-ab.sh runs them (every round a fresh `cnibench bench --repeats 1`, so
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
  $B bench --modes "$modes" --tests "$tests" --repeats 1 --duration "$duration" --seed "$seed" \
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

files() { local t=$1 side=$2; for r in $(seq 1 "$use"); do echo "$out/t$t-$side-r$r.json"; done; }
aa_pass=0 inj_caught=0 rows=()
for t in $(seq 1 "$trials"); do
  mapfile -t a1 < <(files $t A1); mapfile -t a2 < <(files $t A2); mapfile -t inj < <(files $t I)
  set +e
  $B gate --baseline "${a1[@]}" --current "${a2[@]}" --max-regression "$max" > "$out/gate-aa-$t.txt"; aa=$?
  $B gate --baseline "${a1[@]}" --current "${inj[@]}" --max-regression "$max" > "$out/gate-inj-$t.txt"; ij=$?
  set -e
  [ $aa -eq 0 ] && aa_pass=$((aa_pass + 1))
  [ $ij -eq 1 ] && inj_caught=$((inj_caught + 1))
  # For the record: the cross-node changes (throughput and CPU per GB) that compare measured.
  sides() { printf -- '--base\n%s\n' "${a1[@]}"; for f in "$@"; do printf -- '--head\n%s\n' "$f"; done; }
  change() { # compare args… → "throughput-change cpu-change" of host-gw cross-node tcp1
    $B compare --format json "$@" 2>/dev/null | python3 -c '
import json, sys
r = {m["key"]: m for m in json.load(sys.stdin)["metrics"]}
def f(k):
    v = r.get(k, {}).get("improvement")
    return "-" if not isinstance(v, float) else "%+.1f%%" % (v * 100)
print(f("host-gw@l2/cross-node/tcp1/throughputGbps"), f("host-gw@l2/cross-node/tcp1/cpuSecondsPerGB"))' || echo "- -"
  }
  mapfile -t cmp_aa < <(sides "${a2[@]}"); mapfile -t cmp_ij < <(sides "${inj[@]}")
  read -r aat aac < <(change "${cmp_aa[@]}"); read -r ijt ijc < <(change "${cmp_ij[@]}")
  rows+=("| $t | $aa | $aat | $aac | $ij | $ijt | $ijc |")
done
kernel=$(uname -r); commit=$(git rev-parse --short HEAD)
{
  echo "# Regression gate validation"
  echo
  echo "Reproduce: \`scripts/validate-gate.sh --trials $trials --rounds $rounds --rules $rules --modes $modes --tests $tests --duration $duration\` (root; ${elapsed} s here)."
  [ "$use" -ne "$rounds" ] && echo "Judged on the first $use of the $rounds rounds of each side (\`--summarize-only --use-rounds $use\`)."
  echo
  echo "Machine: $(nproc) CPUs, kernel $kernel, shared and noisy; cnibench $commit; $(date -u +%Y-%m-%dT%H:%MZ)."
  echo
  echo "Procedure, as \`make gate\` / \`scripts/gate-ab.sh\` runs it: a trial is $use rounds of three sides,"
  echo "A1 and A2 (the same build) and I (the same build with $rules never-matching nftables rules in a"
  echo "forward-hook chain of each node namespace, \`--inject-forward-rules $rules\`). Every round of every side is"
  echo "its own \`cnibench bench --modes $modes --tests $tests --repeats 1 --duration $duration\` (fresh topology and"
  echo "processes); the order of the sides rotates each round. Verdicts: \`cnibench gate --baseline A1… --current A2…\`"
  echo "(A/A) and \`--current I…\` (injected), \`--max-regression $max\`: exit 0 pass, 1 regression, 2 cannot judge."
  echo
  echo "| result | rate | target |"
  echo "|---|---|---|"
  echo "| A/A comparisons that pass | **$aa_pass / $trials** | ≥ 19 / 20 |"
  echo "| injected regressions caught | **$inj_caught / $trials** | ≥ 19 / 20 |"
  echo
  echo "False-alarm rate $(( (trials - aa_pass) * 100 / trials ))%, detection rate $(( inj_caught * 100 / trials ))%."
  echo
  echo "Changes below are \`cnibench compare\`'s estimates for host-gw cross-node (throughput normalized to"
  echo "the same round's node→node baseline; CPU seconds per GB; positive = better)."
  echo
  echo "| trial | A/A exit | A/A throughput | A/A CPU/GB | injected exit | injected throughput | injected CPU/GB |"
  echo "|---|---|---|---|---|---|---|"
  printf '%s\n' "${rows[@]}"
} > bench-results/gate-validation.md
cat > bench-results/gate-validation.json <<JSON
{"trials": $trials, "roundsPerSide": $use, "aaPass": $aa_pass, "injectedCaught": $inj_caught, "rules": $rules,
 "modes": "$modes", "tests": "$tests", "durationSeconds": $duration, "maxRegression": "$max",
 "kernel": "$kernel", "commit": "$commit", "elapsedSeconds": $elapsed}
JSON
cat bench-results/gate-validation.md
