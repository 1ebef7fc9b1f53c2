"""Run plain SQL on fakesnow with the Snowflake connector, in the Snowflake venv: ``python query.py <json>``, where the
JSON maps a name to a query that calls no dbt macro. Each query's rows (as text) or error are printed as one JSON object
by name. It connects as dbt's Snowflake target does, from the same SNOWFLAKE_* variables (``FakesnowServer.env``),
without dbt's cost: a dbt process parses the project and each ``dbt show`` costs a third of a CPU-second (:mod:`.show`
is for queries that call the project's macros)."""

from __future__ import annotations

import json
import os
import sys

import snowflake.connector


def connect() -> snowflake.connector.SnowflakeConnection:
    env = os.environ
    return snowflake.connector.connect(
        account=env["SNOWFLAKE_ACCOUNT"], user=env["SNOWFLAKE_USER"], password=env["DBT_ENV_SECRET_SNOWFLAKE_PASSWORD"],
        database=env["SNOWFLAKE_DATABASE"], warehouse=env["SNOWFLAKE_WAREHOUSE"], role=env["SNOWFLAKE_ROLE"],
        host=env["SNOWFLAKE_HOST"], port=int(env["SNOWFLAKE_PORT"]), protocol=env["SNOWFLAKE_PROTOCOL"],
        network_timeout=30, session_parameters={"CLIENT_OUT_OF_BAND_TELEMETRY_ENABLED": False},
    )  # fmt: skip


def main(queries: dict[str, str]) -> None:
    results = {}
    with connect() as connection:
        for name, sql in queries.items():
            try:
                rows = connection.cursor().execute(sql).fetchall()
                results[name] = {"rows": [[str(value) for value in row] for row in rows]}
            except snowflake.connector.Error as exc:
                results[name] = {"error": str(exc)}
    print(json.dumps(results))


if __name__ == "__main__":
    main(json.loads(sys.argv[1]))
