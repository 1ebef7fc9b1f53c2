{#- The line counts of Cursor's Analytics agent-edits and tabs rows (green lines: added, red lines: deleted), 0 when
    null, as the staging models of the team-level and the by-user answers select them. -#}
{% macro analytics_line_counts() -%}
    {%- set names = [
        'total_green_lines_accepted', 'total_red_lines_accepted', 'total_green_lines_rejected',
        'total_red_lines_rejected', 'total_green_lines_suggested', 'total_red_lines_suggested',
        'total_lines_suggested', 'total_lines_accepted',
    ] -%}
    {%- for name in names %}
        coalesce({{ name }}, 0) as {{ name }}{{ ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}
