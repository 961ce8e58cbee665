"""Load a compose project the way `docker compose` does: discovery, environment, files, merge, checks.

This is the one module of the loader that touches the file system; everything it reads goes
through `Reader`, so tests can hand it an in-memory tree. The steps and their order follow
Docker Compose v2.40.3 (compose-go v2.9.1), because the order is observable: interpolation
happens per file before merging, `extends` before `include`, short syntax is expanded after
each merge, and environment files are read last.
"""

from __future__ import annotations

import os
import posixpath
import re
import sys
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, NamedTuple

from compose2ecs.errors import InputError, Location, Path, Problem
from compose2ecs.load import canonical as canonical_mod
from compose2ecs.load import interpolation, typed
from compose2ecs.load.dotenv import DotenvError, parse_dotenv
from compose2ecs.load.merge import MergeError, enforce_unicity, merge, merge_values
from compose2ecs.load.schema import validate
from compose2ecs.load.yamlfile import (
    Document,
    YamlError,
    deep_nesting,
    find_alias_cycle,
    load_documents,
    locate,
    locate_in_files,
    locate_ssh_key,
)

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

COMPOSE_FILE_NAMES = ("compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.yaml")
OVERRIDE_FILE_NAMES = {
    "compose.yaml": ("compose.override.yaml", "compose.override.yml"),
    "compose.yml": ("compose.override.yml", "compose.override.yaml"),
    "docker-compose.yml": ("docker-compose.override.yml", "docker-compose.override.yaml"),
    "docker-compose.yaml": ("docker-compose.override.yaml", "docker-compose.override.yml"),
}
_PROJECT_NAME = r"[a-z0-9][a-z0-9_-]*"
_SERVICE_PREFIX = "service:"
STDIN = "-"  # `-f -`: the compose file comes from standard input


# An input file larger than this is refused: no compose file, env file, ecs-params.yml or trust
# policy comes near it, and /dev/zero or a huge file must not eat the memory.
MAX_INPUT_BYTES = 16 * 1024 * 1024


_SYSTEM_DIRS = ("/proc/", "/sys/", "/dev/")


def not_a_file(path: str) -> str | None:
    """Why `path` is no regular file to read ("is a FIFO", "no such file"), or None if it is one."""
    import stat  # noqa: PLC0415 - only when a path is in doubt

    try:
        mode = os.stat(path).st_mode  # noqa: PTH116 - the mode of what a link points to
    except FileNotFoundError:
        if os.path.islink(path):  # noqa: PTH114
            return f"is a link to {os.readlink(path)}, which does not exist"  # noqa: PTH115
        return "no such file"
    except PermissionError:
        return "cannot be read: permission denied"
    except OSError as exc:
        return f"cannot be read: {exc.strerror}"
    for test, what in (
        (stat.S_ISREG, None),
        (stat.S_ISDIR, "is a directory"),
        (stat.S_ISFIFO, "is a FIFO (named pipe), which would block"),
        (stat.S_ISCHR, "is a character device"),
        (stat.S_ISBLK, "is a block device"),
        (stat.S_ISSOCK, "is a socket"),
    ):
        if test(mode):
            return what
    return "is not a regular file"


def _read_bytes(path: str) -> bytes:
    """The bytes of a regular file, at most MAX_INPUT_BYTES; InputError saying what it is otherwise.

    Opened without blocking, and checked once open, so a FIFO or a device swapped in after a check
    never hangs the run nor fills the memory.
    """
    import stat  # noqa: PLC0415 - as not_a_file

    real = os.path.realpath(path)
    if real.startswith(_SYSTEM_DIRS):
        # /proc/self/environ is a "regular" file holding the runner's own credentials.
        raise InputError(
            [
                Problem(
                    f"is a system file ({real}), not a file of the project",
                    Location(path),
                    hint="pass a project file",
                )
            ]
        )
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        why = not_a_file(path) or "cannot be read"
        raise InputError([Problem(why, Location(path), hint="pass a regular file")]) from None
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            why = not_a_file(path) or "is not a regular file"
            raise InputError([Problem(why, Location(path), hint="pass a regular file")])
        data = handle.read(MAX_INPUT_BYTES + 1)
    if len(data) > MAX_INPUT_BYTES:
        raise InputError(
            [
                Problem(
                    f"is larger than {MAX_INPUT_BYTES // (1024 * 1024)} MiB, the most compose2ecs reads",
                    Location(path),
                    hint="pass the file it should be",
                )
            ]
        )
    return data


class Reader:
    """File access for the loader; a subclass can serve files from memory."""

    def read_text(self, path: str) -> str:
        if path == STDIN:
            text = sys.stdin.read(MAX_INPUT_BYTES + 1)
            if len(text) > MAX_INPUT_BYTES:
                limit = MAX_INPUT_BYTES // (1024 * 1024)
                raise InputError(
                    [Problem(f"is larger than {limit} MiB, the most compose2ecs reads", Location(path))]
                )
            return text
        data = _read_bytes(path)
        if data.startswith(b"\xef\xbb\xbf"):
            data = data[3:]
        elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
            # UTF-16 with a byte-order mark (what PowerShell 5's `>` writes); YAML readers accept it.
            try:
                return data.decode("utf-16")
            except UnicodeDecodeError:
                pass
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            raise InputError([Problem("is not UTF-8 text; pass a YAML file", Location(path))]) from None

    def read_env(self, path: str) -> str:
        """An env file, whatever its encoding.

        Compose takes its bytes as they are; bytes that are not UTF-8 become U+FFFD, as they do when
        Compose prints them as JSON.
        """
        return _read_bytes(path).removeprefix(b"\xef\xbb\xbf").decode("utf-8", errors="replace")

    def is_file(self, path: str) -> bool:
        return path == STDIN or os.path.isfile(path)  # noqa: PTH113

    def exists(self, path: str) -> bool:
        """Something is there (a dangling link too): a default file that is there must be read."""
        return path == STDIN or os.path.lexists(path)

    def why_not_file(self, path: str) -> str:
        return not_a_file(path) or "is not a regular file"


def read_input(
    reader: Reader, path: str | None, working_dir: str, default_name: str
) -> tuple[str, str] | None:
    """(file, text) of an input named by a flag, else of `<working_dir>/<default_name>` when present.

    None when neither applies; InputError when the named file is missing or unreadable.
    """
    if path is None:
        path = posixpath.join(working_dir, default_name)
        if not reader.exists(path):
            return None  # a default file that is there but is no regular file is an error below
    try:
        return path, reader.read_text(path)
    except FileNotFoundError:
        raise InputError([Problem("no such file", Location(path), hint="check the path")]) from None
    except IsADirectoryError:
        raise InputError([Problem("is a directory", Location(path), hint="pass a file")]) from None
    except OSError as exc:
        raise InputError([Problem(f"cannot read: {exc.strerror}", Location(path))]) from None


