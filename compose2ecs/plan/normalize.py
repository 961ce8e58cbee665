"""One canonical request shape for both sides of a comparison, so AWS's echo of a request equals it.

Desired requests (what `translate` builds) and deployed state (what describe_* returns) differ in
ways that mean nothing: read-only fields, defaults AWS fills in, list order, units, role ARNs vs
names. Every rule here removes one such difference, and is applied to both sides alike, so filling
a default can never hide a change the user made. The rules follow ecspresso's diff normalisation
plus Terraform's default filling (see the reference notes, diff-and-kompose.md 2.6).
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from compose2ecs.model import REQUEST_TAG, tags_dict

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from compose2ecs.model import PortRule

# RegisterTaskDefinition input members (botocore 1.44.8) except `tags`, which is compared apart.
# Projecting onto them (instead of deleting known read-only fields) means a response field AWS
# adds later can never show up as a difference.
TASK_DEFINITION_FIELDS = (
    "family",
    "containerDefinitions",
    "taskRoleArn",
    "executionRoleArn",
    "networkMode",
    "volumes",
    "placementConstraints",
    "requiresCompatibilities",
    "cpu",
    "memory",
    "pidMode",
    "ipcMode",
    "proxyConfiguration",
    "inferenceAccelerators",
    "ephemeralStorage",
    "runtimePlatform",
    "enableFaultInjection",
    "trustedExecutionConfiguration",
)

# CreateService input members that describe a service's configuration. serviceName, cluster and
# taskDefinition identify it (the planner compares the task definition by family:revision);
# clientToken is an idempotency token; tags are compared apart.
SERVICE_FIELDS = (
    "availabilityZoneRebalancing",
    "capacityProviderStrategy",
    "deploymentConfiguration",
    "deploymentController",
    "desiredCount",
    "enableECSManagedTags",
    "enableExecuteCommand",
    "healthCheckGracePeriodSeconds",
    "launchType",
    "loadBalancers",
    "networkConfiguration",
    "placementConstraints",
    "placementStrategy",
    "platformVersion",
    "propagateTags",
    "role",
    "schedulingStrategy",
    "serviceConnectConfiguration",
    "serviceRegistries",
    "volumeConfigurations",
    "vpcLatticeConfigurations",
)

# What UpdateService must be sent to take a setting back to what AWS uses when it is not set:
# leaving a member out of UpdateService keeps its current value, so a setting removed from the
# files would otherwise never leave AWS. Load balancers and service registries are not here:
# compose2ecs leaves those attached by someone else alone.
DEFAULT_DEPLOYMENT_CONFIGURATION: dict[str, Any] = {
    "maximumPercent": 200,
    "minimumHealthyPercent": 100,
    "deploymentCircuitBreaker": {"enable": False, "rollback": False},
}
SERVICE_RESETS: dict[str, Any] = {
    "capacityProviderStrategy": [],  # back to the service's launch type
    "deploymentConfiguration": DEFAULT_DEPLOYMENT_CONFIGURATION,
    "enableExecuteCommand": False,
    "enableECSManagedTags": False,
    "healthCheckGracePeriodSeconds": 0,
    "placementConstraints": [],
    "placementStrategy": [],
    "platformVersion": "LATEST",
    "propagateTags": "NONE",
    "serviceConnectConfiguration": {"enabled": False},
    "volumeConfigurations": [],
    "vpcLatticeConfigurations": [],
}

# UpdateService cannot change these: a difference means deleting and creating the service.
IMMUTABLE_SERVICE_FIELDS = ("schedulingStrategy", "deploymentController", "role")

# Maps whose keys are user data (labels, driver options, tags): empty-string values inside them
# are real values, so cleaning must not drop them.
_OPAQUE_MAPS = frozenset({"dockerLabels", "options", "driverOpts", "labels", "tags"})

# The source the project security group opens its ports to (compose `ports:` publish publicly).
ANYWHERE = "0.0.0.0/0"

_CPU_VCPU = re.compile(r"^\s*(\d*\.?\d+)\s*vcpu\s*$", re.IGNORECASE)
_MEMORY_GB = re.compile(r"^\s*(\d*\.?\d+)\s*gb\s*$", re.IGNORECASE)
_MEMORY_MB = re.compile(r"^\s*(\d+)\s*mi?b\s*$", re.IGNORECASE)
_PROTOCOLS = {"-1": "all", "6": "tcp", "17": "udp", "1": "icmp"}


# ---------------------------------------------------------------------------------------------
# Small value rules shared by every resource.


def role_name(value: Any) -> Any:
    """`arn:aws:iam::1:role/path/name` -> `name`; a bare name is returned as it is."""
    # Desired requests may name a role (`ecsTaskExecutionRole`) where AWS echoes its full ARN.
    return value.rsplit("/", 1)[-1] if isinstance(value, str) else value


def cpu_units(value: Any) -> Any:
    """Task cpu as AWS echoes it: an integer string of CPU units ("1 vCPU" -> "1024")."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return str(int(value))
    if isinstance(value, str):
        if match := _CPU_VCPU.match(value):
            return str(int(float(match[1]) * 1024))
        if value.strip().isdigit():
            return str(int(value))
    return value


