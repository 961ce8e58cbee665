"""Every Fargate refusal is caught by `convert` before any AWS call: exit 2, message, file and line."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest

from tests.cli._helpers import assert_input_error, location_re, run, write

if TYPE_CHECKING:
    from pathlib import Path

WEB = "services:\n  web:\n    image: nginx\n"
# A network of the user's: no load balancer maps a published port onto another container port.
OWN_NETWORK = "run_params:\n  network_configuration:\n    awsvpc_configuration:\n      subnets: [subnet-1]\n"

# (id, compose file, ecs-params.yml or None, words in the message, file with the problem, its line)
RULES = [
    ("privileged", WEB + "    privileged: true\n", None, "privileged", "docker-compose.yml", 4),
    ("devices", WEB + "    devices: ['/dev/fuse']\n", None, "devices", "docker-compose.yml", 4),
    ("capability", WEB + "    cap_add: [NET_ADMIN]\n", None, "only SYS_PTRACE", "docker-compose.yml", 4),
    (
        "host port",
        WEB + "    ports: ['8080:80']\n",
        OWN_NETWORK,
        "host port 8080 differs",
        "docker-compose.yml",
        4,
    ),
    (
        "bind mount",
        WEB + "    volumes: ['/srv/html:/usr/share/nginx/html:ro']\n",
        None,
        "host path",
        "docker-compose.yml",
        4,
    ),
    ("network mode", WEB + "    network_mode: host\n", None, "network_mode host", "docker-compose.yml", 4),
    ("pid host", WEB + "    pid: host\n", None, "PID namespace", "docker-compose.yml", 4),
    ("ipc", WEB + "    ipc: host\n", None, "IPC", "docker-compose.yml", 4),
    ("shm_size", WEB + "    shm_size: 1g\n", None, "let a task size", "docker-compose.yml", 4),
    (
        "security_opt",
        WEB + "    security_opt: ['userns:host']\n",
        None,
        "no Fargate equivalent",
        "docker-compose.yml",
        4,
    ),
    ("gpus", WEB + "    gpus: all\n", None, "GPUs", "docker-compose.yml", 4),
    ("build only", "services:\n  web:\n    build: .\n", None, "no image to run", "docker-compose.yml", 3),
    (
        "dotted name",
        "services:\n  web.v2:\n    image: nginx\n",
        None,
        "cannot be an ECS container name",
        "docker-compose.yml",
        2,
    ),
    (
        "stop timeout",
        WEB + "    stop_grace_period: 3m\n",
        None,
        "outside Fargate's 2-120 s",
        "docker-compose.yml",
        4,
    ),
    (
        "sysctl",
        WEB + "    sysctls: {vm.max_map_count: 262144}\n",
        None,
        "not namespaced",
        "docker-compose.yml",
        4,
    ),
    (
        "ulimit",
        WEB + "    ulimits: {nofile: {soft: 2000000, hard: 2000000}}\n",
        None,
        "nofile above",
        "docker-compose.yml",
        4,
    ),
    (
        "log driver",
        WEB + "    logging: {driver: splunk}\n",
        None,
        "needs splunk-url",
        "docker-compose.yml",
        4,
    ),
    (
        "healthy without healthcheck",
        WEB + "    depends_on:\n      db: {condition: service_healthy}\n  db:\n    image: postgres\n",
        None,
        "db has no health check",
        "docker-compose.yml",
        5,
    ),
    (
        "dependency cycle",
        "services:\n  a:\n    image: x\n    depends_on: [b]\n  b:\n    image: y\n    depends_on: [a]\n",
        None,
        None,  # Compose itself refuses the cycle while loading
        "docker-compose.yml",
        None,
    ),
    (
        "too many containers",
        "services:\n" + "".join(f"  s{i}:\n    image: nginx\n" for i in range(11)),
        None,
        "at most 10",
        "docker-compose.yml",
        1,
    ),
    (
        "port conflict",
        "services:\n  a:\n    image: x\n    expose: ['80']\n  b:\n    image: y\n    expose: ['80']\n",
        None,
        "also used by a",
        "docker-compose.yml",
        7,
    ),
    (
        "memory below reservation",
        WEB + "    mem_limit: 64m\n    mem_reservation: 128m\n",
        None,
        "below the reservation",
        "docker-compose.yml",
        4,
    ),
    (
        "platform",
        WEB + "    platform: windows/amd64\n",
        None,
        "not available on Fargate",
        "docker-compose.yml",
        4,
    ),
    (
        "cpu memory pair",
        WEB,
        "version: 1\ntask_definition:\n  task_size:\n    cpu_limit: 256\n    mem_limit: 4GB\n",
        "256 CPU units with 4096 MiB is not a Fargate task size",
        "ecs-params.yml",
        5,
    ),
    (
        "network mode in ecs-params",
        WEB,
        "version: 1\ntask_definition:\n  ecs_network_mode: bridge\n",
        "requires network mode awsvpc",
        "ecs-params.yml",
        3,
    ),
    (
        "container sum above task cpu",
        WEB + "    cpus: 2\n",
        "version: 1\ntask_definition:\n  task_size:\n    cpu_limit: 1024\n    mem_limit: 2GB\n",
        "more than the task's 1024",
        "ecs-params.yml",
        4,
    ),
    (
        "memory alone that is no Fargate size",
        WEB,
        "version: 1\ntask_definition:\n  task_size:\n    mem_limit: 3000\n",
        "3000 MiB is not a Fargate task size",
        "ecs-params.yml",
        4,
    ),
    (
        "Windows on 8 vCPU",
        WEB,
        (
            "version: 1\ntask_definition:\n  os_family: WINDOWS_SERVER_2022_CORE\n  task_size:\n"
            "    cpu_limit: 8192\n    mem_limit: 16GB\n"
        ),
        "not a Fargate task size for Windows",
        "ecs-params.yml",
        5,
    ),
    (
        "gpu in ecs-params",
        WEB,
        "version: 1\ntask_definition:\n  services:\n    web:\n      gpu: 1\n",
        "no GPUs",
        "ecs-params.yml",
        5,
    ),
    (
        "docker volumes",
        WEB,
        "version: 1\ntask_definition:\n  docker_volumes:\n    - name: data\n",
        "no Docker volume drivers",
        "ecs-params.yml",
        4,
    ),
    (
        "placement",
        WEB,
        "version: 1\nrun_params:\n  task_placement:\n    strategy:\n      - {type: spread, field: az}\n",
        "places tasks itself",
        "ecs-params.yml",
        3,
    ),
    (
        "platform version",
        WEB,
        "version: 1\nrun_params:\n  platform_version: 1.3.0\n",
        "retired or unknown",
        "ecs-params.yml",
        3,
    ),
    (
        "healthcheck bound from ecs-params",
        WEB,
        (
            "version: 1\ntask_definition:\n  services:\n    web:\n      healthcheck:\n"
            "        test: ['CMD', 'true']\n        interval: 1s\n"
        ),
        "interval 1s is outside",
        "ecs-params.yml",
        7,
    ),
    (
        "efs access point with a root directory",
        WEB + "    volumes: ['data:/data']\nvolumes:\n  data: {}\n",
        (
            "version: 1\ntask_definition:\n  efs_volumes:\n    - name: data\n"
            "      filesystem_id: fs-0123456789abcdef0\n      access_point: fsap-0123456789abcdef0\n"
            "      transit_encryption: ENABLED\n      root_directory: /srv\n"
        ),
        "must be / or absent with an access_point",
        "ecs-params.yml",
        8,
    ),
    (
        "capacity providers without weight",
        WEB,
        "version: 1\nrun_params:\n  capacity_provider_strategy:\n    - capacity_provider: FARGATE_SPOT\n",
        "no capacity provider has a weight above 0",
        "ecs-params.yml",
        3,
    ),
    (
        "capacity provider listed twice",
        WEB,
        (
            "version: 1\nrun_params:\n  capacity_provider_strategy:\n"
            "    - {capacity_provider: FARGATE, weight: 1}\n    - {capacity_provider: FARGATE, base: 1}\n"
        ),
        "FARGATE is listed twice",
        "ecs-params.yml",
        5,
    ),
    (
        "fargate spot for windows",
        WEB,
        (
            "version: 1\ntask_definition:\n  os_family: WINDOWS_SERVER_2019_CORE\n"
            "  task_size: {cpu_limit: 1024, mem_limit: 2GB}\nrun_params:\n"
            "  capacity_provider_strategy:\n    - {capacity_provider: FARGATE_SPOT, weight: 1}\n"
        ),
        "FARGATE_SPOT runs Linux tasks only",
        "ecs-params.yml",
        6,
    ),
    (
        "windows with a pid mode",
        WEB,
        (
            "version: 1\ntask_definition:\n  os_family: WINDOWS_SERVER_2022_CORE\n  pid_mode: task\n"
            "  task_size: {cpu_limit: 1024, mem_limit: 2GB}\n"
        ),
        "Windows tasks on Fargate have no PID mode",
        "ecs-params.yml",
        4,
    ),
    (
        "windows with a user",
        WEB + "    user: '1000'\n",
        (
            "version: 1\ntask_definition:\n  os_family: WINDOWS_SERVER_2022_CORE\n"
            "  task_size: {cpu_limit: 1024, mem_limit: 2GB}\n"
        ),
        "user: Linux only",
        "docker-compose.yml",
        2,
    ),
    (
        "container memory from ecs-params",
        WEB,
        "version: 1\ntask_definition:\n  services:\n    web:\n      mem_limit: 4m\n",
        "below the 6 MiB",
        "ecs-params.yml",
        5,
    ),
    (
        "file secret",
        WEB + "    secrets: [token]\nsecrets:\n  token:\n    file: /srv/token.txt\n",
        None,
        "outside the project directory",
        "docker-compose.yml",
        7,
    ),
    (
        "completion target essential",
        WEB + "    depends_on:\n      job: {condition: service_completed_successfully}\n"
        "  job:\n    image: busybox\n",
        "version: 1\ntask_definition:\n  services:\n    job:\n      essential: true\n",
        "job is essential",
        "docker-compose.yml",
        5,
    ),
    (
        "port name with capitals",
        WEB + "    ports:\n      - {target: 80, published: '80', name: Web_HTTP}\n",
        None,
        'port name "Web_HTTP" is not valid for ECS',
        "docker-compose.yml",
        5,
    ),
    (
        "port name starting with a hyphen",
        WEB + "    ports:\n      - target: 80\n        name: '-http'\n",
        None,
        'port name "-http" is not valid for ECS',
        "docker-compose.yml",
        6,
    ),
    (
        "port name used by two services of one task",
        WEB + "    ports:\n      - {target: 80, name: http}\n"
        "  admin:\n    image: nginx\n    ports:\n      - target: 8080\n        name: http\n",
        None,
        'port name "http" is also used by a port of web',
        "docker-compose.yml",
        10,
    ),
    (
        "port name used twice by one service",
        WEB + "    ports:\n      - {target: 80, name: http}\n      - target: 81\n        name: http\n",
        None,
        'port name "http" is also used by another port',
        "docker-compose.yml",
        7,
    ),
    (
        "service names that differ only in case",
        WEB + "    expose: ['80']\n  Web:\n    image: nginx\n    expose: ['8080']\n",
        "version: 1\nrun_params:\n  layout: service\n",
        'services Web and web would have the same DNS name "web"',
        "docker-compose.yml",
        5,
    ),
    (
        "volume subpath",
        WEB + "    volumes:\n      - type: volume\n        source: data\n        target: /data\n"
        "        volume:\n          subpath: sub\nvolumes:\n  data: {}\n",
        None,
        "only whole, not a subdirectory",
        "docker-compose.yml",
        9,
    ),
    (
        "expose protocol",
        WEB + "    expose: ['3000/sctp']\n",
        None,
        "protocol sctp is not supported by ECS",
        "docker-compose.yml",
        4,
    ),
    (
        "log group name",
        WEB + "    logging:\n      driver: awslogs\n      options:\n        awslogs-group: 'my group'\n",
        None,
        '"my group" is not a CloudWatch Logs group name',
        "docker-compose.yml",
        7,
    ),
    (
        "log stream prefix",
        WEB + "    logging:\n      driver: awslogs\n      options:\n        awslogs-stream-prefix: 'a:b'\n",
        None,
        '"a:b" cannot start CloudWatch Logs stream names',
        "docker-compose.yml",
        7,
    ),
    (
        "log region in another partition",
        WEB + "    logging:\n      driver: awslogs\n      options:\n        awslogs-region: cn-north-1\n",
        None,
        "another AWS partition",
        "docker-compose.yml",
        7,
    ),
    (
        "secret log option",
        WEB + "    logging:\n      driver: splunk\n      options:\n        splunk-url: https://splunk:8088\n"
        "        splunk-token: not-for-your-eyes\n",
        None,
        "splunk-token holds a secret",
        "docker-compose.yml",
        8,
    ),
    (
        "firelens without router",
        WEB + "    logging: {driver: awsfirelens}\n",
        None,
        "needs a log router",
        "docker-compose.yml",
        4,
    ),
]


@pytest.mark.parametrize(
    ("compose", "params", "words", "file", "line"), [r[1:] for r in RULES], ids=[r[0] for r in RULES]
)
def test_convert_refuses_what_fargate_refuses(
    isolated: Path,
    capsys: pytest.CaptureFixture[str],
    compose: str,
    params: str | None,
    words: str | None,
    file: str,
    line: int | None,
) -> None:
    files: dict[str, str | bytes] = {"docker-compose.yml": compose, "token.txt": "x"}
    if params is not None:
        files["ecs-params.yml"] = params
    write(isolated, files)
    result = run(capsys, "convert", "--region", "us-east-1")
    assert_input_error(result)
    matching = [e for e in result.errors if words is None or words in e]
    assert matching, result.err
    assert location_re(file, line).search(matching[0]), matching[0]


SERVICE_LAYOUT = "version: 1\nrun_params:\n  layout: service\n"

# Keys that convert with a difference: (id, compose file, ecs-params.yml or None, key, status, words
# in the message, line).
REPORTED = [
    (
        "loopback port",
        WEB + "    ports: ['127.0.0.1:5432:5432']\n",
        None,
        "services.web.ports[0].host_ip",
        "approximated",
        "published on 127.0.0.1 only, so not reachable from outside the host",
        4,
    ),
    (
        "IPv6 loopback port",
        WEB + "    ports: ['[::1]:5432:5432']\n",
        None,
        "services.web.ports[0].host_ip",
        "approximated",
        "not opened to the internet",
        4,
    ),
    (
        "service name with capitals as a DNS name",
        "services:\n  NGINX:\n    image: nginx\n    ports: ['80:80']\n",
        SERVICE_LAYOUT,
        "services.NGINX",
        "mapped",
        'reachable through Service Connect as "nginx"',
        2,
    ),
    (
        "generated port name taken by a user's name",
        WEB
        + "    expose: ['8080']\n  api:\n    image: x\n    ports:\n      - {target: 9000, name: web-8080}\n",
        None,
        "services.web.expose[0]",
        "mapped",
        'port named "web-8080-2": "web-8080" is taken by api',
        4,
    ),
    (
        "healthcheck without test",
        WEB + "    healthcheck:\n      interval: 10s\n",
        None,
        "services.web.healthcheck",
        "ignored",
        "ECS ignores it, so the container has no health check",
        4,
    ),
    (
        "entrypoint cleared for a command",
        WEB + "    entrypoint: ''\n    command: [nginx, -g, 'daemon off;']\n",
        None,
        "services.web.entrypoint",
        "mapped",
        'cleared with entryPoint [""]',
        4,
    ),
    (
        "entrypoint cleared without a command",
        WEB + "    entrypoint: []\n",
        None,
        "services.web.entrypoint",
        "approximated",
        "the image's ENTRYPOINT still runs",
        4,
    ),
    (
        "empty command",
        WEB + "    command: []\n",
        None,
        "services.web.command",
        "ignored",
        "does not clear the image's CMD",
        4,
    ),
    (
        "empty command with an entrypoint",
        WEB + "    entrypoint: [/run.sh]\n    command: ''\n",
        None,
        "services.web.command",
        "mapped",
        "the image's CMD is not used",
        5,
    ),
    (
        "volume nocopy",
        WEB + "    volumes:\n      - type: volume\n        source: data\n        target: /data\n"
        "        volume:\n          nocopy: true\nvolumes:\n  data: {}\n",
        None,
        "services.web.volumes[0].volume.nocopy",
        "approximated",
        "nocopy has no ECS field",
        9,
    ),
]


@pytest.mark.parametrize(
    ("compose", "params", "key", "status", "words", "line"),
    [r[1:] for r in REPORTED],
    ids=[r[0] for r in REPORTED],
)
def test_convert_reports_what_does_not_map_one_to_one(
    isolated: Path,
    capsys: pytest.CaptureFixture[str],
    compose: str,
    params: str | None,
    key: str,
    status: str,
    words: str,
    line: int,
) -> None:
    files: dict[str, str | bytes] = {"docker-compose.yml": compose}
    if params is not None:
        files["ecs-params.yml"] = params
    write(isolated, files)
    result = run(capsys, "convert", "--output", "json", "--region", "us-east-1")
    problems = [p for p in json.loads(result.out)["problems"] if p["key"] == key]
    assert problems, result.out
    [problem] = problems
    assert (problem["status"], problem["file"], problem["line"]) == (status, "docker-compose.yml", line)
    assert words in problem["message"], problem["message"]
    assert result.code == (2 if status == "rejected" else 0), result.err


def test_json_output_lists_refusals_as_problems_with_positions(
    isolated: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(isolated, {"docker-compose.yml": WEB + "    privileged: true\n    restart: always\n"})
    result = run(capsys, "convert", "--output", "json", "--region", "us-east-1")
    assert result.code == 2
    problems = json.loads(result.out)["problems"]
    by_key = {p["key"]: p for p in problems}
    assert by_key["services.web.privileged"] == {
        "severity": "error",
        "status": "rejected",
        "code": "fargate-unsupported",
        "file": "docker-compose.yml",
        "line": 4,
        "column": 5,
        "key": "services.web.privileged",
        "message": "Fargate does not run privileged containers",
    }
    assert by_key["services.web.restart"]["status"] == "ignored"
    assert by_key["services.web.restart"]["line"] == 5


def test_all_refusals_are_reported_at_once(isolated: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(
        isolated,
        {
            "docker-compose.yml": WEB + "    privileged: true\n    ports: ['8080:80']\n    pid: host\n",
            "ecs-params.yml": OWN_NETWORK,
        },
    )
    result = run(capsys, "convert", "--region", "us-east-1")
    assert_input_error(result)
    assert len(result.errors) == 3, result.err
    assert "3 problems found." in result.err


def test_ecs_params_errors_have_file_and_line(isolated: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(
        isolated,
        {
            "docker-compose.yml": WEB,
            "ecs-params.yml": "version: 1\ntask_definition:\n  task_size:\n    memory_limit: 512\n",
        },
    )
    result = run(capsys, "convert")
    assert_input_error(result)
    assert location_re("ecs-params.yml", 4).search(result.errors[0])
    assert 'did you mean "mem_limit"' in result.err


def test_role_policy_errors_have_file_and_line(isolated: Path, capsys: pytest.CaptureFixture[str]) -> None:
    statement = (
        '{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}'
    )
    policy = '{\n  "Version": "2012-10-17",\n  "Statement": [\n    ' + statement + "\n  ]\n}\n"
    write(isolated, {"docker-compose.yml": WEB, "task-execution-assume-role.json": policy})
    result = run(capsys, "convert")
    assert_input_error(result)
    assert location_re("task-execution-assume-role.json", 4).search(result.errors[0]), result.err
    assert "ecs-tasks.amazonaws.com" in result.err


def test_a_convertible_project_exits_0_with_a_summary(
    isolated: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(isolated, {"docker-compose.yml": WEB + "    restart: always\n"})
    result = run(capsys, "convert", "--region", "eu-central-1")
    assert result.code == 0, result.err
    assert "task definition" in result.out
    assert "[ignored] docker-compose.yml:4:5: services.web.restart" in result.out


def test_a_project_wide_ecs_params_refusal_is_reported_once_per_project(
    isolated: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    compose = "services:\n  a:\n    image: x\n  b:\n    image: y\n"
    write(
        isolated,
        {"docker-compose.yml": compose, "ecs-params.yml": "version: 1\ntask_definition:\n  ipc_mode: host\n"},
    )
    result = run(capsys, "convert", "--region", "us-east-1", "--layout", "service")
    assert_input_error(result)
    assert len([e for e in result.errors if "IPC" in e]) == 1, result.err


def _converted(
    capsys: pytest.CaptureFixture[str], root: Path, files: dict[str, str | bytes], *args: str
) -> Any:
    """Write the project, convert it to JSON; it must convert (exit 0)."""
    write(root, files)
    result = run(capsys, "convert", "--output", "json", "--region", "us-east-1", *args)
    assert result.code == 0, result.err
    return json.loads(result.out)


def _refusal(capsys: pytest.CaptureFixture[str], root: Path, files: dict[str, str | bytes]) -> str:
    """Write the project, convert it; it must be refused with exactly one error, which is returned."""
    write(root, files)
    result = run(capsys, "convert", "--region", "us-east-1")
    assert_input_error(result)
    (error,) = result.errors
    return error


def test_ecs_params_for_a_service_not_in_the_project_is_a_warning(
    isolated: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # ecs-cli ignored these; one ecs-params.yml often serves several compose files or profiles.
    params = "version: 1\ntask_definition:\n  services:\n    wbe:\n      essential: true\n"
    document = _converted(capsys, isolated, {"docker-compose.yml": WEB, "ecs-params.yml": params})
    problems = {p["key"]: p for p in document["problems"]}
    warning = problems["task_definition.services.wbe"]
    assert (warning["severity"], warning["file"], warning["line"]) == ("warning", "ecs-params.yml", 4)
    assert 'no compose service named "wbe"' in warning["message"]
    assert "services: web" in warning["message"]


JOB = """\
services:
  web:
    image: nginx
    depends_on:
      migrate: {condition: service_completed_successfully}
  migrate:
    image: example/migrate
