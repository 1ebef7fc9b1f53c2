{#- PostgreSQL plans each query from table statistics, which a table built a moment ago does not have yet
    (autovacuum analyzes it later): measured on a 365-day warehouse, the anomaly model's joins over
    int_spend_series_days took 261 s without them and 9 s with them. So every table and incremental model is
    analyzed right after its build there (a post-hook in dbt_project.yml); DuckDB keeps its statistics itself. -#}
{% macro analyze_on_postgres() -%}
    {%- if target.type == 'postgres' and config.get('materialized') in ('table', 'incremental') -%}
        analyze {{ this }}
    {%- endif -%}
{%- endmacro %}