class ProjectOptions(NamedTuple):
    """What the user asked for: the equivalent of `docker compose -f ... -p ... --profile ...`."""

    files: Sequence[str] = ()
    project_directory: str | None = None
    project_name: str | None = None
    profiles: Sequence[str] = ()
    env_files: Sequence[str] = ()
    environ: Mapping[str, str] = MappingProxyType({})
    cwd: str = "."


class Project(NamedTuple):
    """The loaded project: its canonical model plus what produced it."""

    name: str
    working_dir: str
    files: list[str]
    model: dict[str, Any]
    environment: dict[str, str]
    warnings: Sequence[str] = ()
    texts: Mapping[str, str] = MappingProxyType({})  # every file read, for locating later problems
    # (file, service) -> (file, service) it extends, for locating inherited keys
    extends: Mapping[tuple[str, str], tuple[str, str]] = MappingProxyType({})


def normalize_project_name(name: str) -> str:
    """Lowercase, keep [a-z0-9_-], no leading separators: Compose's rule for directory names."""
    kept = "".join(ch for ch in name.lower() if ch.isascii() and (ch.isalnum() or ch in "_-"))
    return kept.lstrip("_-")


class _Context:
    """What loading one project (or one included project) shares across its files."""

    __slots__ = (
        "collected",
        "dropped",
        "environment",
        "extends",
        "extends_bases",
        "reader",
        "texts",
        "warnings",
    )

    def __init__(
        self,
        reader: Reader,
        environment: dict[str, str],
        warnings: list[str],
        texts: dict[str, str] | None = None,
        extends: dict[tuple[str, str], tuple[str, str]] | None = None,
    ) -> None:
        self.reader = reader
        self.environment = environment
        self.warnings = warnings
        self.texts: dict[str, str] = {} if texts is None else texts
        # (file, service) -> (file, service) it extends: where inherited keys are written
        self.extends: dict[tuple[str, str], tuple[str, str]] = {} if extends is None else extends
        self.extends_bases: dict[str, dict[str, Any]] = {}
        # Lenient loading (load_project_leniently): problems are kept here and the keys they name
        # dropped, so that the later stages can still look at the rest. None: the strict loader.
        self.collected: list[Problem] | None = None
        self.dropped: list[Path] = []  # the keys dropped so far, to tell follow-on problems apart

    def drop(self, model: dict[str, Any], paths: list[Path]) -> None:
        """Lenient loading: delete what `paths` name, and remember it."""
        self.dropped.extend(paths)
        _prune(model, paths)

    def lookup(self, name: str) -> str | None:
        return self.environment.get(name)

    def warn(self, message: str) -> None:
        if message not in self.warnings:
            self.warnings.append(message)

    def read(self, path: str) -> str:
        if path not in self.texts:
            self.texts[path] = self.reader.read_text(path)
        return self.texts[path]

    def problem(self, message: str, file: str, path: Path = (), hint: str = "") -> Problem:
        """A problem at `path` in `file`, with the line and column of the deepest key found."""
        location = Location(file)
        text = self.texts.get(file)
        if text is not None and path:
            found = locate(text, file, path)
            if found:
                location = found[0]
        return Problem(message, location=location, path=path, hint=hint)

    def problem_in_files(self, message: str, files: list[str], path: Path, hint: str = "") -> Problem:
        """A problem in the merged model: point at the file that spells out most of `path`."""
        location = locate_in_files(self.texts, files, path) or (Location(files[0]) if files else None)
        return Problem(message, location=location, path=path, hint=hint)


def _abspath(base: str, path: str) -> str:
    return posixpath.normpath(path if posixpath.isabs(path) else posixpath.join(base, path))


def discover_files(options: ProjectOptions, reader: Reader) -> list[str]:
    """`-f` files, else COMPOSE_FILE, else compose.yaml & co. in the directory or its parents."""
    cwd = _abspath(os.getcwd(), options.cwd)  # noqa: PTH109
    if options.files:
        return [f if f == STDIN else _abspath(cwd, f) for f in options.files]
    compose_file = options.environ.get("COMPOSE_FILE")
    if compose_file:
        separator = options.environ.get("COMPOSE_PATH_SEPARATOR", os.pathsep)
        return [_abspath(cwd, f) for f in compose_file.split(separator) if f]
    directory = _abspath(cwd, options.project_directory) if options.project_directory else cwd
    while True:
        for name in COMPOSE_FILE_NAMES:
            candidate = posixpath.join(directory, name)
            if reader.is_file(candidate):
                files = [candidate]
                for override in OVERRIDE_FILE_NAMES[name]:
                    override_path = posixpath.join(directory, override)
                    if reader.is_file(override_path):
                        files.append(override_path)
                        break
                return files
        parent = posixpath.dirname(directory)
        if parent == directory:
            break
        directory = parent
    raise InputError(
        [
            Problem(
                "no compose file found: none of "
                + ", ".join(COMPOSE_FILE_NAMES)
                + f" in {cwd} or its parents",
                hint="pass one with -f FILE, or run from the project directory",
                code="no-compose-file",
            )
        ]
    )


def load_project(options: ProjectOptions, reader: Reader | None = None) -> Project:
    """Load, merge, validate and normalise a compose project; raise InputError with every problem."""
    with deep_nesting():
        return _load_project(options, reader)


class Lenient(NamedTuple):
    """What the lenient loader found: the model that is left (None: nothing), and its problems."""

    project: Project | None
    problems: list[Problem]
    dropped: list[Path]  # the keys dropped: a later problem about their parent is a consequence


def load_project_leniently(options: ProjectOptions, reader: Reader | None = None) -> Lenient:
    """For a project the strict loader refused: every problem it can find, and what is left.

    Keys that break the schema or the cross-references are reported and dropped, so the later
    stages (ecs-params, the Fargate rules) can report their problems in the same run. The model
    is not Docker Compose's any more: it is used for diagnostics only, never deployed.
    """
    collected: list[Problem] = []
    dropped: list[Path] = []
    try:
        with deep_nesting():
            project = _load_project(options, reader, collected, dropped)
    except InputError as exc:
        # With keys dropped, the model may be empty: that is a consequence, not a problem of its own.
        later = [p for p in exc.problems if not (collected and p.message == "empty compose file")]
        return Lenient(None, [*collected, *later], dropped)
    except RecursionError:
        return Lenient(None, collected, dropped)
    return Lenient(project, collected, dropped)


