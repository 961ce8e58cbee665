"""ecs-params.yml: ecs-cli's schema read strictly, with units converted and every problem located."""

from __future__ import annotations

from textwrap import dedent
from typing import TYPE_CHECKING

import pytest

from compose2ecs.errors import InputError, Location, Problem
from compose2ecs.load.ecs_params import expand, load_ecs_params, parse_ecs_params
from compose2ecs.model import (
    AutoscalingParams,
    AwsvpcParams,
    CapacityProviderItem,
    ContainerDependency,
    ContainerParams,
    DeploymentParams,
    DockerVolume,
    EcsParams,
    EfsVolume,
    FirelensParams,
    HealthcheckParams,
    PlacementItem,
    PortParams,
    SecretRef,
)

if TYPE_CHECKING:
    from pathlib import Path

FILE = "ecs-params.yml"

TUTORIAL = """\
version: 1
task_definition:
  task_execution_role: ecsTaskExecutionRole
  ecs_network_mode: awsvpc
  os_family: Linux
  task_size:
    mem_limit: 0.5GB
    cpu_limit: 256
run_params:
  network_configuration:
    awsvpc_configuration:
      subnets:
        - "subnet ID 1"
        - "subnet ID 2"
      security_groups:
        - "security group ID"
      assign_public_ip: ENABLED
"""


def _parse(text: str, environ: dict[str, str] | None = None) -> EcsParams:
    return parse_ecs_params(dedent(text), FILE, environ or {})


def _problems(text: str, environ: dict[str, str] | None = None) -> list[Problem]:
    with pytest.raises(InputError) as info:
        _parse(text, environ)
    return info.value.problems


def _single(text: str) -> Problem:
    [problem] = _problems(text)
    return problem


def _at(problem: Problem, line: int, column: int) -> None:
    assert problem.location == Location(FILE, line, column), problem.render()


def _task_size(cpu: object = None, memory: object = None) -> EcsParams:
    lines = ["task_definition:", "  task_size:"]
    if cpu is not None:
        lines.append(f"    cpu_limit: {cpu}")
    if memory is not None:
        lines.append(f"    mem_limit: {memory}")
    return _parse("\n".join(lines) + "\n")


def _container(body: str) -> ContainerParams:
    text = "task_definition:\n  services:\n    web:\n" + "".join(
        f"      {line}\n" for line in body.splitlines()
    )
    return _parse(text).services["web"]


# --- the ecs-cli tutorial file ----------------------------------------------------------------


def test_the_ecs_cli_fargate_tutorial_file_converts_to_exact_params() -> None:
    assert _parse(TUTORIAL) == EcsParams(
        file=FILE,
        network_mode="awsvpc",
        task_execution_role="ecsTaskExecutionRole",
        cpu="256",
        memory="512",
        os_family="LINUX",
        awsvpc=AwsvpcParams(
            subnets=("subnet ID 1", "subnet ID 2"),
            security_groups=("security group ID",),
            assign_public_ip="ENABLED",
        ),
    )


# --- empty, absent and malformed files --------------------------------------------------------


@pytest.mark.parametrize("text", ["", "\n", "# only a comment\n", "---\n"])
def test_an_empty_file_means_no_params(text: str) -> None:
    assert parse_ecs_params(text, FILE, {}) == EcsParams(file=FILE)


def test_yaml_syntax_errors_are_reported_with_their_line() -> None:
    problem = _single("version: 1\ntask_definition:\n  task_size: [256\n")
    assert problem.message.startswith("invalid YAML")
    assert problem.location is not None
    assert problem.location.file == FILE
    assert problem.location.line == 4


def test_a_duplicate_key_is_an_error_at_the_second_occurrence() -> None:
    problem = _single("task_definition:\n  task_role_arn: a\n  task_role_arn: b\n")
    assert 'mapping key "task_role_arn" already defined at line 2' in problem.message
    _at(problem, 3, 3)


def test_a_top_level_that_is_not_a_mapping_is_an_error() -> None:
    problem = _single("- version: 1\n")
    assert problem.message == "expected a mapping at the top level, got a list"
    _at(problem, 1, 1)


@pytest.mark.parametrize("version", ["1", '"1"', '"1.0"', "1.0"])
def test_version_1_is_accepted_in_its_spellings(version: str) -> None:
    assert _parse(f"version: {version}\n") == EcsParams(file=FILE)


@pytest.mark.parametrize("version", ["2", '"3"', "true", "[1]"])
def test_any_other_version_is_an_error(version: str) -> None:
    problem = _single(f"run_params: {{}}\nversion: {version}\n")
    assert problem.message.startswith("unsupported version")
    assert problem.path == ("version",)
    _at(problem, 2, 1)


# --- unknown keys, types, enums ---------------------------------------------------------------


def test_a_misspelt_key_is_an_error_that_suggests_the_right_one() -> None:
    problem = _single(
        """\
        task_definition:
          task_size:
            memory_limit: 512
            cpu_limit: 256
        """
    )
    assert problem.message == 'unknown key (did you mean "mem_limit"?)'
    assert problem.path == ("task_definition", "task_size", "memory_limit")
    assert "cpu_limit, mem_limit" in problem.hint
    _at(problem, 3, 5)


