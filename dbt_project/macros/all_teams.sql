{#- THE all-teams rows: a mart that reports per team adds, for each group of its other keys, one row for all teams
    together with team '*' (what the readers select as all teams). Aggregate with
        select {{ team_or_all_teams() }} as team, <keys>, <aggregates> ... group by {{ by_team_and_all_teams([keys]) }}
    Every aggregate then sums (or maxes, counts) the team's rows and all teams' rows alike. -#}
{% macro by_team_and_all_teams(keys, team='team') -%}
    grouping sets (({{ team }}, {{ keys | join(', ') }}), ({{ keys | join(', ') }}))
{%- endmacro %}

{#- The team of a row grouped by by_team_and_all_teams: the team, or '*' on the all-teams row. -#}
{% macro team_or_all_teams(team='team') -%}
    case when grouping({{ team }}) = 1 then '*' else {{ team }} end
{%- endmacro %}
