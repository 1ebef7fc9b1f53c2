-- Every user's usage per team and UTC calendar month, ranked by usage value (list cost of their usage; ties by
-- email): rank 1 spent the most. Team '*' ranks all teams together. Readers take rank <= N.

with

costs as (

    select * from {{ ref('fct_cursor_costs_daily') }} where charge_type != 'seat'

),

rolled_up as (

    select
        {{ team_or_all_teams() }} as team,
        {{ month_of('usage_date') }} as usage_month,
        user_email,
        sum(list_cost_usd) as usage_value_usd,
        {{ charge_type_sum('included', 'list_cost_usd') }} as included_value_usd,
        {{ charge_type_sum('on_demand', 'billed_cost_usd') }} as on_demand_usd,
        sum(request_count) as request_count

    from costs
    group by {{ by_team_and_all_teams([month_of('usage_date'), 'user_email']) }}

),

final as (

    select
        cast(team as varchar) as team,
        cast(usage_month as date) as usage_month,
        cast(
            row_number() over (partition by team, usage_month order by usage_value_usd desc, user_email) as bigint
        ) as rank,
        cast(user_email as varchar) as user_email,
        cast(usage_value_usd as decimal(38, 11)) as usage_value_usd,
        cast(included_value_usd as decimal(38, 11)) as included_value_usd,
        cast(on_demand_usd as decimal(38, 11)) as on_demand_usd,
        cast(request_count as bigint) as request_count

    from rolled_up

)

select * from final
