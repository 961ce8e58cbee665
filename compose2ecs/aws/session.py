"""boto3 sessions and clients: credentials, region, endpoint, retries and timeouts in one place."""

from __future__ import annotations

import os
import threading
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, TypeVar

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError

from compose2ecs.aws.errors import CREDENTIALS_HINT, REGION_HINT, to_aws_error
from compose2ecs.errors import AwsError, UsageError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping

    import botocore.session
    from types_boto3_acm.client import ACMClient
    from types_boto3_application_autoscaling.client import ApplicationAutoScalingClient
    from types_boto3_ec2.client import EC2Client
    from types_boto3_ecs.client import ECSClient
    from types_boto3_efs.client import EFSClient
    from types_boto3_elbv2.client import ElasticLoadBalancingv2Client
    from types_boto3_iam.client import IAMClient
    from types_boto3_logs.client import CloudWatchLogsClient
    from types_boto3_resourcegroupstaggingapi.client import ResourceGroupsTaggingAPIClient
    from types_boto3_secretsmanager.client import SecretsManagerClient
    from types_boto3_servicediscovery.client import ServiceDiscoveryClient
    from types_boto3_ssm.client import SSMClient
    from types_boto3_sts.client import STSClient

_T = TypeVar("_T")

# Retries after the first attempt (botocore's max_attempts). An endpoint that never answers fails a
# call within (MAX_ATTEMPTS + 1) * READ_TIMEOUT plus botocore's backoff (at most 1 + 2 + 4 s here):
# under a minute (docs/commands.md, "Networks that fail"). Throttling is retried as often, and the
# adaptive mode also slows the client down.
MAX_ATTEMPTS = 3
CONNECT_TIMEOUT = 3  # seconds: a wrong endpoint should fail fast, retries add their own backoff
READ_TIMEOUT = 10  # seconds: the slowest calls used here (DescribeLogGroups pages) answer in well under 1 s

_retry_reporters: list[Callable[[str], None]] = []


def on_retry(reporter: Callable[[str], None] | None) -> None:
    """Who hears about a call being retried (the CLI prints it): one reporter, or none."""
    _retry_reporters[:] = [reporter] if reporter is not None else []


def report_retry(action: str, attempt: int, attempts: int, why: str) -> None:
    """Tell the reporter that attempt `attempt` of `action` failed and another follows."""
    message = f"retrying {action}, attempt {attempt + 1} of {attempts}: {why}"
    for reporter in _retry_reporters:
        reporter(message)


def _observe_retry(
    attempts: int = 0,
    caught_exception: Exception | None = None,
    response: Any = None,
    operation: Any = None,
    **_: Any,
) -> None:
    """Botocore's needs-retry event, watched (never answered): say what is being retried, and why.

    Connection errors, timeouts, throttling and server errors are what botocore retries.
    """
    total = MAX_ATTEMPTS + 1
    if attempts >= total or operation is None:
        return
    why = ""
    if caught_exception is not None:
        why = (
            "no answer (timeout)"
            if "timeout" in type(caught_exception).__name__.lower()
            else "connection failed"
        )
    elif response is not None:
        status = getattr(response[0], "status_code", 200)
        code = str((response[1] or {}).get("Error", {}).get("Code", ""))
        if "thrott" in code.lower() or code in {"TooManyRequestsException", "RequestLimitExceeded"}:
            why = "throttled"
        elif status >= 500:  # noqa: PLR2004 - server errors
            why = f"server error {status}"
    if why:
        action = f"{operation.service_model.endpoint_prefix}:{operation.name}"
        report_retry(action, attempts, total, why)


@dataclass(frozen=True)
class AwsSettings:
    """Where to talk to AWS: the CLI's --profile, --region and --endpoint-url (None = not given)."""

    profile: str | None = None
    region: str | None = None
    endpoint_url: str | None = None


def make_session(
    settings: AwsSettings,
    environ: Mapping[str, str] | None = None,
    botocore_session: botocore.session.Session | None = None,
) -> boto3.Session:
    """A boto3 Session from the standard credential chain; AwsError when region or credentials are missing.

    UsageError when an endpoint URL (--endpoint-url, AWS_ENDPOINT_URL and its per-service forms) is
    not one: botocore would fail with a ValueError at the first call.
    """
    env = os.environ if environ is None else environ
    check_endpoints(settings.endpoint_url, env)
    # botocore reads AWS_DEFAULT_REGION but not AWS_REGION, which the other AWS SDKs and CLIs honour.
    region = settings.region or env.get("AWS_REGION") or None
    try:
        session = boto3.Session(
            profile_name=settings.profile, region_name=region, botocore_session=botocore_session
        )
        credentials = session.get_credentials()
    except BotoCoreError as exc:
        raise to_aws_error(exc, "session", settings.profile or "") from exc
    if not session.region_name:
        raise AwsError("session", "no AWS region is configured", hint=REGION_HINT)
    if credentials is None:
        session = _ecs_cli_session(session, env, region, botocore_session)
    return session