def test_an_unknown_key_with_no_close_match_lists_the_allowed_keys() -> None:
    problem = _single("run_params:\n  zzz: 1\n")
    assert problem.message == "unknown key"
    assert "network_configuration" in problem.hint
    assert "desired_count" in problem.hint
    _at(problem, 2, 3)


def test_a_wrong_type_names_what_was_expected_and_what_was_found() -> None:
    problem = _single(
        """\
        run_params:
          network_configuration:
            awsvpc_configuration:
              subnets:
                a: b
        """
    )
    assert problem.message == "expected a list of strings, got a mapping"
    assert problem.path == ("run_params", "network_configuration", "awsvpc_configuration", "subnets")
    _at(problem, 4, 7)


def test_a_bad_enum_value_lists_the_choices_and_suggests_one() -> None:
    problem = _single("task_definition:\n  ecs_network_mode: awsvcp\n")
    assert problem.message == 'must be one of none, bridge, host, awsvpc, got "awsvcp"'
    assert problem.hint == 'did you mean "awsvpc"?'
    _at(problem, 2, 3)


def test_enum_values_are_matched_case_insensitively_and_normalised() -> None:
    params = _parse(
        """\
        task_definition:
          ecs_network_mode: AWSVPC
          services:
            web:
              depends_on: [{container_name: db, condition: healthy}]
        run_params:
          network_configuration:
            awsvpc_configuration: {subnets: [s-1], assign_public_ip: disabled}
        """
    )
    assert params.network_mode == "awsvpc"
    assert params.services["web"].depends_on == (ContainerDependency("db", "HEALTHY"),)
    assert params.awsvpc == AwsvpcParams(subnets=("s-1",), assign_public_ip="DISABLED")


@pytest.mark.parametrize(("value", "expected"), [("yes", True), ("On", True), ("n", False), ("OFF", False)])
def test_yaml_1_1_booleans_are_read_as_ecs_cli_read_them(value: str, *, expected: bool) -> None:
    # ecs-cli parsed ecs-params.yml with go-yaml v2 (YAML 1.1), so its users wrote yes/no/on/off.
    params = _parse(f"task_definition:\n  services:\n    web:\n      essential: {value}\n")
    assert params.services["web"].essential is expected


@pytest.mark.parametrize("value", ["'true'", "1", "maybe"])
def test_booleans_must_be_true_or_false(value: str) -> None:
    problem = _single(f"task_definition:\n  services:\n    web:\n      essential: {value}\n")
    assert problem.message.startswith("expected true or false, got ")
    assert problem.hint == "use true or false"
    _at(problem, 4, 7)


def test_a_quoted_number_where_an_integer_is_expected_is_an_error() -> None:
    problem = _single('run_params:\n  desired_count: "3"\n')
    assert problem.message == "expected an integer, got a string"
    assert problem.hint == "write the number without quotes"


def test_every_problem_is_reported_at_once_in_file_order() -> None:
    problems = _problems(
        """\
        version: 2
        task_definition:
          ecs_network_mode: bridged
          task_size:
            memory_limit: 1GB
          services:
            web:
              mem_limit: 512
        run_params:
          desired_count: -1
        tags:
          aws:team: x
        """
    )
    assert [(p.location.line if p.location else 0, p.path[-1]) for p in problems] == [
        (1, "version"),
        (3, "ecs_network_mode"),
        (5, "memory_limit"),
        (8, "mem_limit"),
        (10, "desired_count"),
        (12, "aws:team"),
    ]
    assert str(InputError(problems)).count(FILE + ":") == 6


# --- task_size units --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cpu", "units"),
    [
        ("256", "256"),
        ('"1024"', "1024"),
        ("1 vCPU", "1024"),
        (".25 vcpu", "256"),
        ("0.5vCPU", "512"),
        ("2 VCPU", "2048"),
        ('"16 vCPU"', "16384"),
    ],
)
def test_task_cpu_is_converted_to_cpu_units(cpu: str, units: str) -> None:
    assert _task_size(cpu=cpu).cpu == units


@pytest.mark.parametrize(
    ("memory", "mib"),
    [
        ("512", "512"),
        ('"2048"', "2048"),
        ("0.5GB", "512"),
        ("2GB", "2048"),
        ("1.0GB", "1024"),
        ("2 GB", "2048"),
        ("8gb", "8192"),
        ("1GiB", "1024"),
        ("512 MiB", "512"),
        ("3072MB", "3072"),
    ],
)
def test_task_memory_is_converted_to_mib(memory: str, mib: str) -> None:
    assert _task_size(memory=memory).memory == mib


def test_a_cpu_size_in_no_known_form_names_the_accepted_forms() -> None:
    problem = _single("task_definition:\n  task_size:\n    cpu_limit: two cores\n")
    assert problem.message.startswith('invalid CPU size "two cores": use CPU units as an integer')
    assert '"1 vCPU"' in problem.message
    _at(problem, 3, 5)


def test_a_fractional_cpu_number_suggests_writing_vcpus() -> None:
    problem = _single("task_definition:\n  task_size:\n    cpu_limit: 0.25\n")
    assert problem.hint == 'write "0.25 vCPU" for vCPUs'


def test_a_vcpu_count_that_is_not_whole_cpu_units_is_an_error() -> None:
    problem = _single("task_definition:\n  task_size:\n    cpu_limit: 0.1 vCPU\n")
    assert "not a positive whole number of CPU units" in problem.message


