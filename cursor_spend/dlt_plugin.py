"""A dlt plugin (the entry point ``dlt`` in pyproject.toml): dlt's run context while a cursor-spend command runs
(:func:`cursor_spend.runtime.cli_runtime`). Anywhere else it leaves the choice to dlt's own plugins.

The context is dlt's default one (the environment, ``.dlt/`` of the working directory or DLT_PROJECT_DIR,
``~/.dlt/``) with one more provider after those: the command line's defaults of dlt settings, which turn dlt's
Airflow secrets provider off (see :mod:`cursor_spend.runtime` for why) unless one of dlt's own places turns it on.
"""

from __future__ import annotations

from typing import Any

from dlt.common.configuration import plugins
from dlt.common.configuration.providers.doc import BaseDocProvider
from dlt.common.configuration.providers.provider import ConfigProvider
from dlt.common.runtime.run_context import RunContext

from .runtime import in_command_line

DLT_DEFAULTS = {"providers": {"enable_airflow_secrets": False}}


class CommandLineDefaults(BaseDocProvider):
    """dlt settings the command line gives where no other provider has one (read-only, no secrets)."""

    def __init__(self) -> None:
        super().__init__(DLT_DEFAULTS)

    @property
    def name(self) -> str:
        return "cursor-spend command line defaults"

    @property
    def supports_secrets(self) -> bool:
        return False


class CommandLineRunContext(RunContext):
    """dlt's default run context, with :class:`CommandLineDefaults` as its last provider."""

    def initial_providers(self) -> list[ConfigProvider]:
        return [*super().initial_providers(), CommandLineDefaults()]


@plugins.hookimpl(specname="plug_run_context")
def plug_run_context_impl(run_dir: str | None, runtime_kwargs: dict[str, Any] | None) -> RunContext | None:
    """The command line's context during a command; None lets dlt's next plugin (a workspace, or its default)
    answer."""
    return CommandLineRunContext(run_dir) if in_command_line() else None