def memory_mib(value: Any) -> Any:
    """Task memory as AWS echoes it: an integer string of MiB ("0.5GB" -> "512")."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return str(int(value))
    if isinstance(value, str):
        if match := _MEMORY_GB.match(value):
            return str(int(float(match[1]) * 1024))
        if match := _MEMORY_MB.match(value):
            return str(int(match[1]))
        if value.strip().isdigit():
            return str(int(value))
    return value


def _is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str | list | dict) and not value)


def clean(value: Any, key: str | None = None) -> Any:
    """Drop None, "", [] and {} recursively (AWS echoes omitted lists as [] and omits what you sent empty)."""
    if isinstance(value, dict):
        if key in _OPAQUE_MAPS:
            return {k: v for k, v in value.items() if v is not None}
        cleaned = {k: clean(v, k) for k, v in value.items()}
        return {k: v for k, v in cleaned.items() if not _is_empty(v)}
    if isinstance(value, list):
        items = [clean(v) for v in value]
        return [v for v in items if not _is_empty(v)]
    return value


def clean_dict(value: Mapping[str, Any]) -> dict[str, Any]:
    """`clean` for a mapping, typed as a dict."""
    return {k: v for k, v in ((k, clean(v, k)) for k, v in value.items()) if not _is_empty(v)}


def _sorted_by(items: Iterable[Any], *fields: str) -> list[Any]:
    """Sort a set-like list of dicts by some fields, then by its JSON text so equal keys stay stable."""

    def key(item: Any) -> tuple[tuple[int, int, str], ...]:
        text = json.dumps(item, sort_keys=True, default=str)
        if not isinstance(item, dict):
            return ((1, 0, text),)
        return (*(_sort_part(item.get(f)) for f in fields), (1, 0, text))

    return sorted(items, key=key)


def _sort_part(value: Any) -> tuple[int, int, str]:
    # Numbers (ports) sort numerically and before text, so 80 comes before 443.
    if isinstance(value, int) and not isinstance(value, bool):
        return (0, value, "")
    return (1, 0, "" if value is None else str(value))


# ---------------------------------------------------------------------------------------------
# Task definitions.


def normalize_task_definition(
    definition: Mapping[str, Any], extra_tags: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """A RegisterTaskDefinition request or a DescribeTaskDefinition result -> the canonical request."""
    out = clean_dict({k: definition[k] for k in TASK_DEFINITION_FIELDS if k in definition})
    # "bridge" is the documented default: an omitted value must compare as AWS reads it.
    out.setdefault("networkMode", "bridge")
    mode = out["networkMode"]
    out["containerDefinitions"] = _sorted_by(
        (_container(c, mode) for c in out.get("containerDefinitions", [])), "name"
    )
    # AWS echoes cpu and memory as integer strings whatever unit the request used.
    if "cpu" in out:
        out["cpu"] = cpu_units(out["cpu"])
    if "memory" in out:
        out["memory"] = memory_mib(out["memory"])
    # Desired may hold a bare role name where AWS echoes the role's ARN.
    for key in ("taskRoleArn", "executionRoleArn"):
        if key in out:
            out[key] = role_name(out[key])
    out["volumes"] = _sorted_by((_volume(v) for v in out.get("volumes", [])), "name")
    out["placementConstraints"] = _sorted_by(out.get("placementConstraints", []), "type", "expression")
    out["requiresCompatibilities"] = sorted(out.get("requiresCompatibilities", []))
    proxy = out.get("proxyConfiguration")
    if isinstance(proxy, dict) and "properties" in proxy:
        proxy["properties"] = _sorted_by(proxy["properties"], "name")
    # Fargate's default 20 GiB: the API accepts only 21-200 from a request, so 20 is AWS's echo.
    if out.get("ephemeralStorage") == {"sizeInGiB": 20}:
        del out["ephemeralStorage"]
    # Documented default false; AWS may echo it.
    if out.get("enableFaultInjection") is False:
        del out["enableFaultInjection"]
    # The request tag (REQUEST_TAG) is the gateway's, to find a revision after a lost answer.
    out["tags"] = {
        k: v
        for k, v in {**(extra_tags or {}), **tags_dict(definition.get("tags"))}.items()
        if k != REQUEST_TAG
    }
    return clean_dict(out)


def _container(container: dict[str, Any], network_mode: str) -> dict[str, Any]:
    c = dict(container)
    # "If omitted, a container is assumed to be essential."
    c.setdefault("essential", True)
    # ECS echoes cpu 0 for a container given no cpu share.
    c.setdefault("cpu", 0)
    # Documented default; AWS may or may not echo it.
    c.setdefault("versionConsistency", "enabled")
    # ECS drops environment entries without a value (and reportedly those with ""), so keeping them
    # on the desired side would report a difference that no deploy can remove.
    c["environment"] = _sorted_by(
        (e for e in c.get("environment", []) if isinstance(e, dict) and e.get("value") not in (None, "")),
        "name",
    )
    # Order of these carries no meaning to ECS; AWS may return them reordered.
    for key, fields in (
        ("secrets", ("name",)),
        ("environmentFiles", ("value",)),
        ("ulimits", ("name",)),
        ("systemControls", ("namespace",)),
        ("dependsOn", ("containerName",)),
        ("extraHosts", ("hostname",)),
        ("resourceRequirements", ("type",)),
    ):
        if key in c:
            c[key] = _sorted_by(c[key], *fields)
    c["portMappings"] = _sorted_by(
        (_port_mapping(p, network_mode) for p in c.get("portMappings", [])), "containerPort", "protocol"
    )
    c["mountPoints"] = _sorted_by(
        (_read_only_default(m) for m in c.get("mountPoints", [])), "containerPath", "sourceVolume"
    )
    c["volumesFrom"] = _sorted_by(
        (_read_only_default(v) for v in c.get("volumesFrom", [])), "sourceContainer"
    )
    if isinstance(c.get("healthCheck"), dict):
        c["healthCheck"] = _health_check(c["healthCheck"])
    if isinstance(c.get("linuxParameters"), dict):
        c["linuxParameters"] = _linux_parameters(c["linuxParameters"])
    log = c.get("logConfiguration")
    if isinstance(log, dict) and "secretOptions" in log:
        c["logConfiguration"] = {**log, "secretOptions": _sorted_by(log["secretOptions"], "name")}
    return clean_dict(c)


def _port_mapping(mapping: dict[str, Any], network_mode: str) -> dict[str, Any]:
    m = dict(mapping)
    # "The default is tcp."
    m.setdefault("protocol", "tcp")
    if network_mode == "awsvpc" and "containerPort" in m:
        # Under awsvpc ECS sets hostPort to containerPort.
        m.setdefault("hostPort", m["containerPort"])
    elif m.get("hostPort") == 0:
        # bridge: hostPort 0 asks for a dynamic port, the same as leaving it out.
        del m["hostPort"]
    return m


def _read_only_default(mount: dict[str, Any]) -> dict[str, Any]:
    # readOnly defaults to false; AWS echoes it either way.
    return {"readOnly": False, **mount}


def _health_check(check: dict[str, Any]) -> dict[str, Any]:
    # AWS fills interval 30, timeout 5 and retries 3 when omitted; `command` keeps its order.
    out = {"interval": 30, "timeout": 5, "retries": 3, **check}
    # startPeriod is "off by default" and not echoed, so 0 and absent mean the same.
    if out.get("startPeriod") == 0:
        del out["startPeriod"]
    return out


def _linux_parameters(params: dict[str, Any]) -> dict[str, Any]:
    out = dict(params)
    caps = out.get("capabilities")
    if isinstance(caps, dict):
        # Capabilities are sets; AWS echoes `add: []` next to a `drop` that was sent alone.
        out["capabilities"] = {k: sorted(v) for k, v in caps.items() if isinstance(v, list)}
    if "tmpfs" in out:
        out["tmpfs"] = _sorted_by(out["tmpfs"], "containerPath")
    if "devices" in out:
        out["devices"] = _sorted_by(out["devices"], "hostPath")
    return out


def _volume(volume: dict[str, Any]) -> dict[str, Any]:
    v = dict(volume)
    # AWS echoes configuredAtLaunch false when it was not sent.
    if v.get("configuredAtLaunch") is False:
        del v["configuredAtLaunch"]
    efs = v.get("efsVolumeConfiguration")
    if isinstance(efs, dict):
        # Documented defaults: the file system root, no transit encryption.
        v["efsVolumeConfiguration"] = {"rootDirectory": "/", "transitEncryption": "DISABLED", **efs}
    return v


# ---------------------------------------------------------------------------------------------
# Services.


def service_request_from_describe(
    entry: Mapping[str, Any], namespace_names: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """A DescribeServices entry -> the CreateService request that would produce it (before normalising)."""
    out: dict[str, Any] = {k: entry[k] for k in SERVICE_FIELDS if k in entry}
    # The role goes in as `role` and comes back as `roleArn`.
    if entry.get("roleArn"):
        out["role"] = entry["roleArn"]
    # These are not top-level fields of DescribeServices: the PRIMARY deployment carries them.
    primary: dict[str, Any] = next(
        (d for d in entry.get("deployments", []) if d.get("status") == "PRIMARY"), {}
    )
    for key in ("serviceConnectConfiguration", "volumeConfigurations", "vpcLatticeConfigurations"):
        if key not in out and key in primary:
            out[key] = primary[key]
    connect = out.get("serviceConnectConfiguration")
    if isinstance(connect, dict) and namespace_names and connect.get("namespace") in namespace_names:
        # You send the namespace name and AWS returns its ARN.
        out["serviceConnectConfiguration"] = {**connect, "namespace": namespace_names[connect["namespace"]]}
    out["tags"] = entry.get("tags")
    return out


def normalize_service(
    request: Mapping[str, Any], extra_tags: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """A CreateService request (or a projected describe entry) -> the canonical compared fields."""
    out = clean_dict({k: request[k] for k in SERVICE_FIELDS if k in request})
    out.setdefault("schedulingStrategy", "REPLICA")  # documented default
    out.setdefault("deploymentController", {"type": "ECS"})  # documented default
    if not out.get("capacityProviderStrategy"):
        # compose2ecs runs on Fargate; AWS echoes the launch type it used.
        out.setdefault("launchType", "FARGATE")
    out.setdefault("platformVersion", "LATEST")  # Fargate default, echoed as LATEST
    out.setdefault("propagateTags", "NONE")  # "The default is NONE"
    out.setdefault("enableECSManagedTags", False)  # documented default, always echoed as a bool
    out.setdefault("enableExecuteCommand", False)  # same
    out.setdefault("healthCheckGracePeriodSeconds", 0)  # "default value of 0"
    out["deploymentConfiguration"] = _deployment_configuration(
        out.get("deploymentConfiguration", {}), out["schedulingStrategy"]
    )
    if "role" in out:
        out["role"] = role_name(out["role"])
    network = out.get("networkConfiguration", {}).get("awsvpcConfiguration")
    if isinstance(network, dict):
        out["networkConfiguration"] = {"awsvpcConfiguration": _awsvpc(network)}
    if "capacityProviderStrategy" in out:
        # Documented defaults base 0 and weight 0; the strategy is a set of providers.
        out["capacityProviderStrategy"] = _sorted_by(
            ({"base": 0, "weight": 0, **p} for p in out["capacityProviderStrategy"]), "capacityProvider"
        )
    for key, fields in (
        ("placementConstraints", ("type", "expression")),
        ("loadBalancers", ("targetGroupArn", "containerName", "containerPort")),
        ("serviceRegistries", ("registryArn",)),
        ("volumeConfigurations", ("name",)),
        ("vpcLatticeConfigurations", ("portName",)),
    ):
        if key in out:
            out[key] = _sorted_by(out[key], *fields)
    connect = out.get("serviceConnectConfiguration")
    if isinstance(connect, dict) and not connect.get("enabled"):
        del out["serviceConnectConfiguration"]  # disabled is what no configuration means
    elif isinstance(connect, dict) and "services" in connect:
        out["serviceConnectConfiguration"] = {
            **connect,
            "services": _sorted_by(connect["services"], "portName"),
        }
    out["tags"] = {**(extra_tags or {}), **tags_dict(request.get("tags"))}
    return clean_dict(out)


def _deployment_configuration(config: dict[str, Any], scheduling: str) -> dict[str, Any]:
    # A request without the section means these defaults, which AWS returns. DAEMON: 100/0.
    replica = DEFAULT_DEPLOYMENT_CONFIGURATION
    maximum, minimum = (
        (100, 0) if scheduling == "DAEMON" else (replica["maximumPercent"], replica["minimumHealthyPercent"])
    )
    out: dict[str, Any] = {
        "maximumPercent": maximum,
        "minimumHealthyPercent": minimum,
        "strategy": "ROLLING",
        "bakeTimeInMinutes": 0,
        **config,
    }
    # AWS echoes a disabled breaker, and newer accounts add the reset/threshold defaults to it.
    breaker = {
        "enable": False,
        "rollback": False,
        "resetOnHealthyTask": True,
        "thresholdConfiguration": {"type": "BOUNDED_PERCENT", "value": 50},
        **out.get("deploymentCircuitBreaker", {}),
    }
    out["deploymentCircuitBreaker"] = breaker
    alarms = out.get("alarms")
    # A disabled alarm block without alarms is how AWS echoes "no alarms".
    if isinstance(alarms, dict) and not alarms.get("enable") and not alarms.get("alarmNames"):
        del out["alarms"]
    return out


def _awsvpc(network: dict[str, Any]) -> dict[str, Any]:
    out = {"assignPublicIp": "DISABLED", **network}  # documented default
    # Subnets and security groups are sets.
    for key in ("subnets", "securityGroups"):
        if key in out:
            out[key] = sorted(out[key])
    return out


# ---------------------------------------------------------------------------------------------
# IAM policies and security group rules.


def normalize_policy(document: Mapping[str, Any]) -> dict[str, Any]:
    """An IAM policy document in one canonical form, so that equivalent documents compare equal."""
    # Statement may be one object or a list; values may be a string or a list; order is meaningless.
    statements = document.get("Statement", [])
    if isinstance(statements, dict):
        statements = [statements]
    canonical = [_statement(s) for s in statements if isinstance(s, dict)]
    # IAM reads a document without Version as the 2008-10-17 language.
    return {
        "Version": document.get("Version", "2008-10-17"),
        "Statement": sorted(canonical, key=lambda s: json.dumps(s, sort_keys=True)),
    }


def _as_sorted_list(value: Any) -> Any:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return sorted({str(v) for v in value})
    return value


def _statement(statement: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in statement.items():
        if key == "Sid" and not value:
            continue  # an empty Sid is the same as none
        if key in {"Action", "NotAction", "Resource", "NotResource"}:
            out[key] = _as_sorted_list(value)
        elif key in {"Principal", "NotPrincipal"} and isinstance(value, dict):
            out[key] = {k: _as_sorted_list(v) for k, v in value.items()}
        elif key == "Condition" and isinstance(value, dict):
            out[key] = {
                op: {k: _as_sorted_list(v) for k, v in cond.items()} if isinstance(cond, dict) else cond
                for op, cond in value.items()
            }
        else:
            out[key] = value
    return out


# One ingress grant, flattened so that rule sets compare as sets: (protocol, from port, to port,
# the EC2 list it lives in, the CIDR / prefix list / group id). `plan` compares and `apply` writes
# these, so both sides always agree on what is missing and what is extra.
Grant = tuple[str, int | None, int | None, str, str]
GRANT_SOURCES = {
    "IpRanges": "CidrIp",
    "Ipv6Ranges": "CidrIpv6",
    "PrefixListIds": "PrefixListId",
    "UserIdGroupPairs": "GroupId",
}
# Published ports are reachable from anywhere, over IPv4 and IPv6 alike.
_WORLD = (("IpRanges", ANYWHERE), ("Ipv6Ranges", "::/0"))


# Stands for the load balancers' security group in a plan made before the group exists; the
# executor puts the group's id in its place.
LB_GROUP = "the-load-balancers"


def desired_grants(rules: Iterable[PortRule], group_id: str, lb_group_id: str = LB_GROUP) -> set[Grant]:
    """The grants of each port rule: to the world, the project's own tasks (`self`), or its load balancers."""
    grants: set[Grant] = set()
    for rule in rules:
        if rule.source == "self":
            sources: tuple[tuple[str, str], ...] = (("UserIdGroupPairs", group_id),)
        elif rule.source == "lb":
            sources = (("UserIdGroupPairs", lb_group_id),)
        elif rule.source.startswith("group:"):
            sources = (("UserIdGroupPairs", rule.source.removeprefix("group:")),)
        elif rule.source == "ipv4":
            sources = _WORLD[:1]
        else:
            sources = _WORLD
        grants.update(
            (rule.protocol, rule.port, rule.to_port or rule.port, src, value) for src, value in sources
        )
    return grants


