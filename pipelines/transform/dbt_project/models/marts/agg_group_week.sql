{{
    config(
        materialized='incremental',
        unique_key='week_start',
        incremental_strategy='delete+insert',
        on_schema_change='fail',
    )
}}

with attendance as (
    select
        *,
        {{ calven_week_start('day') }} as week_start
    from {{ ref('fct_attendance_day') }}
    where group_id is not null
),

week_loads as (
    select week_start, max(_calven_load_id) as load_id
    from attendance
    group by week_start
),

weeks_to_build as (
    select week_start, load_id
    from week_loads
    {% if is_incremental() %}
    where load_id > (select coalesce(max(_calven_load_id), '') from {{ this }})
        -- a new office_days_target changes every week, as a full refresh would
        or exists (
            select 1 from {{ this }}
            where office_days_target <> {{ var('office_days_target') }}
        )
    {% endif %}
),

member_weeks as (
    select
        attendance.group_id,
        attendance.week_start,
        attendance.user_id,
        sum(case when attendance.attended then 1 else 0 end) as office_days
    from attendance
    inner join weeks_to_build
        on attendance.week_start = weeks_to_build.week_start
    group by attendance.group_id, attendance.week_start, attendance.user_id
),

group_days as (
    select
        attendance.group_id,
        attendance.week_start,
        attendance.day,
        sum(case when attendance.attended then 1 else 0 end) as in_office
    from attendance
    inner join weeks_to_build
        on attendance.week_start = weeks_to_build.week_start
    group by attendance.group_id, attendance.week_start, attendance.day
),

members as (
    select
        group_id,
        week_start,
        count(*) as members,
        sum(office_days) as member_office_days,
        sum(
            case when office_days >= {{ var('office_days_target') }} then 1 else 0 end
        ) as members_meeting_target
    from member_weeks
    group by group_id, week_start
),

colocation as (
    select
        group_days.group_id,
        group_days.week_start,
        count(*) as days,
        sum(
            case when 2 * group_days.in_office >= members.members then 1 else 0 end
        ) as colocation_days
    from group_days
    inner join members
        on group_days.group_id = members.group_id
        and group_days.week_start = members.week_start
    group by group_days.group_id, group_days.week_start
),

final as (
    select
        members.group_id,
        members.week_start,
        cast(members.members as {{ dbt.type_bigint() }}) as members,
        cast(colocation.days as {{ dbt.type_bigint() }}) as days,
        cast(members.member_office_days as {{ dbt.type_bigint() }}) as member_office_days,
        {{ calven_ratio('members.member_office_days', 'members.members') }}
            as avg_office_days_per_member,
        cast(colocation.colocation_days as {{ dbt.type_bigint() }}) as colocation_days,
        cast({{ var('office_days_target') }} as {{ dbt.type_bigint() }}) as office_days_target,
        cast(members.members_meeting_target as {{ dbt.type_bigint() }})
            as members_meeting_target,
        weeks_to_build.load_id as _calven_load_id
    from members
    inner join colocation
        on members.group_id = colocation.group_id
        and members.week_start = colocation.week_start
    inner join weeks_to_build
        on members.week_start = weeks_to_build.week_start
)

select * from final
