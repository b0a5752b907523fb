"""The progress bar of long reads, drawn where the user looks: a terminal (``redlines run`` and
``convert``, only when stderr is one) or a Jupyter notebook (``evaluate_file(...,
progress=True)``), by ``tqdm.auto``.

Readers only call the :data:`~redlines.readers.Progress` callback they are given; this module
is that callback. One bar covers the bytes of every input file together (a zip archive counts
its members' uncompressed bytes), so its rate and time left are measured over the whole read
rather than restarted per file. Readers report every few hundred lines; the bar redraws at
most a few times a second.
"""

from __future__ import annotations

import contextlib
import zipfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from types import TracebackType
from typing import IO, Any

__all__ = ["ProgressBar", "input_bytes"]


def input_bytes(path: str | Path) -> int:
    """The bytes a reader will report for *path*: the uncompressed size of a zip archive's
    members, the size of any other file (0 when it cannot be known: a pipe, a missing file)."""
    p = Path(path)
    try:
        if not p.is_file():
            return 0
        if zipfile.is_zipfile(p):
            with zipfile.ZipFile(p) as archive:
                return sum(i.file_size for i in archive.infolist() if not i.is_dir())
        return p.stat().st_size
    except (OSError, zipfile.BadZipFile):
        return 0


class ProgressBar:
    """One bar over the total bytes of *paths*, usable as a
    :data:`~redlines.readers.Progress` callback for every file of one command.

    The bar appears when the first file is read (reading scenario files, which report no
    progress, draws nothing); :meth:`done` moves it to the end of a file whatever was
    reported; :meth:`close` (or leaving the ``with`` block) removes it.
    """

    def __init__(self, paths: Sequence[str | Path], *, file: IO[str] | None = None) -> None:
        self.total = sum(input_bytes(p) for p in paths)
        self._sizes = {str(p): input_bytes(p) for p in paths}
        self._file = file
        self._bar: Any = None
        self._done = 0  # bytes of the files finished

    def _ensure(self) -> Any:
        if self._bar is None:
            from tqdm.auto import tqdm

            self._bar = tqdm(
                total=self.total or None,
                initial=self._done,
                unit="B",
                unit_scale=True,
                unit_divisor=1024,
                file=self._file,
                mininterval=0.5,
                miniters=1,
                smoothing=0.3,
                dynamic_ncols=True,
                leave=False,
            )
        return self._bar

    @contextlib.contextmanager
    def __call__(self, label: str, total: int) -> Iterator[Callable[[int], None]]:
        bar = self._ensure()
        bar.set_description(label, refresh=False)
        yield bar.update

    def done(self, path: str | Path) -> None:
        """*path* has been read: the bar stands at the end of it."""
        self._done += self._sizes.get(str(path), 0)
        if self._bar is not None and self._bar.n != self._done:
            self._bar.update(self._done - self._bar.n)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