def deployed_grants(permissions: Iterable[Mapping[str, Any]]) -> set[Grant]:
    """The grants of a DescribeSecurityGroups `IpPermissions` list."""
    grants: set[Grant] = set()
    for permission in permissions:
        # EC2 may answer with protocol numbers ("6"); "-1" (all traffic) stays as EC2 needs it.
        raw = str(permission.get("IpProtocol", "-1")).lower()
        protocol = raw if raw == "-1" else _PROTOCOLS.get(raw, raw)
        low, high = permission.get("FromPort"), permission.get("ToPort")
        for source, key in GRANT_SOURCES.items():
            grants.update(
                (protocol, low, high, source, str(entry[key])) for entry in permission.get(source, ())
            )
    return grants


def grant_text(grant: Grant, group_id: str, lb_group_id: str = LB_GROUP) -> str:
    """`tcp 80 from 0.0.0.0/0`, `... from self` for the project's own tasks, `... from load balancers`."""
    protocol, low, high, _, value = grant
    source = "self" if value == group_id else "load balancers" if value in {lb_group_id, LB_GROUP} else value
    name = _PROTOCOLS.get(protocol, protocol)
    if name == "all" or low is None or low == -1:
        return f"{name} from {source}"
    ports = str(low) if high in (None, low) else f"{low}-{high}"
    return f"{name} {ports} from {source}"
