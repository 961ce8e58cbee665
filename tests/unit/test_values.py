import pytest

from compose2ecs.values import format_duration, go_float, parse_bytes, parse_duration


@pytest.mark.parametrize(
    ("text", "printed"),
    [
        ("90s", "1m30s"),
        ("1h", "1h0m0s"),
        ("1500ms", "1.5s"),
        ("0", "0s"),
        ("100us", "100µs"),
        ("2h30m", "2h30m0s"),
    ],
)
def test_durations_print_as_go_does(text: str, printed: str) -> None:
    assert format_duration(parse_duration(text)) == printed


@pytest.mark.parametrize("text", ["10", "1x", "", "s"])
def test_rejects_bad_durations(text: str) -> None:
    with pytest.raises(ValueError, match="duration"):
        parse_duration(text)


@pytest.mark.parametrize(
    ("value", "size"),
    [("512m", 536870912), ("1.5g", 1610612736), ("1gb", 1073741824), (2048, 2048), ("10", 10)],
)
def test_byte_sizes_are_binary_multiples(value: object, size: int) -> None:
    assert parse_bytes(value) == size


def test_rejects_bad_byte_sizes() -> None:
    with pytest.raises(ValueError, match="invalid size"):
        parse_bytes("lots")


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1000000.0, "1e+06"),
        (123456.0, "123456"),
        (1234567.5, "1.2345675e+06"),
        (0.00001, "1e-05"),
        (1.5, "1.5"),
    ],
)
def test_floats_print_like_fmt_sprint(value: float, text: str) -> None:
    assert go_float(value) == text
