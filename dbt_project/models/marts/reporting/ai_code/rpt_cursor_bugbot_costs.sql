-- Bugbot per team, repository and pull request: its reviews (dry runs apart), the bugs they found, how many of
-- those were resolved, and what the reviews cost when Bugbot is billed separately (cost_cents x 0.01; reviews of a
-- repository not billed separately cost nothing here). Bugbot's separate bill is not a usage event: this cost is
-- not in fct_cursor_costs_daily.

with

reviews as (

    select * from {{ ref('stg_cursor__bugbot_reviews') }}

),

bugs as (

    select * from {{ ref('stg_cursor__bugbot_bugs') }}

),

review_bugs as (

    select
        team,
        request_id,
        sum(case when resolution_status = 'resolved' then 1 else 0 end) as bugs_resolved

    from bugs
    group by team, request_id

),

final as (

    select
        cast(reviews.team as varchar) as team,
        cast(reviews.repository as varchar) as repository,
        cast(reviews.pr_number as bigint) as pr_number,
        cast(sum(case when reviews.is_dry_run then 0 else 1 end) as bigint) as review_count,
        cast(sum(case when reviews.is_dry_run then 1 else 0 end) as bigint) as dry_run_count,
        cast(sum(reviews.bugs_found) as bigint) as bugs_found,
        cast(sum(coalesce(review_bugs.bugs_resolved, 0)) as bigint) as bugs_resolved,
        cast(sum({{ cents_to_dollars('reviews.cost_cents') }}) as decimal(38, 11)) as cost_usd,
        cast(count(reviews.cost_cents) > 0 as boolean) as is_billed_separately,
        cast(min(reviews.reviewed_at) as timestamp with time zone) as first_reviewed_at,
        cast(max(reviews.reviewed_at) as timestamp with time zone) as last_reviewed_at

    from reviews
    left join review_bugs
        on reviews.team = review_bugs.team
        and reviews.request_id = review_bugs.request_id
    group by reviews.team, reviews.repository, reviews.pr_number

)

select * from final