def is_follow_on(path: Path, dropped: list[Path]) -> bool:
    """A problem at `path` follows from a dropped key below it (a service without its `imag:`)."""
    size = len(path)
    return bool(path) and any(len(d) > size and tuple(d[:size]) == tuple(path) for d in dropped)


def _load_project(
    options: ProjectOptions,
    reader: Reader | None,
    collected: list[Problem] | None = None,
    dropped: list[Path] | None = None,
) -> Project:
    reader = reader or Reader()
    files = discover_files(options, reader)
    cwd = _abspath(os.getcwd(), options.cwd)  # noqa: PTH109
    for file in files:
        if not reader.is_file(file):
            why = reader.why_not_file(file)
            message = why
            raise InputError([Problem(message, Location(file), hint="check the -f path")])
    if options.project_directory:
        working_dir = _abspath(cwd, options.project_directory)
    else:
        # A file read from standard input has no directory of its own: Compose uses the current one.
        working_dir = cwd if files[0] == STDIN else posixpath.dirname(files[0])
    warnings: list[str] = []
    environment = _project_environment(options, working_dir, cwd, reader)
    ctx = _Context(reader, environment, warnings)
    ctx.collected = collected
    if dropped is not None:
        ctx.dropped = dropped  # shared, so the caller sees it even when loading stops half way

    profiles = list(options.profiles)
    if not profiles and environment.get("COMPOSE_PROFILES"):
        profiles = [p.strip() for p in environment["COMPOSE_PROFILES"].split(",") if p.strip()]

    # A name given by flag or environment must already be valid; one from the file or the
    # directory is normalised (`name: MyApp` is "myapp"), as Compose does.
    name = options.project_name or environment.get("COMPOSE_PROJECT_NAME") or ""
    explicit = bool(name)
    try:
        model = _load_model(ctx, files, working_dir)
    except RecursionError:
        cycle = find_alias_cycle(ctx.texts, list(ctx.texts))
        raise InputError(
            [cycle or Problem("the YAML nests too deeply (at most 1000 levels)", Location(files[0]))]
        ) from None
    if not name:
        from_file = model.get("name")
        name = normalize_project_name(str(from_file)) if from_file else ""
    if not name:
        name = normalize_project_name(posixpath.basename(working_dir))
    if not name:
        raise InputError([Problem("project name must not be empty", hint="pass one with -p NAME")])
    if explicit and not re.fullmatch(_PROJECT_NAME, name):
        raise InputError(
            [
                Problem(
                    f"invalid project name {name!r}: use only lowercase letters, digits, dashes and "
                    "underscores, starting with a letter or digit",
                    hint="set a valid name with -p NAME or COMPOSE_PROJECT_NAME",
                )
            ]
        )
    environment.setdefault("COMPOSE_PROJECT_NAME", name)
    model["name"] = name
    normalised = _normalize(model, environment)
    # Problems of the merged model are searched in every file read, included ones too.
    read = list(ctx.texts)
    try:
        decoded = typed.to_canonical(normalised)
    except typed.DecodeError as exc:
        raise InputError([ctx.problem_in_files(exc.message, read, exc.path)]) from None
    _apply_profiles(decoded, profiles)
    problems = _check_consistency(decoded)
    if problems and ctx.collected is not None:
        # A service left without its image because `imag:` was dropped is a consequence, not a
        # problem of its own: it is neither reported nor dropped, so the later stages still see it.
        problems = [p for p in problems if not is_follow_on(p.path, ctx.dropped)]
        ctx.collected.extend(ctx.problem_in_files(p.message, read, p.path, p.hint) for p in problems)
        ctx.drop(decoded, [p.path for p in problems])
    elif problems:
        raise InputError([ctx.problem_in_files(p.message, read, p.path, p.hint) for p in problems])
    _resolve_service_environment(ctx, decoded, read)
    _drop_unused_resources(decoded)
    return Project(name, working_dir, files, decoded, environment, warnings, ctx.texts, ctx.extends)


def _project_environment(
    options: ProjectOptions, working_dir: str, cwd: str, reader: Reader
) -> dict[str, str]:
    """The process environment, completed (never overridden) by `.env` or the --env-file files."""
    environment = dict(options.environ)
    env_files = [_abspath(cwd, f) for f in options.env_files]
    if not env_files:
        default = posixpath.join(working_dir, ".env")
        # A `.env` directory (often a Python virtualenv) is not an environment file: skip it.
        if reader.is_file(default):
            env_files = [default]
    from_files: dict[str, str] = {}
    for env_file in env_files:
        if not reader.is_file(env_file):
            why = reader.why_not_file(env_file)
            message = "environment file not found" if why == "no such file" else f"environment file {why}"
            raise InputError([Problem(message, Location(env_file), hint="check the --env-file path")])
        text = reader.read_env(env_file)

        def lookup(key: str) -> str | None:
            if key in environment:
                return environment[key]
            return from_files.get(key)

        try:
            values = parse_dotenv(text, lookup)
        except DotenvError as exc:
            raise InputError([Problem(exc.message, Location(env_file, exc.line))]) from None
        from_files.update(values)
    for key, value in from_files.items():
        environment.setdefault(key, value)
    return environment


def _load_model(ctx: _Context, files: list[str], working_dir: str) -> dict[str, Any]:
    """Every file, document by document, merged in order; then defaults, checks and paths."""
    model: dict[str, Any] = {}
    problems: list[Problem] = []
    for file in files:
        try:
            model = _load_file(ctx, file, model, working_dir, included=[])
        except InputError as exc:
            problems.extend(exc.problems)
    if problems:
        raise InputError(problems)
    if not model:
        raise InputError([Problem("empty compose file", Location(files[0]), hint="add a services: section")])
    problems = _validate(model)
    if problems and ctx.collected is not None:
        texts = list(ctx.texts)
        ctx.collected.extend(ctx.problem_in_files(p.message, texts, p.path, p.hint) for p in problems)
        ctx.drop(model, [p.path for p in problems])
    elif problems:
        texts = list(ctx.texts)
        raise InputError([ctx.problem_in_files(p.message, texts, p.path, p.hint) for p in problems])
    _resolve_paths(model, working_dir, ctx.lookup("HOME") or os.path.expanduser("~"))  # noqa: PTH111
    return model


