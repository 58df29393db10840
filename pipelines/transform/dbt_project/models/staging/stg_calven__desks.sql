with source as (
    select * from {{ calven_source('desks') }} as loaded
),

renamed as (
    select
        cast(desk_id as {{ dbt.type_string() }}) as desk_id,
        cast(desk_name as {{ dbt.type_string() }}) as desk_name,
        cast(location_id as {{ dbt.type_string() }}) as location_id,
        cast(location_name as {{ dbt.type_string() }}) as location_name,
        cast(level_id as {{ dbt.type_string() }}) as level_id,
        cast(level_name as {{ dbt.type_string() }}) as level_name,
        cast(zone_id as {{ dbt.type_string() }}) as zone_id,
        cast(zone_name as {{ dbt.type_string() }}) as zone_name,
        cast(status as {{ dbt.type_string() }}) as status
    from source
)

select * from renamed
