{{ config(materialized='table') }}

-- THE projection method of every forecast (budgets and billing cycles): per spend series, the average spend of a
-- weekday and of a weekend day over the trailing var('forecast_trailing_days') loaded days up to the as-of day
-- (the newest usage_date of fct_cursor_costs_daily), counting the days a series has no row as 0 from its first
-- day on; people do not work weekends, so the two rates differ. A future day is projected at its class's rate
-- (macro projected_day); a class the window lacks takes the other's rate. history_days < var
-- ('forecast_min_history_days') makes has_history false: the forecasts then say insufficient_history.

with

series_days as (

    select * from {{ ref('int_spend_series_days') }}

),

days_loaded as (

    select distinct usage_date from {{ ref('int_costs_daily_charged_to_groups') }}

),

as_of as (

    select max(usage_date) as as_of_date from days_loaded

),

series as (

    select team, scope, scope_value, basis, min(usage_date) as first_day
    from series_days
    group by team, scope, scope_value, basis

),

trailing_days as (

    select days_loaded.usage_date, as_of.as_of_date, {{ is_weekend('days_loaded.usage_date') }} as is_weekend
    from days_loaded
    cross join as_of
    where days_loaded.usage_date > {{ add_days('as_of.as_of_date', -var('forecast_trailing_days')) }}

),

history as (

    select
        series.team,
        series.scope,
        series.scope_value,
        series.basis,
        max(trailing_days.as_of_date) as as_of_date,
        count(*) as history_days,
        sum(case when trailing_days.is_weekend then 0 else 1 end) as weekdays,
        sum(case when trailing_days.is_weekend then 1 else 0 end) as weekend_days,
        sum(case when trailing_days.is_weekend then 0 else coalesce(series_days.spend_usd, 0) end) as weekday_usd,
        sum(case when trailing_days.is_weekend then coalesce(series_days.spend_usd, 0) else 0 end) as weekend_usd

    from series
    inner join trailing_days
        on trailing_days.usage_date >= series.first_day
    left join series_days
        on series.team = series_days.team
        and series.scope = series_days.scope
        and series.scope_value = series_days.scope_value
        and series.basis = series_days.basis
        and trailing_days.usage_date = series_days.usage_date
    group by series.team, series.scope, series.scope_value, series.basis

),

rates as (

    select
        *,
        case when weekdays > 0 then {{ exact_divide('weekday_usd', 'weekdays') }} end as weekday_average_usd,
        case when weekend_days > 0 then {{ exact_divide('weekend_usd', 'weekend_days') }} end as weekend_average_usd

    from history

)

select
    cast(team as varchar) as team,
    cast(scope as varchar) as scope,
    cast(scope_value as varchar) as scope_value,
    cast(basis as varchar) as basis,
    cast(as_of_date as date) as as_of_date,
    cast(history_days as integer) as history_days,
    cast(history_days >= {{ var('forecast_min_history_days') }} as boolean) as has_history,
    cast(coalesce(weekday_average_usd, weekend_average_usd) as decimal(38, 11)) as weekday_rate_usd,
    cast(coalesce(weekend_average_usd, weekday_average_usd) as decimal(38, 11)) as weekend_rate_usd

from rates