_FILE_OBJECT_SOURCES = {"configs": ("file", "environment", "content"), "secrets": ("file", "environment")}


def _validate(model: dict[str, Any]) -> list[Problem]:
    """Compose's checks of the merged files that the schema cannot express (compose-go `validation`)."""
    problems: list[Problem] = []
    for kind, sources in _FILE_OBJECT_SOURCES.items():
        resources = model.get(kind)
        for name, resource in resources.items() if isinstance(resources, dict) else ():
            if not isinstance(resource, dict):
                continue
            given = [key for key in sources if key in resource]
            if len(given) > 1:
                problems.append(
                    Problem(
                        f"{'|'.join(sources)} attributes are mutually exclusive",
                        path=(kind, name, given[1]),
                        hint=f"keep one of {', '.join(given)}",
                    )
                )
            elif not given and "driver" not in resource and "external" not in resource:
                problems.append(
                    Problem(
                        f"one of {'|'.join(sources)} must be set",
                        path=(kind, name),
                        hint="say where the content comes from, or mark it external: true",
                    )
                )
    services = model.get("services")
    for name, service in services.items() if isinstance(services, dict) else ():
        develop = service.get("develop") if isinstance(service, dict) else None
        watches = develop.get("watch") if isinstance(develop, dict) else None
        for index, watch in enumerate(watches if isinstance(watches, list) else []):
            if isinstance(watch, dict) and watch.get("path") == "":
                problems.append(
                    Problem(
                        "value can't be blank", path=("services", name, "develop", "watch", index, "path")
                    )
                )
    return problems


def _documents(ctx: _Context, file: str) -> list[Document]:
    text = ctx.read(file)
    try:
        docs = load_documents(text, file)
    except YamlError as exc:
        raise InputError([exc.problem]) from None
    # An empty file adds nothing (an empty override is fine); an empty project fails later.
    return docs


def _load_file(
    ctx: _Context,
    file: str,
    model: dict[str, Any],
    working_dir: str,
    included: list[str],
    *,
    extends: bool = True,
    include: bool = True,
    validate_schema: bool = True,
) -> dict[str, Any]:
    for doc in _documents(ctx, file):
        data = doc.data
        if not isinstance(data, dict):
            raise InputError(
                [ctx.problem("top-level object must be a mapping", file, hint="start with services:")]
            )
        non_string = [k for k in data if not isinstance(k, str)]
        if non_string:
            raise InputError([ctx.problem(f"non-string key at top level: {non_string[0]!r}", file)])
        bad_key = _find_non_string_key(data, ())
        if bad_key is not None:
            raise InputError(
                [
                    ctx.problem(
                        f"non-string key {bad_key[1]!r}: quote it",
                        file,
                        bad_key[0],
                        hint="keys must be strings",
                    )
                ]
            )
        missing: list[str] = []
        try:
            data = interpolation.interpolate_tree(data, ctx.lookup, missing=missing)
        except interpolation.InterpolationErrors as exc:
            raise InputError(
                [ctx.problem(err.message, file, err.path, err.hint) for err in exc.errors]
            ) from None
        for name in missing:
            ctx.warn(interpolation.missing_variable_warning(name))
        if extends:
            data = _apply_extends(ctx, data, file, doc.reset_paths)
        for reset_path in doc.reset_paths:
            model = _delete_path(model, reset_path)
        if include:
            data = _apply_include(ctx, data, file, working_dir, [*included, file])
        try:
            model = enforce_unicity(merge(model, data))
        except MergeError as exc:
            raise InputError([ctx.problem(exc.message, file, exc.path)]) from None
        if validate_schema:
            problems = validate(model)
            if problems and ctx.collected is not None:
                model = _without_invalid(ctx, model, file, problems)
            elif problems:
                raise InputError([ctx.problem(p.message, file, p.path, p.hint) for p in problems])
        if model.pop("version", None) is not None:
            ctx.warn(f"{file}: the attribute `version` is obsolete and ignored; you can remove it")
        try:
            model = enforce_unicity(canonical_mod.canonical(model))
        except (canonical_mod.CanonicalError, MergeError) as exc:
            raise InputError([ctx.problem(exc.message, file, exc.path)]) from None
    return model


def _without_invalid(
    ctx: _Context, model: dict[str, Any], file: str, problems: list[Problem]
) -> dict[str, Any]:
    """Lenient loading: report the schema's problems and drop what they name, until the rest is valid."""
    assert ctx.collected is not None  # noqa: S101 - only the lenient loader gets here
    for _ in range(_PRUNE_ROUNDS):
        ctx.collected.extend(ctx.problem(p.message, file, p.path, p.hint) for p in problems)
        if any(not p.path for p in problems):
            raise InputError([])  # the file as a whole is wrong: nothing is left to look at
        ctx.drop(model, [p.path for p in problems])
        problems = validate(model)
        if not problems:
            return model
    raise InputError([])


_PRUNE_ROUNDS = 5  # a value dropped can leave its parent empty and wrong in turn; a few rounds settle it


def _prune(model: dict[str, Any], paths: list[Path]) -> None:
    """Delete the value at each path (list items from the last one, so indices stay right)."""
    for path in sorted(
        paths,
        key=lambda p: [str(part).zfill(9) if isinstance(part, int) else str(part) for part in p],
        reverse=True,
    ):
        node: Any = model
        for part in path[:-1]:
            in_dict = isinstance(node, dict) and part in node
            in_list = isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
            if not (in_dict or in_list):
                node = None
                break
            node = node[part]
        last = path[-1] if path else None
        if isinstance(node, dict):
            node.pop(last, None)
        elif isinstance(node, list) and isinstance(last, int) and 0 <= last < len(node):
            del node[last]


def _find_non_string_key(value: Any, path: Path) -> tuple[Path, Any] | None:
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                return (*path, str(key)), key
            found = _find_non_string_key(item, (*path, key))
            if found:
                return found
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found = _find_non_string_key(item, (*path, index))
            if found:
                return found
    return None


def _delete_path(model: dict[str, Any], path: Path) -> dict[str, Any]:
    """`!reset` / `!override`: forget what earlier files said at `path`."""
    if not path:
        return model
    node: Any = model
    for part in path[:-1]:
        if isinstance(node, dict) and part in node:
            node = node[part]
        else:
            return model
    if isinstance(node, dict):
        node.pop(path[-1], None)
    return model


# --- extends -----------------------------------------------------------------------------------


