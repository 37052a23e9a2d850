#!/usr/bin/env python3
"""The layering rules Package.swift alone does not show, checked from `swift package
dump-package` and the sources (run by `make test` and `make lint`):

1. the model, results and gate layers (TopologyModel, Results, Gate) cannot reach Netlink or
   CNetShim, not even through another target;
2. no `@_exported import` anywhere;
3. a source file imports only its target's direct dependencies (SwiftPM lets a file import
   any module its dependencies depend on, which would hide a layer crossing);
4. unsafe pointer code only in CNetShim, Netlink, CNIPacket, NetAddress and Agents (the
   agents' packet loops).
Exit 1 with one line per violation."""
import json, os, re, subprocess, sys

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
pkg = json.loads(subprocess.run(["swift", "package", "dump-package"], cwd=root, capture_output=True, text=True, check=True).stdout)
deps = {}
for t in pkg["targets"]:
    names = set()
    for d in t.get("dependencies", []):
        for k in ("byName", "target", "product"):
            if k in d:
                names.add(d[k][0])
    deps[t["name"]] = names

def closure(name, seen=None):
    seen = set() if seen is None else seen
    for d in deps.get(name, ()):
        if d not in seen:
            seen.add(d)
            closure(d, seen)
    return seen

problems = []
for pure in ("TopologyModel", "Results", "Gate"):
    for forbidden in ("Netlink", "CNetShim"):
        if forbidden in closure(pure):
            problems.append(f"{pure} depends on {forbidden}")

known = set(deps) | {"Yams", "Logging", "SystemPackage", "Histogram", "ArgumentParser"}
unsafe_ok = {"CNetShim", "Netlink", "CNIPacket", "NetAddress", "Agents"}
unsafe = re.compile(r"\bunsafe\b|\bUnsafe[A-Z]\w*|\bwithUnsafe\w*")
for target in deps:
    for top in ("Sources", "Tests"):
        base = os.path.join(root, top, target)
        if not os.path.isdir(base):
            continue
        for dirpath, _, files in os.walk(base):
            for f in files:
                if not f.endswith(".swift"):
                    continue
                path = os.path.join(dirpath, f)
                rel = os.path.relpath(path, root)
                text = open(path).read()
                if re.search(r"^@_exported\s+import", text, re.M):
                    problems.append(f"{rel}: @_exported import")
                for m in re.findall(r"^(?:@testable )?import (\w+)", text, re.M):
                    if m in known and m != target and m not in deps[target]:
                        problems.append(f"{rel}: imports {m}, not a dependency of {target}")
                if top == "Sources" and target not in unsafe_ok:
                    code = re.sub(r"//.*", "", text)
                    if unsafe.search(code):
                        problems.append(f"{rel}: unsafe code outside the FFI, packet and agent layers")

for p in problems:
    print(p)
print(f"layers: {'ok' if not problems else str(len(problems)) + ' problems'}")
sys.exit(1 if problems else 0)
