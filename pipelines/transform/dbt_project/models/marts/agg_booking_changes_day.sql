{{
    config(
        materialized='incremental',
        unique_key='day',
        incremental_strategy='delete+insert',
        on_schema_change='fail',
    )
}}

with changes as (
    select
        *,
        {{ dbt.datediff('event_day', 'booking_day', 'day') }} as lead_days
    from {{ ref('stg_calven__user_change_log') }}
),

days_to_build as (
    {{ calven_days_to_build(['user_change_log'], 'changes', 'event_day') }}
),

final as (
    select
        changes.location_id,
        changes.event_day as day,
        changes.changed_by,
        cast(count(*) as {{ dbt.type_bigint() }}) as changes,
        cast(sum(case when changes.action = 'bookingCreated' then 1 else 0 end)
            as {{ dbt.type_bigint() }}) as bookings_created,
        cast(sum(case when changes.action = 'bookingCancelled' then 1 else 0 end)
            as {{ dbt.type_bigint() }}) as bookings_cancelled,
        cast(sum(case when changes.action = 'planChanged' then 1 else 0 end)
            as {{ dbt.type_bigint() }}) as plan_changes,
        cast(sum(case when changes.lead_days < 0 then 1 else 0 end)
            as {{ dbt.type_bigint() }}) as lead_after_the_day,
        cast(sum(case when changes.lead_days = 0 then 1 else 0 end)
            as {{ dbt.type_bigint() }}) as lead_same_day,
        cast(sum(case when changes.lead_days = 1 then 1 else 0 end)
            as {{ dbt.type_bigint() }}) as lead_1_day,
        cast(sum(case when changes.lead_days between 2 and 7 then 1 else 0 end)
            as {{ dbt.type_bigint() }}) as lead_2_to_7_days,
        cast(sum(case when changes.lead_days > 7 then 1 else 0 end)
            as {{ dbt.type_bigint() }}) as lead_8_plus_days,
        max(days_to_build.load_id) as _calven_load_id
    from changes
    inner join days_to_build
        on changes.event_day = days_to_build.day
    group by changes.location_id, changes.event_day, changes.changed_by
)

select * from final
