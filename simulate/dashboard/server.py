"""Serve the dashboard on the loopback interface, with every front-end asset local.

Solara's page loads its JavaScript, CSS and fonts from ``/_solara/cdn/...``, which
solara serves from a cache folder (``<prefix>/share/solara/cdn``) and, for a file not
there, fetches from a public CDN. The ``solara-assets`` package (in the ``dashboard``
extra) installs that folder's content, so the page works offline; the server
checks the files the page needs are there before it starts, and it never fetches:
a missing asset is an error, not a download. Telemetry is off.
"""

from __future__ import annotations

import importlib.util
import os
import re
import socket
from collections.abc import Callable
from pathlib import Path

from simulate.errors import InputError

HOST = "127.0.0.1"
#: The name the page is announced under: the loopback interface by the name browsers
#: treat as a secure context, where solara sets its session cookie as it means to
#: (``SameSite=None; Secure``, so the page also works embedded); under the bare address
#: it falls back to ``SameSite=Lax`` and warns about it on every page load.
NAME = "localhost"
EXTRA = "pip install 'multivector[dashboard]'"
_SETTINGS = {
    "SOLARA_ASSETS_PROXY": "true",  # serve /_solara/cdn from the local folder
    "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "false",
    "SOLARA_APP": "simulate.dashboard.app",
}


def require() -> None:
    """Check the dashboard's packages are installed.

    Raises:
        InputError: solara, Mesa's visualisation or the offline assets are missing.
    """
    for module in ("solara", "solara.server.starlette", "uvicorn", "mesa.visualization"):
        try:
            found = importlib.util.find_spec(module) is not None
        except ModuleNotFoundError:
            found = False
        if not found:
            raise InputError(f"the dashboard needs {module.split('.')[0]}: {EXTRA}")


def needed_assets() -> list[str]:
    """The package folders (``name@version``) solara's page template loads from the CDN."""
    import solara.server
    import solara.server.settings as settings

    template = Path(solara.server.__file__).parent / "templates" / "solara.html.j2"
    found = re.findall(r"\{\{cdn\}\}/?((?:@[\w.-]+/)?[\w.-]+@[\w.-]+)/", template.read_text())
    if settings.assets.fontawesome_enabled:
        found.append(settings.assets.fontawesome_path.strip("/").split("/")[0])
    return sorted({f for f in found if "vuetify3" not in f})


def missing_assets(folder: Path) -> list[str]:
    """The needed asset folders that ``folder`` (solara's asset cache) lacks."""
    return [name for name in needed_assets() if not (folder / name).is_dir()]


def _refuse_downloads() -> None:
    """Make solara's asset proxy fail on a file it does not have, instead of fetching it."""
    import solara.server.cdn_helper as cdn

    def offline(url: str) -> bytes:
        raise RuntimeError(f"{url} is not among the installed assets (the dashboard does "
                           f"not download; {EXTRA})")  # fmt: skip

    cdn.fetch_from_cdn = offline


def bind(port: int) -> socket.socket:
    """A listening socket on 127.0.0.1 (``port`` 0: any free port).

    Raises:
        InputError: The port is in use or not allowed.
    """
    if not 0 <= port < 65536:
        raise InputError(f"a port is a number from 0 to 65535, got {port}", field="port")
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.bind((HOST, port))
    except OSError as exc:
        sock.close()
        raise InputError(f"cannot listen on {HOST}:{port}: {exc.strerror}",
                         field="port") from None  # fmt: skip
    sock.listen(64)
    return sock


def serve(scenario: str, *, port: int = 8765, runs: int = 400, save_dir: str | Path = ".",
          announce: Callable[[str], None] = print) -> None:  # fmt: skip
    """Serve the dashboard for ``scenario`` until interrupted.

    Args:
        scenario: The scenario the page opens with (a file or a shipped name).
        port: The port on 127.0.0.1; 0 picks a free one.
        runs: Runs per ensemble.
        save_dir: Where "save as scenario" proposes to write.
        announce: Called once with the page's address (``http://localhost:PORT/``; the
            server listens on 127.0.0.1 only), when the server listens.

    Raises:
        InputError: A missing package or asset, an invalid scenario, runs out of range
            or a port that cannot be used.
    """
    from simulate.model.modelspec import loaded_scenario

    require()
    if not 1 <= runs <= 100_000:
        raise InputError(f"runs must be between 1 and 100,000 (got {runs})", field="runs")
    loaded_scenario(scenario)  # a bad scenario fails here, with its file and line
    os.environ.update(_SETTINGS)
    os.environ.update({"MULTIVECTOR_DASHBOARD_SCENARIO": str(scenario),
                       "MULTIVECTOR_DASHBOARD_RUNS": str(runs),
                       "MULTIVECTOR_DASHBOARD_SAVE_DIR": str(Path(save_dir).resolve())})
    import solara.server.settings as settings

    folder = Path(settings.assets.proxy_cache_dir)
    if missing := missing_assets(folder):
        raise InputError(f"the dashboard's front-end assets are not installed "
                         f"({', '.join(missing)} missing in {folder}): {EXTRA}")  # fmt: skip
    _refuse_downloads()
    settings.main.mode = "production"
    import uvicorn

    sock = bind(port)
    actual = sock.getsockname()[1]
    config = uvicorn.Config("solara.server.starlette:app", host=HOST, port=actual,
                            log_level="warning", ws_ping_interval=None)  # fmt: skip
    announce(f"http://{NAME}:{actual}/")
    uvicorn.Server(config).run(sockets=[sock])
