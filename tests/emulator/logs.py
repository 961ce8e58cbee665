"""CloudWatch Logs FilterLogEvents' `logStreamNamePrefix`, which moto 5.2.5 ignores.

AWS: "Filters the results to include only events from log streams that have names starting with
this prefix" (FilterLogEvents API reference). `compose2ecs logs SERVICE` reads one container's
streams (`<prefix>/<container>/<task id>`) by that prefix; without it every container's lines
would be mixed in.
"""

from __future__ import annotations

import json
from typing import Any

from moto.logs.responses import LogsResponse


def _filter_log_events(self: Any) -> str:
    """moto's handler, with the prefix turned into the stream names it selects."""
    group_name = self._get_param("logGroupName")
    names = self._get_param("logStreamNames", [])
    prefix = self._get_param("logStreamNamePrefix")
    if prefix and not names:
        group = self.logs_backend.groups.get(group_name)
        names = [name for name in (group.streams if group else {}) if name.startswith(prefix)]
        if not names:
            return json.dumps({"events": [], "searchedLogStreams": []})
    events, next_token, searched = self.logs_backend.filter_log_events(
        group_name,
        names,
        self._get_param("startTime"),
        self._get_param("endTime"),
        self._get_param("limit"),
        self._get_param("nextToken"),
        self._get_param("filterPattern"),
        self._get_param("interleaved", if_none=False),
    )
    return json.dumps({"events": events, "nextToken": next_token, "searchedLogStreams": searched})


def install() -> None:
    LogsResponse.filter_log_events = _filter_log_events  # type: ignore[method-assign]
