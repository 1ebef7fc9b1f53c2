"""Helpers of the source tests: settings for a served simulator, the warehouse and the ground truth."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal
from pathlib import Path

from cursor_simulator import SimulatorServer
from cursor_simulator.usage import DAY_MS, day_start_ms, ms_to_day
from cursor_spend.config import Settings, load_settings
from tests import truth

PLACEHOLDER = "(no email)"


def settings_for(server: SimulatorServer, tmp_path: Path, **overrides) -> Settings:
    team = server.simulator.team()
    env = {
        "CURSOR_API_KEYS": "{" + ", ".join(f'"t{i}": "{k}"' for i, k in enumerate(server.simulator.teams)) + "}",
        "CURSOR_API_BASE_URL": server.base_url,
        "CURSOR_SPEND_DUCKDB": str(tmp_path / "warehouse" / "cursor.duckdb"),
    }
    if len(server.simulator.teams) == 1:
        env = env | {"CURSOR_API_KEYS": "", "CURSOR_API_KEY": team.spec.api_key, "CURSOR_TEAM": "acme"}
    return load_settings(env=env, **overrides)


def query(settings: Settings, sql: str) -> list[tuple]:
    return truth.query(settings.duckdb_path, sql)


def truth_by_user_day(server: SimulatorServer, start: date, end: date) -> dict[tuple[str, date], tuple[int, Decimal]]:
    """(user email or placeholder, UTC day) -> (event count, sum of chargedCents) as the simulator serves them."""
    out: dict = defaultdict(lambda: [0, Decimal(0)])
    for _, event in server.simulator.team().events_in(day_start_ms(start), day_start_ms(end) + DAY_MS - 1):
        key = (event.get("userEmail") or PLACEHOLDER, ms_to_day(int(event["timestamp"])))
        out[key][0] += 1
        out[key][1] += Decimal(repr(event["chargedCents"]))
    return {k: (n, cents) for k, (n, cents) in out.items()}


def warehouse_by_user_day(settings: Settings) -> dict[tuple[str, date], tuple[int, Decimal]]:
    rows = query(
        settings,
        f"""select coalesce(user_email, '{PLACEHOLDER}'), cast(epoch_ms(timestamp_ms) as date),
                   count(*), sum(charged_cents)
            from cursor_raw.usage_events group by all""",
    )
    return {(email, day): (n, cents.normalize() if cents else Decimal(0)) for email, day, n, cents in rows}


def normalized(truth: dict) -> dict:
    return {k: (n, cents.normalize()) for k, (n, cents) in truth.items()}
