{{ config(materialized='table') }}

-- Every dollar of usage value, once: per team, UTC day of the usage, user and commit, the usage linked to the commit
-- and allocated to it; on the rows without a commit (commit_hash null) the usage that reached none (unattributed).
-- The same for the on-demand billed cost. Per team and day the rows add up exactly to the usage events' value (the
-- fact's non-seat list_cost_usd and billed_cost_usd). A table: the commit, repository and user marts read it.

with

linked as (

    select * from {{ ref('int_usage_linked_to_commits') }}

),

allocated as (

    select * from {{ ref('int_usage_allocated_to_commits') }}

),

unioned as (

    select
        team, usage_date, user_email, commit_hash,
        usage_usd as linked_usd, 0 as allocated_usd, 0 as unattributed_usd,
        billed_usd as linked_billed_usd, 0 as allocated_billed_usd, 0 as unattributed_billed_usd
    from linked
    union all
    select
        team, usage_date, user_email, commit_hash,
        0 as linked_usd,
        case when commit_hash is not null then usage_usd else 0 end as allocated_usd,
        case when commit_hash is null then usage_usd else 0 end as unattributed_usd,
        0 as linked_billed_usd,
        case when commit_hash is not null then billed_usd else 0 end as allocated_billed_usd,
        case when commit_hash is null then billed_usd else 0 end as unattributed_billed_usd
    from allocated

),

final as (

    select
        team,
        usage_date,
        user_email,
        commit_hash,
        cast(sum(linked_usd) as decimal(38, 11)) as linked_usd,
        cast(sum(allocated_usd) as decimal(38, 11)) as allocated_usd,
        cast(sum(unattributed_usd) as decimal(38, 11)) as unattributed_usd,
        cast(sum(linked_billed_usd) as decimal(38, 11)) as linked_billed_usd,
        cast(sum(allocated_billed_usd) as decimal(38, 11)) as allocated_billed_usd,
        cast(sum(unattributed_billed_usd) as decimal(38, 11)) as unattributed_billed_usd

    from unioned
    group by team, usage_date, user_email, commit_hash

)

select * from final