def _apply_extends(ctx: _Context, data: dict[str, Any], file: str, tagged: Sequence[Path]) -> dict[str, Any]:
    services = data.get("services")
    if not isinstance(services, dict):
        return data
    services = dict(services)
    problems: list[Problem] = []
    for name in list(services):
        try:
            services[name] = _extend_service(ctx, name, services, file, [], tagged=tagged)
        except InputError as exc:
            problems.extend(exc.problems)
    if problems:
        raise InputError(problems)
    return {**data, "services": services}


def _extend_service(
    ctx: _Context,
    name: str,
    services: dict[str, Any],
    file: str,
    chain: list[tuple[str, str]],
    *,
    tagged: Sequence[Path],
) -> Any:
    """`service` merged onto the service it extends; `tagged`: the `!reset`/`!override` paths of its file."""
    service = services.get(name)
    if not isinstance(service, dict) or "extends" not in service:
        return service
    extends = service["extends"]
    path = ("services", name, "extends")
    ref: Any
    ref_file: Any
    if isinstance(extends, str):
        ref, ref_file = extends, None
    elif isinstance(extends, dict):
        ref, ref_file = extends.get("service"), extends.get("file")
    else:
        raise InputError(
            [ctx.problem("must be a service name or a mapping with service: and file:", file, path)]
        )
    if not isinstance(ref, str):
        raise InputError(
            [ctx.problem("extends needs service: the name of the service to extend", file, path)]
        )
    if (file, name) in chain:
        cycle = " -> ".join(f"{n} ({posixpath.basename(f)})" for f, n in [*chain, (file, name)])
        raise InputError(
            [ctx.problem(f"extends cycle: {cycle}", file, path, hint="remove one of the extends")]
        )
    chain = [*chain, (file, name)]
    base_services = services
    base_file = file
    if ref_file is not None:
        base_file = _abspath(posixpath.dirname(file), str(ref_file))
        if not ctx.reader.is_file(base_file):
            raise InputError(
                [
                    ctx.problem(
                        f"cannot extend service {name!r}: file {ref_file} not found", file, (*path, "file")
                    )
                ]
            )
        base_services = _extends_base(ctx, base_file)
        if ref not in base_services:
            raise InputError(
                [
                    ctx.problem(
                        f"cannot extend service {name!r}: service {ref!r} not found in {ref_file}",
                        file,
                        (*path, "service"),
                    )
                ]
            )
    elif ref not in services:
        raise InputError(
            [
                ctx.problem(
                    f"cannot extend service {name!r}: service {ref!r} not found",
                    file,
                    (*path, "service") if isinstance(extends, dict) else path,
                    hint="extend a service defined in this file, or name the file with extends.file",
                )
            ]
        )
    ctx.extends[file, name] = (base_file, ref)
    base = _extend_service(
        ctx, ref, base_services, base_file, chain, tagged=tagged if base_file == file else []
    )
    if base is None:
        return service
    if not isinstance(base, dict):
        raise InputError([ctx.problem(f"services.{ref} must be a mapping", base_file, ("services", ref))])
    base = _deep_copy(base)
    for tagged_path in tagged:
        # !reset / !override in the extending service: the base's value is forgotten before merging,
        # as for override files.
        if tagged_path[:2] == ("services", name) and len(tagged_path) > 2:  # noqa: PLR2004 - services.NAME.KEY
            _delete_path(base, tagged_path[2:])
    try:
        merged: dict[str, Any] = merge_values(base, service, ("services", name))
    except MergeError as exc:
        raise InputError([ctx.problem(exc.message, file, exc.path)]) from None
    merged.pop("extends", None)
    return merged


def _extends_base(ctx: _Context, base_file: str) -> dict[str, Any]:
    """The services of a file named by `extends.file`, loaded once however many services extend it.

    Callers never mutate the result: `_extend_service` merges onto a deep copy of the base.
    """
    cached = ctx.extends_bases.get(base_file)
    if cached is not None:
        return cached
    base_model = _load_file(
        ctx,
        base_file,
        {},
        posixpath.dirname(base_file),
        [],
        extends=False,
        include=False,
        validate_schema=False,
    )
    _resolve_paths(base_model, posixpath.dirname(base_file), ctx.lookup("HOME") or "")
    services = base_model.get("services") or {}
    if not isinstance(services, dict):
        raise InputError([ctx.problem("services must be a mapping", base_file, ("services",))])
    ctx.extends_bases[base_file] = services
    return services


def _deep_copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _deep_copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_deep_copy(v) for v in value]
    return value


# --- include -----------------------------------------------------------------------------------


def _apply_include(
    ctx: _Context, data: dict[str, Any], file: str, working_dir: str, included: list[str]
) -> dict[str, Any]:
    if "include" not in data:
        return data
    data = dict(data)
    entries = data.pop("include")
    if entries is None:
        return data
    if not isinstance(entries, list):
        raise InputError([ctx.problem("include must be a list", file, ("include",))])
    for index, entry in enumerate(entries):
        path: Path = ("include", index)
        # Compose skips empty entries: `- `, `- path:`, `- path: []`, `- {}`.
        if entry is None or (isinstance(entry, dict) and entry.get("path") in (None, [])):
            continue
        if isinstance(entry, str):
            entry = {"path": [entry]}
        if not isinstance(entry, dict):
            raise InputError([ctx.problem("must be a path or a mapping with path:", file, path)])
        paths = entry.get("path")
        paths = [paths] if isinstance(paths, str) else paths or []
        if not isinstance(paths, list) or not all(isinstance(p, str) for p in paths):
            raise InputError([ctx.problem("path must be a file name or a list of file names", file, path)])
        if not paths:
            raise InputError([ctx.problem("include needs path:", file, path)])
        files = [_abspath(working_dir, str(p)) for p in paths]
        for inc in files:
            if not ctx.reader.is_file(inc):
                raise InputError([ctx.problem(f"included file {inc} not found", file, path)])
        if files[0] in included:
            chain = " -> ".join([*included, files[0]])
            raise InputError([ctx.problem(f"include cycle detected: {chain}", file, path)])
        project_dir = entry.get("project_directory")
        project_dir = _abspath(working_dir, str(project_dir)) if project_dir else posixpath.dirname(files[0])
        env_files = entry.get("env_file")
        env_files = [env_files] if isinstance(env_files, str) else env_files or []
        if not isinstance(env_files, list) or not all(isinstance(f, str) for f in env_files):
            raise InputError(
                [ctx.problem("env_file must be a file name or a list of file names", file, path)]
            )
        if not env_files:
            default = posixpath.join(project_dir, ".env")
            env_files = [default] if ctx.reader.is_file(default) else []
        else:
            env_files = [_abspath(working_dir, str(f)) for f in env_files if f != "/dev/null"]
        environment = dict(ctx.environment)
        for env_file in env_files:
            if not ctx.reader.is_file(env_file):
                raise InputError([ctx.problem(f"env file {env_file} not found", file, (*path, "env_file"))])
            try:
                values = parse_dotenv(ctx.reader.read_env(env_file), environment.get)
            except DotenvError as exc:
                raise InputError([Problem(exc.message, Location(env_file, exc.line))]) from None
            for key, value in values.items():
                environment.setdefault(key, value)
        sub = _Context(ctx.reader, environment, ctx.warnings, ctx.texts, ctx.extends)
        imported: dict[str, Any] = {}
        for inc in files:
            imported = _load_file(sub, inc, imported, project_dir, included)
        _resolve_paths(imported, project_dir, ctx.lookup("HOME") or "")
        for kind in ("services", "volumes", "networks", "secrets", "configs", "models"):
            source = imported.get(kind)
            if not isinstance(source, dict):
                continue
            target = dict(data.get(kind) or {})
            for key, value in source.items():
                if key in target and target[key] != value:
                    raise InputError(
                        [
                            ctx.problem(
                                f"imported resource {kind}.{key} from {files[0]} conflicts with the one "
                                "defined here",
                                file,
                                (kind, key),
                                hint="rename one of them",
                            )
                        ]
                    )
                target.setdefault(key, value)
            data[kind] = target
    return data


