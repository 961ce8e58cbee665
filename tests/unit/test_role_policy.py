"""task-execution-assume-role.json: a trust policy that must let ECS tasks assume the role."""

from __future__ import annotations

import json
from textwrap import dedent
from typing import TYPE_CHECKING

import pytest

from compose2ecs.errors import InputError, Location, Problem
from compose2ecs.load.role_policy import load_trust_policy, parse_trust_policy, standard_trust_policy
from compose2ecs.model import TrustPolicy

if TYPE_CHECKING:
    from pathlib import Path

FILE = "task-execution-assume-role.json"

# The file the ecs-cli Fargate tutorial has users write, byte for byte.
TUTORIAL = """\
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "",
      "Effect": "Allow",
      "Principal": {
        "Service": "ecs-tasks.amazonaws.com"
      },
      "Action": "sts:AssumeRole"
    }
  ]
}
"""


def _single(text: str) -> Problem:
    with pytest.raises(InputError) as info:
        parse_trust_policy(dedent(text), FILE)
    [problem] = info.value.problems
    return problem


def test_the_tutorial_policy_is_accepted_as_written() -> None:
    assert parse_trust_policy(TUTORIAL, FILE) == TrustPolicy(document=json.loads(TUTORIAL), file=FILE)


def test_the_standard_policy_lets_ecs_tasks_assume_the_role() -> None:
    assert standard_trust_policy() == TrustPolicy(
        document={
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "ecs-tasks.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                }
            ],
        }
    )
    document = json.dumps(standard_trust_policy().document)
    assert parse_trust_policy(document, FILE).document == standard_trust_policy().document


def test_lists_of_services_and_actions_and_other_statements_are_allowed() -> None:
    text = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::1:root"}, "Action": "sts:AssumeRole"},
                {
                    "Effect": "Allow",
                    "Principal": {"Service": ["ec2.amazonaws.com", "ecs-tasks.amazonaws.com"]},
                    "Action": ["sts:TagSession", "sts:assumerole"],
                },
            ],
        }
    )
    assert parse_trust_policy(text, FILE).document["Statement"][0]["Principal"] == {
        "AWS": "arn:aws:iam::1:root"
    }


def test_a_single_statement_object_is_accepted() -> None:
    text = '{"Statement": {"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, '
    text += '"Action": "sts:AssumeRole"}}'
    assert parse_trust_policy(text, FILE).file == FILE


def test_invalid_json_is_reported_at_its_line_and_column() -> None:
    problem = _single(
        """\
        {
          "Version": "2012-10-17",
          "Statement": [],
        }
        """
    )
    assert problem.message.startswith("invalid JSON: ")
    assert problem.location == Location(FILE, 4, 1)
    assert "trailing commas" in problem.hint


def test_a_policy_that_is_not_an_object_is_an_error() -> None:
    problem = _single("[]")
    assert problem.message == "a trust policy must be a JSON object"
    assert problem.location == Location(FILE, 1, 1)


def test_a_policy_without_statement_is_an_error_that_shows_the_expected_statement() -> None:
    problem = _single('{"Version": "2012-10-17"}')
    assert problem.message == "has no Statement"
    assert problem.location == Location(FILE, 1, 1)
    assert '"Service": "ecs-tasks.amazonaws.com"' in problem.hint
    assert '"Action": "sts:AssumeRole"' in problem.hint


def test_a_statement_of_the_wrong_type_is_an_error_at_that_key() -> None:
    problem = _single('{\n  "Version": "2012-10-17",\n  "Statement": "allow"\n}\n')
    assert problem.message == "Statement must be an object or a list"
    assert problem.location == Location(FILE, 3, 3)


def test_a_denying_statement_is_an_error_at_its_effect() -> None:
    problem = _single(TUTORIAL.replace('"Allow"', '"Deny"'))
    assert problem.message == (
        "this statement denies ecs-tasks.amazonaws.com sts:AssumeRole, and a Deny wins over any Allow"
    )
    assert problem.path == ("Statement", 0, "Effect")
    assert problem.location == Location(FILE, 6, 7)


def test_a_deny_next_to_an_allow_is_still_an_error() -> None:
    document = json.loads(TUTORIAL)
    deny = {**document["Statement"][0], "Effect": "Deny", "Action": "sts:*"}
    document["Statement"].append(deny)
    problem = _single(json.dumps(document, indent=2))
    assert problem.path == ("Statement", 1, "Effect")
    assert problem.hint == "remove the Deny statement"


@pytest.mark.parametrize(
    "action", ["sts:*", "STS:AssumeRole", "sts:Assume*", "*", ["sts:TagSession", "sts:*Role"]]
)
def test_wildcard_and_case_variant_actions_grant_assume_role(action: str | list[str]) -> None:
    document = json.loads(TUTORIAL)
    document["Statement"][0]["Action"] = action
    assert parse_trust_policy(json.dumps(document), FILE).document == document


def test_actions_that_do_not_match_assume_role_are_refused() -> None:
    document = json.loads(TUTORIAL)
    document["Statement"][0]["Action"] = ["sts:AssumeRoleWithSAML", "sts:Tag*"]
    assert "Action must be or contain" in _single(json.dumps(document)).message


