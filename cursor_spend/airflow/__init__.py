"""Airflow glue for the cursor-spend DAGs, split by job. The DAG files in ``dags/`` stay thin: they declare
schedules and tasks and call the task bodies here, which call the same pipeline code as the ``cursor-spend`` CLI.

- :mod:`.dag_settings`: what the DAG files declare (pools, assets, retries, owner, tags), from the parsed settings;
- :mod:`.connections`: the task settings from the ``cursor_default`` connection over the environment, keys masked;
- :mod:`.failures`: expected errors as one-line task failures, fail-fast or left to the retries;
- :mod:`.tasks`: the task bodies, one per task id;
- :mod:`.notifiers`: the alert channels as Airflow notifiers on their connections.

Parsing a DAG file imports only this package's DAG-level modules and the settings: the pipeline (dlt, dbt, DuckDB,
httpx) is imported inside the task bodies, so parsing stays cheap.
"""
