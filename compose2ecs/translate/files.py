"""Files a container reads from the host: compose `configs` and read-only bind mounts.

Fargate has no host filesystem, so each file is carried into the task: its bytes (read by
load/host_files.py, bounded, from inside the project only) go into SSM parameters (SecureString,
Standard tier: at most 4096 characters each, so a file is base64 in as many as it needs), named
after the content's digest under the deployment's prefix. The init container (task_definition.py)
receives them from ECS as variables, writes each file with its mode and owner into a task volume,
and the app container mounts that volume read-only where the file belongs and starts after it.

A whole directory (`./prometheus:/etc/prometheus:ro`) replaces the image's directory, as in
Docker. A single file (`./nginx.conf:/etc/nginx/nginx.conf:ro`) must keep the files the image
has next to it: a seed container, of the app's own image, first copies that directory into the
volume (so it needs `sh` and `cp` in the image, which the report says).
"""

from __future__ import annotations

import posixpath
import re
from typing import TYPE_CHECKING, Any, NamedTuple

from compose2ecs.model import FileParameter
from compose2ecs.translate.report import MAPPED, REJECTED

if TYPE_CHECKING:
    from collections.abc import Mapping

    from compose2ecs.model import HostEntry
    from compose2ecs.translate.report import Report

PARAMETER_CHARACTERS = 4096  # SSM's Standard tier limit for a value
MAX_TASK_BYTES = 256 * 1024  # every file of a task: the init container gets them as variables


class HostFile(NamedTuple):
    """One file to write into the task."""

    target: str  # absolute path in the app container
    content: bytes
    mode: str  # octal, as chmod takes it
    uid: str
    gid: str
    path: tuple[str | int, ...] = ()  # the compose key that names it, for the report


class Delivery(NamedTuple):
    """Files under one directory of the app container: one task volume mounted there, read-only."""

    directory: str
    files: tuple[HostFile, ...]
    seed: bool  # copy the image's directory into the volume first (single files into it)


def _mode(value: Any, default: str) -> str:
    mode = str(value or default)
    if re.fullmatch(r"0?[0-7]{3,4}", mode):
        return mode
    try:
        return f"0{int(mode):o}"  # a decimal number of the permission bits
    except ValueError:
        return default


def target_path(target: str) -> str:
    """An absolute, normalised path (compose takes a relative config target from /)."""
    return posixpath.normpath(target if target.startswith("/") else f"/{target}")


def _owner(value: Any) -> str:
    text = str(value or "0")
    return text if text.isdigit() else "0"


def from_bind_mount(
    volume: Mapping[str, Any], entry: HostEntry, path: tuple[str | int, ...], report: Report
) -> list[HostFile]:
    """The files of a read-only bind mount of a file or directory inside the project."""
    target = target_path(str(volume.get("target") or ""))
    source = str(volume.get("source") or "")
    if entry.kind == "file":
        files = [HostFile(target, entry.files[""], "0444", "0", "0", path)]
        what = f"the file {source}"
    else:
        files = [
            HostFile(posixpath.join(target, relative), data, "0444", "0", "0", path)
            for relative, data in sorted(entry.files.items())
        ]
        what = f"the {len(files)} file(s) of {source}"
    report.add(
        path,
        f"{what} delivered read-only at {target}: stored in SSM Parameter Store and written into the task "
        "at start by the init container",
        MAPPED,
        "host-file",
    )
    return files


