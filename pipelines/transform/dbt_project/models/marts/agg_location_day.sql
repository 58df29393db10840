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

days_to_build as (
    {{ calven_days_to_build(['bookings_attendance'], 'bookings') }}
),

counts as (
    select
        bookings.primary_location_id as location_id,
        bookings.day,
        max(bookings.primary_location_name) as location_name,
        count(*) as users,
        sum(case when bookings.plan = 'o' then 1 else 0 end) as office_plans,
        sum(case when bookings.plan = 'r' then 1 else 0 end) as remote_plans,
        sum(case when bookings.plan = 'a' then 1 else 0 end) as away_plans,
        sum(case when bookings.booking_depth is not null then 1 else 0 end) as booked,
        sum(
            case when bookings.attendance_type in ('confirmed', 'walkIn') then 1 else 0 end
        ) as attended,
        sum(case when bookings.attendance_type = 'noShow' then 1 else 0 end) as no_shows,
        sum(case when bookings.attendance_type = 'walkIn' then 1 else 0 end) as walk_ins,
        sum(case when bookings.attendance_type = 'unconfirmed' then 1 else 0 end) as unconfirmed,
        max(days_to_build.load_id) as _calven_load_id
    from bookings
    inner join days_to_build
        on bookings.day = days_to_build.day
    group by bookings.primary_location_id, bookings.day
),

final as (
    select
        location_id,
        day,
        location_name,
        cast(users as {{ dbt.type_bigint() }}) as users,
        cast(office_plans as {{ dbt.type_bigint() }}) as office_plans,
        cast(remote_plans as {{ dbt.type_bigint() }}) as remote_plans,
        cast(away_plans as {{ dbt.type_bigint() }}) as away_plans,
        cast(booked as {{ dbt.type_bigint() }}) as booked,
        cast(attended as {{ dbt.type_bigint() }}) as attended,
        cast(no_shows as {{ dbt.type_bigint() }}) as no_shows,
        cast(walk_ins as {{ dbt.type_bigint() }}) as walk_ins,
        cast(unconfirmed as {{ dbt.type_bigint() }}) as unconfirmed,
        {{ calven_ratio('attended', 'office_plans') }} as attendance_rate,
        {{ calven_ratio('no_shows', 'booked') }} as no_show_rate,
        _calven_load_id
    from counts
)

select * from final
