"""Loaded rulesets kept on disk by content hash, so that a run does not read, check and resolve
the same rule file again (``nato-2024``: about 50 ms of a 0.5 s run; 1,000 red lines: about a
second).

An entry is keyed by a SHA-256 of the rule file's text, its name (problems and warnings name
the file), the Python version, the versions of pydantic and ruamel.yaml and where pycountry's
data was installed, and a fingerprint of redlines' own files (their names, sizes and
modification times), so that a changed file, another name, another Python, other country data
or an edited or upgraded redlines never reads an entry written for something else. Entries are
pickles of :class:`~redlines.rules.resolved.Ruleset`, written atomically to a directory only
the user can write, and read only from such a directory and from files the user owns.

Where: ``$REDLINES_CACHE_DIR``, else ``$XDG_CACHE_HOME/redlines``, else ``~/.cache/redlines``.
``REDLINES_CACHE=off`` turns it off. The newest :data:`KEPT` entries are kept. Anything that
goes wrong (a directory that cannot be written, an entry that cannot be read) only means the
file is loaded as if there were no cache: a cache never changes what a run says.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import stat
import sys
import tempfile
from functools import lru_cache
from pathlib import Path

from .resolved import Ruleset

__all__ = ["KEPT", "cache_dir", "get", "put"]

#: How many rulesets the cache keeps (the most recently written).
KEPT = 64
_SUFFIX = ".ruleset.pickle"


def cache_dir() -> Path | None:
    """The cache directory, or None when the cache is off (or no home directory is known)."""
    if os.environ.get("REDLINES_CACHE", "").lower() in ("0", "off", "no", "false"):
        return None
    given = os.environ.get("REDLINES_CACHE_DIR")
    if given:
        return Path(given)
    xdg = os.environ.get("XDG_CACHE_HOME")
    try:
        base = Path(xdg) if xdg else Path.home() / ".cache"
    except (RuntimeError, KeyError, OSError):  # no HOME, and a user without a passwd entry
        return None
    return base / "redlines"


@lru_cache(maxsize=1)
def _fingerprint() -> str:
    """Names, sizes and modification times of redlines' own files, with the Python version."""
    import pycountry
    import pydantic
    import ruamel.yaml

    root = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256(sys.version.encode("utf-8"))
    # The libraries whose data or reading a loaded ruleset depends on (country and region
    # names, YAML, validation): their versions, and where pycountry's data was installed.
    country_data = os.stat(os.path.dirname(pycountry.__file__))
    for part in (pydantic.VERSION, ruamel.yaml.__version__, str(country_data.st_mtime_ns)):
        digest.update(f"{part}\0".encode())
    for folder, dirs, files in sorted(os.walk(root)):
        dirs.sort()
        for name in sorted(files):
            if name.endswith((".py", ".yaml", ".csv", ".json")):
                info = os.stat(os.path.join(folder, name))
                digest.update(f"{folder}/{name}\0{info.st_size}\0{info.st_mtime_ns}\0".encode())
    return digest.hexdigest()


def _entry(folder: Path, text: str, file: str) -> Path:
    key = hashlib.sha256()
    for part in (_fingerprint(), file, text):
        key.update(part.encode("utf-8", "surrogatepass"))
        key.update(b"\0")
    return folder / (key.hexdigest() + _SUFFIX)


def _private(path: Path) -> bool:
    """Whether *path* belongs to this user and no one else can write it."""
    info = path.stat()
    owner = getattr(os, "getuid", None)
    return (owner is None or info.st_uid == owner()) and not info.st_mode & (
        stat.S_IWGRP | stat.S_IWOTH
    )


def get(text: str, file: str) -> Ruleset | None:
    """The ruleset loaded from *text* under the name *file*, if the cache holds it."""
    folder = cache_dir()
    if folder is None:
        return None
    try:
        path = _entry(folder, text, file)
        if not (path.is_file() and _private(folder) and _private(path)):
            return None
        with path.open("rb") as fh:
            found = pickle.load(fh)
    except Exception:  # a missing, unreadable or damaged entry: load the file instead
        return None
    return found if isinstance(found, Ruleset) else None


def put(text: str, file: str, ruleset: Ruleset) -> None:
    """Keep *ruleset*, loaded from *text* under the name *file*; drop the oldest entries past
    :data:`KEPT`."""
    folder = cache_dir()
    if folder is None:
        return
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not _private(folder):
            return
        path = _entry(folder, text, file)
        data = pickle.dumps(ruleset, protocol=pickle.HIGHEST_PROTOCOL)
        fd, name = tempfile.mkstemp(dir=folder, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(name, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(name)
            raise
        entries = sorted(folder.glob("*" + _SUFFIX), key=lambda p: p.stat().st_mtime_ns)
        for old in entries[:-KEPT]:
            with contextlib.suppress(OSError):
                old.unlink()
    except Exception:  # an unwritable directory, a full disk, a ruleset that cannot pickle
        return
