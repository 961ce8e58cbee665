from compose2ecs.load.merge import enforce_unicity, merge


def test_command_is_replaced_not_appended() -> None:
    base = {"services": {"a": {"command": ["x", "y"]}}}
    assert merge(base, {"services": {"a": {"command": ["z"]}}})["services"]["a"]["command"] == ["z"]


def test_environment_appends_and_later_value_wins() -> None:
    merged = merge(
        {"services": {"a": {"environment": ["A=1", "B=2"]}}}, {"services": {"a": {"environment": {"B": "3"}}}}
    )
    assert enforce_unicity(merged)["services"]["a"]["environment"] == ["A=1", "B=3"]


def test_depends_on_merges_by_service() -> None:
    merged = merge(
        {"services": {"a": {"depends_on": ["db"]}}}, {"services": {"a": {"depends_on": ["cache"]}}}
    )
    assert set(merged["services"]["a"]["depends_on"]) == {"db", "cache"}


def test_logging_options_merge_only_for_the_same_driver() -> None:
    base = {"services": {"a": {"logging": {"driver": "json-file", "options": {"max-size": "1m"}}}}}
    same = merge(base, {"services": {"a": {"logging": {"options": {"max-file": "2"}}}}})
    assert same["services"]["a"]["logging"]["options"] == {"max-size": "1m", "max-file": "2"}
    other = merge(base, {"services": {"a": {"logging": {"driver": "syslog"}}}})
    assert other["services"]["a"]["logging"] == {"driver": "syslog"}


def test_ports_are_unique_by_binding() -> None:
    merged = merge(
        {"services": {"a": {"ports": ["80:80"]}}}, {"services": {"a": {"ports": ["80:80", "81:81"]}}}
    )
    assert enforce_unicity(merged)["services"]["a"]["ports"] == ["80:80", "81:81"]


def test_volumes_are_unique_by_target_and_the_last_wins() -> None:
    merged = merge(
        {"services": {"a": {"volumes": ["./a:/data"]}}}, {"services": {"a": {"volumes": ["./b:/data"]}}}
    )
    assert enforce_unicity(merged)["services"]["a"]["volumes"] == ["./b:/data"]


def test_inputs_are_not_modified() -> None:
    base = {"services": {"a": {"image": "x", "labels": ["a=1"]}}}
    merge(base, {"services": {"a": {"image": "y"}}})
    assert base == {"services": {"a": {"image": "x", "labels": ["a=1"]}}}
