"""Chargeback by billing group over time and the FOCUS 1.2 export, over a raw warehouse built from the simulator's
ground truth (two months, a planted group move mid-November, members who switch groups at random): a copy of the
run's one transform of that team (shared.py), then the marts and the exported files against the simulator, the other
marts and the FinOps Foundation's validator."""

from __future__ import annotations

import json
import os
import stat
from collections import defaultdict
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
import pytest

from cursor_simulator.usage import DAY_MS, TeamUsage, day_start_ms, ms_to_day
from cursor_spend.cli import main
from cursor_spend.config import REPORT_NAME, load_settings
from cursor_spend.export import export_focus
from cursor_spend.marts.reader import open_reader
from tests import focus_validator
from tests.truth import CENT, cents

from .shared import MOVE_DAY, SPEC, TEAM, copy_of

NOVEMBER, OCTOBER = date(2026, 11, 1), date(2026, 10, 1)
UNASSIGNED, SERVICE_ACCOUNTS = "Unassigned", "Service accounts"


@pytest.fixture(scope="module")
def usage() -> TeamUsage:
    return TeamUsage(SPEC)


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory, shared_warehouse: Path):
    """A copy of the transformed warehouse (no dbt test failed or warned)."""
    return load_settings(env={"CURSOR_SPEND_DUCKDB": str(copy_of(shared_warehouse, tmp_path_factory.mktemp("w")))})


@pytest.fixture(scope="module")
def files(settings) -> dict[str, Path]:
    """November as Parquet (the default), October as CSV."""
    november, _ = export_focus(settings, NOVEMBER)
    october, _ = export_focus(settings, OCTOBER, "csv")
    return {"parquet": november, "csv": october}


def query(settings, sql: str, *params) -> list[tuple]:
    with open_reader(settings.warehouse) as reader:
        return reader.rows(sql, *params)


def _group_name(usage: TeamUsage, email: str | None, day: date) -> str:
    """The billing group the simulator says a user's cost of ``day`` belongs to."""
    member = next((m for m in usage.members if m.email == email), None)
    if member is None:
        return UNASSIGNED  # events without an email (removed members)
    if member.is_service_account:
        return SERVICE_ACCOUNTS
    return member.group_on(day) or UNASSIGNED


# -- chargeback --------------------------------------------------------------------------------------------------


def test_the_group_mover_is_charged_to_each_group_for_the_right_days(settings, usage):
    move = usage.planted[0]
    rows = query(
        settings,
        f"select usage_date, charge_type, billing_group from marts.fct_cursor_costs_daily "
        f"where user_email = '{move.email}'",
    )
    before, after = move.from_group or UNASSIGNED, move.to_group
    assert {(day, kind) for day, kind, _ in rows if day < MOVE_DAY} and {day for day, _, _ in rows if day >= MOVE_DAY}
    assert all(group == (before if day < MOVE_DAY else after) for day, _, group in rows), rows
    assert any(kind == "seat" for day, kind, _ in rows if day == MOVE_DAY)  # the move day's seat: the new group

    monthly = dict(
        query(
            settings,
            "select billing_group, seats_usd from marts.rpt_cursor_chargeback_monthly where usage_month = ?",
            NOVEMBER,
        )
    )
    assert monthly[before] > 0 and monthly[after] > 0


def test_every_usage_cost_is_charged_to_its_users_group_of_that_day(settings, usage):
    spec = usage.spec
    expected: dict[tuple, Decimal] = defaultdict(Decimal)
    for _, event in usage.events_in(day_start_ms(spec.start_date), day_start_ms(spec.end_date) + DAY_MS - 1):
        day = ms_to_day(int(event["timestamp"]))
        expected[(_group_name(usage, event.get("userEmail"), day), day)] += cents(event["chargedCents"]) * CENT
    rows = query(
        settings,
        "select billing_group, usage_date, sum(list_cost_usd) from marts.fct_cursor_costs_daily "
        "where charge_type != 'seat' group by all",
    )
    assert {(group, day): cost for group, day, cost in rows if cost} == {k: v for k, v in expected.items() if v}
    assert {UNASSIGNED, SERVICE_ACCOUNTS} <= {group for group, _ in expected}
    switched = [m for m in usage.humans if m.group_switch and m.index != usage.planted[0].member_index]
    assert switched, "members who switch groups at random are part of the check"


