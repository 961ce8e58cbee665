"""Count and time the AWS API calls of `diff` and of a no-op `up`, against the local emulator.

Usage: .venv/bin/python benchmarks/aws_calls.py [--runs N] [--latency-ms MS]

For a project of 1 service (project layout) and one of 10 services (service layout: 10 ECS
services, 10 task definitions, Service Connect between them), deployed once with `up`.
`--latency-ms` makes the emulator delay every AWS request, so the wall times show what the
reads cost when each call takes what it takes on AWS (tens of milliseconds).
- the API calls `diff` and a no-op `up` make, by operation, next to the minimum the AWS APIs allow
  for what a diff must read (batch sizes and page sizes as documented); calls above the minimum
  carry the reason, and a call above the minimum without a known reason is flagged UNEXPECTED;
- whether the no-op `up` made zero writes (the calls are counted in-process, on the code path the
  CLI runs: convert, plan, and apply only when the plan is not in sync);
- the wall time of `diff` and of the no-op `up` as whole processes (median of N runs);
- the wall time of `read_state` alone with concurrent (8 workers, the default) and sequential reads.
Exit status 1 when a call is above the minimum for no known reason or the no-op `up` wrote anything;
2 (after printing the command's output) when a project fails to deploy or is not in sync right after
its `up`, e.g. because the emulator drops a field: there is then no no-op `up` to measure.
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from compose2ecs.apply import ApplyOptions, apply_plan  # noqa: E402
from compose2ecs.aws import AwsSettings, BotoGateway  # noqa: E402
from compose2ecs.load import ProjectOptions  # noqa: E402
from compose2ecs.workflow import Conversion, ConvertOptions, convert, plan  # noqa: E402
from tests.emulator import REGION, start_emulator  # noqa: E402
from tests.emulator import writes as write_calls  # noqa: E402

if TYPE_CHECKING:
    from collections import Counter
    from collections.abc import Callable, Mapping

    from compose2ecs.model import DesiredState
    from compose2ecs.model.deployed import DeployedState

OURS = REPO / ".venv" / "bin" / "compose2ecs"
CLUSTER = "default"
UP_TIMEOUT = "60"
# Settings a developer's shell may carry that would change what the CLI does.
DROPPED_ENV = (
    "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_REGION", "AWS_SESSION_TOKEN", "COMPOSE_FILE",
    "COMPOSE_PROFILES", "COMPOSE_PROJECT_NAME", "COMPOSE2ECS_CLUSTER",
)  # fmt: skip

# The documented limits of the read APIs.
DESCRIBE_SERVICES_MAX = 10  # names per DescribeServices
DESCRIBE_SCALABLE_TARGETS_MAX = 50  # resource ids per DescribeScalableTargets
DESCRIBE_LOG_GROUPS_PAGE = 50  # log groups per DescribeLogGroups page
IAM_LIST_PAGE = 100  # ListAttachedRolePolicies / ListRolePolicies items per page (MaxItems default)
TAGS_FOR_DOWN = (
    "+{extra} over minimum: ownership tags (whose it is; a shared log group or role counts its users)"
)

# Reads the preflight makes so that `up` refuses before any write what would fail after some, and
# the one ownership needs to know what the deployment has without local state.
PREFLIGHT = {
    "ec2:DescribeVpcs": "preflight: the region has the default VPC the project network needs",
    "ec2:DescribeSubnets": "preflight: the subnets ecs-params names exist, in one VPC; or the zones of the "
    "default VPC's subnets (a load balancer takes one per zone, an ALB needs two)",
    "tagging:GetResources": "ownership: the deployment's own services, revisions, load balancers and "
    "target groups, by their tags (orphans, the other layout, revisions of other clusters or made by hand)",
}


@dataclass(frozen=True)
class ProjectSpec:
    name: str
    label: str
    compose: str
    layout: str | None  # None: the default (project) layout
    ecs_params: str = ""

    def cli_args(self) -> list[str]:
        return ["-p", self.name, *(["--layout", self.layout] if self.layout else [])]


def _one_service() -> ProjectSpec:
    compose = "services:\n  web:\n    image: nginx:1.27\n    ports:\n      - '80:80'\n"
    return ProjectSpec("bench1", "1 service (project layout)", compose, None)


def _ten_services() -> ProjectSpec:
    lines = ["services:"]
    for i in range(10):
        lines += [f"  s{i}:", "    image: nginx:1.27", "    expose:", "      - '8080'"]
        if i == 0:
            lines += ["    ports:", "      - '80:80'"]
    return ProjectSpec(
        "bench10", "10 services (service layout)", "\n".join(lines) + "\n", "service", "version: 1\n"
    )


@dataclass(frozen=True)
class Row:
    operation: str
    calls: int
    minimum: int
    note: str
    unexpected: bool = False


class _Silent:
    """apply's progress sink: the benchmark prints its own report."""

    def step(self, message: str) -> None:
        pass

    def service(self, name: str, service: dict[str, Any], new_events: list[dict[str, Any]]) -> None:
        pass


