"""task-execution-assume-role.json: the trust policy of the task execution role.

ecs-cli's tutorial has users write this file by hand; a policy that does not let ECS tasks assume
the role only fails much later, when tasks cannot start. We check that one statement allows
`ecs-tasks.amazonaws.com` to `sts:AssumeRole` and keep the document as written otherwise.
"""

from __future__ import annotations

import json
from typing import Any

from compose2ecs.errors import InputError, Location, Path, Problem
from compose2ecs.load.project import Reader, read_input
from compose2ecs.load.yamlfile import locate
from compose2ecs.model import TrustPolicy

TRUST_POLICY_FILE = "task-execution-assume-role.json"
ECS_TASKS_SERVICE = "ecs-tasks.amazonaws.com"
ASSUME_ROLE = "sts:AssumeRole"
CODE = "trust-policy"
_MAX_TRUST_POLICY = 4096

_EXPECTED_STATEMENT = {"Effect": "Allow", "Principal": {"Service": ECS_TASKS_SERVICE}, "Action": ASSUME_ROLE}
_HINT = "add the statement " + json.dumps(_EXPECTED_STATEMENT)


def standard_trust_policy() -> TrustPolicy:
    """The trust policy ECS documents for a task execution role."""
    return TrustPolicy(document={"Version": "2012-10-17", "Statement": [dict(_EXPECTED_STATEMENT)]})


def _problem(text: str, filename: str, path: Path, message: str, hint: str = _HINT) -> Problem:
    # JSON is YAML, so the YAML locator finds keys in it (it gives up on JSON-only oddities).
    found = locate(text, filename, path) if path else None
    location = found[0] if found else Location(filename, 1, 1)
    return Problem(message, location=location, path=path, code=CODE, hint=hint)


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _statement_faults(statement: Any) -> list[tuple[str, str]]:
    """(key, what is wrong) for each reason the statement does not let ECS tasks assume the role."""
    if not isinstance(statement, dict):
        return [("", "a statement must be a JSON object")]
    faults = []
    if statement.get("Effect") != "Allow":
        faults.append(("Effect", 'Effect must be "Allow"'))
    principal = statement.get("Principal")
    services = principal.get("Service") if isinstance(principal, dict) else None
    if ECS_TASKS_SERVICE not in _as_list(services):
        faults.append(("Principal", f'Principal.Service must be or contain "{ECS_TASKS_SERVICE}"'))
    if not _allows_assume_role(statement.get("Action")):
        faults.append(("Action", f'Action must be or contain "{ASSUME_ROLE}"'))
    return faults


def _allows_assume_role(actions: Any) -> bool:
    # IAM matches actions case-insensitively, with * and ? wildcards ("sts:*" grants it too).
    import fnmatch  # noqa: PLC0415 - only for a hand-written trust policy

    return any(
        isinstance(action, str) and fnmatch.fnmatchcase(ASSUME_ROLE.lower(), action.lower())
        for action in _as_list(actions)
    )


def _denies_ecs_tasks(statement: Any) -> bool:
    """An explicit Deny wins over every Allow: ECS tasks could never assume the role."""
    if not isinstance(statement, dict) or statement.get("Effect") != "Deny":
        return False
    principal = statement.get("Principal")
    if principal == "*":
        return _allows_assume_role(statement.get("Action"))
    services = principal.get("Service") if isinstance(principal, dict) else None
    named = _as_list(services) + _as_list(principal.get("AWS") if isinstance(principal, dict) else None)
    return (ECS_TASKS_SERVICE in named or "*" in named) and _allows_assume_role(statement.get("Action"))


def parse_trust_policy(text: str, filename: str) -> TrustPolicy:
    """Parse and check a trust policy document; raise InputError when ECS tasks cannot assume it."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        location = Location(filename, exc.lineno, exc.colno)
        problem = Problem(
            f"invalid JSON: {exc.msg}",
            location=location,
            code=CODE,
            hint="check the quotes, commas and brackets near there (JSON allows no trailing commas)",
        )
        raise InputError([problem]) from None
    if not isinstance(document, dict):
        raise InputError([_problem(text, filename, (), "a trust policy must be a JSON object")])
    statements = document.get("Statement")
    if not isinstance(statements, dict | list):
        message = "has no Statement" if statements is None else "Statement must be an object or a list"
        raise InputError(
            [_problem(text, filename, ("Statement",) if statements is not None else (), message)]
        )
    entries = _as_list(statements)
    for index, statement in enumerate(entries):
        if _denies_ecs_tasks(statement):
            path = ("Statement", index, "Effect") if isinstance(statements, list) else ("Statement", "Effect")
            message = (
                f"this statement denies {ECS_TASKS_SERVICE} {ASSUME_ROLE}, and a Deny wins over any Allow"
            )
            raise InputError([_problem(text, filename, path, message, "remove the Deny statement")])
    # IAM's hard limit for a trust policy, counted without whitespace (the default quota is 2,048).
    size = len(json.dumps(document, separators=(",", ":"), ensure_ascii=False))
    if size > _MAX_TRUST_POLICY:
        message = f"is {size} characters without whitespace; IAM accepts at most {_MAX_TRUST_POLICY}"
        raise InputError([_problem(text, filename, (), message, "shorten the policy")])
    faults = [_statement_faults(statement) for statement in entries]
    if any(not fault for fault in faults):
        return TrustPolicy(document=document, file=filename)
    if len(entries) == 1:
        # One statement: point at its first wrong key and say everything that is wrong with it.
        base: Path = ("Statement", 0) if isinstance(statements, list) else ("Statement",)
        key = faults[0][0][0]
        where: Path = (*base, key) if key else base
        message = "the role cannot be assumed by ECS tasks: " + "; ".join(why for _, why in faults[0])
        raise InputError([_problem(text, filename, where, message)])
    message = (
        f"no statement lets {ECS_TASKS_SERVICE} call {ASSUME_ROLE}: none has Effect Allow, "
        "that Principal.Service and that Action together"
    )
    raise InputError([_problem(text, filename, ("Statement",), message)])


def load_trust_policy(path: str | None, working_dir: str, reader: Reader | None = None) -> TrustPolicy:
    """The given file, else `<working_dir>/task-execution-assume-role.json`, else the standard policy."""
    found = read_input(reader or Reader(), path, working_dir, TRUST_POLICY_FILE)
    return parse_trust_policy(found[1], found[0]) if found else standard_trust_policy()
