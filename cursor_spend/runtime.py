"""The command line's process: what :func:`cli_runtime` sets up around each command, and undoes after it.

- **dlt without its Airflow secrets provider.** Whenever Airflow is importable, dlt imports it to look for its
  secrets in the Airflow Variable ``dlt_secrets_toml`` (dlt's setting ``providers.enable_airflow_secrets``, true by
  default): about 4 s per command, and outside an Airflow task the provider then looks up each setting dlt resolves
  in an Airflow Variable (748 lookups, 3.6 s, in one extract of a small team). While a command runs, dlt's run
  context is the command line's (:mod:`cursor_spend.dlt_plugin`, a dlt plugin), whose last provider turns the Airflow
  provider off; dlt's own places still decide first (``PROVIDERS__ENABLE_AIRFLOW_SECRETS``, ``[providers]`` in a
  config.toml). Airflow tasks, and any other program that uses the package, keep dlt's default context. The plugin
  is consulted when dlt first sets up its configuration, so a command that never uses dlt never imports it.
- **cursor-spend's warnings on the terminal.** Importing Airflow configures the root logger (and dlt imports it with
  stdout and stderr redirected to a buffer, so the root logger then writes into that buffer): a handler of our own
  on the loggers of ``cursor_spend`` and ``dlt_sources`` writes their warnings to stderr, whatever the root logger
  does.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager

OUR_LOGGERS = ("cursor_spend", "dlt_sources")
_command_line = False  # read by cursor_spend.dlt_plugin; the process's, not a thread's (dlt loads in threads)


def in_command_line() -> bool:
    """Whether a cursor-spend command is running in this process."""
    return _command_line


@contextmanager
def cli_runtime() -> Iterator[None]:
    """The command line's dlt context and our loggers' terminal handler, for one command."""
    global _command_line
    _command_line = True
    try:
        with _warnings_to_stderr():
            yield
    finally:
        _command_line = False


@contextmanager
def _warnings_to_stderr() -> Iterator[None]:
    handler = logging.StreamHandler(sys.stderr)  # this stderr, even if a library swaps sys.stderr for a while
    loggers = [logging.getLogger(name) for name in OUR_LOGGERS]
    before = [(logger.level, logger.propagate) for logger in loggers]
    for logger in loggers:
        logger.addHandler(handler)
        logger.setLevel(logger.level or logging.WARNING)  # not the root logger's level, whoever sets it
        logger.propagate = False  # once, on the terminal; not again through a root logger that reaches it too
    try:
        yield
    finally:
        for logger, (level, propagate) in zip(loggers, before, strict=True):
            logger.removeHandler(handler)
            logger.setLevel(level)
            logger.propagate = propagate
