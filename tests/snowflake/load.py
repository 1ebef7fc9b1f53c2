"""Load a simulator window into fakesnow with dlt's ``snowflake`` destination and the project's dlt source, run in
the Snowflake venv: ``python load.py <json arguments>`` (the project's source on PYTHONPATH).

Arguments: ``port`` (fakesnow's), ``database``, ``pipelines_dir``, ``base_url`` (the simulator's), ``teams``
(label -> key), ``start_date`` and ``end_date`` (ISO days). Prints the rows loaded per table as JSON.
"""

from __future__ import annotations

import json
import sys
from datetime import date

import dlt

from dlt_sources.cursor import cursor_source

RAW_DATASET = "cursor_raw"  # the schema dbt's sources read


def destination(port: int, database: str):
    """dlt's snowflake destination pointed at fakesnow: one statement per request, files loaded as Parquet (its
    JSON COPY loads only into a single VARIANT column)."""
    credentials = {
        "database": database, "username": "fake", "password": "snow", "host": "fakesnow", "warehouse": "wh",
        "role": "role",
        "query": {
            "host": "127.0.0.1", "port": port, "protocol": "http", "network_timeout": 30,
            "session_parameters": {"CLIENT_OUT_OF_BAND_TELEMETRY_ENABLED": False},
        },
    }  # fmt: skip
    return dlt.destinations.snowflake(
        credentials=credentials, supports_multiple_statements=False, preferred_loader_file_format="parquet"
    )


def main(arguments: dict) -> None:
    pipeline = dlt.pipeline(
        pipeline_name="cursor_spend_snowflake",
        pipelines_dir=arguments["pipelines_dir"],
        destination=destination(arguments["port"], arguments["database"]),
        dataset_name=RAW_DATASET,
    )
    source = cursor_source(
        teams=arguments["teams"],
        base_url=arguments["base_url"],
        start_date=date.fromisoformat(arguments["start_date"]),
        end_date=date.fromisoformat(arguments["end_date"]),
    )
    pipeline.run(source)
    counts = pipeline.last_trace.last_normalize_info.row_counts
    print(json.dumps({table: n for table, n in counts.items() if not table.startswith("_dlt")}))


if __name__ == "__main__":
    main(json.loads(sys.argv[1]))
