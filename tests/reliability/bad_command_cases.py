"""The bad-input table, part two: command lines, directories, push sources and check."""

from __future__ import annotations

from pipelines import exit_codes
from tests.reliability.bad_input_cases import LATIN1_CSV, Case, usage

COMMAND_CASES = [
    # Command-line arguments.
    usage(
        "future-days-0",
        "argument --days: expected a whole number of at least 1",
        "future",
        "--days",
        "0",
    ),
    usage(
        "future-days-negative",
        "argument --days: expected a whole number of at least 1, got '-3'",
        "future",
        "--days",
        "-3",
    ),
    usage(
        "checkpoint-windows-0", "argument --checkpoint-windows", "run", "--checkpoint-windows", "0"
    ),
    usage("checkpoint-rows-abc", "argument --checkpoint-rows", "run", "--checkpoint-rows", "abc"),
    usage(
        "pipeline-name-slash", "argument --pipeline-name", "run", "--pipeline-name", "prod/calven"
    ),
    usage(
        "pipeline-name-dunder",
        "argument --pipeline-name: expected letters",
        "run",
        "--pipeline-name",
        "prod__calven",
    ),
    usage("dataset-name-dot", "argument --dataset-name", "run", "--dataset-name", "my.data"),
    usage("unknown-command", "argument COMMAND: invalid choice: 'sync'", "sync"),
    usage("backfill-without-start", "the following arguments are required: --start", "backfill"),
    usage("demo-no-users", "argument --users", "demo", "--users", "0"),
    Case(
        "backfill-a-dimension",
        ("backfill", "--start", "2026-03-01", "--dataset", "users"),
        exit_codes.CONFIG,
        "backfill takes windowed datasets only",
    ),
    Case(
        "reset-a-dimension",
        ("state", "reset", "--dataset", "users", "--yes"),
        exit_codes.CONFIG,
        "state reset takes windowed datasets only",
    ),
    Case(
        "pipelines-dir-is-a-file",
        ("run", "--pipelines-dir", "afile"),
        exit_codes.CONFIG,
        "--pipelines-dir afile is not a directory",
        files={"afile": b"x"},
    ),
    Case(
        "pipelines-dir-under-a-file",
        ("run", "--pipelines-dir", "afile/state"),
        exit_codes.CONFIG,
        "--pipelines-dir afile/state cannot be created",
        files={"afile": b"x"},
    ),
    # Push sources.
    Case(
        "push-csv-not-utf8",
        ("push", "presence", "--from", "badges.csv"),
        exit_codes.CONFIG,
        "source file 'badges.csv' is not UTF-8 text",
        files={"badges.csv": LATIN1_CSV.encode("latin-1")},
    ),
    Case(
        "push-query-typo",
        ("push", "presence", "--from", "query:selct 1", "--dry-run"),
        exit_codes.CONFIG,
        "--from query: is not valid SQL",
    ),
    Case(
        "push-query-drop",
        ("push", "presence", "--from", "query:drop table calven.users", "--dry-run"),
        exit_codes.CONFIG,
        "found DROP",
    ),
    Case(
        "push-unknown-format",
        ("push", "presence", "--from", "badges.xlsx"),
        exit_codes.CONFIG,
        "cannot tell the format of 'badges.xlsx'",
    ),
    Case(
        "push-missing-file",
        ("push", "presence", "--from", "nowhere.csv"),
        exit_codes.CONFIG,
        "source file 'nowhere.csv' does not exist",
    ),
    Case(
        "push-bad-auth-type",
        ("push", "presence", "--from", "badges.csv"),
        exit_codes.CONFIG,
        "auth_type 'oauth' is not one of",
        env={"SOURCES__CALVEN__PUSH__AUTH_TYPE": "oauth"},
        files={"badges.csv": b"userId,timestamp,locationId,locationType\n"},
    ),
    # check: a refused key is an authentication error, as for every other command.
    Case("check-wrong-role", ("check",), exit_codes.AUTH, "", role="events"),
    # transform: settings are checked before anything loads; dbt is found or named
    Case(
        "transform-office-days-target-9",
        ("run", "--transform"),
        exit_codes.CONFIG,
        "transform.office_days_target (TRANSFORM__OFFICE_DAYS_TARGET) must be between 1 and 5",
        env={"TRANSFORM__OFFICE_DAYS_TARGET": "9"},
    ),
    Case(
        "transform-after-run-maybe",
        ("run",),
        exit_codes.CONFIG,
        "setting transform.after_run (TRANSFORM__AFTER_RUN): 'maybe' is not true or false",
        env={"TRANSFORM__AFTER_RUN": "maybe"},
    ),
    Case(
        "transform-nothing-loaded",
        ("transform",),
        exit_codes.CONFIG,
        "nothing to transform: pipeline calven_warehouse has loaded nothing yet",
    ),
]
