-- Usage value (list cost) and requests per team, UTC day and model; team '*' is all teams together.

with

costs as (

    select * from {{ ref('fct_cursor_costs_daily') }} where charge_type != 'seat'

),

rolled_up as (

    select
        {{ team_or_all_teams() }} as team,
        usage_date,
        model,
        sum(list_cost_usd) as usage_value_usd,
        sum(request_count) as request_count

    from costs
    group by {{ by_team_and_all_teams(['usage_date', 'model']) }}

),

final as (

    select
        cast(team as varchar) as team,
        cast(usage_date as date) as usage_date,
        cast(model as varchar) as model,
        cast(usage_value_usd as decimal(38, 11)) as usage_value_usd,
        cast(request_count as bigint) as request_count

    from rolled_up

)

select * from final
