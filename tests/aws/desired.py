"""Hand-built inputs for the gateway tests: desired states (the shapes `translate` produces), sessions.

Every test gets its own project name, so the tests share one moto account without seeing each
other's resources (a moto reset costs about a second once IAM's managed policies are loaded).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import boto3
import botocore.session

from compose2ecs.model import DesiredState, LogGroupSpec, Owner, RoleSpec, ecs_tags
from tests.emulator import REGION

NOWHERE = "http://127.0.0.1:9"  # a call that slips past the stubs fails here instead of reaching AWS

if TYPE_CHECKING:
    from botocore.loaders import Loader

EXEC_POLICY = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
TRUST: dict[str, Any] = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}
    ],
}
INLINE: dict[str, Any] = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "logs:CreateLogGroup", "Resource": "*"}],
}


@dataclass(frozen=True)
class Project:
    """The names of one test project's resources."""

    name: str

    @classmethod
    def unique(cls) -> Project:
        return cls(f"p{uuid.uuid4().hex[:10]}")

    @property
    def cluster(self) -> str:
        return f"{self.name}-cluster"

    @property
    def role(self) -> str:
        return f"{self.name}-exec"

    @property
    def log_group(self) -> str:
        return f"/ecs/{self.name}"

    @property
    def family(self) -> str:
        return f"{self.name}-web"

    @property
    def namespace(self) -> str:
        return f"{self.name}.local"

    @property
    def tags(self) -> dict[str, str]:
        return Owner(self.name, self.cluster, REGION).tags()

    def task_definition(self, family: str | None = None, image: str = "nginx:1.27") -> dict[str, Any]:
        return {
            "family": family or self.family,
            "requiresCompatibilities": ["FARGATE"],
            "networkMode": "awsvpc",
            "cpu": "256",
            "memory": "512",
            "executionRoleArn": f"arn:aws:iam::123456789012:role/{self.role}",
            "containerDefinitions": [
                {
                    "name": "web",
                    "image": image,
                    "essential": True,
                    "portMappings": [{"containerPort": 80, "protocol": "tcp"}],
                    "logConfiguration": {
                        "logDriver": "awslogs",
                        "options": {
                            "awslogs-group": self.log_group,
                            "awslogs-region": REGION,
                            "awslogs-stream-prefix": "web",
                        },
                    },
                }
            ],
            "tags": ecs_tags(self.tags),
        }

    def service(self, name: str = "web") -> dict[str, Any]:
        return {
            "serviceName": name,
            "taskDefinition": self.family,
            "desiredCount": 1,
            "launchType": "FARGATE",
            "propagateTags": "SERVICE",
            "tags": ecs_tags(self.tags),
        }

    def desired(self, *, roles: bool = True, namespace: bool = False) -> DesiredState:
        """One service `web` with no network given, so the project security group is read too."""
        role = RoleSpec(self.role, "/", TRUST, (EXEC_POLICY,), {"create-log-group": INLINE})
        return DesiredState(
            project=self.name,
            layout="project",
            region=REGION,
            task_definitions=[self.task_definition()],
            services=[self.service()],
            roles=[role] if roles else [],
            log_groups=[LogGroupSpec(self.log_group, REGION, 7)],
            tags=self.tags,
            namespace=self.namespace if namespace else None,
            cluster=self.cluster,
        )


def offline_session(region: str = "us-east-1", api_models: Loader | None = None) -> boto3.Session:
    """A session with fake keys and no config; `api_models` shares botocore's parsed API models."""
    core = botocore.session.get_session()
    if api_models is not None:
        core.register_component("data_loader", api_models)
    return boto3.Session(
        aws_access_key_id="testing",
        aws_secret_access_key="testing",  # noqa: S106 - a fake key for a local endpoint
        region_name=region,
        botocore_session=core,
    )
