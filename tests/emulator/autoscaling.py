"""Application Auto Scaling: the role a scalable target registered without one gets.

AWS: without `RoleARN`, RegisterScalableTarget uses the service-linked role of the service
namespace, and DescribeScalableTargets returns its ARN (RoleARN is a required member of the
ScalableTarget shape). moto 5.2.5 keeps None and answers without it.
"""

from __future__ import annotations

from typing import Any

from moto.applicationautoscaling.models import FakeScalableTarget

_ROLE = (
    "arn:aws:iam::{account}:role/aws-service-role/ecs.application-autoscaling.amazonaws.com/"
    "AWSServiceRoleForApplicationAutoScaling_ECSService"
)


def install() -> None:
    original = FakeScalableTarget.__init__

    def init(self: Any, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        if not self.role_arn:
            self.role_arn = _ROLE.format(account=self.arn.split(":")[4])

    FakeScalableTarget.__init__ = init  # type: ignore[method-assign]
