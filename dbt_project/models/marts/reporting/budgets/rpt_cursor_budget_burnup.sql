-- The burn-up of every budget per day of its period, actual up to the as-of day and projected after it
-- (computed in int_budget_days_projected). The report's burn-up charts.

with

budget_days as (

    select * from {{ ref('int_budget_days_projected') }}

),

final as (

    select
        cast(budget_name as varchar) as budget_name,
        cast(scope as varchar) as scope,
        cast(scope_value as varchar) as scope_value,
        cast(basis as varchar) as basis,
        cast(period_start as date) as period_start,
        cast(usage_date as date) as usage_date,
        cast(as_of_date as date) as as_of_date,
        cast(budget_usd as decimal(38, 11)) as budget_usd,
        cast(is_projected as boolean) as is_projected,
        cast(spend_usd as decimal(38, 11)) as spend_usd,
        cast(projected_usd as decimal(38, 11)) as projected_usd,
        cast(cumulative_usd as decimal(38, 11)) as cumulative_usd

    from budget_days

)

select * from final
