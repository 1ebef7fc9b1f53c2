-- Chargeback: what each billing group costs per team and UTC calendar month, from the rows of fct_cursor_costs_daily
-- charged to it (the group its user was in that day). The groups of a team and month sum to the fact's totals
-- (tests/assert_chargeback_equals_the_fact.sql).

with

costs as (

    select * from {{ ref('fct_cursor_costs_daily') }}

),

final as (

    select
        cast(team as varchar) as team,
        cast({{ month_of('usage_date') }} as date) as usage_month,
        cast(billing_group_id as varchar) as billing_group_id,
        cast(max(billing_group) as varchar) as billing_group,
        cast({{ charge_type_sum('seat', 'billed_cost_usd') }} as decimal(38, 11)) as seats_usd,
        cast({{ charge_type_sum('on_demand', 'billed_cost_usd') }} as decimal(38, 11)) as on_demand_usd,
        cast(sum(billed_cost_usd) as decimal(38, 11)) as total_usd,
        cast({{ charge_type_sum('included', 'list_cost_usd') }} as decimal(38, 11)) as included_value_usd,
        cast(count(distinct user_email) as bigint) as users,
        cast(count(distinct case when charge_type = 'seat' then user_email end) as bigint) as seat_holders,
        cast(sum(request_count) as bigint) as request_count

    from costs
    group by team, {{ month_of('usage_date') }}, billing_group_id

)

select * from final
