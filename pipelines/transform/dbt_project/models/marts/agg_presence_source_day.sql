{{
    config(
        materialized='incremental',
        unique_key='day',
        incremental_strategy='delete+insert',
        on_schema_change='fail',
    )
}}

with presence as (
    select * from {{ ref('stg_calven__presence') }}
),

days_to_build as (
    {{ calven_days_to_build(['presence'], 'presence') }}
),

final as (
    select
        presence.location_id,
        presence.day,
        presence.source_id,
        presence.detected_location_type,
        cast(count(*) as {{ dbt.type_bigint() }}) as events,
        cast(count(distinct presence.user_id) as {{ dbt.type_bigint() }}) as users,
        min(presence.seen_at) as first_seen_at,
        max(presence.seen_at) as last_seen_at,
        max(days_to_build.load_id) as _calven_load_id
    from presence
    inner join days_to_build
        on presence.day = days_to_build.day
    group by
        presence.location_id, presence.day, presence.source_id, presence.detected_location_type
)

select * from final
