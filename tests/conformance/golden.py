"""`python -m tests.conformance.golden [CASE...]`: record tests/fixtures/convert-*/expected.json.

The golden test only compares; it never writes its own expectation. After a deliberate change
to what `convert` produces, run this, then read the diff (`git diff tests/fixtures`) before
committing: every changed line is a claim about what compose2ecs sends to AWS.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
REPO = FIXTURES.parent.parent


def convert_document(case: Path) -> dict[str, Any]:
    """`compose2ecs convert --output json --region us-west-2 ARGS` in the case, as the test runs it."""
    args_file = case / "args"
    args = shlex.split(args_file.read_text()) if args_file.is_file() else []
    if "--region" not in args:
        args += ["--region", "us-west-2"]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "COMPOSE_"))}
    argv = [sys.executable, "-m", "compose2ecs", "convert", "--output", "json", *args]
    done = subprocess.run(argv, cwd=case, env=env, capture_output=True, text=True, check=False)
    if done.returncode not in {0, 2}:
        sys.exit(f"{case.name}: exit {done.returncode}\n{done.stderr}")
    document: dict[str, Any] = json.loads(done.stdout)
    document["exitCode"] = done.returncode
    return document


def main(names: list[str]) -> None:
    cases = sorted(p for p in FIXTURES.glob("convert-*") if p.is_dir() and (not names or p.name in names))
    for case in cases:
        text = json.dumps(convert_document(case), indent=2, ensure_ascii=False) + "\n"
        expected = case / "expected.json"
        before = expected.read_text() if expected.is_file() else None
        expected.write_text(text)
        print(f"{case.name}: {'unchanged' if before == text else 'recorded'}")


if __name__ == "__main__":
    main(sys.argv[1:])