@pytest.mark.parametrize("memory", ["2 TB", "lots", "1.5", "0"])
def test_a_memory_size_in_no_known_form_is_an_error(memory: str) -> None:
    problem = _single(f"task_definition:\n  task_size:\n    mem_limit: {memory}\n")
    assert problem.path == ("task_definition", "task_size", "mem_limit")
    assert "memory size" in problem.message or "MiB" in problem.message


# --- containers -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "mib"),
    [
        ("512m", 512),
        ("512MB", 512),
        ("0.5GB", 512),
        ("1g", 1024),
        ("1.5g", 1536),
        ("300MiB", 300),
        ("2097152", 2),
        ("1073741824", 1024),
        ("1048577", 1),  # floored, as ecs-cli did
    ],
)
def test_container_memory_takes_docker_byte_units_floored_to_mib(value: str, mib: int) -> None:
    assert _container(f"mem_limit: {value}\nmem_reservation: {value}") == ContainerParams(
        mem_limit=mib, mem_reservation=mib
    )


@pytest.mark.parametrize("value", ["512", '"512"'])
def test_a_bare_container_memory_number_is_bytes_and_below_1_mib_is_an_error(value: str) -> None:
    problem = _single(f"task_definition:\n  services:\n    web:\n      mem_limit: {value}\n")
    assert problem.message == "512 bytes is less than 1 MiB: a bare number means bytes here"
    assert problem.hint == 'write "512m" for 512 MiB'
    assert problem.path == ("task_definition", "services", "web", "mem_limit")
    _at(problem, 4, 7)


def test_an_unparseable_container_memory_size_names_docker_units() -> None:
    problem = _single("task_definition:\n  services:\n    web:\n      mem_reservation: much\n")
    assert problem.message.startswith('invalid size "much": use docker units')


def test_every_container_setting_converts() -> None:
    params = _container(
        dedent(
            """\
            essential: false
            cpu_shares: 128
            gpu: 1
            init_process_enabled: true
            secrets:
              - {value_from: arn:aws:ssm:eu-west-1:1:parameter/db, name: DB_PASSWORD}
            logging:
              secret_options:
                - {value_from: arn:aws:secretsmanager:eu-west-1:1:secret:k, name: apiKey}
            firelens_configuration:
              type: fluentbit
              options: {enable-ecs-log-metadata: true, retries: 3}
            repository_credentials:
              credentials_parameter: arn:aws:secretsmanager:eu-west-1:1:secret:reg
            depends_on:
              - {container_name: db, condition: START}
            """
        )
    )
    assert params == ContainerParams(
        essential=False,
        cpu_shares=128,
        gpu="1",
        init_process_enabled=True,
        secrets=(SecretRef(name="DB_PASSWORD", value_from="arn:aws:ssm:eu-west-1:1:parameter/db"),),
        log_secret_options=(
            SecretRef(name="apiKey", value_from="arn:aws:secretsmanager:eu-west-1:1:secret:k"),
        ),
        firelens=FirelensParams(
            type="fluentbit", options={"enable-ecs-log-metadata": "true", "retries": "3"}
        ),
        repository_credentials="arn:aws:secretsmanager:eu-west-1:1:secret:reg",
        depends_on=(ContainerDependency(container_name="db", condition="START"),),
    )


def test_a_service_with_no_settings_gets_empty_container_params() -> None:
    assert _parse("task_definition:\n  services:\n    web:\n").services == {"web": ContainerParams()}


def test_a_secret_needs_both_name_and_value_from() -> None:
    problems = _problems("task_definition:\n  services:\n    web:\n      secrets:\n        - {name: X}\n")
    assert [(p.path[-1], p.message) for p in problems] == [("value_from", "is required")]
    _at(problems[0], 5, 11)


def test_a_depends_on_condition_outside_the_ecs_set_is_an_error() -> None:
    problem = _single(
        "task_definition:\n  services:\n    web:\n      depends_on:\n"
        "        - container_name: db\n          condition: service_healthy\n"
    )
    assert problem.message.startswith("must be one of START, COMPLETE, SUCCESS, HEALTHY")
    _at(problem, 6, 11)


def test_a_string_healthcheck_runs_in_a_shell_and_durations_become_whole_seconds() -> None:
    params = _container(
        dedent(
            """\
            healthcheck:
              test: curl -f http://localhost/
              interval: 1m30s
              timeout: 500ms
              start_period: 1.5s
              retries: 3
            """
        )
    )
    assert params.healthcheck == HealthcheckParams(
        command=("CMD-SHELL", "curl -f http://localhost/"), interval=90, timeout=1, start_period=2, retries=3
    )


def test_a_list_healthcheck_command_passes_through_and_integers_are_seconds() -> None:
    params = _container('healthcheck:\n  command: ["CMD", "true"]\n  interval: 30\n  timeout: "5"')
    assert params.healthcheck == HealthcheckParams(command=("CMD", "true"), interval=30, timeout=5)


def test_healthcheck_test_and_command_together_is_an_error() -> None:
    problem = _single(
        "task_definition:\n  services:\n    web:\n      healthcheck:\n        test: a\n        command: b\n"
    )
    assert problem.hint == "keep only one of them"
    _at(problem, 6, 9)