def test_the_monthly_chargeback_sums_to_the_monthly_spend(settings):
    rows = query(
        settings,
        "select c.usage_month, sum(c.total_usd), sum(c.included_value_usd), max(m.total_usd), "
        "max(m.included_value_usd), count(*) from marts.rpt_cursor_chargeback_monthly c "
        "join marts.rpt_cursor_monthly_spend m on m.team = c.team and m.usage_month = c.usage_month group by 1",
    )
    assert len(rows) == 2
    for month, total, included, spend_total, spend_included, groups in rows:
        assert (total, included) == (spend_total, spend_included), month
        assert groups >= 4, "the simulator's groups, Unassigned and the service accounts"


# -- FOCUS -------------------------------------------------------------------------------------------------------


def _read(path: Path) -> pa.Table:
    if path.suffix == ".parquet":
        return pq.read_table(path)
    strings = {name: pa.string() for name in ("BillingPeriodStart", "ChargePeriodStart", "x_UserEmail")}
    return pa_csv.read_csv(path, convert_options=pa_csv.ConvertOptions(column_types=strings))


def _sums(table: pa.Table, keys: list[str], values: list[str]) -> dict[tuple, tuple]:
    out: dict[tuple, list] = defaultdict(lambda: [Decimal(0)] * len(values))
    for row in table.select(keys + values).to_pylist():
        key = tuple(row[k] for k in keys)
        out[key] = [total + Decimal(str(row[v])) for total, v in zip(out[key], values, strict=True)]
    return {key: tuple(total.normalize() for total in totals) for key, totals in out.items()}


