#!/usr/bin/env bash
# Runs the CNIPacket benchmarks (the separate Benchmarks/ package, package-benchmark)
# and writes bench-results/packet-builder.md and .json: ns per packet for every
# benchmark, the Swift template path against the C reference of the same algorithm,
# their ratio, and malloc counts. Then checks the run against the committed static
# thresholds in Benchmarks/Thresholds/.
#
#   scripts/bench-packet.sh                      run, summarise, check thresholds
#   scripts/bench-packet.sh --update-thresholds  run, summarise, rewrite Benchmarks/Thresholds/
#   BENCH_FILTER='Parser.*' scripts/bench-packet.sh   run a subset (no threshold check)
#
# Exit status: 0 when the run succeeded and no threshold regressed (an improvement
# beyond tolerance only prints a note: package-benchmark exits 4 for it); 2 on a
# threshold regression; anything else is a failed build or run.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bench="$root/Benchmarks"
out="$root/bench-results"
baseline=current
update=0
[[ "${1:-}" == "--update-thresholds" ]] && update=1

mkdir -p "$out"
export_dir=$(mktemp -d)
trap 'rm -rf "$export_dir"' EXIT
cd "$bench"

filter=()
[[ -n "${BENCH_FILTER:-}" ]] && filter=(--filter "$BENCH_FILTER")

echo "== running CNIPacket benchmarks (release build; first run builds package-benchmark, a few minutes)"
swift package --disable-sandbox --allow-writing-to-package-directory \
    benchmark baseline update "$baseline" --no-progress "${filter[@]}"

# Raw per-iteration percentiles (influx CSV keeps the unscaled ns; the text tables round
# the per-packet figure to whole ns, too coarse for a 4 ns loop).
swift package --disable-sandbox --allow-writing-to-directory "$export_dir" \
    benchmark baseline read "$baseline" --format influx --path "$export_dir" --no-progress >/dev/null

threshold_status="not checked (subset run)"
rc=0
if [[ -z "${BENCH_FILTER:-}" ]]; then
    if [[ $update == 1 ]]; then
        swift package --disable-sandbox --allow-writing-to-package-directory \
            benchmark thresholds update "$baseline" --no-progress
        threshold_status="thresholds rewritten from this run"
    else
        set +e
        swift package --disable-sandbox benchmark thresholds check "$baseline" --no-progress
        check=$?
        set -e
        case $check in
            0) threshold_status="pass (within tolerance of Benchmarks/Thresholds)" ;;
            4) threshold_status="pass (better than thresholds beyond tolerance: consider --update-thresholds)" ;;
            2) threshold_status="REGRESSION against Benchmarks/Thresholds"; rc=2 ;;
            *) threshold_status="check failed (exit $check)"; rc=$check ;;
        esac
    fi
fi

commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo "uncommitted")
swift_version=$(swift --version 2>/dev/null | head -1)
cnibench="$root/.build/release/cnibench"
[ -x "$cnibench" ] || swift build --package-path "$root" -c release --product cnibench
"$cnibench" summarize packet-bench --export "$export_dir" --out "$out" --thresholds "$threshold_status" \
    --commit "$commit" --swift-version "$swift_version"

# The stored run is scratch: keep it out of the work tree.
rm -rf "$bench/.benchmarkBaselines/PacketBuilder/$baseline"
exit $rc
