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
        and coalesce(status, 'active') = 'active'
    group by zone_id
),

{% if is_incremental() %}
-- The desk inventory is a dimension replaced on every sync: when its zones (desks, name,
-- level, location) differ from those the mart was built with, every day is rebuilt, as a full
-- refresh would.
built as (
    select distinct zone_id, zone_name, level_id, location_id, desks from {{ this }}
),

capacity_changed as (
    select 1 as changed
    from capacity
    full outer join built
        on capacity.zone_id = built.zone_id
        and capacity.desks = built.desks
        and coalesce(capacity.zone_name, '') = coalesce(built.zone_name, '')
        and coalesce(capacity.level_id, '') = coalesce(built.level_id, '')
        and coalesce(capacity.location_id, '') = coalesce(built.location_id, '')
    where capacity.zone_id is null or built.zone_id is null
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

-- A booking counts in the zone the API reports for it (a desk booking names its desk's zone):
-- history does not move when a desk later moves to another zone.
zone_bookings as (
    select
        bookings.day,
        bookings.booking_zone_id as zone_id,
        sum(case when bookings.booking_depth = 3 then 1 else 0 end) as desk_bookings,
        sum(case when bookings.booking_depth = 2 then 1 else 0 end) as zone_bookings
    from bookings
    inner join days_to_build
        on bookings.day = days_to_build.day
    where bookings.booking_depth in (2, 3)
    group by bookings.day, bookings.booking_zone_id
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