"""


def test_a_job_runs_once_in_the_task_of_the_service_waiting_for_it(
    isolated: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    document = _converted(capsys, isolated, {"docker-compose.yml": JOB}, "--layout", "service")
    # One ECS service: as a service of its own, ECS would restart the job every time it exits.
    (ecs_service,) = document["services"]
    assert ecs_service["serviceName"].endswith("-web")
    (task,) = document["taskDefinitions"]
    by_name = {c["name"]: c for c in task["containerDefinitions"]}
    assert by_name["migrate"]["essential"] is False
    assert by_name["web"]["dependsOn"] == [{"containerName": "migrate", "condition": "SUCCESS"}]
    (mapped,) = [p for p in document["problems"] if p["code"] == "job-in-task"]
    assert (mapped["key"], mapped["line"], mapped["severity"]) == (
        "services.web.depends_on.migrate",
        5,
        "info",
    )


def test_a_job_awaited_by_several_services_is_reported(
    isolated: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    compose = JOB + "  api:\n    image: example/api\n    depends_on:\n      migrate:\n"
    compose += "        condition: service_completed_successfully\n"
    document = _converted(capsys, isolated, {"docker-compose.yml": compose}, "--layout", "service")
    assert len(document["services"]) == 3
    warnings = [p for p in document["problems"] if p["code"] == "job-as-service"]
    assert len(warnings) == 1
    assert warnings[0]["severity"] == "warning"
    assert "awaited by web, api" in warnings[0]["message"]


def test_a_refusal_in_an_included_file_points_into_that_file(
    isolated: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    error = _refusal(
        capsys,
        isolated,
        {
            "docker-compose.yml": "include:\n  - sub/other.yml\n" + WEB,
            "sub/other.yml": "services:\n  db:\n    image: postgres\n    privileged: true\n",
        },
    )
    assert location_re("sub/other.yml", 4).search(error), error


def test_assign_public_ip_disabled_without_subnets_is_reported(
    isolated: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    params = (
        "version: 1\nrun_params:\n  network_configuration:\n    awsvpc_configuration:\n"
        "      assign_public_ip: DISABLED\n"
    )
    document = _converted(capsys, isolated, {"docker-compose.yml": WEB, "ecs-params.yml": params})
    problems = document["problems"]
    (warning,) = [p for p in problems if p["key"].endswith("assign_public_ip")]
    assert (warning["severity"], warning["file"], warning["line"]) == ("warning", "ecs-params.yml", 5)
    assert "need a public IP to pull images" in warning["message"]


TWO = "services:\n  web:\n    image: nginx\n  migrate:\n    image: example/migrate\n"


def test_ecs_params_depends_on_orders_the_containers(
    isolated: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # ecs-cli's only way to order containers: migrated files must keep their order.
    params = (
        "version: 1\ntask_definition:\n  services:\n    migrate:\n      essential: false\n    web:\n"
        "      depends_on:\n        - container_name: migrate\n          condition: SUCCESS\n"
    )
    document = _converted(capsys, isolated, {"docker-compose.yml": TWO, "ecs-params.yml": params})
    (task,) = document["taskDefinitions"]
    web = next(c for c in task["containerDefinitions"] if c["name"] == "web")
    assert web["dependsOn"] == [{"containerName": "migrate", "condition": "SUCCESS"}]


def test_ecs_params_depends_on_an_unknown_container_is_refused(
    isolated: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    params = (
        "version: 1\ntask_definition:\n  services:\n    web:\n"
        "      depends_on:\n        - container_name: migrat\n          condition: START\n"
    )
    error = _refusal(capsys, isolated, {"docker-compose.yml": TWO, "ecs-params.yml": params})
    assert "no container named migrat" in error
    assert location_re("ecs-params.yml", 6).search(error), error


def test_a_cleared_entrypoint_is_sent_as_dockers_empty_entrypoint(
    isolated: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    document = _converted(
        capsys,
        isolated,
        {
            "docker-compose.yml": WEB + "    entrypoint: ''\n    command: [nginx]\n  job:\n    image: x\n"
            "    entrypoint: []\n    command: []\n"
        },
    )
    web, job = document["taskDefinitions"][0]["containerDefinitions"]
    assert (web["entryPoint"], web["command"]) == ([""], ["nginx"])
    assert "entryPoint" not in job
    assert "command" not in job


def test_a_healthcheck_without_test_takes_its_command_from_ecs_params(
    isolated: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    params = (
        "version: 1\ntask_definition:\n  services:\n    web:\n      healthcheck:\n"
        "        test: [CMD, 'true']\n"
    )
    document = _converted(
        capsys,
        isolated,
        {"docker-compose.yml": WEB + "    healthcheck:\n      interval: 10s\n", "ecs-params.yml": params},
    )
    [web] = document["taskDefinitions"][0]["containerDefinitions"]
    assert web["healthCheck"] == {"command": ["CMD", "true"], "interval": 10}
    assert not [p for p in document["problems"] if p["code"] == "healthcheck-without-test"]


def test_a_secret_log_option_is_never_printed_nor_sent(
    isolated: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    logging = (
        "    logging:\n      driver: awsfirelens\n      options:\n        Name: datadog\n"
        "        apikey: not-for-your-eyes\n"
    )
    router = "  router:\n    image: fluent-bit\n"
    params = (
        "version: 1\ntask_definition:\n  services:\n    router:\n      firelens_configuration:\n"
        "        type: fluentbit\n"
    )
    write(isolated, {"docker-compose.yml": WEB + logging + router, "ecs-params.yml": params})
    for output in ("json", "text", "yaml"):
        result = run(capsys, "convert", "--output", output, "--region", "us-east-1")
        assert_input_error(result)
        assert "not-for-your-eyes" not in result.out + result.err
        assert "apikey holds a secret" in result.err


def test_a_refusal_inherited_through_extends_points_into_the_base_file(
    isolated: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    error = _refusal(
        capsys,
        isolated,
        {
            "docker-compose.yml": (
                "services:\n  web:\n    extends:\n      file: sub/base.yml\n      service: base\n"
            ),
            "sub/base.yml": "services:\n  base:\n    image: nginx\n    ports:\n      - '8080:80'\n",
            "ecs-params.yml": OWN_NETWORK,
        },
    )
    assert "services.web.ports[0]: host port 8080 differs" in error
    assert location_re("sub/base.yml", 5).search(error), error


def test_a_key_the_extending_service_overrides_points_at_its_own_file(
    isolated: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    error = _refusal(
        capsys,
        isolated,
        {
            "docker-compose.yml": (
                "services:\n  web:\n    extends: {file: base.yml, service: base}\n    privileged: true\n"
            ),
            "base.yml": "services:\n  base:\n    image: nginx\n    privileged: true\n",
        },
    )
    assert location_re("docker-compose.yml", 4).search(error), error


def test_an_interpolated_extends_file_is_followed_too(
    isolated: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The loader records where each service's base is, after interpolation, so locating follows it.
    error = _refusal(
        capsys,
        isolated,
        {
            "docker-compose.yml": 'services:\n  web:\n    extends: {file: "${BASE}", service: base}\n',
            ".env": "BASE=sub/base.yml\n",
            "sub/base.yml": "services:\n  base:\n    image: nginx\n    ports: ['8080:80']\n",
            "ecs-params.yml": OWN_NETWORK,
        },
    )
    assert location_re("sub/base.yml", 4).search(error), error


FIRELENS_APP = """\
services:
  app:
    image: nginx
    logging:
      driver: awsfirelens
      options:
        Name: cloudwatch
  log_router:
    image: amazon/aws-for-fluent-bit
    network_mode: service:app