def test_a_bad_healthcheck_duration_is_an_error_with_gos_wording() -> None:
    problem = _single("task_definition:\n  services:\n    web:\n      healthcheck:\n        interval: 10x\n")
    assert problem.message.startswith('time: unknown unit "x" in duration "10x"')


def test_firelens_needs_a_type() -> None:
    problem = _single(
        "task_definition:\n  services:\n    web:\n      firelens_configuration:\n        options: {a: b}\n"
    )
    assert problem.path[-1] == "type"
    assert problem.message == "is required"


# --- volumes, platform, storage ---------------------------------------------------------------


def test_docker_and_efs_volumes_convert() -> None:
    params = _parse(
        """\
        task_definition:
          docker_volumes:
            - name: cache
              scope: shared
              autoprovision: true
              driver: local
              driver_opts: {type: tmpfs, size: 100}
              labels: {team: web}
          efs_volumes:
            - name: data
              filesystem_id: fs-123
              root_directory: /
              transit_encryption: ENABLED
              transit_encryption_port: 2049
              access_point: fsap-1
              iam: ENABLED
        """
    )
    assert params.docker_volumes == (
        DockerVolume(
            name="cache",
            scope="shared",
            autoprovision=True,
            driver="local",
            driver_opts={"type": "tmpfs", "size": "100"},
            labels={"team": "web"},
        ),
    )
    assert params.efs_volumes == (
        EfsVolume(
            name="data",
            filesystem_id="fs-123",
            root_directory="/",
            transit_encryption="ENABLED",
            transit_encryption_port=2049,
            access_point="fsap-1",
            iam="ENABLED",
        ),
    )


def test_efs_iam_without_transit_encryption_is_an_error_at_the_volume() -> None:
    problem = _single(
        "task_definition:\n  efs_volumes:\n    - name: d\n      filesystem_id: fs-1\n      iam: ENABLED\n"
    )
    assert problem.hint == "add transit_encryption: ENABLED"
    assert problem.path == ("task_definition", "efs_volumes", 0)
    _at(problem, 3, 7)


def test_efs_access_point_with_transit_encryption_disabled_is_an_error_at_that_key() -> None:
    problem = _single(
        "task_definition:\n  efs_volumes:\n    - name: d\n      filesystem_id: fs-1\n"
        "      access_point: fsap-1\n      transit_encryption: DISABLED\n"
    )
    assert problem.message == "must be ENABLED when iam is ENABLED or an access_point is set"
    _at(problem, 6, 7)


def test_an_efs_volume_needs_a_name_and_a_filesystem_id() -> None:
    problems = _problems("task_definition:\n  efs_volumes:\n    - root_directory: /\n")
    assert [p.path[-1] for p in problems] == ["name", "filesystem_id"]


@pytest.mark.parametrize(
    ("os_family", "expected"),
    [("Linux", "LINUX"), ("linux", "LINUX"), ("windows_server_2019_core", "WINDOWS_SERVER_2019_CORE")],
)
def test_os_family_is_normalised_to_the_ecs_enum(os_family: str, expected: str) -> None:
    assert _parse(f"task_definition:\n  os_family: {os_family}\n").os_family == expected


def test_an_unknown_os_family_is_an_error() -> None:
    assert _single("task_definition:\n  os_family: Ubuntu\n").message.startswith(
        "must be one of LINUX, WINDOWS"
    )


@pytest.mark.parametrize(
    ("arch", "expected"), [("amd64", "X86_64"), ("x86_64", "X86_64"), ("ARM64", "ARM64")]
)
def test_runtime_platform_architecture_is_normalised(arch: str, expected: str) -> None:
    params = _parse(
        "task_definition:\n  runtime_platform:\n"
        f"    operating_system_family: LINUX\n    cpu_architecture: {arch}\n"
    )
    assert (params.os_family, params.cpu_architecture) == ("LINUX", expected)


def test_runtime_platform_may_repeat_os_family_but_not_contradict_it() -> None:
    agreeing = "task_definition:\n  os_family: Linux\n  runtime_platform: {operating_system_family: LINUX}\n"
    assert _parse(agreeing).os_family == "LINUX"
    problem = _single(
        "task_definition:\n  os_family: Linux\n  runtime_platform:\n"
        "    operating_system_family: WINDOWS_SERVER_2022_CORE\n"
    )
    assert problem.message == "WINDOWS_SERVER_2022_CORE contradicts task_definition.os_family LINUX"
    _at(problem, 4, 5)


@pytest.mark.parametrize(("size", "ok"), [(21, True), (200, True), (20, False), (201, False)])
def test_ephemeral_storage_is_21_to_200_gib(size: int, ok: bool) -> None:
    text = f"task_definition:\n  ephemeral_storage: {size}\n"
    if ok:
        assert _parse(text).ephemeral_storage == size
    else:
        assert _single(text).message == f"must be between 21 and 200, got {size}"


