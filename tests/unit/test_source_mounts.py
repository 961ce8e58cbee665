"""Source mounts and impossible mounts (issue 13, item 4).

A bind mount inside the service's build context is development wiring: the image holds the code.
The host's time zone is left out (tasks run in UTC); the Docker socket and the host's system paths
are refused with advice that fits them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from tests.unit.test_load_balancing import _desired

if TYPE_CHECKING:
    from pathlib import Path


def _mount(tmp_path: Path, volume: str, *, build: bool = True) -> list[tuple[str, str, str]]:
    (tmp_path / "app").mkdir(exist_ok=True)
    source = "    build: ./app\n    image: shop/web:1\n" if build else "    image: shop/web:1\n"
    compose = f"services:\n  web:\n{source}    volumes: ['{volume}']\n"
    desired = _desired(tmp_path, compose)
    return [
        (p.code, p.status, p.message)
        for p in desired.problems
        if p.path[:3] == ("services", "web", "volumes")
    ]


def test_a_read_only_mount_inside_the_build_context_is_left_out(tmp_path: Path) -> None:
    [(code, status, message)] = _mount(tmp_path, "./app/src:/code/src:ro")

    assert (code, status) == ("source-mount", "ignored")
    assert "inside the build context: the image built from it holds these files" in message


def test_a_writable_mount_inside_the_build_context_is_an_approximation(tmp_path: Path) -> None:
    [(code, status, message)] = _mount(tmp_path, "./app:/code")  # live code, or data (./pgdata)

    assert (code, status) == ("source-mount", "approximated")  # --strict refuses it
    assert "what the app writes there is lost with the task" in message


def test_without_a_build_a_read_only_mount_is_a_host_path(tmp_path: Path) -> None:
    [(code, status, _)] = _mount(tmp_path, "./app:/code:ro", build=False)
    assert (code, status) == ("fargate-bind-mount", "rejected")


def test_without_a_build_a_writable_directory_is_data_kept_on_the_file_system(tmp_path: Path) -> None:
    problems = _mount(tmp_path, "./data/db:/var/lib/db", build=False)

    [(status, message)] = [
        (status, message) for code, status, message in problems if code == "bind-mount-as-volume"
    ]
    assert status == "approximated"  # it starts empty: --strict refuses it
    assert "becomes volume data-db" in message
    assert "efs-volume" in {code for code, _, _ in problems}


def test_a_writable_file_is_still_refused(tmp_path: Path) -> None:
    [(code, _, message)] = _mount(tmp_path, "./app.db:/srv/app.db", build=False)
    assert code == "fargate-bind-mount"
    assert "a writable file" in message


def test_a_sibling_of_the_build_context_is_not_inside_it(tmp_path: Path) -> None:
    [(code, _, _)] = _mount(tmp_path, "./application:/data:ro")
    assert code == "fargate-bind-mount"


def test_the_hosts_time_zone_is_left_out_with_the_tz_way(tmp_path: Path) -> None:
    [(code, status, message)] = _mount(tmp_path, "/etc/localtime:/etc/localtime:ro")
    assert (code, status) == ("host-time-zone", "ignored")
    assert "tasks run in UTC" in message


@pytest.mark.parametrize(
    ("volume", "advice"),
    [
        ("/var/run/docker.sock:/var/run/docker.sock:ro", "replaced by the load balancer"),
        ("/proc:/host/proc:ro", "Container Insights"),
        ("/:/rootfs:ro", "Container Insights"),
    ],
)
def test_host_system_paths_are_refused_with_advice_that_fits(
    tmp_path: Path, volume: str, advice: str
) -> None:
    desired = _desired(tmp_path, f"services:\n  agent:\n    image: agent:1\n    volumes: ['{volume}']\n")

    [problem] = [p for p in desired.problems if p.code == "host-system-path"]
    assert problem.status == "rejected"
    assert advice in problem.hint


@pytest.mark.parametrize(
    ("option", "status"),
    [
        ("no-new-privileges:true", "approximated"),
        ("no-new-privileges", "approximated"),
        ("no-new-privileges:false", "ignored"),
        ("seccomp:unconfined", "approximated"),
        ("apparmor=unconfined", "approximated"),
        ("label:disable", "ignored"),
        ("userns:host", "rejected"),
    ],
)
def test_security_options_are_reported_as_what_fargate_gives_instead(
    tmp_path: Path, option: str, status: str
) -> None:
    compose = f"services:\n  web:\n    image: nginx\n    security_opt: ['{option}']\n"
    [problem] = [
        p for p in _desired(tmp_path, compose).problems if p.path[:3] == ("services", "web", "security_opt")
    ]

    assert problem.status == status
