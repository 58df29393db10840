"""Every option of every command explains itself, with its default."""

from __future__ import annotations

import argparse

import pytest

from pipelines.cli.main import build_parser

Parser = argparse.ArgumentParser


def _commands(
    parser: argparse.ArgumentParser, prefix: str = ""
) -> dict[str, argparse.ArgumentParser]:
    found = {prefix or "calven-sync": parser}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found.update(_commands(sub, f"{prefix} {name}".strip()))
    return found


COMMANDS = _commands(build_parser())


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_option_has_help_and_shows_its_default(command):
    parser = COMMANDS[command]
    text = parser.format_help()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction) or action.help == argparse.SUPPRESS:
            continue
        assert action.help, f"{command}: {action.option_strings or action.dest} has no help"
        if action.default not in (None, False, [], argparse.SUPPRESS):
            assert f"default: {action.default}" in " ".join(text.split()), (command, action.dest)


def test_top_level_help_names_exit_codes_and_environment_variables():
    text = build_parser().format_help()
    assert "exit codes: 0 everything requested was loaded, 2 configuration" in text
    assert "SOURCES__CALVEN__START_DATE" in text


def test_demo_without_the_simulator_extra_names_the_extra(monkeypatch, capsys):
    import builtins

    real_import = builtins.__import__

    def no_fastapi(name, *args, **kwargs):
        if name == "fastapi" or name.startswith("sources.calven_sim"):
            raise ModuleNotFoundError(f"No module named '{name}'", name="fastapi")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_fastapi)
    from pipelines.cli import main

    assert main(["simulate"]) == 2
    err = capsys.readouterr().err.strip()
    assert err == (
        "calven-sync: configuration error: the simulated API needs fastapi, which a plain "
        "install leaves out: pip install 'calven-warehouse[simulator]'"
    )


@pytest.mark.parametrize("command", [["report"], ["demo"]])
def test_report_and_demo_without_the_report_extra_name_the_extra(
    monkeypatch, capsys, tmp_path, command
):
    import builtins
    import sys

    real_import = builtins.__import__

    def no_altair(name, *args, **kwargs):
        if name == "altair" or name.startswith("pipelines.report"):
            raise ModuleNotFoundError(f"No module named '{name}'", name="altair")
        return real_import(name, *args, **kwargs)

    for loaded in [m for m in sys.modules if m.startswith(("pipelines.report", "altair"))]:
        monkeypatch.delitem(sys.modules, loaded)
    monkeypatch.setattr(builtins, "__import__", no_altair)
    monkeypatch.chdir(tmp_path)
    from pipelines.cli import main

    assert main(command) == 2
    err = capsys.readouterr().err.strip()
    assert err == (
        "calven-sync: configuration error: the report needs altair, which a plain "
        "install leaves out: pip install 'calven-warehouse[report]'"
    )
    assert not list(tmp_path.iterdir())  # the demo stops before it loads anything
