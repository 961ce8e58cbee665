"""Every corpus project Docker Compose accepts converts (service layout) into requests botocore accepts."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from compose2ecs.errors import InputError
from compose2ecs.load import ProjectOptions, Reader, load_project, locate_problems
from compose2ecs.load.role_policy import standard_trust_policy
from compose2ecs.model import EcsParams
from compose2ecs.translate import TranslateOptions, translate_project
from tests.botocore_model import desired_state_errors
from tests.corpus import ORACLE_ENV, cases, corpus_root

if TYPE_CHECKING:
    import pytest


def test_every_accepted_corpus_case_converts_to_valid_requests(capsys: pytest.CaptureFixture[str]) -> None:
    root = corpus_root()
    accepted = clean = 0
    invalid: list[str] = []
    codes: Counter[str] = Counter()
    for case in cases(root):
        if not case.accepted:
            continue
        meta = case.meta
        workdir = (case.path / meta.get("workdir", ".")).resolve()
        options = ProjectOptions(files=list(meta["files"]), environ=dict(ORACLE_ENV), cwd=str(workdir))
        try:
            project = load_project(options)
        except InputError:
            continue  # the loader's own conformance test reports verdict differences
        accepted += 1
        desired = translate_project(
            project.name,
            project.model,
            EcsParams(),
            standard_trust_policy(),
            TranslateOptions("us-east-1", "service"),
        )
        problems = locate_problems(desired.problems, project, Reader())
        assert all(p.location and p.location.file for p in problems), case.id
        errors = [p for p in problems if p.severity == "error"]
        codes.update({p.code for p in errors})
        clean += not errors
        invalid.extend(f"{case.id}: {e}" for e in desired_state_errors(desired.as_json()))
    with capsys.disabled():
        print(
            f"\nconvert --layout service over the corpus: {clean}/{accepted} accepted projects converted "
            f"without error ({clean / max(accepted, 1):.1%}); refusals by rule: "
            + ", ".join(f"{code} {count}" for code, count in codes.most_common())
        )
    assert accepted > 400, "the corpus looks truncated"
    assert not invalid, "\n".join(invalid[:20])
