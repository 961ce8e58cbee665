"""The HTTP operations: moto's ECS response handlers, replaced for what the simulation owns."""

from __future__ import annotations

from typing import Any

from moto.core.responses import ActionResult, BaseResponse
from moto.ecs import models as ecs_models
from moto.ecs.responses import EC2ContainerServiceResponse

from tests.emulator.ecs.backend import SimBackend
from tests.emulator.ecs.common import LIST_PAGE, LOCK, SETTINGS
from tests.emulator.ecs.services import service_view
from tests.emulator.ecs.tasks import task_view


def _backend(response: Any) -> SimBackend:
    backend: Any = ecs_models.ecs_backends[response.current_account][response.region]
    assert isinstance(backend, SimBackend)
    return backend


def _include_tags(response: Any) -> bool:
    return "TAGS" in (response._get_param("include") or [])


def _page(items: list[str], token: str | None, size: int | None) -> dict[str, Any]:
    start = int(token or 0)
    size = min(int(size or LIST_PAGE), LIST_PAGE)
    out: dict[str, Any] = {"items": items[start : start + size]}
    if start + size < len(items):
        out["nextToken"] = str(start + size)
    return out


def _create_service(self: Any) -> ActionResult:
    service = _backend(self).sim_create_service(self._get_params())
    return ActionResult({"service": service_view(service, include_tags=True)})


def _update_service(self: Any) -> ActionResult:
    service = _backend(self).sim_update_service(self._get_params())
    return ActionResult({"service": service_view(service, include_tags=False)})


def _describe_services(self: Any) -> ActionResult:
    backend = _backend(self)
    services, failures = backend.describe_services(
        self._get_param("cluster", "default"), self._get_param("services", [])
    )
    views = [service_view(s, include_tags=_include_tags(self)) for s in services if hasattr(s, "sim")]
    return ActionResult({"services": views, "failures": failures})


def _delete_service(self: Any) -> ActionResult:
    service = _backend(self).sim_delete_service(
        self._get_param("cluster", "default"), self._get_param("service"), bool(self._get_param("force"))
    )
    return ActionResult({"service": service_view(service, include_tags=False)})


def _list_services(self: Any) -> ActionResult:
    arns = _backend(self).sim_list_services(
        self._get_param("cluster", "default"), self._get_param("launchType")
    )
    page = _page(arns, self._get_param("nextToken"), self._get_param("maxResults"))
    return ActionResult(
        {"serviceArns": page["items"], **({"nextToken": page["nextToken"]} if "nextToken" in page else {})}
    )


def _run_task(self: Any) -> ActionResult:
    tasks = _backend(self).sim_run_task(self._get_params())
    return ActionResult({"tasks": [task_view(t, include_tags=True) for t in tasks], "failures": []})


def _describe_tasks(self: Any) -> ActionResult:
    tasks, failures = _backend(self).sim_describe_tasks(
        self._get_param("cluster", "default"), self._get_param("tasks", [])
    )
    return ActionResult(
        {"tasks": [task_view(t, include_tags=_include_tags(self)) for t in tasks], "failures": failures}
    )


def _list_tasks(self: Any) -> ActionResult:
    arns = _backend(self).sim_list_tasks(self._get_params())
    page = _page(arns, self._get_param("nextToken"), self._get_param("maxResults"))
    return ActionResult(
        {"taskArns": page["items"], **({"nextToken": page["nextToken"]} if "nextToken" in page else {})}
    )


def _stop_task(self: Any) -> ActionResult:
    task = _backend(self).sim_stop_task(
        self._get_param("cluster", "default"), self._get_param("task"), self._get_param("reason") or ""
    )
    return ActionResult({"task": task_view(task, include_tags=False)})


def _execute_command(self: Any) -> ActionResult:
    return ActionResult(_backend(self).sim_execute_command(self._get_params()))


_ORIGINAL_CALL_ACTION = BaseResponse.call_action


def _call_action(self: Any) -> Any:
    """Every ECS request first brings the simulation up to the wall clock, under one lock."""
    with LOCK:
        backend = _backend(self)
        if isinstance(backend, SimBackend):
            backend.sim.tick()
        return _ORIGINAL_CALL_ACTION(self)


def install(step: float) -> None:
    """Swap the simulation into moto (in the emulator process only)."""
    SETTINGS.step = step
    ecs_models.ecs_backends.backend = SimBackend
    handlers = {
        "create_service": _create_service,
        "update_service": _update_service,
        "describe_services": _describe_services,
        "delete_service": _delete_service,
        "list_services": _list_services,
        "run_task": _run_task,
        "describe_tasks": _describe_tasks,
        "list_tasks": _list_tasks,
        "stop_task": _stop_task,
        "execute_command": _execute_command,
        "call_action": _call_action,
    }
    for name, handler in handlers.items():
        setattr(EC2ContainerServiceResponse, name, handler)
