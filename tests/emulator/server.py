"""The emulator's HTTP server: moto's server application with the ECS simulation installed.

Runs in a process of its own (`python -m tests.emulator.server`, started by `process.py`, or
`scripts/emulator`), on 127.0.0.1 only. Besides moto's own `/moto-api/` it answers:
- `GET /emulator/violations`: every response that did not match botocore's output shape (with
  `--validate`), as JSON; `POST /emulator/violations/clear` empties the list.
- `GET /emulator/calls`: "service:Operation" of every AWS request since the last
  `POST /emulator/calls/clear`, in order, so a test can count what a command wrote.
- `GET /emulator/settings`: the step length and the latency in force.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import sys
import threading
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

HOST = "127.0.0.1"


class EmulatorApp:
    """WSGI middleware: the latency, the call log, the response check, the emulator's endpoints."""

    def __init__(self, app: Any, *, latency_ms: float, validate: bool, step: float) -> None:
        self.app = app
        self.latency = latency_ms / 1000.0
        self.validate = validate
        self.step = step
        self.violations: list[str] = []
        self.calls: list[str] = []  # "service:Operation" of every AWS request, in order
        # The access key ids requests were signed with: which credentials a client used.
        self.access_keys: set[str] = set()
        self.lock = threading.Lock()

    def _json(self, start_response: Callable[..., Any], payload: Any) -> Iterable[bytes]:
        body = json.dumps(payload).encode()
        start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
        return [body]

    def _own(self, path: str, start_response: Callable[..., Any]) -> Iterable[bytes] | None:
        """The emulator's own endpoints (None: not one of them)."""
        with self.lock:
            if path == "/emulator/violations":
                return self._json(start_response, list(self.violations))
            if path == "/emulator/violations/clear":
                self.violations.clear()
                return self._json(start_response, [])
            if path == "/emulator/calls":
                return self._json(start_response, list(self.calls))
            if path == "/emulator/calls/clear":
                self.calls.clear()
                return self._json(start_response, [])
            if path == "/emulator/access-keys":
                return self._json(start_response, sorted(self.access_keys))
        if path == "/emulator/settings":
            settings = {"step": self.step, "latency_ms": self.latency * 1000, "validate": self.validate}
            return self._json(start_response, settings)
        return None

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        own = self._own(path, start_response) if path.startswith("/emulator/") else None
        if own is not None:
            return own
        if path.startswith("/moto-api"):
            return self.app(environ, start_response)  # type: ignore[no-any-return]
        if self.latency:
            # What a call costs on AWS (tens of milliseconds), for benchmarks of the AWS phases.
            time.sleep(self.latency)
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(body)
        headers = {
            key[5:].replace("_", "-").lower(): value
            for key, value in environ.items()
            if key.startswith("HTTP_")
        }
        with self.lock:
            self.calls.append(call_name(headers, body))
            credential = headers.get("authorization", "").split("Credential=", 1)[-1]
            self.access_keys.add(credential.split("/", 1)[0])
        if not self.validate:
            return self.app(environ, start_response)  # type: ignore[no-any-return]
        return self._checked(environ, start_response, headers, body)

    def _checked(
        self,
        environ: dict[str, Any],
        start_response: Callable[..., Any],
        headers: dict[str, str],
        body: bytes,
    ) -> Iterable[bytes]:
        from tests.emulator.validate import operation_of, response_errors  # noqa: PLC0415 - botocore is slow to load

        captured: dict[str, Any] = {}

        def capture(status: str, response_headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            captured["status"] = int(status.split(" ", 1)[0])
            captured["headers"] = {k.lower(): v for k, v in response_headers}
            return start_response(status, response_headers, exc_info)

        response = b"".join(self.app(environ, capture))
        try:
            operation = operation_of(headers, body)
            if operation is not None:
                errors = response_errors(operation, captured["status"], captured["headers"], response)
                if errors:
                    with self.lock:
                        self.violations.extend(errors)
        except Exception as error:  # noqa: BLE001 - a checker crash is itself a violation to report
            with self.lock:
                self.violations.append(f"response check failed: {type(error).__name__}: {error}")
        return [response]


def call_name(headers: dict[str, str], body: bytes) -> str:
    """ "ecs:CreateService": the signing name of the credential scope, and the operation."""
    scope = headers.get("authorization", "").split("Credential=", 1)[-1].split(",", 1)[0].split("/")
    service = scope[3] if len(scope) > 3 else "?"  # key/date/region/service/aws4_request
    target = headers.get("x-amz-target", "")
    if target:
        return f"{service}:{target.rsplit('.', 1)[-1]}"
    action = parse_qs(body.decode(errors="replace")).get("Action", ["?"])[0]
    return f"{service}:{action}"


def build_app(*, step: float, latency_ms: float, validate: bool) -> EmulatorApp:
    """moto's server application, the ECS simulation swapped in."""
    os.environ.setdefault("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")  # AWS managed policies exist on AWS
    from moto.moto_server.werkzeug_app import (  # noqa: PLC0415
        DomainDispatcherApplication,
        create_backend_app,
    )

    from tests.emulator import autoscaling, ecs, logs, servicediscovery  # noqa: PLC0415

    autoscaling.install()
    ecs.install(step)
    servicediscovery.install()
    logs.install()
    return EmulatorApp(
        DomainDispatcherApplication(create_backend_app), latency_ms=latency_ms, validate=validate, step=step
    )


def make_server(port: int, *, step: float, latency_ms: float, validate: bool) -> Any:
    from werkzeug.serving import make_server as werkzeug_server  # noqa: PLC0415

    app = build_app(step=step, latency_ms=latency_ms, validate=validate)
    return werkzeug_server(HOST, port, app, threaded=True)


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="emulator", description="A local AWS for compose2ecs (127.0.0.1 only)."
    )
    parser.add_argument("port", nargs="?", type=int, default=0, help="port (default: a free one)")
    parser.add_argument("--step", type=float, default=1.0, help="seconds per simulation step (default 1)")
    parser.add_argument("--latency-ms", type=float, default=0.0, help="delay added to every AWS request")
    parser.add_argument(
        "--validate", action="store_true", help="check every response against botocore's model"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    """`python -m tests.emulator.server [PORT]`: serve until stopped; prints the port on stdout."""
    args = parse_args(sys.argv[1:] if argv is None else argv)
    server = make_server(args.port, step=args.step, latency_ms=args.latency_ms, validate=args.validate)
    print(f"listening {HOST} {server.server_port}", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()


if __name__ == "__main__":
    main()
