"""The interactive ensemble dashboard: ``simulate dashboard [SCENARIO]``.

A page served on 127.0.0.1 by solara, the toolkit of Mesa's visualisation
(SolaraViz), with the levers drawn by Mesa's own ``Slider`` / ``UserInputs``. Pick a
scenario, move levers and key assumptions, and the page answers with the *ensemble*
(several hundred runs on the batched driver) as fan charts of alignment, leverage
and positions and the outcome-class probabilities over time, each against the
unmodified scenario; the current settings save as a scenario YAML file.

Modules: :mod:`~simulate.dashboard.levers` (which parameters, their ranges and the
scenario's values), :mod:`~simulate.dashboard.fans` (the ensembles and their
quantiles), :mod:`~simulate.dashboard.charts` (the figures),
:mod:`~simulate.dashboard.save` (settings -> scenario file),
:mod:`~simulate.dashboard.app` (the page) and :mod:`~simulate.dashboard.server`
(checks, offline assets, the server). Only ``app`` and ``server`` need the
``dashboard`` extra (``pip install 'multivector[dashboard]'``).
"""