def test_task_level_strings_and_modes_convert() -> None:
    params = _parse(
        """\
        task_definition:
          task_role_arn: arn:aws:iam::1:role/app
          pid_mode: task
          ipc_mode: none
          placement_constraints:
            - {type: memberOf, expression: "attribute:ecs.os-type == linux"}
        """
    )
    assert params.task_role_arn == "arn:aws:iam::1:role/app"
    assert (params.pid_mode, params.ipc_mode) == ("task", "none")
    assert params.placement_constraints == (
        PlacementItem(type="memberOf", expression="attribute:ecs.os-type == linux"),
    )


# --- run_params -------------------------------------------------------------------------------


def test_run_params_additions_convert() -> None:
    params = _parse(
        """\
        run_params:
          layout: service
          desired_count: 3
          platform_version: 1.4.0
          capacity_provider_strategy:
            - {capacity_provider: FARGATE_SPOT, weight: 3}
            - {capacity_provider: FARGATE, weight: 1, base: 1}
          deployment:
            {maximum_percent: 200, minimum_healthy_percent: 50, circuit_breaker: true, rollback: true}
          enable_execute_command: true
          service_connect: false
          task_placement:
            strategy: [{type: spread, field: "attribute:ecs.availability-zone"}]
            constraints: [{type: distinctInstance}]
        """
    )
    assert params.layout == "service"
    assert params.desired_count == 3
    assert params.platform_version == "1.4.0"
    assert params.capacity_providers == (
        CapacityProviderItem("FARGATE_SPOT", weight=3),
        CapacityProviderItem("FARGATE", weight=1, base=1),
    )
    assert params.deployment == DeploymentParams(200, 50, circuit_breaker=True, rollback=True)
    assert params.enable_execute_command is True
    assert params.service_connect is False
    assert params.task_placement_strategy == (
        PlacementItem("spread", field="attribute:ecs.availability-zone"),
    )
    assert params.task_placement_constraints == (PlacementItem("distinctInstance"),)


def test_launch_type_is_fargate_only() -> None:
    assert _parse("run_params:\n  launch_type: FARGATE\n").launch_type == "FARGATE"
    problem = _single("run_params:\n  launch_type: EC2\n")
    assert problem.message == 'must be one of FARGATE, got "EC2"'
    assert "Fargate only" in problem.hint


def test_launch_type_and_a_capacity_provider_strategy_exclude_each_other() -> None:
    problem = _single(
        "run_params:\n  launch_type: FARGATE\n"
        "  capacity_provider_strategy:\n    - {capacity_provider: FARGATE, weight: 1}\n"
    )
    assert problem.message == "cannot be used together with launch_type"
    _at(problem, 3, 3)


def test_only_one_capacity_provider_may_have_a_base() -> None:
    problem = _single(
        "run_params:\n  capacity_provider_strategy:\n"
        "    - {capacity_provider: FARGATE, base: 1, weight: 1}\n"
        "    - {capacity_provider: FARGATE_SPOT, base: 0}\n"
    )
    assert problem.message == "only one capacity provider may set base"
    assert problem.path == ("run_params", "capacity_provider_strategy", 1, "base")


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("desired_count", "5001", "must be between 0 and 5000, got 5001"),
        ("layout", "tasks", 'must be one of project, service, got "tasks"'),
        ("enable_execute_command", "maybe", "expected true or false, got a string"),
    ],
)
def test_run_params_values_are_checked(key: str, value: str, message: str) -> None:
    assert _single(f"run_params:\n  {key}: {value}\n").message == message


def test_deployment_minimum_healthy_percent_is_at_most_100() -> None:
    problem = _single("run_params:\n  deployment:\n    minimum_healthy_percent: 150\n")
    assert problem.message == "must be between 0 and 100, got 150"


def test_subnets_when_given_need_one_to_sixteen_entries_and_security_groups_at_most_five() -> None:
    empty = _single("run_params:\n  network_configuration:\n    awsvpc_configuration:\n      subnets: []\n")
    assert empty.message == "needs at least one subnet"
    many = [f"s-{i}" for i in range(17)]
    groups = [f"sg-{i}" for i in range(6)]
    problems = _problems(
        f"run_params:\n  network_configuration:\n    awsvpc_configuration:\n"
        f"      subnets: {many}\n      security_groups: {groups}\n"
    )
    assert [p.message for p in problems] == [
        "at most 16 subnets are allowed, got 17",
        "at most 5 security groups are allowed, got 6",
    ]


def test_service_discovery_is_validated_and_kept_as_a_plain_dict() -> None:
    params = _parse(
        """\
        run_params:
          service_discovery:
            container_name: web
            container_port: 80
            private_dns_namespace: {name: corp.local, vpc: vpc-1}
            service_discovery_service:
              name: web
              dns_config: {type: SRV, ttl: 60}
              healthcheck_custom_config: {failure_threshold: 1}
        """
    )
    assert params.service_discovery == {
        "container_name": "web",
        "container_port": 80,
        "private_dns_namespace": {"name": "corp.local", "vpc": "vpc-1"},
        "service_discovery_service": {
            "name": "web",
            "dns_config": {"type": "SRV", "ttl": 60},
            "healthcheck_custom_config": {"failure_threshold": 1},
        },
    }


def test_service_discovery_sub_keys_are_checked() -> None:
    problems = _problems(
        "run_params:\n  service_discovery:\n    service_discovery_service:\n"
        "      dns_config: {type: AAAA, tll: 60}\n"
    )
    assert [p.message for p in problems] == [
        'must be one of A, SRV, got "AAAA"',
        'unknown key (did you mean "ttl"?)',
    ]