def check_endpoints(endpoint_url: str | None, env: Mapping[str, str]) -> None:
    """Every endpoint URL given is an http(s) URL with a host."""
    from urllib.parse import urlsplit  # noqa: PLC0415 - only AWS commands get here

    # The per-service forms (AWS_ENDPOINT_URL_ECS, ...) are botocore's to read: only what applies
    # to every client is checked here.
    given = [("--endpoint-url", endpoint_url)] if endpoint_url else []
    if env.get("AWS_ENDPOINT_URL") and not endpoint_url:
        given.append(("AWS_ENDPOINT_URL", env["AWS_ENDPOINT_URL"]))
    for source, url in given:
        try:
            parts = urlsplit(url)
            _ = parts.port  # ValueError when it is not a number in range
            valid = parts.scheme in {"http", "https"} and bool(parts.hostname)
        except ValueError:
            valid = False
        if not valid:
            raise UsageError(
                f"{source} {url!r} is not an endpoint URL: it takes http:// or https://, a host and "
                "an optional port (e.g. http://127.0.0.1:5000)"
            )


def _ecs_cli_session(
    session: boto3.Session,
    env: Mapping[str, str],
    region: str | None,
    botocore_session: botocore.session.Session | None,
) -> boto3.Session:
    """No credentials in the standard chain: the default profile `ecs-cli configure profile` saved."""
    from compose2ecs.load.ecs_cli_config import default_profile  # noqa: PLC0415

    profile = default_profile(env)
    if profile is None:
        raise AwsError("session", "no AWS credentials were found", hint=CREDENTIALS_HINT)
    return boto3.Session(
        aws_access_key_id=profile.access_key,
        aws_secret_access_key=profile.secret_key,
        aws_session_token=profile.session_token,
        region_name=region or session.region_name,
        botocore_session=botocore_session,
    )


def client_config(
    *,
    max_attempts: int = MAX_ATTEMPTS,
    retry_mode: Literal["legacy", "standard", "adaptive"] = "adaptive",
    inject_host_prefix: bool = True,
) -> Config:
    """The botocore Config every compose2ecs client uses (adaptive retries, short connect timeout)."""
    return Config(
        retries={"mode": retry_mode, "max_attempts": max_attempts},
        connect_timeout=CONNECT_TIMEOUT,
        read_timeout=READ_TIMEOUT,
        inject_host_prefix=inject_host_prefix,
        user_agent_extra="compose2ecs",
    )


