{#- JSON text built with || and replace(), so DuckDB and PostgreSQL print exactly the same characters (their own
    JSON functions space objects differently). -#}

{#- A text value as a JSON string: quoted, with backslashes, quotes, newlines, carriage returns and tabs escaped;
    null as JSON null. The backslash is chr(92), never written in a literal: Snowflake's string literals read a
    backslash as an escape, DuckDB's and PostgreSQL's do not. -#}
{% macro json_string(value) -%}
    {%- set backslash = 'chr(92)' -%}
    coalesce(
        '"' || replace(replace(replace(replace(replace(
            cast({{ value }} as varchar),
            {{ backslash }}, {{ backslash }} || {{ backslash }}),
            '"', {{ backslash }} || '"'),
            chr(10), {{ backslash }} || 'n'),
            chr(13), {{ backslash }} || 'r'),
            chr(9), {{ backslash }} || 't')
        || '"',
        'null'
    )
{%- endmacro %}

{#- A JSON object of string values from (key, SQL expression) pairs, keys in the order given. -#}
{% macro json_object_text(pairs) -%}
    '{' || {% for key, value in pairs -%}
        '"{{ key }}":' || {{ json_string(value) }}{% if not loop.last %} || ',' || {% endif %}
    {%- endfor %} || '}'
{%- endmacro %}
