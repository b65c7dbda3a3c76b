#!/usr/bin/env python3
"""Checks the layering rules of ARCHITECTURE.md; exits 1 naming every violation.

    python3 scripts/check-layers.py [REPO]

1. Crate arrows (normal dependencies, read from each crate's Cargo.toml):
   core <- store, io, screen <- app <- web, cli. core depends on none of ours; store on core only
   (no engine, no file formats); io on core; screen on core and io; app on core, store, io, screen;
   web on those and app; nothing depends on web but cli, nothing on cli.
2. Inside crates/web/src: `pages/` and `api/` never import each other; `http/` imports nothing of the
   crate but `http/`; `auth/` imports only `http/` and `auth/` (and the crate root's AppState).
   A use in a Rust file counts: `crate::pages`, `crate::api`, `super::…` reaching out of its folder.
3. Personal data (issue 19): web and cli read the registry's households, its search and its registry
   export only through the application layer (`shouwang_app::households::{show, search, export}`,
   `shouwang_app::quality`), which writes full reads, searches by ID number and exports to the audit
   log; they never call the store functions those wrap.
"""

import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent)

# Which of our crates each crate may depend on (normal [dependencies]; dev-dependencies are free).
ALLOWED = {
    "shouwang-core": set(),
    "shouwang-store": {"shouwang-core"},
    "shouwang-io": {"shouwang-core"},
    "shouwang-screen": {"shouwang-core", "shouwang-io"},
    "shouwang-app": {"shouwang-core", "shouwang-store", "shouwang-io", "shouwang-screen"},
    "shouwang-web": {"shouwang-core", "shouwang-store", "shouwang-io", "shouwang-screen", "shouwang-app"},
    # the bodies of the fuzz targets (fuzz/): the parsers they fuzz, nothing else; nothing depends on it
    "shouwang-fuzzing": {"shouwang-core", "shouwang-io", "shouwang-screen"},
    "shouwang": {
        "shouwang-core", "shouwang-store", "shouwang-io", "shouwang-screen", "shouwang-app", "shouwang-web",
    },
}

# Web layers: a file under FOLDER may use `crate::X` only for X in the set (None: any).
WEB_LAYERS = {
    "http": {"http"},
    "auth": {"http", "auth", "AppState"},
    "pages": {"http", "auth", "pages", "AppState"},
    "api": {"http", "auth", "api", "AppState"},
}

problems = []


def check_crates():
    for manifest in sorted((ROOT / "crates").glob("*/Cargo.toml")):
        data = tomllib.loads(manifest.read_text(encoding="utf-8"))
        name = data.get("package", {}).get("name")
        if name not in ALLOWED:
            problems.append(f"{manifest.relative_to(ROOT)}: crate {name!r} has no place in the layers")
            continue
        deps = set(data.get("dependencies", {}))
        for target in data.get("target", {}).values():
            deps |= set(target.get("dependencies", {}))
        ours = {d for d in deps if d.startswith("shouwang")}
        for bad in sorted(ours - ALLOWED[name]):
            problems.append(f"{manifest.relative_to(ROOT)}: {name} may not depend on {bad}")


USE = re.compile(r"\b(crate|super)((?:::\w+)+)")
BRACE = re.compile(r"\bcrate::\{([^}]*)\}")


def module_path(path: Path, src: Path):
    """The module path of a file below src (`pages/cases/steps.rs` -> ['pages', 'cases', 'steps'])."""
    parts = list(path.relative_to(src).with_suffix("").parts)
    if parts[-1] in ("mod", "lib"):
        parts.pop()
    return parts


def uses(text: str, here: list):
    """(line, top-level module) of every path of the crate a file names through `crate::` or `super::`."""
    out = []
    for line_no, line in enumerate(text.splitlines(), 1):
        if line.strip().startswith("//"):
            continue
        for m in BRACE.finditer(line):
            for item in m.group(1).split(","):
                top = item.strip().split("::")[0]
                if top:
                    out.append((line_no, top))
        for m in USE.finditer(line):
            segs = [s for s in m.group(2).split("::") if s]
            if m.group(1) == "crate":
                out.append((line_no, segs[0]))
                continue
            ups = 1
            while segs and segs[0] == "super":
                ups += 1
                segs = segs[1:]
            target = here[: max(len(here) - ups, 0)] + segs
            if target:
                out.append((line_no, target[0]))
    return out


def check_web():
    src = ROOT / "crates" / "web" / "src"
    for path in sorted(src.rglob("*.rs")):
        here = module_path(path, src)
        if not here or here[0] not in WEB_LAYERS:
            continue
        allowed = WEB_LAYERS[here[0]]
        text = path.read_text(encoding="utf-8")
        for line_no, top in uses(text, here):
            if top not in allowed:
                problems.append(
                    f"{path.relative_to(ROOT)}:{line_no}: `{here[0]}/` may not use `crate::{top}`"
                    f" (allowed: {', '.join(sorted(allowed))})"
                )


# Store functions that web and cli must reach through the application layer (rule 3).
GUARDED = [
    "repo::households::get(",
    "repo::households::search(",
    "repo::registry::search(",
    "repo::registry_file::export_with_incomes(",
    "repo::quality::collect(",
    "repo::duplicates::list(",
]


def check_guarded():
    for crate in ("web", "cli"):
        for path in sorted((ROOT / "crates" / crate / "src").rglob("*.rs")):
            for line_no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if line.strip().startswith("//"):
                    continue
                for g in GUARDED:
                    if g in line:
                        problems.append(
                            f"{path.relative_to(ROOT)}:{line_no}: `{g.rstrip('(')}` is read through"
                            " shouwang_app (the audited reads of personal data), not directly"
                        )


check_crates()
check_web()
check_guarded()
if problems:
    print("layering rules broken (ARCHITECTURE.md, \"The rules\"):", file=sys.stderr)
    for p in problems:
        print("  " + p, file=sys.stderr)
    sys.exit(1)
print("layers: crate arrows and web layers as ARCHITECTURE.md says")