def from_config(
    entry: Mapping[str, Any],
    declared: Mapping[str, Any],
    host: Mapping[str, HostEntry],
    environment: Mapping[str, str],
    path: tuple[str | int, ...],
    report: Report,
) -> HostFile | None:
    """A compose config (`file`, `content` or `environment`) as a file at its target."""
    name = str(entry["source"])
    raw = str(entry.get("target") or f"/{name}")
    if raw.endswith("/"):
        report.add(
            (*path, "target"),
            f"target {raw} names a directory; a config is one file",
            REJECTED,
            "config-target",
            f"name the file, e.g. {raw}{name}",
        )
        return None
    for key in ("uid", "gid"):
        if entry.get(key) is not None and not str(entry[key]).isdigit():
            report.add(
                (*path, key),
                f"{key} {entry[key]!r} is not a number: the init container sets owners by number",
                REJECTED,
                "config-owner",
                f"give the numeric {key}",
            )
            return None
    target = target_path(raw)
    content: bytes | None = None
    if declared.get("file"):
        found = host.get(str(declared["file"]))
        if found is None or found.kind != "file":
            missing = found is not None and found.kind == "missing"
            why = found.why if found is not None and found.why else "it is not a file"
            report.add(
                ("configs", name, "file"),
                f"config {name}: {declared['file']} cannot be delivered: "
                + ("no such file" if missing else why),
                REJECTED,
                "host-file-missing" if missing else "config-file",
                "give a file inside the project directory, at most 64 KiB",
            )
            return None
        content = found.files[""]
    elif "content" in declared:
        content = str(declared.get("content") or "").encode()
    elif declared.get("environment"):
        variable = str(declared["environment"])
        if variable not in environment:
            report.add(
                ("configs", name, "environment"),
                f"config {name}: the variable {variable} is not set",
                REJECTED,
                "config-environment",
                f"set {variable} in the environment or in .env",
            )
            return None
        content = environment[variable].encode()
    elif declared.get("external"):
        report.add(
            ("configs", name, "external"),
            f"config {name} is external: compose2ecs has no store to find it in",
            REJECTED,
            "config-external",
            "give its content with file: or content:",
        )
        return None
    if content is None:
        return None
    mode = _mode(entry.get("mode"), "0444")
    report.add(
        path,
        f"config {name} delivered at {target} (mode {mode}): stored in SSM Parameter Store and written "
        "into the task at start by the init container",
        MAPPED,
        "config-file",
    )
    return HostFile(target, content, mode, _owner(entry.get("uid")), _owner(entry.get("gid")), path)


def deliveries(
    files: list[HostFile], whole: set[str], path: tuple[str | int, ...], report: Report
) -> list[Delivery]:
    """The directories the files go under: whole directories as given, a single file's parent.

    A directory inside another one goes into the outer one's volume (ECS mounts whole volumes).
    """
    wanted: dict[str, bool] = {}  # directory -> seed
    kept: list[HostFile] = []
    for file in files:
        inside = [d for d in sorted(whole) if file.target == d or file.target.startswith(f"{d}/")]
        if inside:
            wanted.setdefault(inside[0], False)
        elif posixpath.dirname(file.target) == "/":
            where = (
                "compose's default target for a config, /<name>" if file.path[-2:-1] == ("configs",) else ""
            )
            report.add(
                file.path or path,
                f"{file.target} is directly under /, and a task volume cannot be mounted over the whole "
                "filesystem" + (f" ({where})" if where else ""),
                REJECTED,
                "config-target",
                "put it in a directory, e.g. target: /etc/app/config.yml, and point the app there",
            )
            continue
        else:
            wanted[posixpath.dirname(file.target)] = True
        kept.append(file)
    files = kept
    chosen: list[str] = []
    for directory in sorted(wanted):
        if not any(directory.startswith(f"{outer}/") for outer in chosen):
            chosen.append(directory)
    out = []
    for directory in chosen:
        under = tuple(f for f in files if f.target.startswith(f"{directory}/"))
        seed = any(seed for d, seed in wanted.items() if d == directory or d.startswith(f"{directory}/"))
        out.append(Delivery(directory, under, seed and directory not in whole))
    return out


def parameters(content: bytes, prefix: str) -> list[FileParameter]:
    """The SSM parameters that hold `content` (base64, 4096 characters each), named by its digest."""
    import base64  # noqa: PLC0415 - only projects with files: `convert` starts faster without it
    import hashlib  # noqa: PLC0415

    digest = hashlib.sha256(content).hexdigest()[:20]
    text = base64.b64encode(content).decode()  # empty: no parameter (SSM refuses an empty value)
    chunks = [text[i : i + PARAMETER_CHARACTERS] for i in range(0, len(text), PARAMETER_CHARACTERS)]
    return [FileParameter(f"{prefix}{digest}-{index}", chunk) for index, chunk in enumerate(chunks)]