# --- paths -------------------------------------------------------------------------------------

_REMOTE_CONTEXT = r"^(https?://|git://|git@|github\.com/|ssh://)|\.git(#.*)?$"


def _as_list(value: Any) -> list[Any]:
    """Files loaded without schema validation (extends bases) may hold anything where a list goes."""
    return value if isinstance(value, list) else []


def _is_remote_context(context: str) -> bool:
    return (
        bool(re.search(_REMOTE_CONTEXT, context)) or "://" in context or context.startswith(_SERVICE_PREFIX)
    )


def _is_windows_path(path: str) -> bool:
    return len(path) > 2 and path[0].isalpha() and path[1] == ":" and path[2] in "\\/"  # noqa: PLR2004


def _expand_home(path: str, home: str) -> str:
    if path == "~" or path.startswith("~/"):
        return home + path[1:]
    return path


def _resolve_local(working_dir: str, path: str) -> str:
    # Compose cleans only the paths it joins: an absolute "/var/lib/docker/" stays as written.
    if _is_windows_path(path) or posixpath.isabs(path):
        return path
    return _abspath(working_dir, path)


def _resolve_paths(model: dict[str, Any], working_dir: str, home: str) -> None:
    """Relative paths become absolute against the project (or included/extended file's) directory."""
    services = model.get("services")
    for service in services.values() if isinstance(services, dict) else []:
        if not isinstance(service, dict):
            continue
        build = service.get("build")
        if isinstance(build, dict):
            context = build.get("context")
            if isinstance(context, str) and not _is_remote_context(context):
                build["context"] = _abspath(working_dir, _expand_home(context, home))
            ssh = build.get("ssh")
            if isinstance(ssh, dict):
                for key, value in ssh.items():
                    if isinstance(value, str):
                        ssh[key] = _resolve_local(working_dir, _expand_home(value, home))
            contexts = build.get("additional_contexts")
            if isinstance(contexts, dict):
                for key, value in contexts.items():
                    if isinstance(value, str) and not _is_remote_context(value):
                        contexts[key] = _abspath(working_dir, value)
        for env_file in _as_list(service.get("env_file")):
            if isinstance(env_file, dict) and isinstance(env_file.get("path"), str):
                env_file["path"] = _abspath(working_dir, _expand_home(env_file["path"], home))
        label_files = service.get("label_file")
        if isinstance(label_files, list):
            service["label_file"] = [
                _abspath(working_dir, f) if isinstance(f, str) else f for f in label_files
            ]
        extends = service.get("extends")
        if isinstance(extends, dict) and isinstance(extends.get("file"), str):
            extends["file"] = _abspath(working_dir, extends["file"])
        for volume in _as_list(service.get("volumes")):
            if (
                isinstance(volume, dict)
                and volume.get("type") == "bind"
                and isinstance(volume.get("source"), str)
            ):
                volume["source"] = _resolve_local(working_dir, _expand_home(volume["source"], home))
        develop = service.get("develop")
        if isinstance(develop, dict):
            for watch in develop.get("watch") or []:
                if isinstance(watch, dict) and isinstance(watch.get("path"), str):
                    watch["path"] = _abspath(working_dir, watch["path"])
    for kind in ("secrets", "configs"):
        for resource in (model.get(kind) or {}).values():
            if isinstance(resource, dict) and isinstance(resource.get("file"), str):
                resource["file"] = _abspath(working_dir, _expand_home(resource["file"], home))
    for volume in (model.get("volumes") or {}).values():
        if not isinstance(volume, dict):
            continue
        opts = volume.get("driver_opts")
        if (
            volume.get("driver", "local") == "local"
            and isinstance(opts, dict)
            and opts.get("o") == "bind"
            and isinstance(opts.get("device"), str)
        ):
            opts["device"] = _abspath(working_dir, _expand_home(opts["device"], home))


# --- normalisation -----------------------------------------------------------------------------


