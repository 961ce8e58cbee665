"""The pipeline on one screen: load -> translate -> plan -> apply. Wiring only, no rules.

Commands call these functions; they return values for the CLI to render. Nothing here imports
boto3: the AWS-facing functions receive a `Gateway` built by the CLI (`aws.BotoGateway`).
"""

from __future__ import annotations

import configparser
import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from compose2ecs.errors import InputError, Problem
from compose2ecs.load import (
    Project,
    ProjectOptions,
    Reader,
    load_ecs_params,
    load_project,
    load_trust_policy,
    locate_problems,
)
from compose2ecs.translate import TranslateOptions, translate_project

if TYPE_CHECKING:
    from collections.abc import Mapping

    from compose2ecs.model import DesiredState

DEFAULT_REGION = "us-east-1"


@dataclass(frozen=True)
class ConvertOptions:
    project: ProjectOptions
    ecs_params: str | None = None
    role_policy: str | None = None
    layout: str | None = None
    region: str | None = None
    profile: str | None = None


@dataclass
class Conversion:
    project: Project
    desired: DesiredState
    region_defaulted: bool = False
    warnings: list[str] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.desired.problems if p.severity == "error"]


def resolve_region(region: str | None, profile: str | None, environ: Mapping[str, str]) -> str | None:
    """--region, AWS_REGION, AWS_DEFAULT_REGION, then the profile's region in the AWS config file.

    The same order boto3 uses, read without importing boto3 so that `convert` stays fast.
    """
    for candidate in (region, environ.get("AWS_REGION"), environ.get("AWS_DEFAULT_REGION")):
        if candidate:
            return candidate
    config_file = environ.get("AWS_CONFIG_FILE") or os.path.expanduser("~/.aws/config")  # noqa: PTH111
    parser = configparser.ConfigParser()
    try:
        parser.read(config_file, encoding="utf-8")
    except (configparser.Error, OSError):
        return None
    name = profile or environ.get("AWS_PROFILE") or "default"
    section = "default" if name == "default" else f"profile {name}"
    return parser.get(section, "region", fallback=None) or None


def convert(options: ConvertOptions, environ: Mapping[str, str]) -> Conversion:
    """Load every input and translate it; problems carry file:line:column. Raises InputError for bad files."""
    reader = Reader()
    project = load_project(options.project, reader)
    problems: list[Problem] = []
    params = trust = None
    try:
        params = load_ecs_params(options.ecs_params, project.working_dir, environ)
    except InputError as exc:
        problems.extend(exc.problems)
    try:
        trust = load_trust_policy(options.role_policy, project.working_dir)
    except InputError as exc:
        problems.extend(exc.problems)
    if problems or params is None or trust is None:
        raise InputError(problems)
    region = resolve_region(options.region, options.profile, environ)
    desired = translate_project(
        project.name, project.model, params, trust, TranslateOptions(region or DEFAULT_REGION, options.layout)
    )
    desired.problems = locate_problems(desired.problems, project.files, reader)
    return Conversion(project, desired, region_defaulted=region is None, warnings=list(project.warnings))
