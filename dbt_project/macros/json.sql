{#- JSON text built with || and replace(), so DuckDB and PostgreSQL print exactly the same characters (their own
    JSON functions space objects differently). -#}

{#- A text value as a JSON string: quoted, with backslashes, quotes, newlines, carriage returns and tabs escaped;
    null as JSON null. -#}
{% macro json_string(value) -%}
    coalesce(
        '"' || replace(replace(replace(replace(replace(
            cast({{ value }} as varchar), '\', '\\'), '"', '\"'), chr(10), '\n'), chr(13), '\r'), chr(9), '\t')
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
