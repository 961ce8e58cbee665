import pytest

from compose2ecs.load.short_syntax import parse_device, parse_port, parse_volume


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("80", [{"mode": "ingress", "target": 80, "protocol": "tcp"}]),
        ("8080:80", [{"mode": "ingress", "target": 80, "protocol": "tcp", "published": "8080"}]),
        ("53:53/udp", [{"mode": "ingress", "target": 53, "protocol": "udp", "published": "53"}]),
        (
            "127.0.0.1:9000:9000",
            [
                {
                    "mode": "ingress",
                    "target": 9000,
                    "protocol": "tcp",
                    "published": "9000",
                    "host_ip": "127.0.0.1",
                }
            ],
        ),
        (
            "[::1]:80:80",
            [{"mode": "ingress", "target": 80, "protocol": "tcp", "published": "80", "host_ip": "::1"}],
        ),
        (
            "3000-3001:4000-4001",
            [
                {"mode": "ingress", "target": 4000, "protocol": "tcp", "published": "3000"},
                {"mode": "ingress", "target": 4001, "protocol": "tcp", "published": "3001"},
            ],
        ),
        ("8000-8010:80", [{"mode": "ingress", "target": 80, "protocol": "tcp", "published": "8000-8010"}]),
    ],
)
def test_parses_port_short_syntax(spec: str, expected: list[dict[str, object]]) -> None:
    assert parse_port(spec) == expected


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("80/quic", "invalid proto: quic"),
        ("70000", "invalid containerPort: 70000"),
        ("abc:80", "invalid hostPort: abc"),
        ("1.2.3:80:80", "invalid IP address: 1.2.3"),
        ("3000-3002:4000-4001", "invalid ranges specified"),
    ],
)
def test_rejects_bad_ports(spec: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_port(spec)


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("/data", {"type": "volume", "target": "/data", "volume": {}}),
        ("cache:/cache", {"type": "volume", "source": "cache", "target": "/cache", "volume": {}}),
        (
            "./conf:/etc/app:ro,z",
            {
                "type": "bind",
                "source": "./conf",
                "target": "/etc/app",
                "read_only": True,
                "bind": {"selinux": "z", "create_host_path": True},
            },
        ),
        (
            "data:/data:nocopy",
            {"type": "volume", "source": "data", "target": "/data", "volume": {"nocopy": True}},
        ),
        (
            "C:\\data:/data",
            {"type": "bind", "source": "C:\\data", "target": "/data", "bind": {"create_host_path": True}},
        ),
        ("/a/../b/", {"type": "volume", "target": "/b", "volume": {}}),
    ],
)
def test_parses_volume_short_syntax(spec: str, expected: dict[str, object]) -> None:
    assert parse_volume(spec) == expected


def test_rejects_volume_with_too_many_colons() -> None:
    with pytest.raises(ValueError, match="too many colons"):
        parse_volume("data:/b:ro:extra")


def test_parses_devices() -> None:
    assert parse_device("/dev/fuse") == {"source": "/dev/fuse", "target": "/dev/fuse", "permissions": "rwm"}
    assert parse_device("/dev/a:/dev/b:r") == {"source": "/dev/a", "target": "/dev/b", "permissions": "r"}
