"""``simulate dashboard``: the interactive ensemble dashboard (a thin click layer)."""

from __future__ import annotations

import click

from simulate.cli import base as base


@click.command()
@click.argument("scenario", required=False, default="baseline")
@click.option("--port", type=int, default=8765, show_default=True,
              help="Port on 127.0.0.1; 0 picks a free one.")
@click.option("--runs", type=int, default=400, show_default=True,
              help="Runs per ensemble (the batched driver answers 400 in well under a second).")
@click.option("--save-dir", type=click.Path(file_okay=False), default=".", show_default=True,
              help="Folder the page proposes for 'save as scenario YAML'.")
@click.option("--open", "open_browser", is_flag=True, help="Open the page in a web browser.")
@base.boundary
def dashboard(scenario, port, runs, save_dir, open_browser):
    """Serve the interactive ensemble dashboard for SCENARIO (default: baseline) on 127.0.0.1.

    Pick a scenario, move levers and key assumptions, and see the ensemble as fan
    charts of alignment, leverage and positions and the outcome-class probabilities,
    against the unmodified scenario; save the settings as a scenario YAML file.
    Needs the 'dashboard' extra: pip install 'multivector[dashboard]'. Stop with Ctrl+C.

    \b
    Examples:
      simulate dashboard
      simulate dashboard middle_corridor --port 8800 --runs 600
      simulate dashboard scenarios/my_scenario.yaml --open
    """
    from simulate.dashboard.server import serve

    def announce(url: str) -> None:
        click.echo(f"dashboard: {url}  (Ctrl+C to stop)")
        if open_browser:
            import webbrowser

            webbrowser.open(url)

    serve(scenario, port=port, runs=runs, save_dir=save_dir, announce=announce)