"""
FIRELENS_PARAMS = (
    "version: 1\ntask_definition:\n  services:\n    log_router:\n      firelens_configuration:\n"
    "        type: fluentbit\n"
)


@pytest.mark.parametrize("layout", ["project", "service"])
def test_the_log_router_starts_before_the_containers_that_log_through_it(
    isolated: Path, capsys: pytest.CaptureFixture[str], layout: str
) -> None:
    files: dict[str, str | bytes] = {"docker-compose.yml": FIRELENS_APP, "ecs-params.yml": FIRELENS_PARAMS}
    document = _converted(capsys, isolated, files, "--layout", layout)
    (task,) = document["taskDefinitions"]
    by_name = {c["name"]: c for c in task["containerDefinitions"]}
    # network_mode: service:app made the router wait for app; FireLens needs the opposite.
    assert by_name["app"]["dependsOn"] == [{"containerName": "log_router", "condition": "START"}]
    assert "dependsOn" not in by_name["log_router"]
    (mapped,) = [p for p in document["problems"] if p["code"] == "firelens-order"]
    assert "log router log_router starts first: app waits for it" in mapped["message"]


HEALTH = "    healthcheck:\n      test: [CMD, 'true']\n      interval: 3s\n      retries: 20\n"


def test_strict_turns_every_approximation_into_an_error(
    isolated: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(isolated, {"docker-compose.yml": WEB + HEALTH + "    restart: always\n"})

    lenient = run(capsys, "convert", "--region", "us-east-1")
    strict = run(capsys, "convert", "--region", "us-east-1", "--strict")

    assert lenient.code == 0, lenient.err
    assert "[approximated] docker-compose.yml:6:7: services.web.healthcheck.interval" in lenient.out
    assert_input_error(strict)
    [error] = strict.errors  # the approximation only: what is ignored (restart) stays a warning
    assert location_re("docker-compose.yml", 6).search(error), error
    assert "(an approximation: --strict)" in error


BROAD = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "ecs-tasks.amazonaws.com"},
                "Action": "sts:AssumeRole",
            },
            {"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"},
        ],
    },
    indent=2,
)


def test_a_trust_policy_anyone_can_assume_is_refused_unless_ecs_params_allows_it(
    isolated: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(isolated, {"docker-compose.yml": WEB, "task-execution-assume-role.json": BROAD})

    refused = run(capsys, "convert", "--region", "us-east-1")

    assert_input_error(refused)
    [error] = refused.errors
    assert location_re("task-execution-assume-role.json", 13).search(error), error  # "Principal": "*"
    assert 'Principal "*" lets anyone, in any account, assume the role' in error
    write(isolated, {"ecs-params.yml": "version: 1\nallow_broad_trust_policy: true\n"})
    allowed = run(capsys, "convert", "--region", "us-east-1")
    assert allowed.code == 0, allowed.err
