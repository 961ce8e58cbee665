"""The compose corpus: cases, their expected verdicts and models, and our run of each.

The corpus ships in the repository as `tests/corpus/corpus.tar.xz` (see tests/corpus/README.md).
`corpus_root()` unpacks it once into `.cache/corpus-<sha256 of the archive>/` (git-ignored), or
returns the unpacked folder named by `COMPOSE2ECS_CORPUS` when that is set.

Used by the conformance tests and, as `python -m tests.corpus [CASE_FILTER]`, to see where we differ.
`python -m tests.corpus pack NEW_CORPUS_DIR` rewrites the archive from an unpacked corpus folder.
"""

from __future__ import annotations

import hashlib
import io
import json
import lzma
import os
import shutil
import stat
import sys
import tarfile
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from compose2ecs.errors import InputError
from compose2ecs.load import ProjectOptions, config_output, load_project

if TYPE_CHECKING:
    from collections.abc import Iterator

REPO = Path(__file__).resolve().parent.parent
ORACLE_ENV = {"PATH": "/usr/bin:/bin", "HOME": "/nonexistent-home"}

ARCHIVE = REPO / "tests" / "corpus" / "corpus.tar.xz"
CACHE = REPO / ".cache"
OVERRIDE_ENV = "COMPOSE2ECS_CORPUS"
# Every member of the archive sits under this folder, so a manual `tar xf` makes one folder.
TOP = "corpus"
# Fixed packing parameters: re-packing an unchanged corpus yields identical bytes.
XZ_PRESET = 9 | lzma.PRESET_EXTREME
MTIME = 0
SKIPPED_NAMES = frozenset(("__pycache__", ".DS_Store"))
# A temporary extraction folder this old was left by an interrupted run: it is removed.
STALE_SECONDS = 3600


class CorpusError(Exception):
    """The corpus is missing, broken or cannot be packed."""


def corpus_root() -> Path:
    """The unpacked corpus: `COMPOSE2ECS_CORPUS` if set, else the repository's archive, unpacked once."""
    override = os.environ.get(OVERRIDE_ENV)
    if override:
        root = Path(override).resolve()
        if not (root / "MANIFEST.tsv").is_file():
            raise CorpusError(f"{OVERRIDE_ENV}={override} is not an unpacked corpus (no MANIFEST.tsv)")
        return root
    return unpacked(ARCHIVE, CACHE)


def unpacked(archive: Path, cache: Path) -> Path:
    """`archive` extracted into `cache/corpus-<sha256>/`, atomically: other processes never see half of it."""
    try:
        data = archive.read_bytes()
    except OSError as exc:
        raise CorpusError(f"the corpus archive cannot be read: {exc}") from exc
    digest = hashlib.sha256(data).hexdigest()
    target = cache / f"corpus-{digest}"
    if (target / "MANIFEST.tsv").is_file():
        return target
    cache.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f".corpus-{digest[:12]}-", dir=cache))
    try:
        # The bytes just hashed are the bytes extracted, even if the archive is rewritten meanwhile.
        _extract(data, archive, scratch)
        try:
            (scratch / TOP).rename(target)
        except OSError as exc:
            if not (target / "MANIFEST.tsv").is_file():
                raise CorpusError(f"cannot move the unpacked corpus to {target} (remove it?): {exc}") from exc
            # Another process unpacked the same archive first: use its copy.
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    _prune(cache, keep=target)
    return target


def _extract(data: bytes, archive: Path, into: Path) -> None:
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:xz") as tar:
            members = tar.getmembers()
            for member in members:
                parts = member.name.split("/")
                if parts[0] != TOP or ".." in parts or not (member.isfile() or member.isdir()):
                    raise CorpusError(
                        f"the corpus archive {archive} holds {member.name!r}: only files and folders "
                        f"under {TOP}/ are allowed"
                    )
            # The "data" filter also refuses absolute paths, links and device files, and drops odd modes.
            tar.extractall(into, members=members, filter="data")
    except (tarfile.TarError, lzma.LZMAError, EOFError, OSError) as exc:
        raise CorpusError(f"the corpus archive {archive} is broken: {exc}") from exc
    if not (into / TOP / "MANIFEST.tsv").is_file():
        raise CorpusError(f"the corpus archive {archive} has no {TOP}/MANIFEST.tsv")


