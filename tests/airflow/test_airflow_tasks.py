"""The Airflow glue: extract windows, settings from the `cursor_default` connection, masking, error mapping."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
from airflow.sdk import Connection
from airflow.sdk.exceptions import AirflowException, AirflowFailException

from cursor_spend.airflow import tasks
from cursor_spend.airflow.connections import airflow_settings, mask_keys, settings_from_connection
from cursor_spend.airflow.dag_settings import POOL
from cursor_spend.airflow.failures import airflow_errors
from cursor_spend.errors import ConfigError
from dlt_sources.cursor.windows import interval_window
from tests.conftest import API_KEY


def _utc(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(tzinfo=UTC)


def test_daily_interval_reads_its_day_plus_the_lookback() -> None:
    assert interval_window(_utc("2026-11-19"), _utc("2026-11-20"), 2) == (date(2026, 11, 17), date(2026, 11, 19))
    assert interval_window(_utc("2026-11-19"), _utc("2026-11-20"), 0) == (date(2026, 11, 19), date(2026, 11, 19))


def test_zero_length_interval_reads_the_day_before() -> None:
    assert interval_window(_utc("2026-11-20"), _utc("2026-11-20"), 0) == (date(2026, 11, 19), date(2026, 11, 19))


def test_connection_password_host_and_team_override_the_environment() -> None:
    conn = Connection(
        conn_id="cursor_default",
        conn_type="generic",
        host="http://sim:8787/",
        password="crsr_from_connection",
        extra=json.dumps({"team": "eng"}),
    )
    env = {"CURSOR_API_KEY": "crsr_from_env", "CURSOR_API_BASE_URL": "https://api.cursor.com"}
    settings = settings_from_connection(conn, env)
    assert settings.teams == {"eng": "crsr_from_connection"}
    assert settings.base_url == "http://sim:8787"


def test_connection_extra_teams_and_bare_host() -> None:
    conn = Connection(
        conn_id="cursor_default",
        conn_type="generic",
        host="api.cursor.com",
        extra=json.dumps({"teams": {"eng": "crsr_a", "design": "crsr_b"}}),
    )
    settings = settings_from_connection(conn, {})
    assert settings.teams == {"eng": "crsr_a", "design": "crsr_b"}
    assert settings.base_url == "https://api.cursor.com"


def test_environment_is_used_without_a_connection() -> None:
    settings = settings_from_connection(None, {"CURSOR_API_KEYS": '{"eng": "crsr_a"}'})
    assert settings.teams == {"eng": "crsr_a"}


def test_keys_are_masked_in_logs() -> None:
    from airflow.sdk._shared.secrets_masker import redact

    settings = settings_from_connection(None, {"CURSOR_API_KEYS": '{"eng": "crsr_masked_key_123456"}'})
    mask_keys(settings)
    assert redact("using crsr_masked_key_123456 now") == "using *** now"


def test_missing_key_fails_fast_with_how_to_set_it(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("CURSOR_API_KEY", "CURSOR_API_KEYS", "AIRFLOW_CONN_CURSOR_DEFAULT"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(AirflowFailException, match="cursor_default.*CURSOR_API_KEY"):
        airflow_settings()


def test_configuration_errors_fail_fast_and_transient_ones_are_left_to_retries() -> None:
    from cursor_spend.errors import WarehouseLockedError
    from dlt_sources.cursor.errors import CursorConfigurationError, CursorUnavailableError

    with pytest.raises(AirflowFailException) as failed, airflow_errors():
        raise CursorConfigurationError("the key was rejected (401). Fix: create an admin key.", status=401)
    assert str(failed.value) == "the key was rejected (401). Fix: create an admin key."
    with pytest.raises(AirflowFailException), airflow_errors():
        raise ConfigError("CURSOR_LOOKBACK_DAYS must not be negative")
    with pytest.raises(CursorUnavailableError), airflow_errors():
        raise CursorUnavailableError("timed out")
    with pytest.raises(AirflowException, match="lock.*cursor_spend_duckdb") as locked, airflow_errors():
        raise WarehouseLockedError("the warehouse x.duckdb is in use by another process (DuckDB lock)")
    assert not isinstance(locked.value, AirflowFailException)


def test_bad_key_check_fails_fast_with_one_line_and_no_secret(make_simulator, monkeypatch) -> None:
    server = make_simulator()
    monkeypatch.delenv("AIRFLOW_CONN_CURSOR_DEFAULT", raising=False)
    monkeypatch.setenv("CURSOR_API_BASE_URL", server.base_url)
    monkeypatch.setenv("CURSOR_API_KEY", "crsr_" + "W" * 64)
    with pytest.raises(AirflowFailException) as failed:
        tasks.check_api_key()
    message = str(failed.value)
    assert message and "\n" not in message
    assert "W" * 64 not in message and API_KEY not in message


def test_held_warehouse_lock_fails_the_extract_with_a_clear_retryable_message(make_simulator, monkeypatch, tmp_path):
    import subprocess
    import sys

    server = make_simulator()
    duckdb_path = tmp_path / "warehouse" / "cursor_spend.duckdb"
    duckdb_path.parent.mkdir()
    for name in ("CURSOR_API_KEYS", "AIRFLOW_CONN_CURSOR_DEFAULT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CURSOR_API_BASE_URL", server.base_url)
    monkeypatch.setenv("CURSOR_API_KEY", API_KEY)
    monkeypatch.setenv("CURSOR_SPEND_DUCKDB", str(duckdb_path))
    holder = subprocess.Popen(
        [sys.executable, "-c", f"import duckdb, time; c = duckdb.connect({str(duckdb_path)!r}); print(1, flush=True); "
         "time.sleep(60)"],
        stdout=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        assert holder.stdout.readline().strip() == "1"  # the other process holds DuckDB's write lock
        with pytest.raises(AirflowException) as locked:
            tasks.extract(_utc("2026-11-19"), _utc("2026-11-20"))
    finally:
        holder.kill()
        holder.wait()
    assert not isinstance(locked.value, AirflowFailException)  # a retry can succeed once the writer is done
    assert "another process" in str(locked.value) and POOL in str(locked.value)
