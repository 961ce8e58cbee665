"""`logs`: CloudWatch Logs lines, prefixed by container and task as `docker compose logs` does."""

from __future__ import annotations

import re
import sys
import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING, NamedTuple

from compose2ecs.errors import UsageError

if TYPE_CHECKING:
    from compose2ecs.resources.gateway import Gateway, LogEvent
    from compose2ecs.workflow import LogSource

FOLLOW_INTERVAL = 2.0  # seconds between polls with --follow
_RELATIVE = re.compile(r"^(\d+)([smhd])$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def since_ms(since: str | None, now: float) -> int | None:
    """`10m`, `2h`, `1d`, or an RFC 3339 time -> epoch milliseconds."""
    if since is None:
        return None
    match = _RELATIVE.match(since.strip())
    if match:
        return int((now - int(match.group(1)) * _UNIT_SECONDS[match.group(2)]) * 1000)
    try:
        moment = datetime.fromisoformat(since.strip())
    except ValueError:
        msg = f"--since {since!r}: write a duration like 10m or 2h, or a time like 2026-01-31T12:00:00Z"
        raise UsageError(msg) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp() * 1000)


def _read(gateway: Gateway, source: LogSource, start_ms: int | None) -> list[LogEvent]:
    events: list[LogEvent] = []
    token: str | None = None
    while True:
        page, token = gateway.filter_log_events(
            source.group, source.region, source.stream_prefix, start_ms, token
        )
        events.extend(page)
        if not token:
            return events


class LogFormat(NamedTuple):
    """How a line is printed: `docker compose logs` `-t/--timestamps` and `--no-log-prefix`."""

    timestamps: bool = False
    prefix: bool = True


PLAIN = LogFormat()


def _line(source: LogSource, event: LogEvent, fmt: LogFormat) -> str:
    text = event.message.rstrip()
    if fmt.timestamps:
        moment = datetime.fromtimestamp(event.timestamp / 1000, UTC)
        text = f"{moment.isoformat(timespec='milliseconds').replace('+00:00', 'Z')} {text}"
    if not fmt.prefix:
        return text
    task = event.log_stream.rsplit("/", 1)[-1][:12]
    return f"{source.container}-{task} | {text}"


def print_logs(
    gateway: Gateway,
    sources: list[LogSource],
    *,
    since: str | None,
    tail: int | None,
    follow: bool,
    fmt: LogFormat = PLAIN,
) -> None:
    """Print every selected container's lines in time order; with `follow`, keep polling."""
    start = since_ms(since, time.time())
    seen: set[tuple[str, int, str]] = set()
    batch: list[tuple[int, str, tuple[str, int, str]]] = []
    for source in sources:
        events = _read(gateway, source, start)
        if tail is not None:
            events = events[-tail:] if tail > 0 else []
        batch.extend(
            (e.timestamp, _line(source, e, fmt), (e.log_stream, e.timestamp, e.message)) for e in events
        )
    newest = start or 0
    for timestamp, line, key in sorted(batch, key=lambda item: item[0]):
        seen.add(key)
        newest = max(newest, timestamp)
        sys.stdout.write(line + "\n")
    sys.stdout.flush()
    while follow:
        time.sleep(FOLLOW_INTERVAL)
        fresh = []
        for source in sources:
            for event in _read(gateway, source, newest):
                key = (event.log_stream, event.timestamp, event.message)
                if key not in seen:
                    seen.add(key)
                    fresh.append((event.timestamp, _line(source, event, fmt)))
        for timestamp, line in sorted(fresh):
            newest = max(newest, timestamp)
            sys.stdout.write(line + "\n")
        sys.stdout.flush()


class TaskLogs:
    """The lines one task's container has written so far, each printed once (for `run`)."""

    def __init__(self, gateway: Gateway, source: LogSource, task_id: str) -> None:
        self.gateway = gateway
        self.source = source._replace(stream_prefix=f"{source.stream_prefix}{task_id}")
        self.seen: set[tuple[str, int, str]] = set()

    def poll(self) -> None:
        fresh = []
        for event in _read(self.gateway, self.source, None):
            key = (event.log_stream, event.timestamp, event.message)
            if key not in self.seen:
                self.seen.add(key)
                fresh.append(event)
        for event in sorted(fresh, key=lambda e: e.timestamp):
            sys.stdout.write(event.message.rstrip() + "\n")
        sys.stdout.flush()
