"""What every part of the ECS simulation shares: its settings and timings, its errors, its clock."""

from __future__ import annotations

import threading
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from moto.core.exceptions import ServiceException


@dataclass
class Settings:
    step: float = 1.0  # seconds per simulation step; set once by the server at start-up


SETTINGS = Settings()
# Failure injection: a container whose image reference ends in this tag exits with code 1.
FAILING_TAG = ":exit-1"
# [rolling] "a minimum threshold of 3 and a maximum threshold of 200" failed tasks, else half the
# desired count (rounded up).
BREAKER_MIN, BREAKER_MAX = 3, 200
MAX_EVENTS = 100  # [api] DescribeServices returns the latest 100 events
MAX_STOPPED_PER_SERVICE = 100  # AWS keeps stopped tasks visible for a while, not forever
LIST_PAGE = 100  # [api] ListTasks/ListServices return at most 100 results per page

# When each transition happens, in steps after the task was launched or asked to stop.
# [lifecycle] PROVISIONING -> PENDING -> ACTIVATING -> RUNNING; DEACTIVATING -> STOPPING ->
# DEPROVISIONING -> STOPPED.
START_TIMELINE = (("PENDING", 0.25), ("RUNNING", 0.5))
HEALTHY_AFTER = 1.0  # a container health check passes one step after launch
EXIT_AFTER = 1.0  # an `:exit-1` container, or a standalone task's command, ends here
# A task counts for a deployment once it has stayed up a while ([rolling]: ECS waits for a new
# task to be stable before it stops old ones), so a container that exits at once never does.
STABLE_AFTER = 1.5
STOP_TIMELINE = (("DEACTIVATING", 0.0), ("STOPPING", 0.2), ("DEPROVISIONING", 0.35), ("STOPPED", 0.5))

LOCK = threading.RLock()  # moto is not thread-safe; the server is threaded


class ClusterContainsServicesException(ServiceException):
    def __init__(self) -> None:
        # [api] DeleteCluster: "You can't delete a cluster that contains services."
        super().__init__(
            "ClusterContainsServicesException",
            "The Cluster cannot be deleted while Services are active.",
        )


class ClusterContainsTasksException(ServiceException):
    def __init__(self) -> None:
        super().__init__(
            "ClusterContainsTasksException", "The Cluster cannot be deleted while Tasks are active."
        )


class NamespaceNotFoundException(ServiceException):
    def __init__(self, namespace: str) -> None:
        super().__init__("NamespaceNotFoundException", f"Namespace {namespace} not found.")


def now() -> float:
    return time.time()


def dt(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def short_id() -> str:
    return uuid.uuid4().hex