# --- top-level additions ----------------------------------------------------------------------


def test_tags_take_numbers_as_strings() -> None:
    assert _parse("tags:\n  team: web\n  cost-center: 1234\n  empty: ''\n").tags == {
        "team": "web",
        "cost-center": "1234",
        "empty": "",
    }


@pytest.mark.parametrize(
    ("tags", "message"),
    [
        ("  AWS:owner: me\n", 'tag keys and values must not start with "aws:"'),
        ("  owner: aws:me\n", 'tag keys and values must not start with "aws:"'),
        (f"  {'k' * 129}: v\n", "a tag key must be 1 to 128 characters long"),
        (f"  k: {'v' * 257}\n", "a tag value must be at most 256 characters long"),
        ("  k: [v]\n", "expected a string, got a list"),
    ],
)
def test_tag_limits_are_enforced(tags: str, message: str) -> None:
    problem = _single("tags:\n" + tags)
    assert problem.message == message
    _at(problem, 2, 3)


def test_at_most_50_tags() -> None:
    text = "tags:\n" + "".join(f"  k{i}: v\n" for i in range(51))
    assert _single(text).message == "at most 50 tags are allowed, got 51"
    assert len(_parse("tags:\n" + "".join(f"  k{i}: v\n" for i in range(50))).tags) == 50


def test_log_retention_days_must_be_a_cloudwatch_value() -> None:
    assert _parse("log_retention_days: 14\n").log_retention_days == 14
    problem = _single("log_retention_days: 10\n")
    assert problem.message == "CloudWatch Logs does not keep logs for 10 days"
    assert "1, 3, 5, 7, 14, 30" in problem.hint


# --- interpolation ----------------------------------------------------------------------------


def test_variables_are_expanded_in_values_from_the_environment() -> None:
    params = _parse(
        """\
        task_definition:
          task_role_arn: arn:aws:iam::${ACCOUNT}:role/$ROLE
          task_execution_role: $UNSET
          services:
            web:
              essential: $ESSENTIAL
        run_params:
          desired_count: $COUNT
          network_configuration:
            awsvpc_configuration:
              subnets: ["$SUBNET", "x-${UNSET}"]
        """,
        {"ACCOUNT": "123", "ROLE": "app", "COUNT": "3", "SUBNET": "0123", "ESSENTIAL": "false"},
    )
    assert params.task_role_arn == "arn:aws:iam::123:role/app"
    assert params.task_execution_role is None  # `key: $UNSET` was `key: ` (null) for ecs-cli
    assert params.desired_count == 3
    assert params.services["web"].essential is False
    assert params.awsvpc == AwsvpcParams(subnets=("0123", "x-"))


def test_keys_are_not_expanded() -> None:
    assert _parse("tags:\n  $KEY: v\n", {"KEY": "k"}).tags == {"$KEY": "v"}


@pytest.mark.parametrize(
    ("text", "expanded"),
    [
        ("$A", "x"),
        ("${A}b", "xb"),
        ("$Ab", ""),  # the name is "Ab"
        ("$A.b", "x.b"),
        ("$$", ""),  # Go looks up the variable "$"
        ("$1", ""),
        ("${A:-default}", ""),  # no defaults: the name is "A:-default"
        ("cost: 5$", "cost: 5$"),
        ("$ x", "$ x"),
        ("a${", "a"),
        ("${}z", "z"),
        ("${@}", "at"),
    ],
)
def test_expansion_follows_go_os_expand(text: str, expanded: str) -> None:
    assert expand(text, {"A": "x", "@": "at"}) == expanded


# --- files ------------------------------------------------------------------------------------


def test_no_file_in_the_working_directory_means_no_params(tmp_path: Path) -> None:
    assert load_ecs_params(None, str(tmp_path), {}) == EcsParams()


def test_the_working_directory_file_is_read_when_no_path_is_given(tmp_path: Path) -> None:
    (tmp_path / "ecs-params.yml").write_text(TUTORIAL)
    params = load_ecs_params(None, str(tmp_path), {})
    assert params.file == str(tmp_path / "ecs-params.yml")
    assert params.memory == "512"


def test_an_explicit_path_is_read_and_must_exist(tmp_path: Path) -> None:
    path = tmp_path / "params.yml"
    path.write_text("task_definition:\n  task_size: {cpu_limit: 1 vCPU, mem_limit: 2GB}\n")
    assert (load_ecs_params(str(path), "/nowhere", {}).cpu, load_ecs_params(str(path), "/", {}).memory) == (
        "1024",
        "2048",
    )
    with pytest.raises(InputError) as info:
        load_ecs_params(str(tmp_path / "missing.yml"), str(tmp_path), {})
    [problem] = info.value.problems
    assert problem.message == "no such file"
    assert problem.location == Location(str(tmp_path / "missing.yml"))


def test_problems_name_the_file_they_were_found_in(tmp_path: Path) -> None:
    path = tmp_path / "ecs-params.yml"
    path.write_text("run_params:\n  desired_count: many\n")
    with pytest.raises(InputError) as info:
        load_ecs_params(None, str(tmp_path), {})
    assert str(info.value).startswith(f"{path}:2:3: run_params.desired_count: expected an integer")


