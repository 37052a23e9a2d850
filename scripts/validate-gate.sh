#!/usr/bin/env bash
# Validates `cnibench gate` on this (noisy, shared) machine, as issue 6 asks:
#   A/A: 20 comparisons of two runs of the same build           → must pass in ≥ 19 of 20
#   injected: 20 comparisons of a normal run against a run whose nodes carry N never-matching
#             nftables rules on the forward path (a real ~5–10 % datapath slowdown) → caught ≥ 19 of 20
# Runs are interleaved in time (A, A, I, A, A, I, …) so drift hits both kinds alike.
# Writes bench-results/gate-validation.{md,json}; the raw results stay in $OUT.
#
#   scripts/validate-gate.sh [--pairs 20] [--rules 80] [--modes host-gw] [--tests tcp1]
#                            [--repeats 5] [--duration 1] [--out /tmp/cnibench-gate-validation]
#                            [--summarize-only]   (judge the runs already in --out again)
set -euo pipefail
cd "$(dirname "$0")/.."
summarize=0 pairs=20 rules=80 modes=host-gw tests=tcp1 repeats=5 duration=1 out=/tmp/cnibench-gate-validation max=5%
while [ $# -gt 0 ]; do
  case "$1" in
    --pairs) pairs=$2; shift 2;; --rules) rules=$2; shift 2;; --modes) modes=$2; shift 2;;
    --tests) tests=$2; shift 2;; --repeats) repeats=$2; shift 2;; --duration) duration=$2; shift 2;;
    --out) out=$2; shift 2;; --max-regression) max=$2; shift 2;;
    --summarize-only) summarize=1; shift;;
    *) echo "unknown option $1" >&2; exit 2;;
  esac
done
B=.build/release/cnibench
[ -x $B ] || swift build -c release
[ $summarize -eq 1 ] || { rm -rf "$out"; mkdir -p "$out"; }
run() { # NAME [extra args]
  local name=$1; shift
  $B bench --modes "$modes" --tests "$tests" --repeats "$repeats" --duration "$duration" \
    --out "$out" --basename "$name" --name cnbv "$@" >/dev/null 2>"$out/$name.log"
}
start=$(date +%s)
for i in $(seq 1 "$pairs"); do
  [ $summarize -eq 1 ] && break
  echo "pair $i/$pairs"
  run "a$((2*i-1))"
  run "a$((2*i))"
  run "i$i" --inject-forward-rules "$rules"
done
aa_pass=0 inj_caught=0 rows=()
for i in $(seq 1 "$pairs"); do
  set +e
  $B gate --baseline "$out/a$((2*i-1)).json" --current "$out/a$((2*i)).json" --max-regression "$max" > "$out/aa$i.txt"; aa=$?
  $B gate --baseline "$out/a$((2*i-1)).json" --current "$out/i$i.json" --max-regression "$max" > "$out/inj$i.txt"; inj=$?
  set -e
  [ $aa -eq 0 ] && aa_pass=$((aa_pass+1))
  [ $inj -eq 1 ] && inj_caught=$((inj_caught+1))
  # The measured slowdown of the injected run (normalized throughput change), for the record.
  # (awk reads to the end: an early exit would SIGPIPE compare under pipefail)
  change=$($B compare "$out/a$((2*i-1)).json" "$out/i$i.json" | awk '/cross-node/ && /throughputGbps\*/ && !n++ {print $6}')
  aachange=$($B compare "$out/a$((2*i-1)).json" "$out/a$((2*i)).json" | awk '/cross-node/ && /throughputGbps\*/ && !n++ {print $6}')
  rows+=("| $i | $aa | $aachange | $inj | $change |")
done
elapsed=$(( $(date +%s) - start ))
kernel=$(uname -r); commit=$(git rev-parse --short HEAD)
{
  echo "# Regression gate validation"
  echo
  echo "Reproduce: \`scripts/validate-gate.sh --pairs $pairs --rules $rules --modes $modes --tests $tests --repeats $repeats --duration $duration\` (root; ${elapsed}s here)."
  echo
  echo "Machine: $(nproc) CPUs, kernel $kernel, shared and noisy; cnibench $commit; $(date -u +%Y-%m-%dT%H:%MZ)."
  echo "Each run: \`cnibench bench --modes $modes --tests $tests --repeats $repeats --duration $duration\`; gate: \`cnibench gate --max-regression $max\` (exit 0 pass, 1 regression, 2 cannot judge)."
  echo "Injected regression: $rules never-matching nftables rules in a forward-hook chain of each node namespace (\`--inject-forward-rules $rules\`)."
  echo
  echo "| result | rate | target |"
  echo "|---|---|---|"
  echo "| A/A comparisons that pass | **$aa_pass / $pairs** | ≥ 19 / 20 |"
  echo "| injected regressions caught | **$inj_caught / $pairs** | ≥ 19 / 20 |"
  echo
  echo "False-alarm rate $(( (pairs - aa_pass) * 100 / pairs ))%, detection rate $(( inj_caught * 100 / pairs ))%."
  echo
  echo "| pair | A/A exit | A/A change (cross-node tcp1, normalized) | injected exit | injected change |"
  echo "|---|---|---|---|---|"
  printf '%s\n' "${rows[@]}"
} > bench-results/gate-validation.md
cat > bench-results/gate-validation.json <<JSON
{"pairs": $pairs, "aaPass": $aa_pass, "injectedCaught": $inj_caught, "rules": $rules, "modes": "$modes", "tests": "$tests",
 "repeats": $repeats, "durationSeconds": $duration, "maxRegression": "$max", "kernel": "$kernel", "commit": "$commit", "elapsedSeconds": $elapsed}
JSON
cat bench-results/gate-validation.md
