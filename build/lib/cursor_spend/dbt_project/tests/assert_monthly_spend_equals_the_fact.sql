-- rpt_cursor_monthly_spend (every team, and '*' for all) equals the sums of fct_cursor_costs_daily per month.

with

fact as (

    select
        team,
        {{ month_of('usage_date') }} as usage_month,
        sum(case when charge_type in ('seat', 'on_demand') then billed_cost_usd else 0 end) as total_usd,
        sum(case when charge_type = 'included' then list_cost_usd else 0 end) as included_value_usd

    from {{ ref('fct_cursor_costs_daily') }}
    group by grouping sets ((team, {{ month_of('usage_date') }}), ({{ month_of('usage_date') }}))

),

months as (

    select coalesce(team, '*') as team, usage_month, total_usd, included_value_usd from fact

)

select
    coalesce(months.team, monthly.team) as team,
    coalesce(months.usage_month, monthly.usage_month) as usage_month,
    months.total_usd as fact_total_usd,
    monthly.total_usd as mart_total_usd

from months
full outer join {{ ref('rpt_cursor_monthly_spend') }} as monthly
    on months.team = monthly.team
    and months.usage_month = monthly.usage_month
where monthly.team is null
    or months.team is null
    or months.total_usd != monthly.total_usd
    or months.included_value_usd != monthly.included_value_usd
    or monthly.seats_usd + monthly.on_demand_usd != monthly.total_usd
