"""What the deployed account makes impossible, found before any write (file, line and key).

Each check compares the desired requests with what `read_state` found, so it costs no call of
its own; a problem is an input error (exit 2) for `diff` and `up` alike, and `up` writes nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from compose2ecs.errors import Location, Problem

if TYPE_CHECKING:
    from compose2ecs.model import DesiredState
    from compose2ecs.model.deployed import DeployedState

# What a cluster compose2ecs creates is given (apply/executor.py sends these).
CREATED_CLUSTER_PROVIDERS = ("FARGATE", "FARGATE_SPOT")


def preflight_problems(
    desired: DesiredState, deployed: DeployedState, cluster: str, params_file: str | None
) -> list[Problem]:
    """Every reason the deployment would fail on this account, in the files' terms."""
    return _capacity_providers(desired, deployed, cluster, params_file)


def _capacity_providers(
    desired: DesiredState, deployed: DeployedState, cluster: str, params_file: str | None
) -> list[Problem]:
    # ECS refuses a strategy naming a provider the cluster lacks ("The specified capacity provider
    # strategy cannot contain a capacity provider that is not associated with the cluster").
    if deployed.cluster is None:
        return []  # compose2ecs creates the cluster, with CREATED_CLUSTER_PROVIDERS
    associated = set(deployed.cluster.get("capacityProviders") or ())
    missing: dict[str, int] = {}
    for request in desired.services:
        for index, item in enumerate(request.get("capacityProviderStrategy") or ()):
            name = str(item.get("capacityProvider"))
            if name not in associated:
                missing.setdefault(name, index)
    have = ", ".join(sorted(associated)) or "none"
    return [
        Problem(
            f"capacity provider {name} is not associated with cluster {cluster} (it has: {have}); "
            "ECS would refuse the service",
            Location(params_file or "ecs-params.yml"),
            ("run_params", "capacity_provider_strategy", index, "capacity_provider"),
            code="cluster-capacity-provider",
            hint=(
                f"add {name} to the cluster's capacity providers (ECS console, or "
                "`aws ecs put-cluster-capacity-providers`, which replaces the whole list), or "
                "deploy to a cluster compose2ecs creates (it gets FARGATE and FARGATE_SPOT)"
            ),
        )
        for name, index in missing.items()
    ]
