#!/bin/sh
# The model layer (spec, plan, datapaths, and the support files they use) may use nothing from
# the Netlink module except the plain address types IPv4Address, IPv4Prefix and MACAddress.
# Until these folders are their own target the compiler cannot enforce that, so this does:
# comments and string literals are stripped, then any other Netlink symbol is an error.
set -eu
cd "$(dirname "$0")/../Sources/CNIBenchCore"
files=$(find Spec Plan Datapaths -name '*.swift'; echo Support/RunName.swift Support/Hashing.swift Support/Version.swift)
symbols='import (Netlink|CNetShim)|Route|RouteType|RouteScope|RouteProtocol|Neighbour|LinkInfo|AddressInfo|VXLANInfo|VXLANParameters|CalicoIPIPProgram|NetlinkHandle|NetworkNamespace|NetlinkError|FileSystem|FileSystemError|FileKind|cnb_[a-z_]+'
found=0
for f in $files; do
    hits=$(sed -E 's#//.*##; s/"([^"\\]|\\.)*"/""/g' "$f" | grep -nwE "$symbols" || true)
    if [ -n "$hits" ]; then
        echo "$hits" | sed "s#^#$f:#"
        found=1
    fi
done
if [ $found -ne 0 ]; then
    echo "model layer uses Netlink symbols beyond the address types" >&2
    exit 1
fi
echo "model layer: no Netlink symbols beyond IPv4Address, IPv4Prefix, MACAddress ($(echo $files | wc -w) files)"

# Stronger, when a build exists: typecheck the model files as a module of their own, with only
# the address types and Yams beside them. Any reference to Apply/, Verify/,
# Routing/ or the netlink runtime fails here. (Names.swift is taken without its Netlink re-export.)
root=../..
cyaml=$root/.build/checkouts/Yams/Sources/CYaml/include
if command -v swiftc >/dev/null && [ -d "$root/.build/debug/Modules" ] && [ -d "$cyaml" ]; then
    # The address types: their own target once it exists, else the netlink layer's two files.
    if [ -d ../NetAddress ]; then addresses=$(find ../NetAddress -name '*.swift'); else addresses="../Netlink/Addresses.swift ../Netlink/AddressCoding.swift"; fi
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    sed '/@_exported import Netlink/d; /^public typealias .* = Netlink\./d' Support/Names.swift > "$tmp/Names.swift"
    swiftc -typecheck -module-name TopologyModel -I "$root/.build/debug/Modules" \
        -Xcc -fmodule-map-file="$cyaml/module.modulemap" -I "$cyaml" \
        $files $addresses "$tmp/Names.swift"
    echo "model layer: typechecks on its own (address types and Yams only)"
fi
