"""Compose's short syntaxes (`"8080:80/udp"`, `"./data:/data:ro,z"`, ...) parsed into long form.

Each parser raises ValueError with a message fit for the user; the caller adds file and line.
"""

from __future__ import annotations

import posixpath
from typing import Any

_PROPAGATIONS = frozenset(("rprivate", "private", "rshared", "shared", "rslave", "slave"))
_SELINUX = frozenset(("z", "Z"))
_PROTOCOLS = frozenset(("tcp", "udp", "sctp"))


def _is_windows_drive(buffer: str, char: str) -> bool:
    return char == ":" and len(buffer) == 1 and buffer.isalpha()


def _is_file_path(source: str) -> bool:
    if not source:
        return False
    if source[0] in "./~" or source.startswith("\\\\"):
        return True
    return len(source) > 1 and _is_windows_drive(source[0], source[1])


def parse_volume(spec: str) -> dict[str, Any]:
    """`[SOURCE:]TARGET[:OPTIONS]` -> the long volume syntax, as Compose's format.ParseVolume."""
    if not spec:
        raise ValueError("invalid empty volume spec")
    if len(spec) <= 2:  # noqa: PLR2004 - Compose treats 1-2 character specs as anonymous targets
        return {"type": "volume", "target": spec}
    fields: dict[str, Any] = {"source": "", "target": ""}
    read_only = False
    bind: dict[str, Any] | None = None
    volume: dict[str, Any] | None = None

    def take(char: str, buffer: str) -> None:
        nonlocal read_only, bind, volume
        if not buffer:
            raise ValueError(f"invalid spec: {spec}: empty section between colons")
        if not fields["source"] and char == "":
            fields["target"] = buffer
            return
        if not fields["source"]:
            fields["source"] = buffer
            return
        if not fields["target"]:
            fields["target"] = buffer
            return
        if char == ":":
            raise ValueError(f"invalid spec: {spec}: too many colons")
        for option in buffer.split(","):
            if option == "ro":
                read_only = True
            elif option == "rw":
                read_only = False
            elif option == "nocopy":
                volume = {"nocopy": True}
            elif option in _PROPAGATIONS:
                bind = bind or {}
                bind["propagation"] = option
            elif option in _SELINUX:
                bind = bind or {}
                bind["selinux"] = option
            # Compose ignores options it does not know.

    buffer = ""
    for char in spec:
        if _is_windows_drive(buffer, char):
            buffer += char
        elif char == ":":
            take(char, buffer)
            buffer = ""
        else:
            buffer += char
    take("", buffer)

    result: dict[str, Any] = {}
    if _is_file_path(fields["source"]):
        result["type"] = "bind"
        bind = bind or {}
        # Short syntax binds create a missing host path, as docker-compose v1 did.
        bind["create_host_path"] = True
    else:
        result["type"] = "volume"
        volume = volume or {}
    if fields["source"]:
        result["source"] = fields["source"]
    if fields["target"]:
        result["target"] = posixpath.normpath(fields["target"]) if fields["target"] else ""
        if fields["target"].startswith("//"):
            result["target"] = "/" + result["target"].lstrip("/")
    if read_only:
        result["read_only"] = True
    if bind is not None:
        result["bind"] = bind
    if volume is not None:
        result["volume"] = volume
    return result


def _port_range(text: str) -> tuple[int, int]:
    if not text:
        raise ValueError("empty string specified for ports")
    if "-" not in text:
        start = _port_number(text)
        return start, start
    first, _, last = text.partition("-")
    start, end = _port_number(first), _port_number(last)
    if end < start:
        raise ValueError(f"invalid range specified for port: {text}")
    return start, end


def _port_number(text: str) -> int:
    if not text.isdigit() or int(text) > 65535:  # noqa: PLR2004
        raise ValueError(f"invalid port number: {text!r}")
    return int(text)


def parse_port(spec: str) -> list[dict[str, Any]]:
    """`[[IP:]HOST:]CONTAINER[/PROTO]`, ranges included -> one long-form entry per container port."""
    parts = spec.split(":")
    container = parts[-1]
    if len(parts) == 1:
        ip, host = "", ""
    elif len(parts) == 2:  # noqa: PLR2004
        ip, host = "", parts[0]
    else:
        ip, host = ":".join(parts[:-2]), parts[-2]
    proto_parts = container.split("/")
    if not container or not proto_parts[0]:
        proto, container = "", ""
    elif len(proto_parts) == 1 or not proto_parts[1]:
        proto, container = "tcp", proto_parts[0]
    else:
        proto, container = proto_parts[1], proto_parts[0]
    if ip.startswith("["):
        if not ip.endswith("]"):
            raise ValueError(f"invalid IP address {ip}")
        ip = ip[1:-1]
    if ip:
        import ipaddress  # noqa: PLC0415 - only ports bound to a host IP need it

        try:
            ipaddress.ip_address(ip)
        except ValueError:
            raise ValueError(f"invalid IP address: {ip}") from None
    if not container:
        raise ValueError(f"no port specified: {spec}<empty>")
    try:
        start, end = _port_range(container)
    except ValueError:
        raise ValueError(f"invalid containerPort: {container}") from None
    host_start = host_end = 0
    if host:
        try:
            host_start, host_end = _port_range(host)
        except ValueError:
            raise ValueError(f"invalid hostPort: {host}") from None
        if end - start != host_end - host_start and end != start:
            raise ValueError(f"invalid ranges specified for container and host Ports: {container} and {host}")
    if proto.lower() not in _PROTOCOLS:
        raise ValueError(f"invalid proto: {proto}")
    entries: dict[str, dict[str, Any]] = {}
    for offset in range(end - start + 1):
        published = str(host_start + offset) if host else ""
        if start == end and host_start != host_end:
            published = f"{published}-{host_end}"
        key = f"{start + offset}/{proto.lower()}"
        entry: dict[str, Any] = {"mode": "ingress", "target": start + offset, "protocol": proto.lower()}
        if published:
            entry["published"] = published
        if ip:
            entry["host_ip"] = ip
        entries.setdefault(key, entry)
    # Compose orders the expanded ports by their "port/proto" text.
    return [entries[key] for key in sorted(entries)]


def parse_device(spec: str) -> dict[str, Any]:
    """`HOST[:CONTAINER[:PERMISSIONS]]` -> the long device syntax."""
    parts = spec.split(":")
    if len(parts) > 3:  # noqa: PLR2004
        raise ValueError(f"invalid device spec: {spec}: too many colons")
    source = parts[0]
    target = parts[1] if len(parts) > 1 and parts[1] else source
    permissions = parts[2] if len(parts) > 2 else "rwm"  # noqa: PLR2004
    if len(parts) == 2 and parts[1] and not parts[1].startswith("/"):  # noqa: PLR2004
        target, permissions = source, parts[1]
    return {"source": source, "target": target, "permissions": permissions}
