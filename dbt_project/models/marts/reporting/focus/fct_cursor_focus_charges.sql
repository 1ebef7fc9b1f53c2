-- Cursor's cost and usage as a FOCUS 1.2 dataset (FinOps Open Cost and Usage Specification), one row per charge, from
-- fct_cursor_costs_daily: the column names, values and units FinOps tools read beside their cloud bills. The billing
-- period is the UTC calendar month (the seat estimate is monthly too); charge periods are UTC days.
--
-- A paid seat-day is a recurring purchase of its estimated fee. FOCUS gives a purchase that covers later charges an
-- EffectiveCost of 0 (the validator checks it), so each seat-day has a second row, a Usage row of the seat itself,
-- that carries the fee as EffectiveCost and costs nothing else: every cost column summed over both rows equals the
-- fact. Usage rows are per day, user, model and charge type: billed and effective cost as billed (0 for included
-- usage), list and contracted cost at the usage's list value.

{%- set tags = [('cursor/team', 'team'), ('cursor/billing-group', 'billing_group'), ('cursor/user', 'user_email')] %}

with

costs as (

    select * from {{ ref('fct_cursor_costs_daily') }}

),

seat_purchases as (

    select
        team, usage_date, user_email, billing_group_id, billing_group, model, charge_type, is_estimated,
        'Purchase' as charge_category,
        'Recurring' as charge_frequency,
        'Cursor seat, estimated fee of one day (monthly seat price / days in the month)' as charge_description,
        billed_cost_usd as billed_cost,
        0 as effective_cost,
        list_cost_usd as list_cost,
        list_cost_usd as contracted_cost,
        cast(null as bigint) as consumed_quantity,
        cast(null as varchar) as consumed_unit,
        1 as pricing_quantity,
        'Seat-Days' as pricing_unit

    from costs
    where charge_type = 'seat'

),

seat_use as (

    select
        team, usage_date, user_email, billing_group_id, billing_group, model, charge_type, is_estimated,
        'Usage' as charge_category,
        'Recurring' as charge_frequency,
        'Cursor seat, estimated fee of one day as effective cost (its purchase row carries the billed cost)'
        as charge_description,
        0 as billed_cost,
        billed_cost_usd as effective_cost,
        0 as list_cost,
        0 as contracted_cost,
        1 as consumed_quantity,
        'Seat-Days' as consumed_unit,
        1 as pricing_quantity,
        'Seat-Days' as pricing_unit

    from costs
    where charge_type = 'seat'

),

model_usage as (

    select
        team, usage_date, user_email, billing_group_id, billing_group, model, charge_type, is_estimated,
        'Usage' as charge_category,
        'Usage-Based' as charge_frequency,
        model || ' requests, '
        || case charge_type
            when 'on_demand' then 'billed on demand'
            when 'included' then 'included in the plan'
            else 'not charged'
        end as charge_description,
        billed_cost_usd as billed_cost,
        billed_cost_usd as effective_cost,
        list_cost_usd as list_cost,
        list_cost_usd as contracted_cost,
        total_tokens as consumed_quantity,
        'Tokens' as consumed_unit,
        total_tokens as pricing_quantity,
        'Tokens' as pricing_unit

    from costs
    where charge_type != 'seat'

),

charges as (

    select * from seat_purchases
    union all
    select * from seat_use
    union all
    select * from model_usage

),

final as (

    select
        cast(billed_cost as decimal(38, 11)) as "BilledCost",
        cast(team as varchar) as "BillingAccountId",
        cast(team as varchar) as "BillingAccountName",
        cast('USD' as varchar) as "BillingCurrency",
        cast(
            {{ utc_midnight(dbt.dateadd('month', 1, month_of('usage_date'))) }} as timestamp with time zone
        ) as "BillingPeriodEnd",
        cast({{ utc_midnight(month_of('usage_date')) }} as timestamp with time zone) as "BillingPeriodStart",
        cast(charge_category as varchar) as "ChargeCategory",
        cast(null as varchar) as "ChargeClass",
        cast(charge_description as varchar) as "ChargeDescription",
        cast(charge_frequency as varchar) as "ChargeFrequency",
        cast(
            {{ utc_midnight(dbt.dateadd('day', 1, 'usage_date')) }} as timestamp with time zone
        ) as "ChargePeriodEnd",
        cast({{ utc_midnight('usage_date') }} as timestamp with time zone) as "ChargePeriodStart",
        cast(null as varchar) as "CommitmentDiscountStatus",
        cast(consumed_quantity as decimal(38, 9)) as "ConsumedQuantity",
        cast(consumed_unit as varchar) as "ConsumedUnit",
        cast(contracted_cost as decimal(38, 11)) as "ContractedCost",
        cast(effective_cost as decimal(38, 11)) as "EffectiveCost",
        cast(null as varchar) as "InvoiceId",
        cast('Cursor' as varchar) as "InvoiceIssuerName",
        cast(list_cost as decimal(38, 11)) as "ListCost",
        cast('Standard' as varchar) as "PricingCategory",
        cast(pricing_quantity as decimal(38, 9)) as "PricingQuantity",
        cast(pricing_unit as varchar) as "PricingUnit",
        cast('Cursor' as varchar) as "ProviderName",
        cast('Cursor' as varchar) as "PublisherName",
        cast('AI and Machine Learning' as varchar) as "ServiceCategory",
        cast('Cursor' as varchar) as "ServiceName",
        cast('Generative AI' as varchar) as "ServiceSubcategory",
        cast(billing_group_id as varchar) as "SubAccountId",
        cast(billing_group as varchar) as "SubAccountName",
        cast(
            case
                when charge_type = 'seat' then {{ json_object_text(tags) }}
                else {{ json_object_text(tags + [('cursor/model', 'model')]) }}
            end as varchar
        ) as "Tags",
        cast(billing_group as varchar) as "x_BillingGroup",
        cast(charge_type as varchar) as "x_ChargeType",
        cast(is_estimated as boolean) as "x_IsEstimated",
        cast(model as varchar) as "x_Model",
        cast(user_email as varchar) as "x_UserEmail"

    from charges

)

select * from final