# ---------------------------------------------------------------------------------------------
# Environment and subprocesses.


def _aws_env(endpoint: str) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if k not in DROPPED_ENV and not k.startswith("AWS_ENDPOINT_URL")
    }
    env.update(
        AWS_ENDPOINT_URL=endpoint,
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_DEFAULT_REGION=REGION,
        AWS_CONFIG_FILE="/dev/null",
        AWS_SHARED_CREDENTIALS_FILE="/dev/null",
        AWS_EC2_METADATA_DISABLED="true",
    )
    return env


def _run(
    command: str, project: ProjectSpec, cwd: Path, env: Mapping[str, str], *extra: str
) -> subprocess.CompletedProcess[str]:
    argv = [str(OURS), command, *project.cli_args(), *extra]
    return subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, check=False)


def _fail(what: str, proc: subprocess.CompletedProcess[str]) -> SystemExit:
    print(f"\n{what} (exit {proc.returncode})\n--- stdout ---\n{proc.stdout}\n--- stderr ---\n{proc.stderr}")
    return SystemExit(2)


def _deploy(project: ProjectSpec, cwd: Path, env: Mapping[str, str]) -> None:
    """`up` once, then `diff` must say in sync: a project never in sync against moto stops the run."""
    proc = _run("up", project, cwd, env, "--timeout", UP_TIMEOUT)
    if proc.returncode != 0:
        raise _fail(f"{project.label}: the first `up` failed", proc)
    proc = _run("diff", project, cwd, env)
    if proc.returncode != 0:
        raise _fail(
            f"{project.label}: `diff` right after `up` is not in sync, "
            "so there is no no-op `up` to measure; stopping",
            proc,
        )


def _median_wall(
    command: str,
    project: ProjectSpec,
    cwd: Path,
    env: Mapping[str, str],
    *,
    runs: int,
    check: Callable[[subprocess.CompletedProcess[str]], bool],
    extra: tuple[str, ...] = (),
) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        proc = _run(command, project, cwd, env, *extra)
        samples.append(time.perf_counter() - start)
        if not check(proc):
            raise _fail(f"{project.label}: `{command}` failed or did not report in sync", proc)
    return statistics.median(samples)


# ---------------------------------------------------------------------------------------------
# In-process: the CLI's code path, with the gateway's call counter.


def _convert(project: ProjectSpec, cwd: Path, env: Mapping[str, str]) -> Conversion:
    options = ConvertOptions(
        ProjectOptions(cwd=str(cwd), project_name=project.name, environ=dict(env)),
        layout=project.layout,
        region=REGION,
    )
    conversion = convert(options, env)
    if conversion.errors:
        raise SystemExit(f"{project.label}: convert refused the project: {conversion.errors}")
    return conversion


def _gateway(endpoint: str, max_workers: int = 8) -> BotoGateway:
    return BotoGateway.from_settings(
        AwsSettings(region=REGION, endpoint_url=endpoint), max_workers=max_workers
    )


def _calls_of_diff(conversion: Conversion, endpoint: str) -> tuple[Counter[str], DeployedState]:
    gateway = _gateway(endpoint)
    deployment = plan(conversion, gateway, CLUSTER)
    if not deployment.plan.in_sync:
        raise SystemExit(f"{conversion.desired.project}: the in-process plan is not in sync")
    return gateway.calls, deployment.deployed


def _calls_of_noop_up(conversion: Conversion, endpoint: str) -> Counter[str]:
    """What `up` does (cli/main.py): plan, then apply unless in sync; every call is counted."""
    gateway = _gateway(endpoint)
    deployment = plan(conversion, gateway, CLUSTER)
    if not deployment.plan.in_sync:
        options = ApplyOptions(CLUSTER, wait=True, timeout=float(UP_TIMEOUT))
        apply_plan(deployment.plan, conversion.desired, deployment.deployed, gateway, options, _Silent())
    return gateway.calls


def _read_state_wall(conversion: Conversion, endpoint: str, max_workers: int, runs: int) -> float:
    gateway = _gateway(endpoint, max_workers)
    gateway.read_state(conversion.desired, CLUSTER)  # warm-up: clients and connections
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        gateway.read_state(conversion.desired, CLUSTER)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


# ---------------------------------------------------------------------------------------------
# The minimum: what a diff must read, in as few calls as the APIs' documented limits allow.


def _pages(items: int, page: int) -> int:
    return max(1, math.ceil(items / page))


