"""`trinityctl`: the thin typer edge over trinity.controller's library.

One module per group of commands, all registered on the one app in `base` (which also
holds the shared options and the one place errors become a line and an exit code).
Importing the package registers every command, in the order `--help` lists them.
"""

# isort: off
from trinity.controller.cli import cluster, tasks, results, show, crosscheck, profile  # noqa: F401  (registers)

# isort: on
from trinity.controller.cli.base import app, err, main, out
from trinity.controller.cli.cluster import _DemoUi

__all__ = ["_DemoUi", "app", "err", "main", "out"]
