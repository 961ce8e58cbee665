"""Every corpus project Docker Compose accepts converts (service layout) into requests botocore accepts."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from compose2ecs.errors import InputError
from compose2ecs.load import ProjectOptions, Reader, load_project, locate_problems
from compose2ecs.load.host_files import read_host_files
from compose2ecs.load.role_policy import standard_trust_policy
from compose2ecs.model import EcsParams
from compose2ecs.translate import TranslateOptions, translate_project
from tests.botocore_model import desired_state_errors
from tests.corpus import ORACLE_ENV, cases, corpus_root

if TYPE_CHECKING:
    import pytest


# What the corpus copy cannot hold: the files a project mounts or names, the variables it reads.
_MISSING_INPUTS = frozenset({"host-file-missing", "secret-environment", "config-environment"})


def test_every_accepted_corpus_case_converts_to_valid_requests(capsys: pytest.CaptureFixture[str]) -> None:
    root = corpus_root()
    accepted = clean = only_missing_files = with_builds = 0
    invalid: list[str] = []
    codes: Counter[str] = Counter()
    host_port: list[str] = []  # what the host-port rule still blocks (issue 12)
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
            TranslateOptions(
                "us-east-1",
                "service",
                project_dir=project.working_dir,
                host_files=read_host_files(project.model, project.working_dir),
                environment=project.environment,
            ),
        )
        problems = locate_problems(desired.problems, project, Reader())
        assert all(p.location and p.location.file for p in problems), case.id
        errors = [p for p in problems if p.severity == "error"]
        codes.update({p.code for p in errors})
        host_port.extend(f"{case.id}: {p.message}" for p in errors if p.code == "fargate-host-port")
        clean += not errors
        # The corpus holds the compose files, not the files they mount or name as configs.
        only_missing_files += bool(errors) and all(p.code in _MISSING_INPUTS for p in errors)
        # What converts once compose2ecs builds images too (issue 14), with those inputs present.
        with_builds += all(p.code in {*_MISSING_INPUTS, "build-without-image"} for p in errors)
        invalid.extend(f"{case.id}: {e}" for e in desired_state_errors(desired.as_json()))
    with capsys.disabled():
        print(
            f"\nconvert --layout service over the corpus: {clean}/{accepted} accepted projects converted "
            f"without error ({clean / max(accepted, 1):.1%}); refusals by rule: "
            + ", ".join(f"{code} {count}" for code, count in codes.most_common())
            + f"\n{only_missing_files} more are refused only because the corpus copy lacks the host files "
            "they mount or name and the variables their secrets and configs read (host-file-missing, "
            "secret-environment, config-environment): with those, "
            f"{clean + only_missing_files}/{accepted} ({(clean + only_missing_files) / max(accepted, 1):.1%})"
            + f"; with images built by compose2ecs too (issue 14): {with_builds}/{accepted} "
            f"({with_builds / max(accepted, 1):.1%}, goal 85 %)"
            + f"\nthe host-port rule still blocks {len(host_port)} project(s), none a load balancer can "
            "serve (UDP, published on the task's own address):" + "".join(f"\n  {line}" for line in host_port)
        )
    assert accepted > 400, "the corpus looks truncated"
    assert not invalid, "\n".join(invalid[:20])
    # A TCP port published as another port goes through a load balancer listener now.
    assert all("UDP port" in line for line in host_port), host_port
