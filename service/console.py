"""``cchc``: the one console command (``[project.scripts]`` in pyproject.toml).

It composes the two Typer apps that already exist rather than repeating their commands:
``cchc index`` is ``python -m indexer build`` and ``cchc parse`` is ``python -m indexer parse``
(indexer/cli.py); every command of service/cli.py (``serve``, ``search``, ``compare``,
``mentions``, ``coverage``, ``citations``, ``documents``, ``token``, ``backup``, ``restore`` …)
is ``cchc <command>`` with the same options. ``python -m indexer …`` and ``python -m service …``
keep working unchanged; a command added to either app appears here by itself.
"""

from __future__ import annotations

import copy

import typer
from typer.models import CommandInfo

from indexer import cli as indexer_cli
from service import cli as service_cli

# the indexer's commands under the names a user of one command expects
INDEXER_NAMES = {"build": "index", "parse": "parse"}

app = typer.Typer(
    name="cchc",
    help="Search, compare and cite CCHC plans: index a corpus, serve it, query it.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _name(info: CommandInfo) -> str:
    """The name Typer gives a command registered without one: its function's, dashed."""
    if info.name:
        return info.name
    callback = info.callback
    assert callback is not None
    return callback.__name__.replace("_", "-")


def _compose() -> None:
    for info in indexer_cli.app.registered_commands:
        name = INDEXER_NAMES.get(_name(info))
        if name is not None:
            renamed = copy.copy(info)
            renamed.name = name
            app.registered_commands.append(renamed)
    taken = {info.name for info in app.registered_commands}
    for info in service_cli.app.registered_commands:
        if _name(info) in taken:
            raise RuntimeError(f"cchc: two commands named {_name(info)!r}")
        app.registered_commands.append(info)


_compose()


def main() -> None:
    """The entry point of ``cchc``."""
    app(prog_name="cchc")


if __name__ == "__main__":
    main()
