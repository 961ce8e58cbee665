"""Cloud Map's ListNamespaces filters, which moto ignores (it returns every namespace).

AWS answers `Filters=[{"Name": "NAME", "Values": [...], "Condition": "EQ"}]` with the namespaces of
that name only (and TYPE, HTTP_NAME likewise; BEGINS_WITH for NAME). compose2ecs looks up its
namespace by name, so without the filter one deployment would see another's namespace.
"""

from __future__ import annotations

import json
from typing import Any

from moto.servicediscovery.responses import ServiceDiscoveryResponse

_FIELDS = {"NAME": "name", "TYPE": "type", "HTTP_NAME": "http_name"}


def _value(namespace: Any, field: str) -> str:
    if field == "http_name":
        return str((namespace.http_properties or {}).get("HttpName", ""))
    return str(getattr(namespace, field, ""))


def _matches(namespace: Any, filters: list[dict[str, Any]]) -> bool:
    for item in filters:
        value = _value(namespace, _FIELDS.get(str(item.get("Name")), "name"))
        wanted = [str(v) for v in item.get("Values", [])]
        condition = item.get("Condition", "EQ")
        if condition == "BEGINS_WITH":
            if not any(value.startswith(w) for w in wanted):
                return False
        elif value not in wanted:
            return False
    return True


def _list_namespaces(self: ServiceDiscoveryResponse) -> tuple[int, dict[str, str], str]:
    filters = json.loads(self.body or "{}").get("Filters") or []
    namespaces = [ns for ns in self.servicediscovery_backend.list_namespaces() if _matches(ns, filters)]
    return 200, {}, json.dumps({"Namespaces": [ns.to_json() for ns in namespaces]})


def install() -> None:
    ServiceDiscoveryResponse.list_namespaces = _list_namespaces  # type: ignore[method-assign]
