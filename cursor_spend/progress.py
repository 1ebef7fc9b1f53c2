"""Progress on the terminal for long work: the extract's pages through dlt's collector, dbt's nodes by callback.

Both draw with rich, which writes plain text without ANSI codes when the output is not a terminal.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from dlt.common.runtime.collector import Collector
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn


def _bars(console: Console | None = None) -> Progress:
    return Progress(
        TextColumn("{task.description:<32}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    )


class ExtractProgress(Collector):
    """dlt's progress collector: one bar per ``resource [team]`` counter the Cursor source reports (pages or
    events); dlt's own counters (tables, files, jobs) are left out. Live for the whole run, across dlt's steps."""

    def __init__(self, console: Console | None = None) -> None:
        self._progress = _bars(console)
        self._tasks: dict[str, int] = {}

    def update(self, name: str, inc: int = 1, total: int | None = None, inc_total: int | None = None,
               message: str | None = None, label: str | None = None) -> None:  # fmt: skip
        if " [" not in name or label:
            return
        if name not in self._tasks:
            self._tasks[name] = self._progress.add_task(escape(name), total=total)
        task = self._tasks[name]
        if inc_total:  # the source learns each window's total on its first page
            total = (self._progress.tasks[task].total or 0) + inc_total
        self._progress.update(task, advance=inc, total=total)

    def _start(self, step: str) -> None:
        pass  # dlt enters and leaves the collector per step; the bars live for the whole run

    def _stop(self) -> None:
        pass

    @contextmanager
    def shown(self) -> Iterator[ExtractProgress]:
        """Draw the bars while the block runs (dlt's own enter/exit per step does not)."""
        self._progress.start()
        try:
            yield self
        finally:
            self._progress.stop()


class BuildProgress:
    """One bar for a dbt build: nodes done of nodes selected."""

    def __init__(self, console: Console | None = None) -> None:
        self._progress = _bars(console)
        self._task = self._progress.add_task("dbt build", total=None)

    def __enter__(self) -> BuildProgress:
        self._progress.start()
        return self

    def __exit__(self, *exc) -> None:
        task = self._progress.tasks[self._task]
        if exc[0] is None and task.total:
            self._progress.update(self._task, completed=task.total)  # nodes without a result line (no-ops) too
        self._progress.stop()

    def update(self, done: int, total: int) -> None:
        self._progress.update(self._task, completed=done, total=total)
