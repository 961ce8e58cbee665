"""The compose corpus (../shared/corpus): cases, their expected verdicts and models, and our run of each.

Used by the conformance tests and, as `python -m tests.corpus [CASE_FILTER]`, to see where we differ.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from compose2ecs.errors import InputError
from compose2ecs.load import ProjectOptions, config_output, load_project

REPO = Path(__file__).resolve().parent.parent
ORACLE_ENV = {"PATH": "/usr/bin:/bin", "HOME": "/nonexistent-home"}


def corpus_root() -> Path | None:
    root = Path(os.environ.get("COMPOSE2ECS_CORPUS", REPO.parent / "shared" / "corpus"))
    return root if (root / "MANIFEST.tsv").is_file() else None


def corpus_or_skip() -> Path:
    """The corpus for a conformance test: skipped with a reason on a user's clone, required in CI."""
    import pytest  # noqa: PLC0415 - `python -m tests.corpus` runs without pytest

    root = corpus_root()
    if root is None:
        if os.environ.get("COMPOSE2ECS_REQUIRE_CORPUS"):
            pytest.fail("the compose corpus is required here but was not found (COMPOSE2ECS_CORPUS)")
        pytest.skip(
            "compose corpus not found at ../shared/corpus (set COMPOSE2ECS_CORPUS to run conformance)"
        )
    return root


@dataclass(frozen=True)
class Case:
    root: Path
    path: Path

    @property
    def id(self) -> str:
        return f"{self.path.parent.name}/{self.path.name}"

    @property
    def meta(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads((self.path / "case.json").read_text())
        return data

    @property
    def result(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads((self.path / "expected" / "result.json").read_text())
        return data

    @property
    def accepted(self) -> bool:
        return bool(self.result["oracle"]["accepted"])

    def oracle(self) -> dict[str, Any] | None:
        path = self.path / "expected" / "oracle.json"
        if not path.is_file():
            return None
        data: dict[str, Any] = json.loads(path.read_text())
        return data


def cases(root: Path) -> list[Case]:
    found: list[Case] = []
    for source in sorted(root.iterdir()):
        if not source.is_dir() or source.name.startswith(("_", ".")) or source.name == "tools":
            continue
        found.extend(Case(root, case) for case in sorted(source.iterdir()) if (case / "case.json").is_file())
    return found


@dataclass
class Outcome:
    accepted: bool
    model: dict[str, Any] | None
    message: str


def _substitute(value: Any, replacements: list[tuple[str, str]]) -> Any:
    if isinstance(value, str):
        for old, new in replacements:
            value = value.replace(old, new)
        return value
    if isinstance(value, dict):
        return {k: _substitute(v, replacements) for k, v in value.items()}
    if isinstance(value, list):
        return [_substitute(v, replacements) for v in value]
    return value


def run_case(case: Case) -> Outcome:
    meta = case.meta
    workdir = (case.path / meta.get("workdir", ".")).resolve()
    options = ProjectOptions(files=list(meta["files"]), environ=dict(ORACLE_ENV), cwd=str(workdir))
    try:
        project = load_project(options)
        model = config_output(project, "json")
    except InputError as exc:
        return Outcome(accepted=False, model=None, message=str(exc))
    replacements = [(str(case.path.resolve()), "<CASE_DIR>"), (str(case.root.resolve()), "<CORPUS_ROOT>")]
    return Outcome(accepted=True, model=_substitute(model, replacements), message="")


def _diff(expected: Any, actual: Any, path: str = "") -> list[str]:
    if isinstance(expected, dict) and isinstance(actual, dict):
        out = []
        for key in sorted(set(expected) | set(actual), key=str):
            if key not in actual:
                out.append(f"{path}.{key}: missing (expected {json.dumps(expected[key])[:120]})")
            elif key not in expected:
                out.append(f"{path}.{key}: extra {json.dumps(actual[key])[:120]}")
            else:
                out.extend(_diff(expected[key], actual[key], f"{path}.{key}"))
        return out
    if isinstance(expected, list) and isinstance(actual, list) and len(expected) == len(actual):
        out = []
        for index, (e, a) in enumerate(zip(expected, actual, strict=True)):
            out.extend(_diff(e, a, f"{path}[{index}]"))
        return out
    if expected != actual or type(expected) is not type(actual):
        return [f"{path}: expected {json.dumps(expected)[:160]} got {json.dumps(actual)[:160]}"]
    return []


def model_diff(expected: dict[str, Any], actual: dict[str, Any]) -> list[str]:
    return _diff(expected, actual)


def main(argv: list[str]) -> int:
    root = corpus_root()
    if root is None:
        print("corpus not found; set COMPOSE2ECS_CORPUS")
        return 2
    selected = [c for c in cases(root) if not argv or any(a in c.id for a in argv)]
    verdict_ok = model_ok = accepted = 0
    for case in selected:
        try:
            outcome = run_case(case)
        except Exception as exc:  # noqa: BLE001 - report crashes as findings
            outcome = Outcome(accepted=False, model=None, message=f"CRASH {type(exc).__name__}: {exc}")
        expected = case.accepted
        if outcome.accepted == expected and not outcome.message.startswith("CRASH"):
            verdict_ok += 1
        else:
            oracle_msg = case.result["oracle"]["message"]
            verdict = "accept" if expected else "reject"
            print(f"VERDICT {case.id}: expected {verdict}; ours: {outcome.message[:300]}")
            print(f"    oracle: {oracle_msg[:200]}")
        if expected:
            accepted += 1
            oracle = case.oracle()
            if outcome.model is not None and oracle is not None:
                diffs = model_diff(oracle, outcome.model)
                if diffs:
                    print(f"MODEL {case.id}:")
                    for line in diffs[:8]:
                        print(f"    {line}")
                else:
                    model_ok += 1
    print(f"verdicts {verdict_ok}/{len(selected)}; models {model_ok}/{accepted}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