class Clients:
    """The boto3 clients of one session, made on first use and counted per API call.

    boto3 clients are thread-safe but sessions are not, so clients are created under a lock and
    then shared by the reader threads.
    """

    def __init__(
        self,
        session: boto3.Session,
        *,
        endpoint_url: str | None = None,
        config: Config | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        env = os.environ if environ is None else environ
        self.session = session
        self.region = str(session.region_name)
        self.endpoint_url = endpoint_url
        self._config = config or client_config()
        # Cloud Map prefixes some hosts ("data-"), which a local endpoint such as moto cannot answer.
        emulated = bool(
            endpoint_url or env.get("AWS_ENDPOINT_URL") or env.get("AWS_ENDPOINT_URL_SERVICEDISCOVERY")
        )
        self._servicediscovery_config = self._config.merge(Config(inject_host_prefix=not emulated))
        self._lock = threading.Lock()
        self._cache: dict[str, Any] = {}
        self._calls: Counter[str] = Counter()
        self._calls_lock = threading.Lock()

    @property
    def calls(self) -> Counter[str]:
        """A snapshot of the API calls made so far, as "service:Operation" counts."""
        with self._calls_lock:
            return Counter(self._calls)

    def reset_calls(self) -> None:
        with self._calls_lock:
            self._calls.clear()

    def _count(self, model: Any, **_: Any) -> None:
        key = f"{model.service_model.endpoint_prefix}:{model.name}"
        with self._calls_lock:
            self._calls[key] += 1

    def _cached(self, key: str, make: Callable[[], _T]) -> _T:
        with self._lock:
            if key not in self._cache:
                client = make()
                # Fires once per API call (not per retry), also when a Stubber answers the call.
                client.meta.events.register("provide-client-params", self._count)  # type: ignore[attr-defined]
                client.meta.events.register_first("needs-retry", _observe_retry)  # type: ignore[attr-defined]
                self._cache[key] = client
            result: _T = self._cache[key]
            return result

    def prepare(
        self,
        *,
        ec2: bool,
        servicediscovery: bool,
        log_regions: Iterable[str],
        references: bool = False,
        elbv2: bool = False,
        efs: bool = False,
    ) -> None:
        """Make the clients a concurrent read will need, before its threads start."""
        made: list[object] = [self.ecs, self.iam, self.tagging, self.autoscaling, self.sts]
        if elbv2:
            made.append(self.elbv2)
        if references:
            made.extend((self.ssm, self.secretsmanager, self.efs, self.acm))
        if efs:
            made.append(self.efs)
        if ec2:
            made.append(self.ec2)
        if servicediscovery:
            made.append(self.servicediscovery)
        made.extend(self.logs(region) for region in log_regions)

    @property
    def ecs(self) -> ECSClient:
        return self._cached(
            "ecs", lambda: self.session.client("ecs", endpoint_url=self.endpoint_url, config=self._config)
        )

    @property
    def ecs_once(self) -> ECSClient:
        """ECS without botocore's retries, for the write that is not idempotent (RegisterTaskDefinition).

        A retry after a read timeout could register a second revision: the gateway looks first.
        """
        return self._cached(
            "ecs-once",
            lambda: self.session.client(
                "ecs",
                endpoint_url=self.endpoint_url,
                config=self._config.merge(Config(retries={"max_attempts": 1})),
            ),
        )

    @property
    def tagging(self) -> ResourceGroupsTaggingAPIClient:
        return self._cached(
            "tagging",
            lambda: self.session.client(
                "resourcegroupstaggingapi", endpoint_url=self.endpoint_url, config=self._config
            ),
        )

    @property
    def secretsmanager(self) -> SecretsManagerClient:
        return self._cached(
            "secretsmanager",
            lambda: self.session.client(
                "secretsmanager", endpoint_url=self.endpoint_url, config=self._config
            ),
        )

    @property
    def autoscaling(self) -> ApplicationAutoScalingClient:
        return self._cached(
            "application-autoscaling",
            lambda: self.session.client(
                "application-autoscaling", endpoint_url=self.endpoint_url, config=self._config
            ),
        )

    @property
    def acm(self) -> ACMClient:
        return self._cached(
            "acm", lambda: self.session.client("acm", endpoint_url=self.endpoint_url, config=self._config)
        )

    @property
    def efs(self) -> EFSClient:
        return self._cached(
            "efs", lambda: self.session.client("efs", endpoint_url=self.endpoint_url, config=self._config)
        )

    @property
    def ssm(self) -> SSMClient:
        return self._cached(
            "ssm", lambda: self.session.client("ssm", endpoint_url=self.endpoint_url, config=self._config)
        )

    @property
    def sts(self) -> STSClient:
        return self._cached(
            "sts", lambda: self.session.client("sts", endpoint_url=self.endpoint_url, config=self._config)
        )

    @property
    def iam(self) -> IAMClient:
        return self._cached(
            "iam", lambda: self.session.client("iam", endpoint_url=self.endpoint_url, config=self._config)
        )

    @property
    def ec2(self) -> EC2Client:
        return self._cached(
            "ec2", lambda: self.session.client("ec2", endpoint_url=self.endpoint_url, config=self._config)
        )

    @property
    def elbv2(self) -> ElasticLoadBalancingv2Client:
        return self._cached(
            "elbv2", lambda: self.session.client("elbv2", endpoint_url=self.endpoint_url, config=self._config)
        )

    @property
    def servicediscovery(self) -> ServiceDiscoveryClient:
        return self._cached(
            "servicediscovery",
            lambda: self.session.client(
                "servicediscovery", endpoint_url=self.endpoint_url, config=self._servicediscovery_config
            ),
        )

    def logs(self, region: str | None = None) -> CloudWatchLogsClient:
        """The CloudWatch Logs client of `region` (a log group lives in the region its spec names)."""
        name = region or self.region
        return self._cached(
            f"logs:{name}",
            lambda: self.session.client(
                "logs", region_name=name, endpoint_url=self.endpoint_url, config=self._config
            ),
        )
