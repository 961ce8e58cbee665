"""One writer per deployment: a lock held in AWS itself, so two CI jobs never apply at once.

The lock is an SSM parameter, `/compose2ecs/lock/<project>/<cluster>` in the deployment's region,
created only if absent (PutParameter without Overwrite is atomic). Its value says who holds it,
since when and until when: a run that was killed leaves a lock that expires, and the next run
takes it over. `up`, `scale` and `down` take it before they read what is deployed (a plan made
before the other run finished would be stale); `diff` and `ps` never need it.

Taking over an expired lock is a delete then a create; the create is atomic, and the holder reads
the lock back, so of two runs taking over at once only the one whose token is there goes on.
"""

from __future__ import annotations

import json
import os
import socket
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from compose2ecs.errors import AwsError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from compose2ecs.model import Owner
    from compose2ecs.resources.gateway import Gateway

LOCK_PREFIX = "/compose2ecs/lock"
EXPIRY_MARGIN = 300.0  # seconds a lock outlives the longest wait of the run that holds it
LOCK_HINT = (
    "another compose2ecs run is changing this deployment; wait for it, or pass --lock-timeout "
    "SECONDS to wait longer. A lock left by a run that was killed expires by itself"
)


def lock_name(owner: Owner) -> str:
    return f"{LOCK_PREFIX}/{owner.project}/{owner.cluster}"


@dataclass(frozen=True)
class Holder:
    token: str
    who: str
    since: float
    expires: float

    def text(self) -> str:
        started = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(self.since))
        return f"{self.who} since {started}"


def _decode(value: str | None) -> Holder | None:
    if value is None:
        return None
    try:
        data: dict[str, Any] = json.loads(value)
        return Holder(str(data["token"]), str(data["who"]), float(data["since"]), float(data["expires"]))
    except (ValueError, KeyError, TypeError):
        return Holder("", "an unreadable lock", 0.0, 0.0)  # expired: taken over


@contextmanager
def deployment_lock(
    gateway: Gateway,
    owner: Owner,
    *,
    hold_for: float,
    wait_for: float,
    notify: Callable[[str], None],
    clock: Callable[[], float] = time.time,
    sleep: Callable[[float], None] = time.sleep,
    poll: float = 5.0,
) -> Iterator[None]:
    """Hold the deployment's lock for the block; AwsError (exit 3) when another run keeps it."""
    name = lock_name(owner)
    token = uuid.uuid4().hex
    deadline = clock() + wait_for
    told = False
    while True:
        now = clock()
        mine = Holder(
            token,
            f"{os.environ.get('USER', 'someone')}@{socket.gethostname()} (pid {os.getpid()})",
            now,
            now + hold_for + EXPIRY_MARGIN,
        )
        if gateway.create_lock(name, json.dumps(mine.__dict__)):
            current = _decode(gateway.read_lock(name))
            if current is not None and current.token == token:
                break
        holder = _decode(gateway.read_lock(name))
        if holder is None:
            continue  # released between the two calls: try again at once
        if holder.expires <= now:
            notify(f"taking over the lock of {holder.text()}: it expired")
            gateway.delete_lock(name)
            continue
        if now >= deadline:
            raise AwsError("lock", f"the deployment is locked by {holder.text()}", "Locked", name, LOCK_HINT)
        if not told:
            notify(f"waiting for the lock held by {holder.text()}")
            told = True
        sleep(min(poll, max(deadline - now, 0.0)))
    try:
        yield
    finally:
        # Only a lock that is still this run's is removed (it may have expired and been taken).
        current = _decode(gateway.read_lock(name))
        if current is not None and current.token == token:
            gateway.delete_lock(name)
