-- Every budget of seeds/budgets.csv in force, per scope value and UTC calendar month (its period), from the month
-- of its effective_from until a later row of the same budget_name, over the months with loaded days. '*' stands
-- for all teams together (scope team) or for each billing group or user with spend (each against the amount).

with

budgets as (

    select * from {{ ref('budgets') }}

),

days_loaded as (

    select distinct usage_date from {{ ref('int_costs_daily_charged_to_groups') }}

),

months as (

    select distinct {{ month_of('usage_date') }} as period_start from days_loaded

),

scope_values as (

    select distinct scope, scope_value, basis
    from {{ ref('int_spend_series_days') }}
    where team = '*'

),

in_force as (

    select
        *,
        {{ month_of('effective_from') }} as first_month,
        lead({{ month_of('effective_from') }}) over (partition by budget_name order by effective_from) as next_month

    from budgets

),

final as (

    select
        cast(in_force.budget_name as varchar) as budget_name,
        cast(in_force.scope as varchar) as scope,
        cast(scope_values.scope_value as varchar) as scope_value,
        cast(in_force.basis as varchar) as basis,
        cast(in_force.monthly_amount_usd as decimal(38, 11)) as budget_usd,
        cast(in_force.thresholds_pct as varchar) as thresholds_pct,
        cast(months.period_start as date) as period_start,
        {{ add_days(dbt.dateadd('month', 1, 'months.period_start'), -1) }} as period_end

    from in_force
    inner join months
        on months.period_start >= in_force.first_month
        and (in_force.next_month is null or months.period_start < in_force.next_month)
    inner join scope_values
        on in_force.scope = scope_values.scope
        and in_force.basis = scope_values.basis
        and (
            in_force.scope_value = scope_values.scope_value
            or (in_force.scope_value = '*' and in_force.scope != 'team')
        )

)

select * from final
