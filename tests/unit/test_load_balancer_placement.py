"""Where the project's load balancers go (issue 12, item 3): internal ones, and subnets from ecs-params.

A port published on one interface of the host (`10.0.0.5:8080:80`) is meant for a private network:
it goes behind an internal load balancer. ecs-params' `run_params.load_balancer` chooses the scheme
for every port and names the subnets; `run_params.ports.<port>.scheme` chooses per port.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from compose2ecs.model import AwsvpcParams, EcsParams, LoadBalancerParams, PortParams
from compose2ecs.model.deployed import DeployedState, NetworkFacts
from compose2ecs.plan import preflight_problems
from tests.fakes import CLUSTER, InMemoryGateway
from tests.unit.test_apply import up
from tests.unit.test_load_balancing import WEB, _desired

if TYPE_CHECKING:
    from pathlib import Path

    from compose2ecs.model import DesiredState

TWO = "services:\n  web:\n    image: nginx:1.27\n    ports: ['{first}', '{second}']\n"


def _schemes(desired: DesiredState) -> dict[str, str]:
    return {lb.name: lb.scheme for lb in desired.load_balancers}


def test_a_port_published_on_one_host_interface_goes_behind_an_internal_load_balancer(
    tmp_path: Path,
) -> None:
    desired = _desired(tmp_path, TWO.format(first="10.0.0.5:8080:80", second="0.0.0.0:9090:90"))

    assert sorted(_schemes(desired).values()) == ["internal", "internet-facing"]
    [internal] = [lb for lb in desired.load_balancers if lb.scheme == "internal"]
    assert internal.name.endswith("-ialb")
    [listener] = [li for li in desired.listeners if li.load_balancer == internal.name]
    assert listener.port == 8080
    [info] = [p for p in desired.problems if p.code == "load-balancer-listener" and "internal" in p.message]
    assert "reachable inside the VPC only (published on 10.0.0.5 only)" in info.message
    # 0.0.0.0 is every interface: ignored, as before (and a port without a host IP says nothing).
    assert [p.path for p in desired.problems if p.code == "host-ip-ignored"] == [
        ("services", "web", "ports", 1, "host_ip")
    ]


def test_a_port_without_a_host_ip_faces_the_internet_without_a_word_on_the_host_ip(tmp_path: Path) -> None:
    desired = _desired(tmp_path, WEB.format(ports="8080:80"))

    assert [lb.scheme for lb in desired.load_balancers] == ["internet-facing"]
    assert not [p for p in desired.problems if p.code == "host-ip-ignored"]


def test_a_data_store_behind_an_internal_load_balancer_is_not_held_back(tmp_path: Path) -> None:
    compose = "services:\n  cache:\n    image: redis:7\n    ports: ['10.0.0.5:6379:6379']\n"
    desired = _desired(tmp_path, compose)

    assert [(lb.type, lb.scheme) for lb in desired.load_balancers] == [("network", "internal")]
    assert not [p for p in desired.problems if p.code == "data-store-port"]
    public = _desired(tmp_path, compose.replace("10.0.0.5:", ""))
    assert public.load_balancers == []  # on the internet, redis needs ecs-params' public: true
    assert [p.code for p in public.problems if p.code == "data-store-port"] == ["data-store-port"]


def test_ecs_params_chooses_the_scheme_for_all_ports_and_per_port(tmp_path: Path) -> None:
    params = EcsParams(
        load_balancer=LoadBalancerParams(scheme="internal"),
        ports={9090: PortParams(scheme="internet-facing")},
    )
    desired = _desired(tmp_path, TWO.format(first="8080:80", second="9090:90"), params)

    by_port = {li.port: _schemes(desired)[li.load_balancer] for li in desired.listeners}
    assert by_port == {8080: "internal", 9090: "internet-facing"}
    # One container port behind two load balancers has a target group for each: a target group
    # serves one load balancer.
    assert len({tg.name for tg in desired.target_groups}) == 2


def test_one_published_port_on_both_schemes_means_two_listeners(tmp_path: Path) -> None:
    desired = _desired(tmp_path, TWO.format(first="10.0.0.5:8080:80", second="8080:80"))

    assert sorted((li.port, _schemes(desired)[li.load_balancer]) for li in desired.listeners) == [
        (8080, "internal"),
        (8080, "internet-facing"),
    ]
    assert not [p for p in desired.problems if p.status == "rejected"]


def test_with_a_network_of_the_users_the_host_ip_is_ignored_and_said_so(tmp_path: Path) -> None:
    params = EcsParams(awsvpc=AwsvpcParams(subnets=("subnet-1",)))
    desired = _desired(tmp_path, WEB.format(ports="10.0.0.5:8080:8080"), params)

    assert desired.load_balancers == []
    [ignored] = [p for p in desired.problems if p.code == "host-ip-ignored"]
    assert ignored.path == ("services", "web", "ports", 0, "host_ip")
    assert "your security groups decide" in ignored.message


def _gateway() -> InMemoryGateway:
    gateway = InMemoryGateway()
    vpc = gateway.vpc[0] if gateway.vpc else "vpc-0default"
    gateway.subnets = {"subnet-a": vpc, "subnet-b": vpc, "subnet-c": vpc, "subnet-x": "vpc-other"}
    gateway.subnet_zones = {
        "subnet-a": "us-east-1a",
        "subnet-b": "us-east-1b",
        "subnet-c": "us-east-1a",
        "subnet-x": "us-east-1c",
    }
    return gateway


def test_the_load_balancer_goes_in_the_subnets_ecs_params_names_and_moves_in_place(tmp_path: Path) -> None:
    gateway = _gateway()
    params = EcsParams(load_balancer=LoadBalancerParams(subnets=("subnet-a", "subnet-b")))
    desired = _desired(tmp_path, WEB.format(ports="8080:80"), params)

    up(gateway, desired)

    [created] = gateway.load_balancers.values()
    assert [z["SubnetId"] for z in created["AvailabilityZones"]] == ["subnet-a", "subnet-b"]
    written = len(gateway.writes)
    up(gateway, desired)
    assert len(gateway.writes) == written  # in sync: nothing written
    moved = _desired(
        tmp_path,
        WEB.format(ports="8080:80"),
        EcsParams(load_balancer=LoadBalancerParams(subnets=("subnet-c", "subnet-b"))),
    )

    up(gateway, moved)

    assert [c[0] for c in gateway.writes[written:]] == ["set_subnets"]
    [after] = gateway.load_balancers.values()
    assert after["LoadBalancerArn"] == created["LoadBalancerArn"]
    assert sorted(z["SubnetId"] for z in after["AvailabilityZones"]) == ["subnet-b", "subnet-c"]


def test_an_internal_load_balancer_takes_internal_subnets_when_given(tmp_path: Path) -> None:
    params = EcsParams(
        load_balancer=LoadBalancerParams(subnets=("subnet-a", "subnet-b"), internal_subnets=("subnet-c",))
    )
    desired = _desired(tmp_path, TWO.format(first="10.0.0.5:8080:80", second="9090:90"), params)

    placed = {lb.scheme: (lb.subnets, lb.subnets_path[-1]) for lb in desired.load_balancers}
    assert placed == {
        "internal": (("subnet-c",), "internal_subnets"),
        "internet-facing": (("subnet-a", "subnet-b"), "subnets"),
    }


def _preflight(tmp_path: Path, subnets: tuple[str, ...], kind: str = "application") -> list[str]:
    gateway = _gateway()
    params = EcsParams(
        load_balancer=LoadBalancerParams(subnets=subnets), ports={8080: PortParams(load_balancer=kind)}
    )
    desired = _desired(tmp_path, WEB.format(ports="8080:80"), params)
    deployed = gateway.read_state(desired, CLUSTER)
    problems = preflight_problems(desired, deployed, CLUSTER, "ecs-params.yml")
    return [f"{p.code} at {'.'.join(map(str, p.path))}: {p.message}" for p in problems]


def test_the_subnets_are_checked_before_any_write(tmp_path: Path) -> None:
    assert _preflight(tmp_path, ("subnet-a", "subnet-b")) == []
    assert _preflight(tmp_path, ("subnet-a", "subnet-gone")) == [
        (
            "load-balancer-subnets at run_params.load_balancer.subnets.1: "
            "subnet subnet-gone does not exist in this account and region"
        )
    ]
    [other] = _preflight(tmp_path, ("subnet-a", "subnet-x"))
    assert other.endswith("subnet subnet-x is in vpc-other, the tasks in vpc-0default")
    [same_zone] = _preflight(tmp_path, ("subnet-a", "subnet-c", "subnet-b"))
    assert same_zone.startswith("load-balancer-subnets at run_params.load_balancer.subnets.1:")
    assert "is in us-east-1a, as subnet-a is" in same_zone
    assert _preflight(tmp_path, ("subnet-a",)) == [
        (
            "alb-needs-two-zones at run_params.load_balancer.subnets: an Application Load Balancer needs "
            "subnets in two Availability Zones; these are in 1"
        )
    ]
    assert _preflight(tmp_path, ("subnet-a",), kind="network") == []  # one zone will do for an NLB


def test_the_default_vpcs_zones_are_not_read_when_every_load_balancer_has_subnets(tmp_path: Path) -> None:
    params = EcsParams(load_balancer=LoadBalancerParams(subnets=("subnet-a",)))
    desired = _desired(tmp_path, WEB.format(ports="8080:80"), params)
    one_zone_default = DeployedState(
        network=NetworkFacts(
            checked=True,
            default_vpc="vpc-1",
            subnets={"subnet-a": "vpc-1"},
            subnet_zones={"subnet-a": "us-east-1a"},
            default_zones={"subnet-1": "us-east-1a"},
        )
    )

    codes = [p.code for p in preflight_problems(desired, one_zone_default, CLUSTER, "ecs-params.yml")]

    assert codes == ["alb-needs-two-zones"]  # once, for the subnets given, not for the default VPC's


# ---------------------------------------------------------------------------------------------
# With a network of the user's: the project's load balancers in the subnets ecs-params names.


def _users_network(**balancer: tuple[str, ...]) -> EcsParams:
    return EcsParams(
        awsvpc=AwsvpcParams(subnets=("subnet-private",), security_groups=("sg-app",)),
        load_balancer=LoadBalancerParams(**balancer),  # type: ignore[arg-type]
    )


def _private(gateway: InMemoryGateway) -> InMemoryGateway:
    gateway.subnets["subnet-private"] = "vpc-app"
    for subnet in ("subnet-a", "subnet-b"):
        gateway.subnets[subnet] = "vpc-app"
    return gateway


def test_with_a_network_of_the_users_the_subnets_of_a_load_balancer_put_one_in_front(tmp_path: Path) -> None:
    desired = _desired(
        tmp_path, WEB.format(ports="8080:80"), _users_network(subnets=("subnet-a", "subnet-b"))
    )

    [balancer] = desired.load_balancers
    assert (balancer.scheme, balancer.subnets) == ("internet-facing", ("subnet-a", "subnet-b"))
    assert [li.port for li in desired.listeners] == [8080]  # 8080:80 is mapped, not refused
    assert not [p for p in desired.problems if p.code == "fargate-host-port"]
    # The project's group admits the load balancers only: the user's groups decide the rest.
    assert [(r.port, r.source) for r in desired.ingress] == [(80, "lb")]
    assert desired.project_groups


def test_with_a_network_of_the_users_and_no_load_balancer_subnets_nothing_changes(tmp_path: Path) -> None:
    params = EcsParams(awsvpc=AwsvpcParams(subnets=("subnet-private",), security_groups=("sg-app",)))
    desired = _desired(tmp_path, WEB.format(ports="8080:80"), params)

    assert (desired.load_balancers, desired.ingress, desired.project_groups) == ([], [], False)
    [refused] = [p for p in desired.problems if p.code == "fargate-host-port"]
    assert "run_params.load_balancer.subnets" in refused.hint


def test_only_internal_subnets_cannot_hold_an_internet_facing_load_balancer(tmp_path: Path) -> None:
    desired = _desired(
        tmp_path,
        TWO.format(first="10.0.0.5:8080:80", second="9090:90"),
        _users_network(internal_subnets=("subnet-a", "subnet-b")),
    )

    assert [lb.scheme for lb in desired.load_balancers] == ["internal"]
    [refused] = [p for p in desired.problems if p.code == "load-balancer-subnets"]
    assert refused.path == ("services", "web", "ports", 1)
    assert refused.status == "rejected"


def _networks(gateway: InMemoryGateway) -> list[list[str]]:
    return [
        sorted(s.data["networkConfiguration"]["awsvpcConfiguration"]["securityGroups"])
        for s in gateway.services.values()
    ]


def test_up_adds_the_projects_group_next_to_the_users_and_takes_it_away_with_the_load_balancer(
    tmp_path: Path,
) -> None:
    gateway = _private(InMemoryGateway())
    desired = _desired(tmp_path, WEB.format(ports="80:80"), _users_network(subnets=("subnet-a", "subnet-b")))

    up(gateway, desired)

    groups = {g["GroupName"]: g for g in gateway.security_groups.values()}
    tasks, balancers = groups[desired.security_group_name], groups[desired.lb_security_group_name]
    assert {tasks["VpcId"], balancers["VpcId"]} == {"vpc-app"}  # the VPC of the user's subnets
    assert _networks(gateway) == [sorted(["sg-app", tasks["GroupId"]])]
    assert [
        (p["FromPort"], [pair["GroupId"] for pair in p.get("UserIdGroupPairs", [])])
        for p in tasks["IpPermissions"]
    ] == [(80, [balancers["GroupId"]])]
    [lb] = gateway.load_balancers.values()
    assert [z["SubnetId"] for z in lb["AvailabilityZones"]] == ["subnet-a", "subnet-b"]
    written = len(gateway.writes)
    up(gateway, desired)
    assert len(gateway.writes) == written  # the group is compared by name: in sync

    plain = _desired(
        tmp_path,
        WEB.format(ports="80:80"),
        EcsParams(awsvpc=AwsvpcParams(subnets=("subnet-private",), security_groups=("sg-app",))),
    )
    up(gateway, plain)

    assert _networks(gateway) == [["sg-app"]]
    assert gateway.load_balancers == {}
    assert gateway.security_groups == {}
    written = len(gateway.writes)
    up(gateway, plain)
    assert len(gateway.writes) == written


def test_the_projects_group_needs_room_among_the_users(tmp_path: Path) -> None:
    gateway = _private(InMemoryGateway())
    params = _users_network(subnets=("subnet-a", "subnet-b"))._replace(
        awsvpc=AwsvpcParams(subnets=("subnet-private",), security_groups=tuple(f"sg-{i}" for i in range(5)))
    )
    desired = _desired(tmp_path, WEB.format(ports="80:80"), params)
    deployed = gateway.read_state(desired, CLUSTER)
    deployed.network.security_groups.update({f"sg-{i}": "vpc-app" for i in range(5)})

    problems = preflight_problems(desired, deployed, CLUSTER, "ecs-params.yml")

    assert [(p.code, p.path[-1]) for p in problems] == [("too-many-security-groups", "security_groups")]


def test_a_udp_port_on_one_host_interface_is_not_opened_to_the_internet(tmp_path: Path) -> None:
    desired = _desired(
        tmp_path, "services:\n  dns:\n    image: coredns/coredns\n    ports: ['10.0.0.5:53:53/udp']\n"
    )

    assert not [r for r in desired.ingress if r.source == "world"]  # the project's own tasks only
    [kept] = [p for p in desired.problems if p.code == "udp-kept-private"]
    assert "it is not opened" in kept.message
    public = _desired(tmp_path, "services:\n  dns:\n    image: coredns/coredns\n    ports: ['53:53/udp']\n")
    assert [(r.port, r.protocol) for r in public.ingress if r.source == "world"] == [(53, "udp")]


def test_a_host_ip_next_to_an_existing_listener_is_said_to_be_the_listeners_business(tmp_path: Path) -> None:
    arn = "arn:aws:elasticloadbalancing:us-east-1:1:listener/app/shared/1/2"
    params = EcsParams(ports={8080: PortParams(listener_arn=arn, hosts=("a.example.com",))})
    desired = _desired(tmp_path, WEB.format(ports="10.0.0.5:8080:80"), params)

    [ignored] = [p for p in desired.problems if p.code == "host-ip-ignored"]
    assert "that load balancer's scheme decides who reaches it" in ignored.message


def test_a_network_load_balancers_subnets_are_added_to_never_swapped(tmp_path: Path) -> None:
    gateway = _gateway()
    gateway.subnets["subnet-d"] = gateway.subnets["subnet-a"]
    gateway.subnet_zones["subnet-d"] = "us-east-1d"

    def nlb(*subnets: str) -> DesiredState:
        params = EcsParams(
            load_balancer=LoadBalancerParams(subnets=subnets),
            ports={6000: PortParams(load_balancer="network")},
        )
        return _desired(tmp_path, WEB.format(ports="6000:6000"), params)

    up(gateway, nlb("subnet-a", "subnet-b"))

    def codes(desired: DesiredState) -> list[str]:
        deployed = gateway.read_state(desired, CLUSTER)
        return [
            f"{p.code}: {p.message}" for p in preflight_problems(desired, deployed, CLUSTER, "ecs-params.yml")
        ]

    [swapped] = codes(nlb("subnet-a", "subnet-d"))  # subnet-b left out
    assert swapped.startswith("load-balancer-subnets: the Network Load Balancer")
    assert "is in subnet-b, which this list leaves out" in swapped
    grown = nlb("subnet-a", "subnet-b", "subnet-d")
    assert codes(grown) == []
    written = len(gateway.writes)
    up(gateway, grown)
    assert [c[0] for c in gateway.writes[written:]] == ["set_subnets"]