def test_an_alias_inside_the_node_it_names_is_reported_where_it_is() -> None:
    problem = _single("version: 1\ntask_definition:\n  services: &s\n    web: *s\n")
    assert problem.message == (
        "cycle detected: node at path task_definition.services.web references node at path "
        "task_definition.services"
    )
    assert problem.location == Location(FILE, 3, 13)


def test_a_capacity_provider_strategy_must_give_weight_and_name_each_provider_once() -> None:
    problems = _problems(
        "run_params:\n  capacity_provider_strategy:\n"
        "    - {capacity_provider: FARGATE_SPOT}\n    - {capacity_provider: FARGATE_SPOT, base: 1}\n"
    )
    assert [(p.message, p.path) for p in problems] == [
        (
            "no capacity provider has a weight above 0: ECS cannot place any task",
            ("run_params", "capacity_provider_strategy"),
        ),
        (
            "FARGATE_SPOT is listed twice",
            ("run_params", "capacity_provider_strategy", 1, "capacity_provider"),
        ),
    ]


def test_windows_tasks_cannot_run_on_fargate_spot() -> None:
    problem = _single(
        "task_definition:\n  os_family: WINDOWS_SERVER_2022_CORE\n"
        "run_params:\n  capacity_provider_strategy:\n    - {capacity_provider: FARGATE_SPOT, weight: 1}\n"
    )
    assert problem.message == "FARGATE_SPOT runs Linux tasks only, not WINDOWS_SERVER_2022_CORE"


def test_an_access_point_fixes_the_efs_root_directory() -> None:
    problem = _single(
        "task_definition:\n  efs_volumes:\n    - name: data\n      filesystem_id: fs-1\n"
        "      access_point: fsap-1\n      transit_encryption: ENABLED\n      root_directory: /srv\n"
    )
    assert problem.message == "must be / or absent with an access_point"
    _at(problem, 7, 7)


def test_run_params_ports_say_per_published_port_whether_it_may_face_the_internet() -> None:
    params = _parse('run_params:\n  ports:\n    6379: {public: true}\n    "5432":\n      public: no\n')
    assert params.ports == {6379: PortParams(public=True), 5432: PortParams(public=False)}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("    http: {public: true}\n", "'http' is not a port number"),
        ("    70000: {public: true}\n", "'70000' is not a port number"),
        ("    80: {publik: true}\n", 'unknown key (did you mean "public"?)'),
        ("    80: {public: maybe}\n", "expected true or false, got a string"),
    ],
)
def test_run_params_ports_are_checked(body: str, message: str) -> None:
    assert _single(f"run_params:\n  ports:\n{body}").message == message


def test_run_params_ports_carry_https_stickiness_and_the_health_check() -> None:
    params = _parse(
        "run_params:\n  ports:\n    443:\n"
        "      certificate_arn: arn:aws:acm:us-east-1:1:certificate/x\n      redirect_from: 80\n"
        "      stickiness: true\n      health_check: {path: /ready, matcher: '200', interval: 10}\n"
    )
    port = params.ports[443]
    assert (port.certificate_arn, port.redirect_from, port.stickiness) == (
        "arn:aws:acm:us-east-1:1:certificate/x",
        80,
        86400,
    )
    assert port.health_check is not None
    assert (port.health_check.path, port.health_check.matcher, port.health_check.interval) == (
        "/ready",
        "200",
        10,
    )


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("    443: {certificate_arn: mycert}\n", "'mycert' is not an ARN"),
        (
            "    443: {certificate_arn: 'arn:x', load_balancer: network}\n",
            "an HTTPS listener is an Application Load Balancer's",
        ),
        ("    80: {health_check: {path: ready}}\n", "must start with /"),
        ("    80: {health_check: {interval: 1}}\n", "must be between 5 and 300, got 1"),
        ("    80: {stickiness: 9999999}\n", "must be between 1 and 604800, got 9999999"),
    ],
)
def test_run_params_ports_https_and_health_values_are_checked(body: str, message: str) -> None:
    assert _single(f"run_params:\n  ports:\n{body}").message == message


LISTENER = "arn:aws:elasticloadbalancing:us-east-1:1:listener/app/shared/50dc6c495c0c9188/f2f7dc8efc522ab2"


