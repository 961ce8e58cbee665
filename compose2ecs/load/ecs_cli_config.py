"""ecs-cli's own files: `~/.ecs/config` (cluster configurations) and `~/.ecs/credentials`.

`ecs-cli configure` writes them (YAML, `version: v1`). compose2ecs reads the default cluster
configuration's cluster and region when nothing else names them, a named one for ecs-cli's
`--cluster-config`, and a credentials profile for `--ecs-profile` (or, when the standard AWS chain
finds no credentials, the default one). Credentials are never printed.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, NamedTuple

from compose2ecs.errors import UsageError

if TYPE_CHECKING:
    from collections.abc import Mapping


class EcsProfile(NamedTuple):
    """An `ecs-cli configure profile` entry: credentials. Never printed."""

    access_key: str
    secret_key: str
    session_token: str | None = None


def _home(environ: Mapping[str, str]) -> str:
    return environ.get("HOME") or os.path.expanduser("~")  # noqa: PTH111 - str paths throughout


def _read_yaml(path: str) -> dict[str, object] | None:
    import yaml  # noqa: PLC0415 - only for ecs-cli's files

    try:
        with open(path, encoding="utf-8") as handle:  # noqa: PTH123
            data = yaml.safe_load(handle)
    except FileNotFoundError:
        return None
    except (OSError, yaml.YAMLError) as error:
        raise UsageError(f"{path}: cannot read this ecs-cli file: {error}") from None
    return data if isinstance(data, dict) else None


def cluster_config(environ: Mapping[str, str], name: str | None = None) -> dict[str, str]:
    """The `ecs-cli configure` cluster configuration `name` (else the default): cluster, region."""
    path = os.path.join(_home(environ), ".ecs", "config")  # noqa: PTH118
    data = _read_yaml(path) if name or os.path.exists(path) else None  # noqa: PTH110
    if data is None:
        if name:
            raise UsageError(f"--cluster-config {name}: there is no {path} (written by `ecs-cli configure`)")
        return {}
    found = data.get("clusters")
    clusters: dict[object, object] = found if isinstance(found, dict) else {}
    chosen = name or data.get("default")
    entry = clusters.get(chosen) if isinstance(chosen, str) else None
    if name and not isinstance(entry, dict):
        known = ", ".join(sorted(str(k) for k in clusters)) or "none"
        raise UsageError(f"--cluster-config {name}: no such configuration in {path} (there: {known})")
    if not isinstance(entry, dict):
        return {}
    return {key: str(entry[key]) for key in ("cluster", "region") if entry.get(key)}


def ecs_profile(environ: Mapping[str, str], name: str) -> EcsProfile:
    """The `ecs-cli configure profile` entry `name`."""
    path = os.path.join(_home(environ), ".ecs", "credentials")  # noqa: PTH118
    data = _read_yaml(path) or {}
    found = data.get("ecs_profiles")
    profiles: dict[object, object] = found if isinstance(found, dict) else {}
    entry = profiles.get(name)
    if (
        not isinstance(entry, dict)
        or not entry.get("aws_access_key_id")
        or not entry.get("aws_secret_access_key")
    ):
        known = ", ".join(sorted(str(k) for k in profiles)) or "none"
        raise UsageError(f"--ecs-profile {name}: no such profile with keys in {path} (there: {known})")
    token = entry.get("aws_session_token")
    return EcsProfile(
        str(entry["aws_access_key_id"]), str(entry["aws_secret_access_key"]), str(token) if token else None
    )


def default_profile(environ: Mapping[str, str]) -> EcsProfile | None:
    """The default `ecs-cli configure profile` entry, if there is one with keys."""
    path = os.path.join(_home(environ), ".ecs", "credentials")  # noqa: PTH118
    if not os.path.exists(path):  # noqa: PTH110
        return None
    try:
        data = _read_yaml(path) or {}
    except UsageError:
        return None  # a fallback only: an unreadable file is no credentials, not a stop
    name = data.get("default")
    if not isinstance(name, str):
        return None
    try:
        return ecs_profile(environ, name)
    except UsageError:
        return None
