"""tests/corpus.py's archive: reproducible packing, safe and atomic unpacking, no skipping."""

from __future__ import annotations

import io
import lzma
import tarfile
from typing import TYPE_CHECKING

import pytest

from tests.corpus import (
    ARCHIVE,
    CACHE,
    CorpusError,
    archive_bytes,
    cases,
    corpus_root,
    main,
    pack,
    tar_bytes,
    unpacked,
)

if TYPE_CHECKING:
    from pathlib import Path


def _tiny_corpus(folder: Path) -> Path:
    case = folder / "source" / "a-case"
    (case / "expected").mkdir(parents=True)
    (folder / "MANIFEST.tsv").write_text("#source\tcase\nsource\ta-case\n")
    (case / "case.json").write_text('{"files": ["compose.yaml"], "workdir": "."}')
    (case / "compose.yaml").write_text("services:\n  web:\n    image: nginx\n")
    (case / ".env").write_text("A=1\n")
    (case / "expected" / "result.json").write_text('{"oracle": {"accepted": true, "message": ""}}')
    (folder / "tools").mkdir()
    (folder / "tools" / "run.py").write_text("print()\n")
    (folder / "tools" / "run.py").chmod(0o500)
    return folder


def _archive_of(members: dict[str, bytes | None]) -> bytes:
    """A tar.xz with the given members: bytes for a file, None for a symbolic link to /etc/passwd."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:xz") as tar:
        for name, content in members.items():
            info = tarfile.TarInfo(name)
            if content is None:
                info.type = tarfile.SYMTYPE
                info.linkname = "/etc/passwd"
                tar.addfile(info)
            else:
                info.size = len(content)
                tar.addfile(info, io.BytesIO(content))
    return buffer.getvalue()


def test_the_repository_archive_is_packed_reproducibly() -> None:
    # Unpacking and packing again gives the archive's own tar stream, entry for entry and byte for byte.
    root = unpacked(ARCHIVE, CACHE)
    assert lzma.decompress(ARCHIVE.read_bytes()) == tar_bytes(root)
    assert len(cases(root)) > 500


def test_packing_is_deterministic_and_unchanged_corpora_keep_their_bytes(tmp_path: Path) -> None:
    source = _tiny_corpus(tmp_path / "src")
    archive = tmp_path / "out" / "corpus.tar.xz"
    assert pack(source, archive) is True
    first = archive.read_bytes()
    (source / "MANIFEST.tsv").touch()  # a new mtime alone changes nothing
    assert pack(source, archive) is False
    assert archive.read_bytes() == first == archive_bytes(source)
    with tarfile.open(archive) as tar:
        members = tar.getmembers()
    assert [m.name for m in members] == sorted(m.name for m in members)
    assert {(m.mtime, m.uid, m.gid, m.uname, m.gname) for m in members} == {(0, 0, 0, "", "")}
    modes = {m.name: m.mode for m in members}
    assert modes["corpus/tools/run.py"] == 0o755
    assert modes["corpus/source/a-case/.env"] == 0o644
    assert modes["corpus/source"] == 0o755


def test_unpacking_is_done_once_and_replaces_older_corpora(tmp_path: Path) -> None:
    archive = tmp_path / "corpus.tar.xz"
    cache = tmp_path / "cache"
    pack(_tiny_corpus(tmp_path / "src"), archive)
    stale = cache / "corpus-0123"
    stale.mkdir(parents=True)
    root = unpacked(archive, cache)
    assert root.parent == cache
    assert root.name.startswith("corpus-")
    assert (root / "source" / "a-case" / ".env").read_text() == "A=1\n"
    assert [c.id for c in cases(root)] == ["source/a-case"]
    assert not stale.exists()
    assert sorted(p.name for p in cache.iterdir()) == [root.name]  # no temporary folder left
    (root / "marker").touch()
    assert unpacked(archive, cache) == root
    assert (root / "marker").exists()


@pytest.mark.parametrize(
    "members",
    [
        {"corpus/MANIFEST.tsv": b"", "corpus/../escaped": b"x"},
        {"corpus/MANIFEST.tsv": b"", "/abs/olute": b"x"},
        {"corpus/MANIFEST.tsv": b"", "elsewhere/file": b"x"},
        {"corpus/MANIFEST.tsv": b"", "corpus/link": None},
        {"corpus/README.md": b"no manifest"},
    ],
    ids=["dot-dot", "absolute", "outside-top", "symlink", "no-manifest"],
)
def test_unsafe_or_incomplete_archives_are_refused(tmp_path: Path, members: dict[str, bytes | None]) -> None:
    archive = tmp_path / "corpus.tar.xz"
    archive.write_bytes(_archive_of(members))
    cache = tmp_path / "cache"
    with pytest.raises(CorpusError):
        unpacked(archive, cache)
    assert not (tmp_path / "escaped").exists()
    assert [p.name for p in cache.iterdir()] == []


def test_a_missing_or_broken_archive_fails_instead_of_skipping(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match="cannot be read"):
        unpacked(tmp_path / "missing.tar.xz", tmp_path / "cache")
    broken = tmp_path / "broken.tar.xz"
    broken.write_bytes(ARCHIVE.read_bytes()[:5000])
    with pytest.raises(CorpusError, match="broken"):
        unpacked(broken, tmp_path / "cache")


def test_the_override_must_be_an_unpacked_corpus(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COMPOSE2ECS_CORPUS", str(tmp_path))
    with pytest.raises(CorpusError, match="not an unpacked corpus"):
        corpus_root()
    _tiny_corpus(tmp_path)
    assert corpus_root() == tmp_path.resolve()


def test_pack_needs_exactly_one_folder(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["pack"]) == 2
    assert "usage: python -m tests.corpus pack" in capsys.readouterr().err
