"""compose2ecs: run docker-compose apps on AWS Fargate."""

__version__ = "0.1.0"
