"""Golden `convert` cases in tests/fixtures/convert-*: input files, optional `args`, expected.json.

Each case is run through the real CLI (`compose2ecs convert --output json --region us-west-2 ARGS`).
The test never writes an expectation: after a deliberate change, `python -m tests.conformance.golden`
records them, and the diff is reviewed before it is committed.
"""

from __future__ import annotations

import json
import os
import shlex
from pathlib import Path
from typing import Any

import pytest

from tests.botocore_model import desired_state_errors
from tests.cli._helpers import run

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
CASES = sorted(p for p in FIXTURES.glob("convert-*") if p.is_dir())


def _convert(
    case: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> dict[str, Any]:
    for key in list(os.environ):
        if key.startswith(("AWS_", "COMPOSE_")):
            monkeypatch.delenv(key)
    monkeypatch.chdir(case)
    args_file = case / "args"
    args = shlex.split(args_file.read_text()) if args_file.is_file() else []
    if "--region" not in args:
        args += ["--region", "us-west-2"]
    result = run(capsys, "convert", "--output", "json", *args)
    assert result.code in {0, 2}, result.err
    document: dict[str, Any] = json.loads(result.out)
    document["exitCode"] = result.code
    return document


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_convert_matches_golden(
    case: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    document = _convert(case, capsys, monkeypatch)
    expected_file = case / "expected.json"
    assert expected_file.is_file(), (
        f"no expectation: record it with `python -m tests.conformance.golden {case.name}`"
    )
    assert document == json.loads(expected_file.read_text())


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_golden_requests_pass_botocore_validation(case: Path) -> None:
    expected = json.loads((case / "expected.json").read_text())
    assert not desired_state_errors(expected)
    assert expected["exitCode"] == 0, "golden cases are deployable; refusals are tested in tests/cli"


def test_service_connect_can_be_turned_off(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    case = tmp_path / "shop"
    case.mkdir()
    source = FIXTURES / "convert-multi-service-service"
    (case / "docker-compose.yml").write_text((source / "docker-compose.yml").read_text())
    (case / "ecs-params.yml").write_text(
        "version: 1\nrun_params:\n  layout: service\n  service_connect: false\n"
    )
    document = _convert(case, capsys, monkeypatch)
    assert document["exitCode"] == 0
    assert all("serviceConnectConfiguration" not in s for s in document["services"])
    assert len(document["services"]) == 3
