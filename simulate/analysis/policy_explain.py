"""Why a policy works: two policies compared by mechanism over the same futures.

As :func:`simulate.analysis.explain.explain` compares two result files run on the same
seeds, this runs two policies over the same futures (every run of every scenario given,
:mod:`simulate.analysis.policyruns`) and explains the mean paired difference of
Kazakhstan's positions by the mechanisms that made it, with the alignment and the
outcome-class probabilities of both. The contributions add up to the difference.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from simulate.analysis.explain import issue_rows
from simulate.analysis.policyruns import run as run_policies
from simulate.errors import InputError
from simulate.scenarios.policies import DO_NOTHING, Policy

#: The outputs an explanation reads.
KEEP = ("contribution", "position", "alignment", "outcome")


def find(policies: list[Policy], name: str, field: str) -> Policy:
    """The policy called ``name``.

    Raises:
        InputError: no such policy (the names known are listed).
    """
    from simulate.scenarios.domains import suggestion

    for p in policies:
        if p.name == name:
            return p
    names = [p.name for p in policies]
    raise InputError(f"no policy {name!r}{suggestion(name, names)}; known: {', '.join(names)}",
                     field=field)  # fmt: skip


def explain_policies(
    scenarios: Sequence[str | Path], policy: str, against: str = DO_NOTHING, *,
    policies: str | Path | None = None, actor: str | None = None, at: float | None = None,
    runs: int | None = None, seed: int | None = None, **executor: Any,
) -> dict[str, Any]:  # fmt: skip
    """The mechanisms behind the difference ``policy`` makes against ``against``.

    Args:
        scenarios: Scenario files or shipped names (their futures, as in ``decide``).
        policy: The policy explained: a name from ``policies``, or of the default set
            (each setting of ``actor``'s levers alone, e.g. ``security_stance_0.4``).
        against: The reference policy (default: doing nothing).
        policies: A policies file.
        actor: Whose levers the default set moves (default: the hedger).
        at: The year (a period start; default the horizon's last year).
        runs: Runs of each scenario (default each scenario's own).
        seed: Seed of every scenario (default each scenario's own).
        **executor: ``workers``, ``scheduler``, ``dask_local``, ``chunk``.

    Returns:
        What :func:`simulate.analysis.explain.explain` returns for two files, with
        ``scenarios`` (the futures' scenarios) added; :func:`simulate.analysis.explain.to_text`
        prints it.

    Raises:
        InputError: unknown policies, bad scenarios, a year not in the horizon.
    """
    from simulate.analysis.decide import futures_of, load_scenarios, policies_for

    loaded = load_scenarios(scenarios)
    known = policies_for(loaded, policies, actor)
    chosen = [find(known, against, "against"), find(known, policy, "policy")]
    futures = futures_of(loaded, runs, seed)
    year = float(at) if at is not None else float(loaded[0].scenario.horizon.end)
    arrays = run_policies(futures, chosen, [year], KEEP, **executor)
    spec = futures.spec(0, chosen[0])
    issues = spec.issues
    tables = [(pd.DataFrame(arrays["contribution"][k, :, 0], columns=spec.entities_of(
        "contribution")), pd.DataFrame(arrays["position"][k, :, 0], columns=issues))
        for k in range(2)]  # fmt: skip
    outcomes = []
    for var in ("alignment", "outcome"):
        for j, ent in enumerate(spec.entities_of(var)):
            vals = [float(np.mean(arrays[var][k, :, 0, j])) for k in range(2)]
            outcomes.append({"variable": var, "entity": ent, "values": vals,
                             "difference": vals[1] - vals[0]})  # fmt: skip
    return {"scenario": policy, "reference": against, "time": year, "run": None,
            "runs": futures.count, "issues": issue_rows(tables, issues, spec.config.labels),
            "outcomes": outcomes,
            "scenarios": futures.names,
            "settings": {p.name: p.describe() for p in chosen}}  # fmt: skip
