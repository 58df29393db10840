with source as (
    select * from {{ calven_source('presence') }} as loaded
),

renamed as (
    select
        cast(presence_id as {{ dbt.type_string() }}) as presence_id,
        cast(event_id as {{ dbt.type_string() }}) as event_id,
        cast(user_id as {{ dbt.type_string() }}) as user_id,
        cast(user_email as {{ dbt.type_string() }}) as user_email,
        cast(source_id as {{ dbt.type_string() }}) as source_id,
        cast(source_user_id as {{ dbt.type_string() }}) as source_user_id,
        cast(location_id as {{ dbt.type_string() }}) as location_id,
        cast(location_name as {{ dbt.type_string() }}) as location_name,
        cast(detected_location_id as {{ dbt.type_string() }}) as detected_location_id,
        cast(detected_location_type as {{ dbt.type_string() }}) as detected_location_type,
        cast({{ adapter.quote("timestamp") }} as {{ calven_type_timestamptz() }}) as seen_at,
        cast(day as date) as day
    from source
)

select * from renamed
