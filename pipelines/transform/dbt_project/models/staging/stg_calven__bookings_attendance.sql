with source as (
    select * from {{ calven_source('bookings_attendance') }} as loaded
),

renamed as (
    select
        cast(user_id as {{ dbt.type_string() }}) as user_id,
        cast(day as date) as day,
        cast(primary_location_id as {{ dbt.type_string() }}) as primary_location_id,
        cast(primary_location_name as {{ dbt.type_string() }}) as primary_location_name,
        cast(plan as {{ dbt.type_string() }}) as plan,
        cast(booking_depth as {{ dbt.type_bigint() }}) as booking_depth,
        cast(attendance_type as {{ dbt.type_string() }}) as attendance_type,
        cast(booking_location_id as {{ dbt.type_string() }}) as booking_location_id,
        cast(booking_location_name as {{ dbt.type_string() }}) as booking_location_name,
        cast(booking_level_id as {{ dbt.type_string() }}) as booking_level_id,
        cast(booking_level_name as {{ dbt.type_string() }}) as booking_level_name,
        cast(booking_zone_id as {{ dbt.type_string() }}) as booking_zone_id,
        cast(booking_zone_name as {{ dbt.type_string() }}) as booking_zone_name,
        cast(booking_place_id as {{ dbt.type_string() }}) as booking_place_id,
        cast(booking_place_name as {{ dbt.type_string() }}) as booking_place_name,
        cast(primary_group_id as {{ dbt.type_string() }}) as primary_group_id,
        cast(primary_group_name as {{ dbt.type_string() }}) as primary_group_name,
        cast(booking_group_id as {{ dbt.type_string() }}) as booking_group_id,
        cast(booking_group_name as {{ dbt.type_string() }}) as booking_group_name,
        cast(booking_source as {{ dbt.type_string() }}) as booking_source,
        cast(booking_reason_code as {{ dbt.type_string() }}) as booking_reason_code,
        cast(on_waitlist as {{ dbt.type_boolean() }}) as is_on_waitlist
    from source
)

select * from renamed
