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

desks as (
    select * from {{ ref('stg_calven__desks') }}
),

capacity as (
    select
        zone_id,
        max(zone_name) as zone_name,
        max(level_id) as level_id,
        max(location_id) as location_id,
        count(*) as desks
    from desks
    where zone_id is not null
    group by zone_id
),

{% if is_incremental() %}
-- The desk inventory is a dimension replaced on every sync: when it differs from the one the
-- mart was built with, every day is rebuilt, as a full refresh would.
capacity_changed as (
    select 1 as changed
    from capacity
    full outer join (select distinct zone_id, desks from {{ this }}) as built
        on capacity.zone_id = built.zone_id
    where capacity.desks is null or built.desks is null or capacity.desks <> built.desks
),
{% endif %}

days_to_build as (
    select day, load_id
    from ({{ calven_day_loads(['bookings_attendance'], 'bookings') }}) as day_loads
    {% if is_incremental() %}
    where load_id > (select coalesce(max(_calven_load_id), '') from {{ this }})
        or exists (select 1 from capacity_changed)
    {% endif %}
),

zone_bookings as (
    select
        bookings.day,
        coalesce(place.zone_id, bookings.booking_zone_id) as zone_id,
        sum(case when bookings.booking_depth = 3 then 1 else 0 end) as desk_bookings,
        sum(case when bookings.booking_depth = 2 then 1 else 0 end) as zone_bookings
    from bookings
    inner join days_to_build
        on bookings.day = days_to_build.day
    left join desks as place
        on bookings.booking_depth = 3
        and bookings.booking_place_id = place.desk_id
    where bookings.booking_depth in (2, 3)
    group by bookings.day, coalesce(place.zone_id, bookings.booking_zone_id)
),

final as (
    select
        capacity.location_id,
        capacity.level_id,
        capacity.zone_id,
        days_to_build.day,
        capacity.zone_name,
        cast(capacity.desks as {{ dbt.type_bigint() }}) as desks,
        cast(coalesce(zone_bookings.desk_bookings, 0) as {{ dbt.type_bigint() }})
            as desk_bookings,
        cast(coalesce(zone_bookings.zone_bookings, 0) as {{ dbt.type_bigint() }})
            as zone_bookings,
        cast(
            coalesce(zone_bookings.desk_bookings, 0) + coalesce(zone_bookings.zone_bookings, 0)
            as {{ dbt.type_bigint() }}
        ) as booked,
        {{ calven_ratio('coalesce(zone_bookings.desk_bookings, 0)', 'capacity.desks') }}
            as desk_utilisation,
        {{ calven_ratio(
            'coalesce(zone_bookings.desk_bookings, 0) + coalesce(zone_bookings.zone_bookings, 0)',
            'capacity.desks'
        ) }} as zone_utilisation,
        days_to_build.load_id as _calven_load_id
    from capacity
    cross join days_to_build
    left join zone_bookings
        on capacity.zone_id = zone_bookings.zone_id
        and days_to_build.day = zone_bookings.day
)

select * from final
