-- Small (zones x weeks) and read from agg_zone_day: rebuilt whole on every run.
with zone_days as (
    select
        *,
        {{ calven_week_start('day') }} as week_start
    from {{ ref('agg_zone_day') }}
),

final as (
    select
        location_id,
        level_id,
        zone_id,
        week_start,
        max(zone_name) as zone_name,
        max(desks) as desks,
        cast(count(*) as {{ dbt.type_bigint() }}) as days,
        avg(cast(booked as {{ calven_type_double() }})) as avg_booked,
        max(booked) as peak_booked,
        avg(desk_utilisation) as avg_desk_utilisation,
        max(desk_utilisation) as peak_desk_utilisation,
        avg(zone_utilisation) as avg_zone_utilisation,
        max(zone_utilisation) as peak_zone_utilisation
    from zone_days
    group by location_id, level_id, zone_id, week_start
)

select * from final