def _log_group_minimum(desired: DesiredState) -> int:
    """Per region, one prefix for groups sharing one (50 per page), else one call per group."""
    total = 0
    by_region: dict[str, list[str]] = {}
    for group in desired.log_groups:
        by_region.setdefault(group.region, []).append(group.name)
    for names in by_region.values():
        shared = os.path.commonprefix(names)  # noqa: RUF071 - log-group prefixes are character-wise
        total += _pages(len(names), DESCRIBE_LOG_GROUPS_PAGE) if shared else len(names)
    return total


def minimum_reads(desired: DesiredState, deployed: DeployedState) -> dict[str, tuple[int, str]]:
    """Operation -> (minimum calls, what they read)."""
    services = len(desired.services)
    families = len(desired.task_definitions)
    roles = desired.roles
    inline = sum(len(deployed.roles[r.name].inline_policies) for r in roles if r.name in deployed.roles)
    attached = [len(deployed.roles[r.name].attached_policy_arns) for r in roles if r.name in deployed.roles]
    out: dict[str, tuple[int, str]] = {
        "ecs:DescribeClusters": (1, "the cluster"),
        "ecs:DescribeServices": (
            math.ceil(services / DESCRIBE_SERVICES_MAX),
            f"{services} service(s), {DESCRIBE_SERVICES_MAX} per call",
        ),
        "ecs:DescribeTaskDefinition": (families, f"latest revision of {families} family(ies); no batch API"),
        "iam:GetRole": (len(roles), f"{len(roles)} role(s)"),
        "iam:ListAttachedRolePolicies": (
            sum(_pages(n, IAM_LIST_PAGE) for n in attached) if attached else len(roles),
            "managed policies of each role",
        ),
        "iam:ListRolePolicies": (len(roles), "inline policy names of each role"),
        "iam:GetRolePolicy": (inline, f"{inline} inline policy document(s)"),
    }
    if desired.log_groups:
        out["logs:DescribeLogGroups"] = (
            _log_group_minimum(desired),
            f"{len(desired.log_groups)} log group(s), one prefix per region",
        )
        out["logs:ListTagsForResource"] = (0, "")
    if not any("networkConfiguration" in s for s in desired.services):
        out["ec2:DescribeSecurityGroups"] = (1, "the project security group (no network in ecs-params)")
    out["application-autoscaling:DescribeScalableTargets"] = (
        math.ceil(services / DESCRIBE_SCALABLE_TARGETS_MAX),
        f"the scaling of {services} service(s), {DESCRIBE_SCALABLE_TARGETS_MAX} per call (even unused)",
    )
    if deployed.scaling:
        out["application-autoscaling:DescribeScalingPolicies"] = (
            len(deployed.scaling),
            "each scalable target's policies",
        )
    if desired.load_balancers:
        balancers = len(desired.load_balancers)
        out["elasticloadbalancing:DescribeLoadBalancers"] = (1, f"{balancers} load balancer(s), by ARN")
        groups = len(desired.target_groups)
        out["elasticloadbalancing:DescribeTargetGroups"] = (1, f"{groups} target group(s), by ARN")
        out["elasticloadbalancing:DescribeListeners"] = (balancers, "the listeners of each load balancer")
        out["elasticloadbalancing:DescribeTargetGroupAttributes"] = (
            groups,
            "each target group's deregistration delay; no batch API",
        )
    if desired.needs_account:
        out["sts:GetCallerIdentity"] = (
            1,
            "the caller's account, which the trust policy compose2ecs writes names",
        )
    if desired.namespace:
        out["servicediscovery:ListNamespaces"] = (1, f"namespace {desired.namespace}")
        out["servicediscovery:ListTagsForResource"] = (0, "")
    return out


def compare(calls: Counter[str], minimum: Mapping[str, tuple[int, str]]) -> list[Row]:
    rows = []
    for operation in sorted(set(calls) | {k for k, (n, _) in minimum.items() if n}):
        made = calls.get(operation, 0)
        least, what = minimum.get(operation, (0, ""))
        extra = made - least
        unexpected = False
        if extra > 0 and operation.endswith(":ListTagsForResource"):
            note = TAGS_FOR_DOWN.format(extra=extra)
        elif extra > 0 and operation in PREFLIGHT:
            note = f"+{extra} over minimum: {PREFLIGHT[operation]}"
        elif extra > 0 and operation not in minimum:
            note, unexpected = f"UNEXPECTED: +{extra}, not a read a diff needs", True
        elif extra > 0:
            note, unexpected = f"UNEXPECTED: +{extra} over minimum ({what})", True
        elif extra < 0:
            note = f"{what} ({-extra} fewer than computed: not all exist?)"
        else:
            note = what
        rows.append(Row(operation, made, least, note, unexpected))
    return rows


# ---------------------------------------------------------------------------------------------
# Report.


