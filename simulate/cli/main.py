"""The ``simulate`` command line: parse, call, print. Domain logic lives elsewhere.

Each ``cli_*`` module defines its commands without registering them; :data:`COMMANDS`
lists them and :func:`main` adds them, here and nowhere else.
"""

from __future__ import annotations

import click

from simulate.cli.base import Group
from simulate.cli.dashboard import dashboard
from simulate.cli.decide import decide
from simulate.cli.explain import explain
from simulate.cli.new import new
from simulate.cli.results import compare, export, plot, report
from simulate.cli.run import check, list_, params, run, validate
from simulate.cli.trust import backtest, calibrate, discover, sensitivity


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="multivector", prog_name="simulate")
def main() -> None:
    """Simulate Kazakhstan's multivector balancing between Russia, China and the EU."""


#: Every command of ``simulate``, in the order ``simulate --help`` lists them.
COMMANDS: tuple[click.Command, ...] = (
    run, validate, new, list_, params, check, compare, report, plot, export, explain, decide,
    sensitivity, discover, calibrate, backtest, dashboard,
)  # fmt: skip

for _command in COMMANDS:
    main.add_command(_command)
