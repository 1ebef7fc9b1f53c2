"""Progress bars for long work: one bar per resource, updated after every page."""

from __future__ import annotations

from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn


class ResourceProgress:
    """A rich progress display with one task per (resource, team)."""

    def __init__(self) -> None:
        self._progress = Progress(
            TextColumn("{task.description:<32}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            transient=False,
        )
        self._tasks: dict[tuple[str, str], int] = {}

    def __enter__(self) -> ResourceProgress:
        self._progress.start()
        return self

    def __exit__(self, *exc) -> None:
        self._progress.stop()

    def update(self, resource: str, team: str, done: int, total: int | None) -> None:
        key = (resource, team)
        if key not in self._tasks:
            self._tasks[key] = self._progress.add_task(escape(f"{resource} [{team}]"), total=total)
        self._progress.update(self._tasks[key], completed=done, total=total)
