"""task-execution-assume-role.json: the trust policy of the task execution role.

ecs-cli's tutorial has users write this file by hand; a policy that does not let ECS tasks assume
the role only fails much later, when tasks cannot start. We check that one statement allows
`ecs-tasks.amazonaws.com` to `sts:AssumeRole` and keep the document as written otherwise. The
file may come from a pull request: a statement that lets anyone else assume the role (a `*`
principal, another account or service, any other action) is refused unless ecs-params says it
is meant, and the JSON must be strict (RFC 8259: no NaN, no Infinity, no key twice).
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


def lets_ecs_tasks_assume(statement: Any) -> bool:
    """The statement lets ECS tasks assume the role (Allow, the service, the action; any conditions)."""
    return not _statement_faults(statement)


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


class _NotStrictJsonError(ValueError):
    """JSON that RFC 8259 does not allow, though Python's parser takes it."""

    def __init__(self, message: str, key: str = "") -> None:
        super().__init__(message)
        self.key = key


def _no_constant(name: str) -> Any:
    raise _NotStrictJsonError(f"{name} is not a JSON number (RFC 8259 has no NaN or Infinity)")


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            # IAM and JSON parsers disagree on which one wins: the policy would mean two things.
            raise _NotStrictJsonError(f'the key "{key}" appears twice in one object', key)
        out[key] = value
    return out


def _strict_json(text: str, filename: str) -> Any:
    """The document, parsed as RFC 8259 JSON; InputError with the line and column when it is not."""
    hint = "check the quotes, commas and brackets near there (JSON allows no trailing commas)"
    try:
        return json.loads(text, parse_constant=_no_constant, object_pairs_hook=_unique_keys)
    except json.JSONDecodeError as exc:
        problem = Problem(
            f"invalid JSON: {exc.msg}", Location(filename, exc.lineno, exc.colno), code=CODE, hint=hint
        )
    except _NotStrictJsonError as exc:
        problem = Problem(
            f"invalid JSON: {exc}", _second_key(text, filename, exc.key), code=CODE, hint="write it once"
        )
    except RecursionError:
        problem = Problem(
            "invalid trust policy: nested too deep to read", Location(filename, 1, 1), code=CODE, hint=_HINT
        )
    raise InputError([problem])


def _second_key(text: str, filename: str, key: str) -> Location:
    """Where `key` appears for the second time (the duplicate), else the start of the file."""
    import re  # noqa: PLC0415 - only for a broken hand-written policy

    found = list(re.finditer(rf'"{re.escape(key)}"\s*:', text)) if key else []
    if len(found) < 2:  # noqa: PLR2004 - the duplicate is the second one
        return Location(filename, 1, 1)
    start = found[1].start()
    line = text.count("\n", 0, start) + 1
    return Location(filename, line, start - (text.rfind("\n", 0, start) + 1) + 1)


# What the execution role is for: ECS tasks assume it (and may tag the session), nothing else.
_SAFE_ACTIONS = frozenset({"sts:assumerole", "sts:tagsession"})


def _too_broad(statement: Any) -> list[tuple[str, str]]:
    """(key, what it allows) for each way an Allow statement lets more than ECS tasks assume the role."""
    if not isinstance(statement, dict) or statement.get("Effect") != "Allow":
        return []
    out = []
    if "NotPrincipal" in statement:
        out.append(("NotPrincipal", "NotPrincipal with Allow lets everyone not named assume the role"))
    principal = statement.get("Principal")
    if principal == "*" or (isinstance(principal, dict) and "*" in _as_list(principal.get("AWS"))):
        out.append(("Principal", 'Principal "*" lets anyone, in any account, assume the role'))
    elif isinstance(principal, dict):
        others = [
            f"{kind} {who}"
            for kind, whom in principal.items()
            for who in _as_list(whom)
            if not (kind == "Service" and who == ECS_TASKS_SERVICE)
        ]
        if others:
            out.append(("Principal", f"it lets {', '.join(others)} assume the role, not only ECS tasks"))
    if "NotAction" in statement:
        out.append(("NotAction", "NotAction with Allow grants every action not named"))
    extra = [
        a
        for a in _as_list(statement.get("Action"))
        if not isinstance(a, str) or a.lower() not in _SAFE_ACTIONS
    ]
    if extra:
        out.append(
            ("Action", f"it allows {', '.join(map(str, extra))}, beyond sts:AssumeRole and sts:TagSession")
        )
    return out


def parse_trust_policy(text: str, filename: str) -> TrustPolicy:
    """Parse and check a trust policy document; raise InputError when ECS tasks cannot assume it.

    A statement that lets more than ECS tasks assume the role is kept in `broad`: refused unless
    ecs-params allows it (`allow_broad_trust_policy: true`).
    """
    document = _strict_json(text, filename)
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
        return TrustPolicy(document=document, file=filename, broad=_broad(text, filename, statements))
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


def _broad(text: str, filename: str, statements: Any) -> tuple[Problem, ...]:
    problems = []
    for index, statement in enumerate(_as_list(statements)):
        base: Path = ("Statement", index) if isinstance(statements, list) else ("Statement",)
        for key, why in _too_broad(statement):
            problems.append(
                _problem(
                    text,
                    filename,
                    (*base, key),
                    f"the execution role would trust more than ECS tasks: {why}",
                    "keep only the ecs-tasks.amazonaws.com principal and sts:AssumeRole, or set "
                    "allow_broad_trust_policy: true in ecs-params.yml if this is intended",
                )
            )
    return tuple(problems)


def load_trust_policy(path: str | None, working_dir: str, reader: Reader | None = None) -> TrustPolicy:
    """The given file, else `<working_dir>/task-execution-assume-role.json`, else the standard policy."""
    found = read_input(reader or Reader(), path, working_dir, TRUST_POLICY_FILE)
    return parse_trust_policy(found[1], found[0]) if found else standard_trust_policy()
