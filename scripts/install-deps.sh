#!/usr/bin/env bash
# Installs the Debian packages cnibench needs, only those missing. Safe to run repeatedly;
# `make test` and `make bench` call it first, so a fresh machine needs nothing else.
#
#   scripts/install-deps.sh build   headers and tools to compile (no root needed when present)
#   scripts/install-deps.sh run     programs the testbed runs: verify, bench, BGP, pktgen reference
#   scripts/install-deps.sh         both
set -euo pipefail
build=(python3 pkg-config libnl-3-dev libnl-route-3-dev libmnl-dev libbpf-dev linux-libc-dev)
run=(
  iproute2 iputils-ping iperf3   # verify, bench
  bird2                          # --routing bird
  netsniff-ng                    # trafgen: `cnibench bench pktgen` reference
  nftables                       # gate validation (--inject-forward-rules); --netfilter real: nft loads and read-back
  iptables ipset                 # --netfilter real: iptables-nft-restore (flanneld, Felix, kube-proxy), Felix's ipsets
  linux-perf                     # cnibench profile: perf record -e cpu-clock -a -g
  containernetworking-plugins    # --cni: the reference CNI plugins in /usr/lib/cni
  qemu-system-x86 kmod busybox-static python3-venv  # cnibench vm: guests (virtme-ng below)
)
case "${1:-all}" in
  build) packages=("${build[@]}") ;;
  run) packages=("${run[@]}") ;;
  all) packages=("${build[@]}" "${run[@]}") ;;
  *) echo "usage: $0 [build|run|all]" >&2; exit 2 ;;
esac
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "missing packages: ${missing[*]}; run as root or: sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  echo "installing: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# virtme-ng (PyPI, not packaged in Debian 12) boots `cnibench vm` guests. It goes into a venv of
# our own (Debian's pip refuses system-wide installs); cnibench calls its vng by path.
venv=/opt/cnibench/venv
vng_version=1.42
if [ "${1:-all}" != build ] && ! "$venv/bin/vng" --version 2>/dev/null | grep -qx "virtme-ng $vng_version"; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "missing virtme-ng; run as root: python3 -m venv $venv && $venv/bin/pip install virtme-ng==$vng_version" >&2
    exit 1
  fi
  echo "installing: virtme-ng $vng_version into $venv"
  # Only guests need it: without PyPI, everything else still builds and runs, and the guest
  # tests skip saying why.
  if ! { /usr/bin/python3 -m venv "$venv" && "$venv/bin/pip" install -q --disable-pip-version-check "virtme-ng==$vng_version"; }; then
    echo "warning: virtme-ng $vng_version could not be installed into $venv; \`cnibench vm\` and the guest tests will say so" >&2
  fi
fi
