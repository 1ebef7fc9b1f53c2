-- Each alert threshold of each budget period (thresholds_pct split on ';'), with the day the cumulative spend
-- reached it (crossed_on) or, in the current period, the day the projection reaches it (projected_on).

with

burnup as (

    select * from {{ ref('int_budget_days_projected') }}

),

periods as (

    select * from {{ ref('int_budget_periods') }}

),

thresholds as (

    {% for position in range(1, 11) %}
    select budget_name, scope_value, period_start, budget_usd,
        {{ dbt.split_part('thresholds_pct', "';'", position) }} as threshold_text
    from periods
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

amounts as (

    select
        budget_name,
        scope_value,
        period_start,
        cast(threshold_text as integer) as threshold_pct,
        cast(budget_usd * cast(threshold_text as integer) * 0.01 as decimal(38, 11)) as threshold_usd

    from thresholds
    where threshold_text != ''

),

reached as (

    select
        amounts.budget_name,
        amounts.scope_value,
        amounts.period_start,
        amounts.threshold_pct,
        amounts.threshold_usd,
        min(case when not burnup.is_projected then burnup.usage_date end) as crossed_on,
        min(case when burnup.is_projected then burnup.usage_date end) as projected_on

    from amounts
    left join burnup
        on amounts.budget_name = burnup.budget_name
        and amounts.scope_value = burnup.scope_value
        and amounts.period_start = burnup.period_start
        and burnup.cumulative_usd >= amounts.threshold_usd
    group by amounts.budget_name, amounts.scope_value, amounts.period_start, amounts.threshold_pct,
        amounts.threshold_usd

)

select
    cast(budget_name as varchar) as budget_name,
    cast(scope_value as varchar) as scope_value,
    cast(period_start as date) as period_start,
    cast(threshold_pct as integer) as threshold_pct,
    cast(threshold_usd as decimal(38, 11)) as threshold_usd,
    cast(crossed_on as date) as crossed_on,
    cast(case when crossed_on is null then projected_on end as date) as projected_on

from reached
