"""Run SQL through the dbt project on its Snowflake target, in the Snowflake venv: ``python show.py <json>``, where
the JSON maps a name to an inline query (which may call the project's macros). dbt parses the project once; each
query's rows (or its error) are printed as one JSON object by name (after an error, dbt parses again: the failed
query's node stays in the manifest and would fail the next)."""

from __future__ import annotations

import json
import sys

from dbt.cli.main import dbtRunner


def parsed(dbt_args: list[str]) -> dbtRunner:
    result = dbtRunner().invoke(["parse", *dbt_args])
    if not result.success:
        raise SystemExit(f"dbt parse failed: {result.exception}")
    return dbtRunner(manifest=result.result)


def main(queries: dict[str, str], dbt_args: list[str]) -> None:
    runner = parsed(dbt_args)
    results = {}
    for name, sql in queries.items():
        shown = runner.invoke(["show", "--inline", sql, "--limit", "-1", *dbt_args])
        if shown.success:
            table = shown.result.results[0].agate_table
            results[name] = {"rows": [[str(value) for value in row] for row in table.rows]}
        else:
            results[name] = {"error": str(shown.exception or shown.result.results[0].message)}
            runner = parsed(dbt_args)
    print(json.dumps(results))


if __name__ == "__main__":
    main(json.loads(sys.argv[1]), sys.argv[2:])
