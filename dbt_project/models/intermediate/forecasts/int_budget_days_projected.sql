{{ config(materialized='table') }}

-- The burn-up of every budget: per budget, scope value, period (UTC calendar month) and day of the period, the
-- budget's spend that day and cumulated, actual up to the as-of day (the newest loaded day) and projected after
-- it (the current period only) at int_forecast_rates' weekday and weekend rates. No projection while the series'
-- history is too short (int_forecast_rates.has_history): cumulative_usd then stops at the as-of day. The rows of
-- rpt_cursor_budget_burnup; a table: the burn-up, the thresholds and the budget status read it.

with

periods as (

    select * from {{ ref('int_budget_periods') }}

),

series_days as (

    select * from {{ ref('int_spend_series_days') }} where team = '*'

),

rates as (

    select * from {{ ref('int_forecast_rates') }} where team = '*'

),

calendar as (

    select
        periods.*,
        {{ add_days('periods.period_start', 'day_numbers.day_number') }} as usage_date

    from periods
    cross join {{ day_numbers(31) }} as day_numbers
    where day_numbers.day_number < {{ days_in_month('periods.period_start') }}

),

days as (

    select
        calendar.*,
        rates.as_of_date,
        calendar.usage_date > rates.as_of_date as is_projected,
        case
            when calendar.usage_date <= rates.as_of_date then coalesce(series_days.spend_usd, 0)
        end as spend_usd,
        case
            when calendar.usage_date > rates.as_of_date and rates.has_history
                then {{ projected_day('rates', 'calendar.usage_date') }}
        end as projected_usd

    from calendar
    inner join rates
        on calendar.scope = rates.scope
        and calendar.scope_value = rates.scope_value
        and calendar.basis = rates.basis
    left join series_days
        on calendar.scope = series_days.scope
        and calendar.scope_value = series_days.scope_value
        and calendar.basis = series_days.basis
        and calendar.usage_date = series_days.usage_date

),

cumulated as (

    select
        *,
        sum(coalesce(spend_usd, projected_usd)) over (
            partition by budget_name, scope_value, period_start order by usage_date rows unbounded preceding
        ) as running_usd

    from days

),

final as (

    select
        *,
        case when spend_usd is not null or projected_usd is not null then running_usd end as cumulative_usd

    from cumulated

)

select * from final
