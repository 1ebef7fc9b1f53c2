"""dlt source for the Cursor Admin API (:mod:`.source`: the source and its resources, read top-down), with its
HTTP client (:mod:`.client`), its tables (:mod:`.schema`), API records to rows (:mod:`.records`), the days a run
reads (:mod:`.windows`) and keeps in dlt's state (:mod:`.state`), paging (:mod:`.paging`), billing groups by cycle
(:mod:`.cycles`), progress counters (:mod:`.progress`), typed errors (:mod:`.errors`) and constants
(:mod:`.settings`).

Importing the package is cheap: ``cursor_source`` loads dlt when first used, so the Airflow DAG files and the
configuration can read :mod:`.settings` without importing dlt (DAG parsing stays fast).
"""

from __future__ import annotations

_LAZY = ("cursor_source", "EVENT_SCHEMA")


def __getattr__(name: str):
    if name in _LAZY:
        from . import source

        return getattr(source, name)
    raise AttributeError(name)


__all__ = list(_LAZY)
