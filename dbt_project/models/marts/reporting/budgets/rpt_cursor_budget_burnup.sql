-- The burn-up of every budget per day of its period, actual up to the as-of day and projected after it
-- (computed in int_budget_days_projected). The report's burn-up charts.

with

budget_days as (

    select * from {{ ref('int_budget_days_projected') }}

),

final as (

    select
        budget_name,
        scope,
        scope_value,
        basis,
        period_start,
        usage_date,
        as_of_date,
        budget_usd,
        is_projected,
        spend_usd,
        projected_usd,
        cumulative_usd

    from budget_days

)

select * from final
