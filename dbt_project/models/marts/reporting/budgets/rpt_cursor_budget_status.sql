-- Where every budget stands, per budget, scope value and period (UTC calendar month): spend to date, the
-- projection to the end of the period (int_budget_days_projected, the burn-up's days), the day the budget was or is
-- projected to be exceeded, the highest alert threshold crossed, and a status:
--   exceeded              spend reached the budget;
--   projected_to_exceed   the current period's projected total reaches the budget;
--   on_track              the current period's projected total stays under it;
--   insufficient_history  the current period has no projection (int_forecast_rates.has_history is false);
--   within_budget         a past period that ended under the budget.

with

burnup as (

    select * from {{ ref('int_budget_days_projected') }}

),

periods as (

    select * from {{ ref('int_budget_periods') }}

),

thresholds as (

    select * from {{ ref('int_budget_thresholds') }}

),

rates as (

    select * from {{ ref('int_forecast_rates') }} where team = '*'

),

totals as (

    select
        budget_name,
        scope_value,
        period_start,
        max(as_of_date) as as_of_date,
        sum(spend_usd) as spend_to_date_usd,
        sum(coalesce(spend_usd, projected_usd)) as projected_total_usd,
        count(projected_usd) as projected_days,
        sum(case when is_projected then 1 else 0 end) as days_left,
        min(case when not is_projected and cumulative_usd >= budget_usd then usage_date end) as exceeded_on,
        min(case when is_projected and cumulative_usd >= budget_usd then usage_date end) as projected_exceeded_on

    from burnup
    group by budget_name, scope_value, period_start

),

crossed as (

    select budget_name, scope_value, period_start, max(threshold_pct) as highest_threshold_crossed_pct
    from thresholds
    where crossed_on is not null
    group by budget_name, scope_value, period_start

),

final as (

    select
        periods.budget_name,
        periods.scope,
        periods.scope_value,
        periods.basis,
        periods.period_start,
        periods.period_end,
        totals.as_of_date,
        periods.as_of_date_in_period as is_current_period,
        periods.budget_usd,
        periods.thresholds_pct,
        totals.spend_to_date_usd,
        rates.history_days,
        rates.weekday_rate_usd,
        rates.weekend_rate_usd,
        totals.projected_total_usd,
        totals.exceeded_on,
        totals.projected_exceeded_on,
        crossed.highest_threshold_crossed_pct,
        case
            when totals.exceeded_on is not null then 'exceeded'
            when not periods.as_of_date_in_period then 'within_budget'
            when totals.days_left > 0 and totals.projected_days = 0 then 'insufficient_history'
            when totals.projected_exceeded_on is not null then 'projected_to_exceed'
            else 'on_track'
        end as status

    from (
        select *, period_start <= as_of.as_of_date and as_of.as_of_date <= period_end as as_of_date_in_period
        from periods
        cross join (select max(as_of_date) as as_of_date from rates) as as_of
    ) as periods
    inner join totals
        on periods.budget_name = totals.budget_name
        and periods.scope_value = totals.scope_value
        and periods.period_start = totals.period_start
    inner join rates
        on periods.scope = rates.scope
        and periods.scope_value = rates.scope_value
        and periods.basis = rates.basis
    left join crossed
        on periods.budget_name = crossed.budget_name
        and periods.scope_value = crossed.scope_value
        and periods.period_start = crossed.period_start

)

select
    cast(budget_name as varchar) as budget_name,
    cast(scope as varchar) as scope,
    cast(scope_value as varchar) as scope_value,
    cast(basis as varchar) as basis,
    cast(period_start as date) as period_start,
    cast(period_end as date) as period_end,
    cast(as_of_date as date) as as_of_date,
    cast(is_current_period as boolean) as is_current_period,
    cast(budget_usd as decimal(38, 11)) as budget_usd,
    cast(thresholds_pct as varchar) as thresholds_pct,
    cast(spend_to_date_usd as decimal(38, 11)) as spend_to_date_usd,
    {{ share('spend_to_date_usd * 100', 'budget_usd') }} as percent_used,
    cast(history_days as integer) as history_days,
    cast(weekday_rate_usd as decimal(38, 11)) as weekday_rate_usd,
    cast(weekend_rate_usd as decimal(38, 11)) as weekend_rate_usd,
    cast(case when status != 'insufficient_history' then projected_total_usd end as decimal(38, 11))
        as projected_total_usd,
    cast(exceeded_on as date) as exceeded_on,
    cast(case when exceeded_on is null then projected_exceeded_on end as date) as projected_exceeded_on,
    cast(highest_threshold_crossed_pct as integer) as highest_threshold_crossed_pct,
    cast(status as varchar) as status

from final
