"""cursor-spend: what your Cursor seats and usage cost, as warehouse tables (the same pipeline as the Airflow DAGs)."""

from __future__ import annotations

import argparse
import signal
import sys
from datetime import date
from decimal import Decimal
from importlib.util import find_spec
from pathlib import Path

from dlt_sources.cursor.settings import DEFAULT_BASE_URL

from . import __version__
from .config import DEFAULT_DUCKDB, REPORT_NAME
from .export import FORMATS


def _require_simulator() -> None:
    """The simulator serves HTTP with starlette and uvicorn, which only the [simulator] extra installs."""
    from .errors import ConfigError

    if find_spec("starlette") is None or find_spec("uvicorn") is None:
        raise ConfigError("the API simulator is not installed: pip install 'cursor-spend[simulator]'")


def _simulate(args: argparse.Namespace) -> int:
    _require_simulator()
    from cursor_simulator.cli import run

    return run(args)


def _settings(args: argparse.Namespace):
    from .config import load_settings

    return load_settings(
        duckdb_path=getattr(args, "duckdb", None),
        base_url=getattr(args, "base_url", None),
        seat_price_usd=getattr(args, "seat_price_usd", None),
    )


def _check(args: argparse.Namespace) -> int:
    from .load import check
    from .marts import WRITTEN_SCHEMAS

    settings = _settings(args)
    print(f"warehouse: {settings.warehouse}")
    settings.warehouse.check(creates=WRITTEN_SCHEMAS)  # what a run creates, tried and rolled back
    print(f"warehouse: can create the tables of {', '.join(WRITTEN_SCHEMAS)}")
    for team, size in check(settings).items():
        print(f"team {team}: key OK, {size} members")
    return 0


def _extract(args: argparse.Namespace) -> int:
    from .load import load
    from .marts import RAW_SCHEMA
    from .progress import ExtractProgress

    settings = _settings(args)
    progress = ExtractProgress()
    with progress.shown():
        counts = load(settings, args.start_date, args.end_date, args.team or None, progress=progress)
    loaded = ", ".join(f"{table} {n:,}" for table, n in counts.items()) or "nothing new"
    print(f"Loaded into the {settings.warehouse} (schema {RAW_SCHEMA}): {loaded}")
    return 0


def _transform(args: argparse.Namespace) -> int:
    from .export import export_marts
    from .progress import BuildProgress
    from .transform import transform

    settings = _settings(args)
    with BuildProgress() as progress:
        result = transform(settings, full_refresh=args.full_refresh, on_progress=progress.update)
    paths = export_marts(settings)
    print(f"dbt build: {result.line}; log: {result.log_path}")
    print(f"Built the marts in the {settings.warehouse}; Parquet exports: {settings.export_dir} ({len(paths)} files)")
    return 0


def _run(args: argparse.Namespace) -> int:
    from .summary import print_summary, summarize

    args.full_refresh = False
    status = _extract(args) or _transform(args)
    print_summary(summarize(_settings(args)))
    return status


def _report(args: argparse.Namespace) -> int:
    from .errors import MartsError
    from .report import write_report
    from .summary import print_summary, summarize

    settings = _settings(args)
    summary = summarize(settings)
    print_summary(summary)
    if summary is None:
        raise MartsError("no report without usage: extract a window with usage first")
    output = write_report(settings, args.output, summary)
    print(f"Report: {output.resolve()}")
    return 0


def _export(args: argparse.Namespace) -> int:
    from .export import export_focus

    settings = _settings(args)
    path, rows = export_focus(settings, args.month, args.format, args.output)
    print(f"Wrote {rows:,} FOCUS 1.2 charges to {path.resolve()}")
    return 0


def _alerts(args: argparse.Namespace) -> int:
    import os

    from .alerts.channels import SLACK_ENV, SMTP_ENV, WEBHOOK_ENV, channels_from_env
    from .alerts.delivery import deliver, open_lines
    from .errors import ConfigError

    settings = _settings(args)
    channels = channels_from_env(os.environ)
    if args.send:
        if not channels:
            raise ConfigError(f"no alert channel configured: set {WEBHOOK_ENV}, {SLACK_ENV} or {SMTP_ENV}")
        delivery = deliver(settings, channels)
        print(f"Alerts: {delivery.line}")
        return 1 if delivery.errors else 0
    print("\n".join(open_lines(settings, [channel.name for channel in channels])))
    return 0


def _month(raw: str) -> date:
    from .export import parse_month

    try:
        return parse_month(raw)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _demo(args: argparse.Namespace) -> int:
    _require_simulator()
    from .demo import run_demo

    run_demo(args.dir, members=args.members, days=args.days, seed=args.seed)
    return 0


def _seat_price(raw: str) -> Decimal:
    from .config import seat_price
    from .errors import ConfigError

    try:
        return seat_price("--seat-price-usd", raw)
    except ConfigError as exc:
        raise argparse.ArgumentTypeError(str(exc).removeprefix("--seat-price-usd=")) from None


def _add_warehouse_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--duckdb", help=f"warehouse file (default $CURSOR_SPEND_DUCKDB or {DEFAULT_DUCKDB})")


