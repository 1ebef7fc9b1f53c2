-- Each organization's contract pool as of the newest loaded day, and the day it is projected to run out, by the
-- forecasts' one method (int_forecast_rates over the pool's spend series, scope contract_pool: each day after the
-- as-of day at its weekday or weekend rate, macro projected_day) up to the contract's last day:
--   exhausted              nothing remains (ran_out_on: the first day nothing remained)
--   projected_to_run_out   the projection uses up what remains on projected_run_out_on, before the contract ends
--   lasts_the_contract     the projection by the contract's end stays under the limit
--   insufficient_history   too few days for a projection (int_forecast_rates.has_history)

with

drawn as (

    select * from {{ ref('int_contract_pool_days_drawn') }}

),

rates as (

    select * from {{ ref('int_forecast_rates') }} where scope = 'contract_pool'

),

pools as (

    select distinct
        organization_id, as_of_date, contract_start, contract_end, limit_usd, pool_used_usd, pool_remaining_usd
    from drawn
    where usage_date = as_of_date

),

ran_out as (

    select organization_id, min(usage_date) as ran_out_on
    from drawn
    where pool_remaining_usd = 0
    group by organization_id

),

future as (

    select
        pools.organization_id,
        pools.pool_remaining_usd,
        {{ add_days('pools.as_of_date', 'day_numbers.day_number + 1') }} as usage_date,
        rates.weekday_rate_usd,
        rates.weekend_rate_usd

    from pools
    inner join rates
        on pools.organization_id = rates.scope_value
        and rates.has_history
    cross join {{ day_numbers(1830) }} as day_numbers
    where {{ add_days('pools.as_of_date', 'day_numbers.day_number + 1') }} <= pools.contract_end

),

projected as (

    select
        organization_id,
        pool_remaining_usd,
        usage_date,
        sum({{ projected_day('future', 'usage_date') }}) over (
            partition by organization_id order by usage_date rows unbounded preceding
        ) as projected_usd

    from future

),

projection as (

    select
        organization_id,
        max(projected_usd) as projected_to_contract_end_usd,
        min(case when projected_usd >= pool_remaining_usd then usage_date end) as projected_run_out_on

    from projected
    group by organization_id

),

final as (

    select
        pools.*,
        coalesce(rates.has_history, false) as has_history,
        rates.weekday_rate_usd,
        rates.weekend_rate_usd,
        pools.pool_used_usd + coalesce(projection.projected_to_contract_end_usd, 0) as projected_used_usd,
        ran_out.ran_out_on,
        case when pools.pool_remaining_usd > 0 then projection.projected_run_out_on end as projected_run_out_on,
        case
            when pools.pool_remaining_usd = 0 then 'exhausted'
            when not coalesce(rates.has_history, false) then 'insufficient_history'
            when projection.projected_run_out_on is not null then 'projected_to_run_out'
            else 'lasts_the_contract'
        end as status

    from pools
    left join rates
        on pools.organization_id = rates.scope_value
    left join projection
        on pools.organization_id = projection.organization_id
    left join ran_out
        on pools.organization_id = ran_out.organization_id

)

select
    cast(organization_id as varchar) as organization_id,
    cast(as_of_date as date) as as_of_date,
    cast(contract_start as date) as contract_start,
    cast(contract_end as date) as contract_end,
    cast(limit_usd as decimal(38, 11)) as limit_usd,
    cast(pool_used_usd as decimal(38, 11)) as pool_used_usd,
    cast(pool_remaining_usd as decimal(38, 11)) as pool_remaining_usd,
    cast(has_history as boolean) as has_history,
    cast(weekday_rate_usd as decimal(38, 11)) as weekday_rate_usd,
    cast(weekend_rate_usd as decimal(38, 11)) as weekend_rate_usd,
    cast(case when has_history then projected_used_usd end as decimal(38, 11)) as projected_used_usd,
    cast(ran_out_on as date) as ran_out_on,
    cast(projected_run_out_on as date) as projected_run_out_on,
    cast(status as varchar) as status

from final
