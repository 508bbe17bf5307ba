"""The command line: ``leaddesigner COMMAND ...``.

``commands`` builds the parser and runs the model and data commands (validate,
score, summary, export, explain, gui ...); each other module registers one
command group (``profile``, ``backtest``, ``diff``, ``compare``/``report``,
``fit``, ``simulate``) over ``common``, what every command shares.
"""
from leaddesigner import allocators

allocators.configure()  # before pandas and pyarrow are imported: see leaddesigner.allocators
from leaddesigner.cli.commands import main  # noqa: E402

__all__ = ["main"]