def _add_base_url_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--base-url", help=f"API base URL (default $CURSOR_API_BASE_URL or {DEFAULT_BASE_URL})")


def _add_extract_args(parser: argparse.ArgumentParser) -> None:
    _add_base_url_arg(parser)
    parser.add_argument("--start-date", type=date.fromisoformat, help="first UTC day to load (a backfill)")
    parser.add_argument("--end-date", type=date.fromisoformat, help="last UTC day to load (default yesterday)")
    parser.add_argument("--team", action="append", help="only this team label (repeatable; default all teams)")
    _add_warehouse_args(parser)


def _add_transform_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--seat-price-usd",
        type=_seat_price,
        help="monthly seat price in USD (default $CURSOR_SEAT_PRICE_USD, else the dbt var seat_price_usd)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cursor-spend", description=__doc__)
    parser.add_argument("--version", action="version", version=f"cursor-spend {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    sim = commands.add_parser("simulate", help="serve the Cursor Admin API simulator over HTTP")
    if find_spec("cursor_simulator") and find_spec("starlette") and find_spec("uvicorn"):
        from cursor_simulator.cli import add_arguments

        add_arguments(sim)
    else:  # without the [simulator] extra: the command says what to install
        sim.add_argument("ignored", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    sim.set_defaults(func=_simulate)

    chk = commands.add_parser("check", help="validate the API key(s) and print each team's size")
    _add_base_url_arg(chk)
    chk.set_defaults(func=_check)

    ext = commands.add_parser("extract", help="extract from the Cursor Admin API and load the raw tables")
    _add_extract_args(ext)
    ext.set_defaults(func=_extract)

    trn = commands.add_parser("transform", help="build the dbt marts and export them as Parquet")
    _add_warehouse_args(trn)
    _add_transform_args(trn)
    trn.add_argument("--full-refresh", action="store_true", help="rebuild incremental models from scratch")
    trn.set_defaults(func=_transform)

    run = commands.add_parser("run", help="extract, then transform, then print the month's summary")
    _add_extract_args(run)
    _add_transform_args(run)
    run.set_defaults(func=_run)

    rep = commands.add_parser("report", help="print the month's summary and write the HTML spend report")
    _add_warehouse_args(rep)
    rep.add_argument("--output", help=f"HTML file or folder to write (default {REPORT_NAME} beside the warehouse file)")
    rep.set_defaults(func=_report)

    exp = commands.add_parser(
        "export", help="write the FOCUS 1.2 cost and usage of one billing period (a UTC month) to a file"
    )
    exp.add_argument("dataset", choices=["focus"], help="focus: the FOCUS 1.2 dataset (mart fct_cursor_focus_charges)")
    exp.add_argument("--month", type=_month, help="the billing period, YYYY-MM (default: the newest with charges)")
    exp.add_argument("--format", choices=FORMATS, default=FORMATS[0], help="file format (default %(default)s)")
    exp.add_argument(
        "--output", help="file or folder (ending in /) to write (default exports/focus/cursor-focus-YYYY-MM.<format>)"
    )
    _add_warehouse_args(exp)
    exp.set_defaults(func=_export)

    alr = commands.add_parser("alerts", help="list the open budget, forecast and anomaly alerts; --send delivers them")
    alr.add_argument(
        "--send", action="store_true", help="deliver to the configured channels (webhook, Slack, e-mail), each once"
    )
    _add_warehouse_args(alr)
    alr.set_defaults(func=_alerts)

    demo = commands.add_parser(
        "demo", help="simulate a team and run everything into demo/: extract, load, dbt, summary, report"
    )
    demo.add_argument("--dir", type=Path, default=Path("demo"), help="where the demo writes (default %(default)s/)")
    demo.add_argument("--members", type=int, default=60, help="team size (default %(default)s)")
    demo.add_argument("--days", type=int, default=45, help="days of usage up to yesterday (default %(default)s)")
    demo.add_argument("--seed", type=int, default=7, help="random seed of the simulated team (default %(default)s)")
    demo.set_defaults(func=_demo)
    return parser


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where the program is, so it stops as cleanly as on Ctrl-C."""

    signal_code = signal.SIGTERM


def _terminate(signum, frame) -> None:
    raise Terminated()


def main(argv: list[str] | None = None) -> int:
    from .errors import EXPECTED_ERRORS

    args = build_parser().parse_args(argv)
    signal.signal(signal.SIGTERM, _terminate)
    try:
        if args.command == "simulate":  # serves HTTP; runs no dlt
            return args.func(args)
        from .runtime import cli_runtime

        with cli_runtime():
            return args.func(args)
    except KeyboardInterrupt as exc:  # Ctrl-C, SIGTERM, or dlt's record of either
        sigterm = getattr(exc, "signal_code", signal.SIGINT) == signal.SIGTERM
        print(f"cursor-spend {args.command}: interrupted; nothing half-loaded, the next run resumes", file=sys.stderr)
        return 143 if sigterm else 130
    except EXPECTED_ERRORS as exc:  # expected failures: one line, no traceback
        print(f"cursor-spend {args.command}: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
