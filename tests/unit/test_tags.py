"""The tags compose2ecs puts on what it creates fit every AWS tag pattern (checked by AWS, not moto)."""

from __future__ import annotations

import re

import botocore.session

from compose2ecs.model import Owner

# botocore's patterns use \p{L}\p{Z}\p{N} (letters, separators, numbers); Python's re has no \p.
UNICODE_CLASSES = {r"\p{L}\p{Z}\p{N}": r"\w\s"}


def _pattern(service: str, shape: str) -> re.Pattern[str]:
    model = botocore.session.get_session().get_service_model(service)
    text = str(model.shape_for(shape).metadata["pattern"])
    for unicode_classes, python in UNICODE_CLASSES.items():
        text = text.replace(unicode_classes, python)
    return re.compile(text)


def test_ownership_and_user_tags_fit_the_iam_logs_and_ecs_tag_patterns() -> None:
    owner = Owner("shop-web_2", "prod-eu", "eu-west-1")
    tags = {**owner.tags(), owner.user_tag: owner.user_value}
    for service, key_shape, value_shape in (
        ("iam", "tagKeyType", "tagValueType"),
        ("logs", "TagKey", "TagValue"),
        ("ecs", "TagKey", "TagValue"),
    ):
        key_re, value_re = _pattern(service, key_shape), _pattern(service, value_shape)
        for key, value in tags.items():
            assert key_re.fullmatch(key), (service, key)
            assert value_re.fullmatch(value), (service, value)


def test_the_label_in_messages_is_not_a_valid_iam_tag_value() -> None:
    # Why tags carry `user_value`, not the readable label: IAM refuses parentheses.
    assert not _pattern("iam", "tagValueType").fullmatch(Owner("a", "b", "c").label())