def _normalize(model: dict[str, Any], environment: dict[str, str]) -> dict[str, Any]:
    """Implicit parts of the model: the default network, build defaults, implied dependencies."""
    _normalize_networks(model)
    for service in (model.get("services") or {}).values():
        if not isinstance(service, dict):
            continue
        if service.get("pull_policy") == "if_not_present":
            service["pull_policy"] = "missing"
        build = service.get("build")
        if isinstance(build, dict):
            if build.get("context") is None:
                build["context"] = "."
            if build.get("dockerfile") is None and build.get("dockerfile_inline") is None:
                build["dockerfile"] = "Dockerfile"
            if "args" in build:
                build["args"] = _resolve_unset(build["args"], environment, keep_empty=False)
        if "environment" in service:
            service["environment"] = _resolve_unset(service["environment"], environment, keep_empty=True)
        depends_on = service.get("depends_on")
        depends_on = dict(depends_on) if isinstance(depends_on, dict) else {}
        for link in service.get("links") or []:
            target = str(link).split(":")[0] if len(str(link).split(":")) == 2 else str(link)  # noqa: PLR2004
            depends_on.setdefault(target, {"condition": "service_started", "restart": True, "required": True})
        for namespace in ("network_mode", "ipc", "pid", "uts", "cgroup"):
            ref = service.get(namespace)
            if isinstance(ref, str) and ref.startswith(_SERVICE_PREFIX):
                depends_on.setdefault(
                    ref[len(_SERVICE_PREFIX) :],
                    {"condition": "service_started", "restart": True, "required": True},
                )
        for source in service.get("volumes_from") or []:
            source = str(source)
            if not source.startswith("container:"):
                depends_on.setdefault(
                    source.split(":")[0], {"condition": "service_started", "restart": False, "required": True}
                )
        if depends_on:
            service["depends_on"] = depends_on
    for kind in ("networks", "volumes", "configs", "secrets"):
        resources = model.get(kind)
        if not isinstance(resources, dict):
            continue
        for key, resource in list(resources.items()):
            resource = dict(resource) if isinstance(resource, dict) else {}
            if resource.get("name") is None:
                external = resource.get("external")
                resource["name"] = key if external is True else f"{model['name']}_{key}"
            resources[key] = resource
    return model


def _normalize_networks(model: dict[str, Any]) -> None:
    networks = model.get("networks")
    networks = dict(networks) if isinstance(networks, dict) else {}
    uses_default = False
    for service in (model.get("services") or {}).values():
        if not isinstance(service, dict) or "provider" in service or "network_mode" in service:
            continue
        declared = service.get("networks")
        if not declared:
            service["networks"] = {"default": None}
            uses_default = True
        elif isinstance(declared, dict) and "default" in declared:
            uses_default = True
    if uses_default and "default" not in networks:
        networks["default"] = {}
    if networks:
        model["networks"] = networks


def _resolve_unset(value: Any, environment: Mapping[str, str], *, keep_empty: bool) -> Any:
    """`- KEY` entries take their value from the project environment (or stay unset)."""
    if isinstance(value, list):
        out = []
        for item in value:
            if isinstance(item, str) and "=" not in item:
                if item in environment:
                    out.append(f"{item}={environment[item]}")
                elif keep_empty:
                    out.append(item)
            else:
                out.append(item)
        return out
    if isinstance(value, dict):
        resolved: dict[str, Any] = {}
        for key, item in value.items():
            if item is not None:
                resolved[key] = item
            elif key in environment:
                resolved[key] = environment[key]
            elif keep_empty:
                resolved[key] = None
        return resolved
    return value


def _apply_profiles(model: dict[str, Any], profiles: list[str]) -> None:
    """Services whose profiles are all inactive leave the model (`*` activates every profile)."""
    services = model.get("services") or {}
    active = set(profiles)
    for name in list(services):
        service_profiles = services[name].get("profiles") or []
        if not service_profiles or "*" in active or active.intersection(service_profiles):
            continue
        del services[name]


_EXTERNAL_CONFLICTS = {"volumes": ("driver", "driver_opts", "labels")}


def _check_consistency(model: dict[str, Any]) -> list[Problem]:
    """Cross-references Compose checks once the project is assembled."""
    problems: list[Problem] = []
    services: dict[str, Any] = model.get("services") or {}
    for kind, singular in (
        ("networks", "network"),
        ("volumes", "volume"),
        ("secrets", "secret"),
        ("configs", "config"),
    ):
        declared = model.get(kind) or {}
        for name, service in services.items():
            if kind == "networks":
                refs = [(n, ("services", name, "networks", n)) for n in service.get("networks") or {}]
            elif kind == "volumes":
                refs = [
                    (v.get("source"), ("services", name, "volumes", i))
                    for i, v in enumerate(service.get("volumes") or [])
                    if v.get("type") == "volume" and v.get("source")
                ]
            else:
                refs = [
                    (m.get("source"), ("services", name, kind, i))
                    for i, m in enumerate(service.get(kind) or [])
                ]
            for ref, path in refs:
                if ref not in declared:
                    problems.append(
                        Problem(
                            f"service {name!r} refers to undefined {singular} {ref!r}",
                            path=path,
                            hint=f"declare it under the top-level {kind}: key",
                        )
                    )
    for kind, keys in _EXTERNAL_CONFLICTS.items():
        for name, resource in (model.get(kind) or {}).items():
            if not resource.get("external"):
                continue
            problems.extend(
                Problem(
                    f'conflicting parameters "external" and "{key}" specified',
                    path=(kind, name, key),
                    hint="an external resource is created outside Compose; remove " + key,
                )
                for key in keys
                if resource.get(key)
            )
    for name, service in services.items():
        platforms = (service.get("build") or {}).get("platforms")
        platform = service.get("platform")
        if platforms and platform and platform not in platforms:
            problems.append(
                Problem(
                    f"build.platforms must include the service platform {platform!r}",
                    path=("services", name, "build", "platforms"),
                )
            )
        if not service.get("image") and not service.get("build") and not service.get("provider"):
            problems.append(
                Problem(
                    f"service {name!r} has neither an image nor a build context specified",
                    path=("services", name),
                    hint="add image: or build:",
                )
            )
        for dep, spec in (service.get("depends_on") or {}).items():
            if dep not in services and spec.get("required", True):
                problems.append(
                    Problem(
                        f"service {name!r} depends on undefined service {dep!r}",
                        path=("services", name, "depends_on", dep),
                        hint="define it, or remove it from depends_on",
                    )
                )
        ref = service.get("network_mode")
        if isinstance(ref, str) and ref.startswith(_SERVICE_PREFIX):
            target = ref[len(_SERVICE_PREFIX) :]
            if target not in services:
                problems.append(
                    Problem(
                        f"service {target!r} not found for network_mode",
                        path=("services", name, "network_mode"),
                    )
                )
    secrets = model.get("secrets") or {}
    for name, service in services.items():
        for index, mount in enumerate((service.get("build") or {}).get("secrets") or []):
            if mount.get("source") not in secrets:
                problems.append(
                    Problem(
                        f"service {name!r} refers to undefined build secret {mount.get('source')!r}",
                        path=("services", name, "build", "secrets", index),
                        hint="declare it under the top-level secrets: key",
                    )
                )
    for name, secret in secrets.items():
        if not secret.get("external") and not secret.get("file") and not secret.get("environment"):
            problems.append(
                Problem(
                    f"secret {name!r} must declare either `file` or `environment`",
                    path=("secrets", name),
                    hint="a driver alone does not give Compose the secret's content",
                )
            )
    cycle = _dependency_cycle(services)
    if cycle:
        problems.append(
            Problem(
                "dependency cycle detected: " + " -> ".join(cycle),
                path=("services", cycle[0], "depends_on"),
                hint="services cannot depend on each other in a loop",
            )
        )
    return problems


