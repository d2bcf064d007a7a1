#!/usr/bin/env python3
"""Brings a project's PublicAPI.Shipped.txt in line with its code after an intended change of its public surface.

Usage: tools/public-api.py src/Flywheel.X [...]   (builds each project, adds what RS0016 reports, drops what RS0017 reports)
Review the diff of PublicAPI.Shipped.txt like any other change: it is the module's door.
"""
import re, subprocess, sys

for project in sys.argv[1:]:
    for _ in range(3):
        out = subprocess.run(["dotnet", "build", project, "-c", "Release", "--no-dependencies"], capture_output=True, text=True).stdout
        missing = set(re.findall(r"RS0016: Symbol '(.*?)' is not part of the declared", out))
        stale = set(re.findall(r"RS0017: Symbol '(.*?)' is part of the declared API", out))
        if not missing and not stale:
            break
        path = f"{project}/PublicAPI.Shipped.txt"
        lines = [l for l in open(path, encoding="utf-8").read().splitlines() if l and l != "#nullable enable"]
        lines = sorted((set(lines) - stale) | missing)
        open(path, "w", encoding="utf-8").write("#nullable enable\n" + "\n".join(lines) + "\n")
        print(f"{project}: +{len(missing)} -{len(stale)}")