def _prune(cache: Path, keep: Path) -> None:
    """Remove corpora unpacked from earlier archives and extractions an interrupted run left behind."""
    now = time.time()
    for entry in cache.iterdir():
        if entry == keep or not entry.is_dir():
            continue
        older = entry.name.startswith("corpus-")
        abandoned = entry.name.startswith(".corpus-") and now - entry.stat().st_mtime > STALE_SECONDS
        if older or abandoned:
            shutil.rmtree(entry, ignore_errors=True)


def pack(source: Path, archive: Path = ARCHIVE) -> bool:
    """Write the corpus folder `source` to `archive` reproducibly; False when the bytes did not change."""
    source = source.resolve()
    if not (source / "MANIFEST.tsv").is_file():
        raise CorpusError(f"{source} is not a corpus folder (no MANIFEST.tsv)")
    data = archive_bytes(source)
    if archive.is_file() and archive.read_bytes() == data:
        return False
    archive.parent.mkdir(parents=True, exist_ok=True)
    handle, scratch = tempfile.mkstemp(prefix=f".{archive.name}-", dir=archive.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        Path(scratch).chmod(0o644)
        Path(scratch).replace(archive)
    except BaseException:
        Path(scratch).unlink(missing_ok=True)
        raise
    return True


def archive_bytes(source: Path) -> bytes:
    """The tar.xz of `source`, always the same bytes for the same files (see `tar_bytes`)."""
    return lzma.compress(tar_bytes(source), format=lzma.FORMAT_XZ, check=lzma.CHECK_CRC64, preset=XZ_PRESET)


def tar_bytes(source: Path) -> bytes:
    """The tar of `source`: sorted entries, fixed mtime, owner 0 without names, modes 0644/0755."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for path in _entries(source):
            relative = path.relative_to(source).as_posix()
            info = tarfile.TarInfo(TOP if relative == "." else f"{TOP}/{relative}")
            info.mtime = MTIME
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            mode = path.lstat().st_mode
            if stat.S_ISDIR(mode):
                info.type = tarfile.DIRTYPE
                info.mode = 0o755
                tar.addfile(info)
            elif stat.S_ISREG(mode):
                info.size = path.stat().st_size
                info.mode = 0o755 if mode & 0o111 else 0o644
                with path.open("rb") as content:
                    tar.addfile(info, content)
            else:
                raise CorpusError(f"{path}: only regular files and folders can be packed (no links)")
    return buffer.getvalue()


def _entries(folder: Path) -> Iterator[Path]:
    yield folder
    for child in sorted(folder.iterdir(), key=lambda p: p.name):
        if child.name in SKIPPED_NAMES:
            continue
        if child.is_dir() and not child.is_symlink():
            yield from _entries(child)
        else:
            yield child


@dataclass(frozen=True)
class Case:
    root: Path
    path: Path

    @property
    def id(self) -> str:
        return f"{self.path.parent.name}/{self.path.name}"

    @property
    def meta(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads((self.path / "case.json").read_text())
        return data

    @property
    def result(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads((self.path / "expected" / "result.json").read_text())
        return data

    @property
    def accepted(self) -> bool:
        return bool(self.result["oracle"]["accepted"])

    def oracle(self) -> dict[str, Any] | None:
        path = self.path / "expected" / "oracle.json"
        if not path.is_file():
            return None
        data: dict[str, Any] = json.loads(path.read_text())
        return data


def cases(root: Path) -> list[Case]:
    found: list[Case] = []
    for source in sorted(root.iterdir()):
        if not source.is_dir() or source.name.startswith(("_", ".")) or source.name == "tools":
            continue
        found.extend(Case(root, case) for case in sorted(source.iterdir()) if (case / "case.json").is_file())
    return found


@dataclass
class Outcome:
    accepted: bool
    model: dict[str, Any] | None
    message: str


def _substitute(value: Any, replacements: list[tuple[str, str]]) -> Any:
    if isinstance(value, str):
        for old, new in replacements:
            value = value.replace(old, new)
        return value
    if isinstance(value, dict):
        return {k: _substitute(v, replacements) for k, v in value.items()}
    if isinstance(value, list):
        return [_substitute(v, replacements) for v in value]
    return value


def run_case(case: Case) -> Outcome:
    meta = case.meta
    workdir = (case.path / meta.get("workdir", ".")).resolve()
    options = ProjectOptions(files=list(meta["files"]), environ=dict(ORACLE_ENV), cwd=str(workdir))
    try:
        project = load_project(options)
        model = config_output(project, "json")
    except InputError as exc:
        return Outcome(accepted=False, model=None, message=str(exc))
    replacements = [(str(case.path.resolve()), "<CASE_DIR>"), (str(case.root.resolve()), "<CORPUS_ROOT>")]
    return Outcome(accepted=True, model=_substitute(model, replacements), message="")


def _diff(expected: Any, actual: Any, path: str = "") -> list[str]:
    if isinstance(expected, dict) and isinstance(actual, dict):
        out = []
        for key in sorted(set(expected) | set(actual), key=str):
            if key not in actual:
                out.append(f"{path}.{key}: missing (expected {json.dumps(expected[key])[:120]})")
            elif key not in expected:
                out.append(f"{path}.{key}: extra {json.dumps(actual[key])[:120]}")
            else:
                out.extend(_diff(expected[key], actual[key], f"{path}.{key}"))
        return out
    if isinstance(expected, list) and isinstance(actual, list) and len(expected) == len(actual):
        out = []
        for index, (e, a) in enumerate(zip(expected, actual, strict=True)):
            out.extend(_diff(e, a, f"{path}[{index}]"))
        return out
    if expected != actual or type(expected) is not type(actual):
        return [f"{path}: expected {json.dumps(expected)[:160]} got {json.dumps(actual)[:160]}"]
    return []


def model_diff(expected: dict[str, Any], actual: dict[str, Any]) -> list[str]:
    return _diff(expected, actual)


def main(argv: list[str]) -> int:
    try:
        if argv[:1] == ["pack"]:
            return _pack_command(argv[1:])
        root = corpus_root()
    except CorpusError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return _show_disagreements(root, argv)


def _pack_command(argv: list[str]) -> int:
    if len(argv) != 1 or argv[0].startswith("-"):
        print("usage: python -m tests.corpus pack NEW_CORPUS_DIR", file=sys.stderr)
        return 2
    source = Path(argv[0])
    changed = pack(source)
    data = ARCHIVE.read_bytes()
    print(
        f"{ARCHIVE.relative_to(REPO)} {'rewritten' if changed else 'unchanged'}: {len(data)} bytes, "
        f"{len(cases(source))} cases, sha256 {hashlib.sha256(data).hexdigest()}"
    )
    return 0


def _show_disagreements(root: Path, argv: list[str]) -> int:
    selected = [c for c in cases(root) if not argv or any(a in c.id for a in argv)]
    verdict_ok = model_ok = accepted = 0
    for case in selected:
        try:
            outcome = run_case(case)
        except Exception as exc:  # noqa: BLE001 - report crashes as findings
            outcome = Outcome(accepted=False, model=None, message=f"CRASH {type(exc).__name__}: {exc}")
        expected = case.accepted
        if outcome.accepted == expected and not outcome.message.startswith("CRASH"):
            verdict_ok += 1
        else:
            oracle_msg = case.result["oracle"]["message"]
            verdict = "accept" if expected else "reject"
            print(f"VERDICT {case.id}: expected {verdict}; ours: {outcome.message[:300]}")
            print(f"    oracle: {oracle_msg[:200]}")
        if expected:
            accepted += 1
            oracle = case.oracle()
            if outcome.model is not None and oracle is not None:
                diffs = model_diff(oracle, outcome.model)
                if diffs:
                    print(f"MODEL {case.id}:")
                    for line in diffs[:8]:
                        print(f"    {line}")
                else:
                    model_ok += 1
    print(f"verdicts {verdict_ok}/{len(selected)}; models {model_ok}/{accepted}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
