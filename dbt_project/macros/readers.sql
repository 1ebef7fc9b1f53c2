{#- BI readers on a PostgreSQL warehouse (docs/postgres.md). The roles of var reader_roles get SELECT on every mart
    from dbt's grants config (dbt_project.yml, on PostgreSQL only: DuckDB has no grants), applied to each mart as it
    is built, so every build keeps them; the USAGE on schema marts, which dbt's grants do not cover, is granted at
    the end of every run that built there (on-run-end). -#}
{% macro grant_marts_usage(schemas) -%}
    {%- set roles = var('reader_roles') -%}
    {%- if target.type == 'postgres' and roles and 'marts' in schemas -%}
        grant usage on schema marts to {{ roles | join(', ') }}
    {%- endif -%}
{%- endmacro %}

{#- A build replaces a mart by renaming tables, which waits for every reader holding the old one in a transaction,
    and new readers queue behind that wait. Every model's statements wait at most var lock_timeout (a pre-hook: the
    session keeps it for the drop of the old table after the commit); a model that waited longer fails, and
    cursor-spend names the reader. -#}
{% macro set_lock_timeout() -%}
    {%- if target.type == 'postgres' -%}
        set lock_timeout = '{{ var("lock_timeout") }}'
    {%- endif -%}
{%- endmacro %}