def test_a_policy_over_iams_size_limit_is_refused() -> None:
    document = json.loads(TUTORIAL)
    document["Statement"][0]["Sid"] = "x" * 4100
    problem = _single(json.dumps(document))
    assert problem.message.endswith("characters without whitespace; IAM accepts at most 4096")


def test_the_wrong_principal_and_action_are_both_named_at_the_principal() -> None:
    problem = _single(
        TUTORIAL.replace("ecs-tasks.amazonaws.com", "ecs.amazonaws.com").replace(
            "sts:AssumeRole", "sts:TagSession"
        )
    )
    assert problem.message == (
        "the role cannot be assumed by ECS tasks: "
        'Principal.Service must be or contain "ecs-tasks.amazonaws.com"; '
        'Action must be or contain "sts:AssumeRole"'
    )
    assert problem.location == Location(FILE, 7, 7)


def test_with_several_statements_and_none_fitting_the_error_points_at_statement() -> None:
    problem = _single(
        """\
        {
          "Version": "2012-10-17",
          "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"},
             "Action": "sts:TagSession"},
            {"Effect": "Allow", "Principal": {"Service": "ecs.amazonaws.com"},
             "Action": "sts:AssumeRole"}
          ]
        }
        """
    )
    assert problem.message.startswith("no statement lets ecs-tasks.amazonaws.com call sts:AssumeRole")
    assert problem.location == Location(FILE, 3, 3)


def test_without_a_file_the_standard_policy_is_used(tmp_path: Path) -> None:
    assert load_trust_policy(None, str(tmp_path)) == standard_trust_policy()


def test_the_working_directory_file_is_used_when_present(tmp_path: Path) -> None:
    (tmp_path / FILE).write_text(TUTORIAL)
    policy = load_trust_policy(None, str(tmp_path))
    assert policy.file == str(tmp_path / FILE)
    assert policy.document["Statement"][0]["Sid"] == ""


def test_an_explicit_path_must_exist(tmp_path: Path) -> None:
    missing = str(tmp_path / "role.json")
    with pytest.raises(InputError) as info:
        load_trust_policy(missing, str(tmp_path))
    [problem] = info.value.problems
    assert problem.message == "no such file"
    assert problem.location == Location(missing)


# ---------------------------------------------------------------------------------------------
# Hardened (issue 17, item 2): the file may come from a pull request.


def _broad(statement: dict[str, object]) -> list[str]:
    document = json.loads(TUTORIAL)
    document["Statement"].append(statement)
    text = json.dumps(document, indent=2)
    return [
        f"{p.location.line if p.location else 0}: {p.message}" for p in parse_trust_policy(text, FILE).broad
    ]


@pytest.mark.parametrize(
    ("statement", "why"),
    [
        ({"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"}, 'Principal "*" lets anyone'),
        (
            {
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::999999999999:root"},
                "Action": "sts:AssumeRole",
            },
            "it lets AWS arn:aws:iam::999999999999:root assume the role, not only ECS tasks",
        ),
        (
            {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"},
            "it lets Service ec2.amazonaws.com assume the role",
        ),
        (
            {"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "*"},
            "it allows *, beyond sts:AssumeRole and sts:TagSession",
        ),
        (
            {"Effect": "Allow", "NotPrincipal": {"AWS": "arn:aws:iam::1:root"}, "Action": "sts:AssumeRole"},
            "NotPrincipal with Allow",
        ),
    ],
)
def test_a_statement_trusting_more_than_ecs_tasks_is_held_back(
    statement: dict[str, object], why: str
) -> None:
    [problem] = [p for p in _broad(statement) if why in p]
    line = int(problem.split(":", 1)[0])
    assert line > 12  # in the second statement, after the tutorial's one


def test_the_tutorial_and_tag_session_are_not_broad() -> None:
    assert parse_trust_policy(TUTORIAL, FILE).broad == ()
    assert (
        _broad(
            {
                "Effect": "Allow",
                "Principal": {"Service": "ecs-tasks.amazonaws.com"},
                "Action": "sts:TagSession",
            }
        )
        == []
    )
    assert _broad({"Effect": "Deny", "Principal": "*", "Action": "sts:TagSession"}) == []  # a Deny narrows


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        ('{"Version": "2012-10-17", "Statement": NaN}', "NaN is not a JSON number", 1),
        ('{"Statement": [{"Effect": "Allow", "MaxAge": Infinity}]}', "Infinity is not a JSON number", 1),
        (
            (
                '{\n  "Statement": {\n    "Effect": "Allow",\n'
                '    "Principal": {"Service": "ecs-tasks.amazonaws.com"},\n'
                '    "Action": "sts:AssumeRole",\n    "Effect": "Deny"\n  }\n}\n'
            ),
            'the key "Effect" appears twice in one object',
            6,
        ),
        ("[" * 100_000 + "]" * 100_000, "nested too deep", 1),
    ],
)
def test_json_that_is_not_strict_is_refused_where_it_is(text: str, message: str, line: int) -> None:
    with pytest.raises(InputError) as info:
        parse_trust_policy(text, FILE)
    [problem] = info.value.problems
    assert message in problem.message
    assert problem.location is not None
    assert problem.location.line == line
