-- Every model's usage per team and UTC calendar month, ranked by usage value (list cost; ties by model name):
-- rank 1 cost the most. Team '*' ranks all teams together. Readers take rank <= N.

with

costs as (

    select * from {{ ref('fct_cursor_costs_daily') }} where charge_type != 'seat'

),

rolled_up as (

    select
        {{ team_or_all_teams() }} as team,
        {{ month_of('usage_date') }} as usage_month,
        model,
        sum(list_cost_usd) as usage_value_usd,
        sum(request_count) as request_count

    from costs
    group by {{ by_team_and_all_teams([month_of('usage_date'), 'model']) }}

),

final as (

    select
        cast(team as varchar) as team,
        cast(usage_month as date) as usage_month,
        cast(row_number() over (partition by team, usage_month order by usage_value_usd desc, model) as bigint) as rank,
        cast(model as varchar) as model,
        cast(usage_value_usd as decimal(38, 11)) as usage_value_usd,
        cast(request_count as bigint) as request_count

    from rolled_up

)

select * from final
