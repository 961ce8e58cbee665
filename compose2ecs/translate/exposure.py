"""Which published ports may face the internet: never a data store's, unless ecs-params says so.

A compose file publishes a database's port for the developer's own machine (`5432:5432` to run
psql from the laptop); on Fargate the same line would open the database to the internet, so a
data store's port stays inside the project. A data store is known by its image (the official
images and their common forks) or, for any image, by the well-known port it listens on.
"""

from __future__ import annotations

# The repository's last path component, as Docker Hub and the vendors name them.
DATA_STORE_IMAGES = frozenset(
    {
        "postgres",
        "postgis",
        "timescaledb",
        "mysql",
        "mariadb",
        "percona",
        "percona-server",
        "redis",
        "redis-stack",
        "redis-stack-server",
        "valkey",
        "keydb",
        "mongo",
        "mongodb",
        "mongodb-community-server",
        "elasticsearch",
        "opensearch",
        "memcached",
        "rabbitmq",
        "cassandra",
        "scylla",
        "couchdb",
        "couchbase",
        "neo4j",
        "influxdb",
        "clickhouse-server",
        "cockroach",
        "zookeeper",
        "kafka",
        "etcd",
        "server",  # mcr.microsoft.com/mssql/server: checked with its namespace below
        "minio",
        "solr",
    }
)
_AMBIGUOUS = {"server": "mssql/"}  # a last component that is a data store only under this namespace
# Ports data stores listen on by default, whatever image serves them.
DATA_STORE_PORTS = {
    1433: "SQL Server",
    1521: "Oracle",
    2181: "ZooKeeper",
    2379: "etcd",
    3306: "MySQL",
    5432: "PostgreSQL",
    5672: "RabbitMQ",
    5984: "CouchDB",
    6379: "Redis",
    7687: "Neo4j",
    9042: "Cassandra",
    9092: "Kafka",
    9200: "Elasticsearch",
    9300: "Elasticsearch",
    11211: "Memcached",
    26257: "CockroachDB",
    27017: "MongoDB",
}


def image_name(image: str) -> str:
    """`docker.io/library/postgres:16@sha256:…` -> `library/postgres` (no registry, tag or digest)."""
    name = image.split("@", 1)[0]
    last = name.rsplit("/", 1)[-1]
    if ":" in last:
        name = name[: len(name) - len(last)] + last.split(":", 1)[0]
    parts = name.split("/")
    if len(parts) > 1 and ("." in parts[0] or ":" in parts[0] or parts[0] == "localhost"):
        parts = parts[1:]  # a registry host
    return "/".join(parts)


def data_store(image: str, port: int) -> str | None:
    """What makes `port` of `image` a data store's ("the redis image", "PostgreSQL's port"), or None."""
    name = image_name(image.lower())
    last = name.rsplit("/", 1)[-1]
    if last in DATA_STORE_IMAGES and (last not in _AMBIGUOUS or _AMBIGUOUS[last] in name + "/"):
        return f"the {name.removeprefix('library/')} image"
    if port in DATA_STORE_PORTS:
        return f"{DATA_STORE_PORTS[port]}'s port"
    return None
