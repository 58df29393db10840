with source as (
    select * from {{ calven_source('locations') }} as loaded
),

renamed as (
    select
        cast(location_id as {{ dbt.type_string() }}) as location_id,
        cast(location_name as {{ dbt.type_string() }}) as location_name,
        cast(address as {{ dbt.type_string() }}) as address,
        cast(status as {{ dbt.type_string() }}) as status
    from source
)

select * from renamed