def _dependency_cycle(services: dict[str, Any]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(name: str) -> list[str] | None:
        state[name] = 1
        stack.append(name)
        for dep in sorted((services.get(name) or {}).get("depends_on") or {}):
            if dep not in services:
                continue
            if state.get(dep) == 1:
                return [*stack[stack.index(dep) :], dep]
            if dep not in state:
                found = visit(dep)
                if found:
                    return found
        stack.pop()
        state[name] = 2
        return None

    for name in sorted(services):
        if name not in state:
            found = visit(name)
            if found:
                return found
    return None


def _resolve_service_environment(ctx: _Context, model: dict[str, Any], files: list[str]) -> None:
    """env_file contents under `environment` (environment wins), then env_file is dropped."""
    problems: list[Problem] = []
    for name, service in (model.get("services") or {}).items():
        env_files = service.pop("env_file", None) or []
        declared: dict[str, Any] = service.get("environment") or {}
        environment: dict[str, Any] = {}
        for index, env_file in enumerate(env_files):
            path = str(env_file.get("path") if isinstance(env_file, dict) else env_file)
            required = env_file.get("required", True) if isinstance(env_file, dict) else True
            if not ctx.reader.is_file(path):
                if required:
                    problems.append(
                        ctx.problem_in_files(
                            f"env file {path} not found",
                            files,
                            ("services", name, "env_file", index),
                            hint="create it, or mark it optional with `required: false`",
                        )
                    )
                continue

            # Variables in env files resolve against the project environment, then the service's own.
            def lookup(key: str, declared: dict[str, Any] = declared) -> str | None:
                value = ctx.lookup(key)
                return value if value is not None else declared.get(key)

            env_format = env_file.get("format") if isinstance(env_file, dict) else None
            if env_format not in (None, "raw"):
                problems.append(
                    ctx.problem_in_files(
                        f"unsupported env_file format {env_format!r}",
                        files,
                        ("services", name, "env_file", index, "format"),
                        hint="use format: raw, or leave format out",
                    )
                )
                continue
            try:
                text = ctx.reader.read_env(path)
                values = _parse_raw_env(text) if env_format == "raw" else parse_dotenv(text, lookup)
            except DotenvError as exc:
                problems.append(Problem(exc.message, Location(path, exc.line)))
                continue
            environment.update(values)
        for key, value in declared.items():
            if value is None and key in ctx.environment:
                value = ctx.environment[key]
            environment[key] = value
        if environment:
            service["environment"] = environment
        else:
            service.pop("environment", None)
    if problems:
        raise InputError(problems)


def _parse_raw_env(text: str) -> dict[str, str]:
    """`format: raw` env files: KEY=VALUE lines taken literally (no quotes, no interpolation)."""
    values: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.lstrip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        if key != key.strip() or " " in key or "\t" in key:
            raise DotenvError(f"variable {key!r} contains whitespace", number)
        values[key] = value
    return values


def _drop_unused_resources(model: dict[str, Any]) -> None:
    """Top-level networks, volumes, secrets and configs no service uses are not part of the project."""
    services = model.get("services") or {}
    used: dict[str, set[str]] = {
        "networks": set(),
        "volumes": set(),
        "secrets": set(),
        "configs": set(),
        "models": set(),
    }
    for service in services.values():
        used["networks"].update(service.get("networks") or {})
        used["models"].update(service.get("models") or {})
        for volume in service.get("volumes") or []:
            if volume.get("type") == "volume" and volume.get("source"):
                used["volumes"].add(volume["source"])
        for kind in ("secrets", "configs"):
            used[kind].update(m.get("source") for m in service.get(kind) or [])
        build = service.get("build") or {}
        used["secrets"].update(m.get("source") for m in build.get("secrets") or [])
    for kind, names in used.items():
        resources = model.get(kind)
        if not isinstance(resources, dict):
            continue
        kept = {k: v for k, v in resources.items() if k in names}
        if kept:
            model[kind] = kept
        else:
            del model[kind]


def config_json_escape(value: Any) -> Any:
    """`docker compose config` prints `$` as `$$`, in keys too, so its output loads again unchanged."""
    if isinstance(value, str):
        return value.replace("$", "$$")
    if isinstance(value, dict):
        return {
            (k.replace("$", "$$") if isinstance(k, str) else k): config_json_escape(v)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [config_json_escape(v) for v in value]
    return value


def json_output_problems(project: Project) -> list[Problem]:
    """What Docker Compose v2.40.3 cannot print with `config --format json`, which then fails.

    `config --format json` promises Compose's exact output, and Compose prints none for these
    projects, so we refuse them too; the YAML format prints them.
    """
    problems: list[Problem] = []
    texts: dict[str, str | None] = dict(project.texts)
    files = list(project.texts)

    def add(message: str, path: Path, hint: str, location: Location | None = None) -> None:
        location = location or locate_in_files(texts, files, path) or Location(project.files[0])
        problems.append(Problem(message, location=location, path=path, hint=hint))

    # types.SSHKey.MarshalJSON writes `"id": path`, which is not a JSON value.
    for name, service in (project.model.get("services") or {}).items():
        for key in (service.get("build") or {}).get("ssh") or []:
            if isinstance(key, dict):
                ssh_path: Path = ("services", name, "build", "ssh")
                add(
                    f"Docker Compose v2.40.3 cannot print an ssh key with a path ({key['id']}) as JSON",
                    ssh_path,
                    "print the project with --format yaml",
                    locate_ssh_key(texts, ssh_path, key["id"]),
                )
    for path in _non_finite_numbers(project.model, ()):
        add(
            "Docker Compose v2.40.3 cannot print an infinite or NaN number as JSON",
            path,
            "use --format yaml, or write a finite number",
        )
    return problems


def _non_finite_numbers(value: Any, path: Path) -> list[Path]:
    if isinstance(value, float):
        return [] if value - value == 0 else [path]
    found: list[Path] = []
    if isinstance(value, dict):
        for key, item in value.items():
            found.extend(_non_finite_numbers(item, (*path, key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found.extend(_non_finite_numbers(item, (*path, index)))
    return found
