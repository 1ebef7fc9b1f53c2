{#- Generic data test: whole percentages from 1 to 1000 separated by ';' (e.g. '50;80;100'), at most 10 of them.
    Portable: translate() and split_part() instead of regular expressions, whose syntax differs by database. -#}
{% test threshold_list(model, column_name) %}

with

listed as (

    select cast({{ column_name }} as varchar) as thresholds from {{ model }}

),

parts as (

    {% for position in range(1, 11) %}
    select thresholds, {{ dbt.split_part('thresholds', "';'", position) }} as part from listed
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

)

select thresholds
from listed
where thresholds is null
    or thresholds = ''
    or translate(thresholds, '0123456789;', '') != ''
    or thresholds like ';%'
    or thresholds like '%;'
    or thresholds like '%;;%'
    or length(thresholds) - length(replace(thresholds, ';', '')) >= 10
    or thresholds in (
        select thresholds from parts
        where part != '' and (length(part) > 4 or cast(part as integer) < 1 or cast(part as integer) > 1000)
    )

{% endtest %}