@pytest.mark.parametrize("file_format, month", [("parquet", NOVEMBER), ("csv", OCTOBER)])
def test_the_focus_files_totals_equal_the_fact_per_month_team_and_charge_type(settings, files, file_format, month):
    table = _read(files[file_format])
    assert {str(v)[:10] for v in table.column("BillingPeriodStart").to_pylist()} == {month.isoformat()}
    keys = ["BillingAccountId", "x_ChargeType"]
    billed_listed = _sums(table, keys, ["BilledCost", "ListCost"])
    effective_contracted = _sums(table, keys, ["EffectiveCost", "ContractedCost"])
    rows = query(
        settings,
        "select team, charge_type, sum(billed_cost_usd), sum(list_cost_usd) from marts.fct_cursor_costs_daily "
        "where usage_date >= ? and usage_date < ? group by all",
        month,
        date(month.year + month.month // 12, month.month % 12 + 1, 1),
    )
    expected = {(team, kind): (billed.normalize(), listed.normalize()) for team, kind, billed, listed in rows}
    assert billed_listed == expected
    assert effective_contracted == expected  # a seat's fee: billed on its purchase, effective on its Usage row
    assert set(kind for _, kind in expected) == {"seat", "on_demand", "included", "not_charged"}


def test_focus_seat_rows_equal_the_seat_mart(settings, files):
    table = pq.read_table(files["parquet"]).to_pylist()
    purchases = {
        (r["ChargePeriodStart"].date(), r["x_UserEmail"]): r["BilledCost"]
        for r in table
        if r["ChargeCategory"] == "Purchase"
    }
    use = {
        (r["ChargePeriodStart"].date(), r["x_UserEmail"]): r["EffectiveCost"]
        for r in table
        if r["x_ChargeType"] == "seat" and r["ChargeCategory"] == "Usage"
    }
    seats = query(
        settings,
        "select usage_date, user_email, seat_cost_usd from marts.fct_cursor_seats_daily "
        "where is_paid_seat and usage_date >= ?",
        NOVEMBER,
    )
    assert purchases == use == {(day, email): cost for day, email, cost in seats}
    assert all(r["x_IsEstimated"] == (r["x_ChargeType"] == "seat") for r in table)
    assert all(r["ChargeFrequency"] == "Recurring" for r in table if r["ChargeCategory"] == "Purchase")


def test_focus_rows_carry_the_billing_group_and_tags_of_their_user(files, usage):
    move = usage.planted[0]
    rows = [r for r in pq.read_table(files["parquet"]).to_pylist() if r["x_UserEmail"] == move.email]
    assert {r["SubAccountName"] for r in rows} == {move.from_group or UNASSIGNED, move.to_group}
    for r in rows:
        assert (
            r["x_BillingGroup"] == r["SubAccountName"] == _group_name(usage, move.email, r["ChargePeriodStart"].date())
        )
        assert r["ChargePeriodStart"].tzinfo is not None and r["ChargePeriodStart"].utcoffset().total_seconds() == 0
    tags = json.loads(rows[0]["Tags"])
    assert tags["cursor/user"] == move.email and tags["cursor/team"] == TEAM
    assert tags["cursor/billing-group"] == rows[0]["SubAccountName"]


@pytest.fixture(scope="module")
def validator_venv() -> Path:
    python = focus_validator.find_python()
    if python is None:
        pytest.skip("focus-validator needs Python >= 3.12: none found on PATH or under ~/.pyenv/versions")
    return focus_validator.install(python)


@pytest.mark.timeout(1800)  # the first run builds the validator's environment
@pytest.mark.parametrize("file_format", ["parquet", "csv"])
def test_the_focus_file_passes_the_finops_foundations_validator(files, validator_venv, file_format, capsys):
    report = focus_validator.validate(validator_venv, files[file_format])
    with capsys.disabled():
        print(f"\n{files[file_format].name}: {report.line}")
    assert not report.unexplained_failures, "\n" + "\n".join(report.unexplained_failures.values())
    assert report.passed > 150, report.output[-2000:]  # the checks ran: every mandatory column's rules passed


def test_export_command_writes_the_month_and_explains_a_month_without_charges(settings, files, tmp_path, capsys):
    duckdb = ["--duckdb", str(settings.duckdb_path)]
    assert main(["export", "focus", "--month", "2026-11", "--format", "csv", "--output", str(tmp_path), *duckdb]) == 0
    assert (tmp_path / "cursor-focus-2026-11.csv").exists()
    assert main(["export", "focus", *duckdb, "--output", str(tmp_path / "latest.parquet")]) == 0
    assert (
        pq.read_table(tmp_path / "latest.parquet").num_rows
        == pq.read_table(settings.export_dir / "focus" / "cursor-focus-2026-11.parquet").num_rows
    )
    capsys.readouterr()

    assert main(["export", "focus", "--month", "2026-07", *duckdb]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "no FOCUS charges for 2026-07" in error and "2026-10 .. 2026-11" in error


def test_output_is_a_folder_or_a_regular_file_and_nothing_else_is_replaced(settings, tmp_path, capsys):
    """The README's `--output finops/` for a folder that does not exist yet; a symlink, FIFO or device is an error."""
    duckdb = ["--duckdb", str(settings.duckdb_path)]
    assert main(["export", "focus", *duckdb, "--output", f"{tmp_path / 'finops'}/"]) == 0
    assert [path.name for path in (tmp_path / "finops").iterdir()] == ["cursor-focus-2026-11.parquet"]
    assert main(["report", *duckdb, "--output", f"{tmp_path / 'reports'}/"]) == 0
    assert (tmp_path / "reports" / REPORT_NAME).is_file()
    regular = tmp_path / "old.parquet"
    regular.write_text("an earlier export")
    assert main(["export", "focus", *duckdb, "--output", str(regular)]) == 0
    assert pq.read_table(regular).num_rows > 0

    target = tmp_path / "target.parquet"
    target.write_text("not ours")
    (tmp_path / "link.parquet").symlink_to(target)
    os.mkfifo(tmp_path / "fifo")
    special = {"link.parquet": "a symlink", "fifo": "a FIFO"}
    if os.geteuid() == 0:  # a device node of our own (as root the export once replaced one)
        os.mknod(tmp_path / "null", stat.S_IFCHR | 0o600, os.makedev(1, 3))
        special["null"] = "a device"
    capsys.readouterr()
    for name, kind in special.items():
        assert main(["export", "focus", *duckdb, "--output", str(tmp_path / name)]) == 2
        error = capsys.readouterr().err
        assert error.count("\n") == 1 and f"is {kind}; it is never replaced" in error, error
    assert (tmp_path / "link.parquet").is_symlink() and target.read_text() == "not ours"
    assert stat.S_ISFIFO((tmp_path / "fifo").lstat().st_mode)
    assert "null" not in special or (tmp_path / "null").is_char_device()
    assert not list(tmp_path.rglob(".*.tmp"))


def test_the_newest_billing_period_is_the_default(settings):
    path, rows = export_focus(settings)
    assert path.name == "cursor-focus-2026-11.parquet" and rows > 0
    stamp = datetime(2026, 11, 1, tzinfo=UTC)
    assert set(pq.read_table(path).column("BillingPeriodStart").to_pylist()) == {stamp}