def print_table(title: str, rows: list[Row]) -> None:
    print(f"\n{title}")
    print(f"  {'operation':52} {'calls':>5} {'min':>5}  note")
    for row in rows:
        print(f"  {row.operation:52} {row.calls:5} {row.minimum:5}  {row.note}")
    made, least = sum(r.calls for r in rows), sum(r.minimum for r in rows)
    print(f"  {'TOTAL':52} {made:5} {least:5}  {made - least:+d} over minimum")


@dataclass
class Outcome:
    unexpected: int = 0
    writes: int = 0


def bench_project(
    project: ProjectSpec, root: Path, endpoint: str, env: Mapping[str, str], *, runs: int, outcome: Outcome
) -> None:
    cwd = root / project.name
    cwd.mkdir()
    (cwd / "docker-compose.yml").write_text(project.compose)
    if project.ecs_params:
        (cwd / "ecs-params.yml").write_text(project.ecs_params)
    print(f"\n=== {project.label}: `compose2ecs ... {' '.join(project.cli_args())}` ===")
    _deploy(project, cwd, env)
    conversion = _convert(project, cwd, env)
    desired = conversion.desired
    print(
        f"deployed: {len(desired.services)} service(s), {len(desired.task_definitions)} task definition(s), "
        f"{len(desired.roles)} role(s), {len(desired.log_groups)} log group(s), "
        f"namespace {desired.namespace or 'none'}; `diff` exits 0"
    )

    diff_calls, deployed = _calls_of_diff(conversion, endpoint)
    up_calls = _calls_of_noop_up(conversion, endpoint)
    minimum = minimum_reads(desired, deployed)
    for command, calls in (("diff", diff_calls), ("no-op up", up_calls)):
        rows = compare(calls, minimum)
        print_table(f"{command}: API calls by operation", rows)
        outcome.unexpected += sum(r.unexpected for r in rows)
    writes = write_calls(up_calls)
    outcome.writes += len(writes)
    print(
        f"\ntotal calls: diff {diff_calls.total()}, no-op up {up_calls.total()}; "
        f"no-op up writes: {'none (zero write calls)' if not writes else ', '.join(writes)}"
    )
    if up_calls != diff_calls:
        print(f"note: the no-op up's calls differ from diff's: {sorted((up_calls - diff_calls).items())}")

    diff_wall = _median_wall("diff", project, cwd, env, runs=runs, check=lambda p: p.returncode == 0)
    up_wall = _median_wall(
        "up", project, cwd, env, runs=runs, check=lambda p: p.returncode == 0 and "nothing to do" in p.stdout
    )
    print(f"\nwall time, whole process, median of {runs}: diff {diff_wall * 1000:.0f} ms, ", end="")
    print(f"no-op up {up_wall * 1000:.0f} ms")
    convert_wall = _median_wall(
        "convert",
        project,
        cwd,
        env,
        runs=runs,
        check=lambda p: p.returncode == 0,
        extra=("--output", "json", "--region", REGION),
    )
    print(f"for reference, `convert` (load and translate, no AWS call): {convert_wall * 1000:.0f} ms")
    concurrent = _read_state_wall(conversion, endpoint, 8, runs)
    sequential = _read_state_wall(conversion, endpoint, 1, runs)
    print(
        f"read_state alone, median of {runs}: max_workers=8 {concurrent * 1000:.0f} ms, "
        f"max_workers=1 {sequential * 1000:.0f} ms ({sequential / concurrent:.1f}x)"
    )
    proc = _run("diff", project, cwd, env)
    if proc.returncode != 0:
        raise _fail(f"{project.label}: the no-op `up` runs changed something: `diff` is not in sync", proc)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=5, help="runs per wall-time median (default 5)")
    parser.add_argument(
        "--latency-ms",
        type=float,
        default=0.0,
        help="delay the emulator adds to every AWS request, as a call costs on AWS (e.g. 30)",
    )
    args = parser.parse_args()
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    outcome = Outcome()
    with (
        start_emulator(latency_ms=args.latency_ms, validate=False) as server,
        tempfile.TemporaryDirectory(prefix="aws-calls-") as tmp,
    ):
        env = _aws_env(server.endpoint)
        # The in-process gateway reads credentials and region from this process's environment.
        for name in DROPPED_ENV:
            os.environ.pop(name, None)
        os.environ.update(env)
        print(
            f"emulator {server.endpoint} ({args.latency_ms:g} ms per request), region {REGION}, "
            f"cluster {CLUSTER}"
        )
        for project in (_one_service(), _ten_services()):
            bench_project(project, Path(tmp), server.endpoint, env, runs=args.runs, outcome=outcome)
    print(
        f"\nsummary: {outcome.unexpected} operation(s) above the minimum without a known reason; "
        f"{outcome.writes} write operation(s) in the no-op up"
    )
    return 1 if outcome.unexpected or outcome.writes else 0


if __name__ == "__main__":
    sys.exit(main())