def test_run_params_ports_name_an_existing_listener_with_hosts_paths_and_a_priority() -> None:
    params = _parse(
        f"run_params:\n  ports:\n    8080:\n      listener_arn: {LISTENER}\n"
        "      hosts: app.example.com\n      paths: [/api/*, /v2/*]\n      priority: 120\n"
    )
    port = params.ports[8080]
    assert (port.listener_arn, port.hosts, port.paths, port.priority) == (
        LISTENER,
        ("app.example.com",),
        ("/api/*", "/v2/*"),
        120,
    )


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            (
                "      listener_arn: arn:aws:elasticloadbalancing:us-east-1:1:loadbalancer/app/x/1\n"
                "      hosts: [a.example.com]\n"
            ),
            "is not a listener ARN",
        ),
        (
            (
                "      listener_arn: arn:aws:elasticloadbalancing:us-east-1:1:listener/net/x/1/2\n"
                "      hosts: [a.example.com]\n"
            ),
            "host and path rules are an Application Load Balancer's",
        ),
        (f"      listener_arn: {LISTENER}\n", "a rule on an existing listener needs hosts or paths"),
        ("      hosts: [a.example.com]\n", "makes a rule on an existing listener, which listener_arn names"),
        (f"      listener_arn: {LISTENER}\n      paths: [api]\n", "must start with /"),
        (f"      listener_arn: {LISTENER}\n      hosts: ['a b']\n", "'a b' is not a host name"),
        (f"      listener_arn: {LISTENER}\n      hosts: [a.x]\n      priority: 0\n", "must be between 1"),
        (
            f"      listener_arn: {LISTENER}\n      hosts: [a.x, b.x, c.x]\n      paths: [/a, /b, /c]\n",
            "a listener rule matches at most 5 hosts and paths in all, not 6",
        ),
        (
            f"      listener_arn: {LISTENER}\n      hosts: [a.x, b.x, c.x, d.x]\n",
            "a listener rule's condition matches at most 3 values, not 4",
        ),
        (f"      listener_arn: {LISTENER}\n      hosts: []\n", "needs at least one value"),
        (f"      listener_arn: {LISTENER}\n      hosts: [bücher.example.com]\n", "is not a host name ELBv2"),
        (f"      listener_arn: {LISTENER}\n      hosts: [localhost]\n", "at least one dot"),
        (f"      listener_arn: {LISTENER}\n      hosts: [app.example.c0m]\n", "letters only after"),
        (f"      listener_arn: {LISTENER}\n      paths: ['/a b']\n", "has characters ELBv2 does not match"),
        (
            f"      listener_arn: {LISTENER}\n      paths: ['/api/{{id}}']\n",
            "has characters ELBv2 does not match",
        ),
        (
            f"      listener_arn: {LISTENER}\n      hosts: [a.x]\n      certificate_arn: arn:aws:acm:x\n",
            "is the listener's to say",
        ),
    ],
)
def test_a_rule_on_an_existing_listener_is_checked(body: str, message: str) -> None:
    assert message in _single(f"run_params:\n  ports:\n    8080:\n{body}").message


def test_run_params_load_balancer_gives_the_scheme_and_subnets() -> None:
    params = _parse(
        "run_params:\n  load_balancer:\n    scheme: internal\n    subnets: [subnet-a, subnet-b]\n"
        "    internal_subnets: [subnet-c]\n  ports:\n    80: {scheme: internet-facing}\n"
    )
    assert params.load_balancer is not None
    assert (
        params.load_balancer.scheme,
        params.load_balancer.subnets,
        params.load_balancer.internal_subnets,
    ) == (
        "internal",
        ("subnet-a", "subnet-b"),
        ("subnet-c",),
    )
    assert params.ports[80].scheme == "internet-facing"


@pytest.mark.parametrize(
    ("body", "message", "line"),
    [
        ("  load_balancer:\n    scheme: private\n", "must be one of internet-facing, internal", 3),
        ("  load_balancer:\n    subnets: [vpc-1]\n", "'vpc-1' is not a subnet ID", 3),
        ("  load_balancer:\n    subnets: []\n", "needs at least one subnet", 3),
        ("  load_balancer:\n    subnet: [subnet-1]\n", 'unknown key (did you mean "subnets"?)', 3),
        (
            (
                f"  ports:\n    80:\n      listener_arn: {LISTENER}\n      hosts: [a.x]\n"
                "      scheme: internal\n"
            ),
            "is the listener's to say",
            6,
        ),
    ],
)
def test_run_params_load_balancer_is_checked(body: str, message: str, line: int) -> None:
    problem = _single(f"run_params:\n{body}")
    assert message in problem.message
    assert problem.location is not None
    assert problem.location.line == line, problem.render()


def test_run_params_autoscaling_converts() -> None:
    params = _parse("run_params:\n  autoscaling: {min: 1, max: 4, cpu: 70, requests_per_target: 500}\n")
    assert params.autoscaling == AutoscalingParams(1, 4, 70, None, 500)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("{min: 3, max: 2, cpu: 50}", "min 3 is above max 2"),
        ("{min: 1, max: 2}", "names no target to track"),
        ("{max: 2, cpu: 50}", "is required"),
        ("{min: 1, max: 2, cpu: 150}", "must be between 1 and 100, got 150"),
    ],
)
def test_run_params_autoscaling_is_checked(body: str, message: str) -> None:
    assert _single(f"run_params:\n  autoscaling: {body}\n").message == message


def _doc_blocks(name: str) -> list[str]:
    """The ```yaml blocks of a page of docs/."""
    import re  # noqa: PLC0415
    from pathlib import Path as _Path  # noqa: PLC0415

    text = (_Path(__file__).parents[2] / "docs" / name).read_text(encoding="utf-8")
    # A block inside a list item is indented as the item is.
    found = re.findall(r"^( *)```yaml\n(.*?)^ *```", text, flags=re.DOTALL | re.MULTILINE)
    return [dedent(body) for _, body in found]


@pytest.mark.parametrize("block", _doc_blocks("load-balancers.md"))
def test_the_ecs_params_examples_of_the_load_balancer_page_are_valid(block: str) -> None:
    assert block.startswith("run_params:")
    parse_ecs_params(block, FILE, {})  # raises InputError, with every problem, if not
