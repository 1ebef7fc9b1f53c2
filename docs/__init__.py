"""The project's documentation pages; ``table_reference`` writes the table reference from the dbt project."""
