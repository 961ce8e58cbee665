"""The host files a project hands its containers: compose `configs` files and bind mounts.

Fargate has no host filesystem, so compose2ecs carries these files into the task itself
(translate/files.py), and needs their bytes, read here, once, with bounds. Only what lies inside
the project directory is read: a bind mount of `~/.aws` or of another project's files is never
read or uploaded. A writable bind mount is only looked at (a directory is data the app keeps; a
file is refused). Symbolic links are followed only while they stay inside the project.
"""

from __future__ import annotations

import os
import stat
from typing import TYPE_CHECKING

from compose2ecs.model import HostEntry

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

MAX_FILE_BYTES = 64 * 1024  # one file; more belongs in the image
MAX_DIRECTORY_FILES = 64
MAX_DIRECTORY_BYTES = 256 * 1024


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip("/") + "/")


def _read(path: str) -> bytes | str:
    """The bytes of a regular file (opened without blocking), or why not."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as error:
        return error.strerror or "unreadable"
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return "not a regular file"
        data = handle.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        return f"larger than {MAX_FILE_BYTES // 1024} KiB"
    return data


def read_entry(path: str, project_dir: str, *, contents: bool) -> HostEntry:
    """What is at `path`; with `contents`, the bytes of the file or of every file below it.

    Without `contents` (a writable mount: only whether it is a directory matters) the path may be
    anywhere; with them, it must be inside the project.
    """
    real, root = os.path.realpath(path), os.path.realpath(project_dir)
    if contents and not _inside(real, root):
        # Never read: a mount of ~/.aws or of another project's files must not reach AWS.
        return HostEntry("refused", why="it is outside the project directory (or links out of it)")
    if not os.path.lexists(path):
        return HostEntry("missing")
    if os.path.isdir(real):  # noqa: PTH112
        return _directory(real, root) if contents else HostEntry("directory")
    if not contents:
        return HostEntry("file")
    data = _read(real)
    if isinstance(data, str):
        return HostEntry("refused", why=data)
    return HostEntry("file", {"": data})


def _directory(real: str, root: str) -> HostEntry:
    files: dict[str, bytes] = {}
    total = 0
    for directory, subdirectories, names in os.walk(real):
        subdirectories.sort()
        for name in sorted(names):
            full = os.path.join(directory, name)  # noqa: PTH118
            if not _inside(os.path.realpath(full), root):
                return HostEntry("refused", why=f"{full} links outside the project directory")
            data = _read(full)
            if isinstance(data, str):
                return HostEntry("refused", why=f"{full} is {data}")
            total += len(data)
            files[os.path.relpath(full, real)] = data
            if len(files) > MAX_DIRECTORY_FILES or total > MAX_DIRECTORY_BYTES:
                return HostEntry(
                    "refused",
                    why=f"it holds more than {MAX_DIRECTORY_FILES} files or "
                    f"{MAX_DIRECTORY_BYTES // 1024} KiB",
                )
    return HostEntry("directory", files)


def read_host_files(model: Mapping[str, object], project_dir: str) -> dict[str, HostEntry]:
    """Every configs and secrets file a service uses and every bind mount source: path -> HostEntry."""
    wanted: dict[str, bool] = {}  # path -> whether its bytes are needed
    for path, contents in _sources(model):
        wanted[path] = wanted.get(path, False) or contents
    return {
        path: read_entry(path, project_dir, contents=contents) for path, contents in sorted(wanted.items())
    }


def _sources(model: Mapping[str, object]) -> Iterable[tuple[str, bool]]:
    configs = model.get("configs")
    services = model.get("services")
    used: set[str] = set()
    if isinstance(services, dict):
        for service in services.values():
            if not isinstance(service, dict):
                continue
            for mount in service.get("volumes") or []:
                if isinstance(mount, dict) and mount.get("type") == "bind" and mount.get("source"):
                    yield str(mount["source"]), bool(mount.get("read_only"))
            for config in service.get("configs") or []:
                if isinstance(config, dict) and config.get("source"):
                    used.add(str(config["source"]))
            for secret in service.get("secrets") or []:
                if isinstance(secret, dict) and secret.get("source"):
                    used.add(f"secret:{secret['source']}")
    if isinstance(configs, dict):
        for name, config in configs.items():
            if name in used and isinstance(config, dict) and config.get("file"):
                yield str(config["file"]), True
    secrets = model.get("secrets")
    if isinstance(secrets, dict):
        for name, secret in secrets.items():
            if f"secret:{name}" in used and isinstance(secret, dict) and secret.get("file"):
                yield str(secret["file"]), True
