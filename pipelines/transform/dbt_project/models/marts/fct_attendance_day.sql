{{
    config(
        materialized='incremental',
        unique_key='day',
        incremental_strategy='delete+insert',
        on_schema_change='fail',
    )
}}

with bookings as (
    select * from {{ ref('stg_calven__bookings_attendance') }}
),

presence as (
    select * from {{ ref('stg_calven__presence') }}
),

days_to_build as (
    {{ calven_days_to_build(['bookings_attendance', 'presence'], 'bookings') }}
),

presence_per_user_day as (
    select
        user_id,
        day,
        count(*) as presence_events,
        min(seen_at) as first_seen_at,
        max(seen_at) as last_seen_at
    from presence
    where day in (select day from days_to_build)
    group by user_id, day
),

final as (
    select
        bookings.user_id,
        bookings.day,
        bookings.primary_location_id as location_id,
        bookings.primary_group_id as group_id,
        bookings.plan,
        bookings.booking_depth is not null as booked,
        bookings.booking_depth,
        bookings.booking_location_id,
        coalesce(bookings.attendance_type in ('confirmed', 'walkIn'), false) as attended,
        coalesce(bookings.attendance_type = 'noShow', false) as no_show,
        coalesce(bookings.attendance_type = 'walkIn', false) as walk_in,
        coalesce(bookings.attendance_type = 'unconfirmed', false) as unconfirmed,
        coalesce(presence_per_user_day.presence_events, 0) as presence_events,
        presence_per_user_day.first_seen_at,
        presence_per_user_day.last_seen_at,
        days_to_build.load_id as _calven_load_id
    from bookings
    inner join days_to_build
        on bookings.day = days_to_build.day
    left join presence_per_user_day
        on bookings.user_id = presence_per_user_day.user_id
        and bookings.day = presence_per_user_day.day
)

-- In day order: a nightly rebuild then deletes and appends rows at the end of the table (on
-- DuckDB, the last row groups) instead of in every row group.
select * from final
order by day
