"""`python -m tests.emulator [PORT] [--step S] [--latency-ms MS] [--validate]` (`scripts/emulator`).

Runs the emulator in the foreground on 127.0.0.1 and prints the environment variables that point
compose2ecs (and any AWS SDK) at it. Ctrl-C stops it.
"""

from __future__ import annotations

import sys

from tests.emulator.server import HOST, make_server, parse_args


def main() -> None:
    args = parse_args(sys.argv[1:])
    server = make_server(args.port, step=args.step, latency_ms=args.latency_ms, validate=args.validate)
    endpoint = f"http://{HOST}:{server.server_port}"
    print(f"# compose2ecs emulator on {endpoint} (step {args.step:g} s, latency {args.latency_ms:g} ms)")
    print("# paste these into another shell; Ctrl-C here stops the emulator")
    print(f"export AWS_ENDPOINT_URL={endpoint}")
    print("export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_DEFAULT_REGION=us-east-1")
    print("export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print("\nemulator stopped")


if __name__ == "__main__":
    main()
