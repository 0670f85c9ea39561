"""Observed history 2019-2023: figures with their sources, for backtesting the model.

``configs/history.yaml`` holds annual observed figures (trade by partner, oil exports
by route, Middle Corridor freight, FDI inflow by source), Kazakhstan's votes on the UN
General Assembly resolutions on Russia's war, and the dated events a history scenario
plays. Every figure carries at least one source with its publisher, title, publication
date and the figure exactly as printed. Where sources disagree the figure is a
``low``/``high`` range and each side names its source(s) (``side: low`` / ``side: high``).

Nothing dated after :data:`CUTOFF_YEAR` may enter the file: later figures are kept
out of sample. :func:`load_history` refuses a later observation, vote or event, a figure
without a source, a range with ``low >= high`` and a source dated before the year it
reports, naming the file and line.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from simulate.errors import InputError
from simulate.io import shipped, yamlio

DEFAULT_HISTORY = shipped.folder("configs") / "history.yaml"
#: The first year the file covers.
FIRST_YEAR = 2019
#: The last year an observation, vote or event may belong to.
CUTOFF_YEAR = 2023
_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
Vote = Literal["yes", "no", "abstain"]


def _norm_date(v: Any) -> Any:
    """Accept ``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD`` (string, int or YAML date) as a string."""
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, int) and not isinstance(v, bool):
        return str(v)
    return v


def _year(date: str) -> int:
    return int(date[:4])


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Source(_Strict):
    """Where a figure was read: publisher, title, publication date and the words as printed."""

    publisher: str = Field(min_length=1)
    title: str = Field(min_length=1)
    date: str = Field(description="Publication date: YYYY, YYYY-MM or YYYY-MM-DD")
    date_basis: str | None = Field(None, description="How the date is known if not printed")
    url: str | None = None
    as_printed: str = Field(min_length=1, description="The figure copied verbatim, with unit")
    note: str | None = Field(None, description="Who is quoted, conversion, caveats")
    side: Literal["low", "high"] | None = Field(None, description="The range end it supports")

    _date = field_validator("date", mode="before")(_norm_date)

    @field_validator("date")
    @classmethod
    def _date_form(cls, v: str) -> str:
        m = _DATE.match(v)
        if not m:
            raise ValueError(f"date {v!r} must be YYYY, YYYY-MM or YYYY-MM-DD")
        if m.group(3):
            dt.date.fromisoformat(v)
        return v


class Observation(_Strict):
    """One year's figure: a ``value`` or a ``low``/``high`` range, with its sources."""

    value: float | None = None
    low: float | None = None
    high: float | None = None
    note: str | None = None
    sources: list[Source] = Field(min_length=1)

    @model_validator(mode="after")
    def _shape(self) -> Observation:
        ranged = self.low is not None or self.high is not None
        if ranged == (self.value is not None):
            raise ValueError("give either a value or both low and high")
        if not ranged:
            if any(s.side for s in self.sources):
                raise ValueError("'side' is only for the sources of a low/high range")
            return self
        if self.low is None or self.high is None:
            raise ValueError("a range needs both low and high")
        if not self.low < self.high:
            raise ValueError(f"low ({self.low:g}) must be below high ({self.high:g})")
        for side in ("low", "high"):
            if not any(s.side == side for s in self.sources):
                raise ValueError(f"a range needs a source for its {side} end (side: {side})")
        if any(s.side is None for s in self.sources):
            raise ValueError("each source of a range says which end it supports (side)")
        return self

    @property
    def bounds(self) -> tuple[float, float]:
        """``(low, high)``; ``(value, value)`` for a single figure."""
        if self.value is not None:
            return (self.value, self.value)
        return (self.low, self.high)  # type: ignore[return-value]


class ModelMap(_Strict):
    """The model output an observed series is compared with."""

    variable: str
    entity: str | None = None


class Series(_Strict):
    """An observed annual series."""

    unit: str
    description: str
    model: ModelMap | None
    model_note: str | None = None
    note: str | None = None
    observations: dict[int, Observation] = Field(default_factory=dict)
    missing: dict[int, str] = Field(default_factory=dict, description="Unsourced years: why")

    @model_validator(mode="after")
    def _disjoint(self) -> Series:
        both = sorted(set(self.observations) & set(self.missing))
        if both:
            raise ValueError(f"years {both} are both observed and listed as missing")
        return self


class UNVote(_Strict):
    """Kazakhstan's vote on one General Assembly resolution."""

    date: str
    title: str
    vote: Vote
    note: str | None = None
    sources: list[Source] = Field(min_length=1)

    _date = field_validator("date", mode="before")(_norm_date)


class UNVotes(_Strict):
    """Kazakhstan's votes on the resolutions of the 11th emergency special session."""

    description: str
    coding: dict[Vote, float]
    model: ModelMap | None
    model_note: str | None = None
    votes: dict[str, UNVote]


class Magnitude(_Strict):
    """A size of an event as printed (volume lost, days suspended, troops...)."""

    what: str
    value: float
    unit: str
    as_printed: str = Field(description="Must appear in one of the event's sources' as_printed")


class Event(_Strict):
    """A dated, sourced event a history scenario can play."""

    start: str
    end: str | None = None
    summary: str
    magnitude: list[Magnitude] = Field(default_factory=list)
    model_note: str | None = None
    sources: list[Source] = Field(min_length=1)

    _dates = field_validator("start", "end", mode="before")(_norm_date)


class History(_Strict):
    """The observed-history file, validated."""

    schema_version: Literal[1]
    name: str
    description: str
    first_year: Literal[2019]
    cutoff_year: Literal[2023]
    series: dict[str, Series]
    un_votes: UNVotes
    events: dict[str, Event]

    def observed(self, series: str, year: int) -> tuple[float, float]:
        """The observed ``(low, high)`` of ``series`` in ``year`` (equal ends if one figure).

        Raises:
            KeyError: for an unknown series or a year without an observation.
        """
        if series not in self.series:
            raise KeyError(f"no series {series!r}; known: {', '.join(sorted(self.series))}")
        obs = self.series[series].observations
        if year not in obs:
            raise KeyError(f"{series} has no observation for {year} (years: {sorted(obs)})")
        return obs[year].bounds

    def years(self, series: str) -> list[int]:
        """The years with an observation of ``series``, ascending."""
        if series not in self.series:
            raise KeyError(f"no series {series!r}")
        return sorted(self.series[series].observations)

    def sources(self) -> list[Source]:
        """Every source in the file (observations, votes and events), in file order."""
        out = [s for se in self.series.values() for o in se.observations.values()
               for s in o.sources]  # fmt: skip
        out += [s for v in self.un_votes.votes.values() for s in v.sources]
        return out + [s for e in self.events.values() for s in e.sources]


def load_history(path: str | Path | None = None) -> History:
    """Load and check an observed-history file (default ``configs/history.yaml``).

    Raises:
        InputError: naming file, line and field, for invalid YAML or schema, anything
            dated after the cutoff year, a figure without a complete source, a range
            whose low is not below its high or lacks a source for an end, a year of
            a series neither observed nor explained under ``missing``, a source
            published before the year it reports, or an event magnitude not found in
            its sources' printed words.
    """
    path = Path(path) if path is not None else DEFAULT_HISTORY
    located = yamlio.load_file(path)
    data = located.data

    def fail(message: str, where: tuple) -> None:
        raise InputError(message, file=path, line=_line(located, where),
                         field=".".join(map(str, where)) or None)  # fmt: skip

    if not isinstance(data, dict):
        raise InputError("expected a mapping with series, un_votes and events", file=path, line=1)
    _check_cutoff(data, fail)
    try:
        history = History.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = tuple(x for x in err["loc"] if x != "[key]")
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            msg = "unknown field"
        elif err["type"] == "missing":
            msg = "required field is missing"
        fail(msg, loc)
    _check_source_dates(history, fail)
    return history


def _line(located: yamlio.Located, where: tuple) -> int | None:
    """The line of ``where``; YAML mapping keys such as years are stored as strings."""
    path: tuple = ()
    for part in where:
        if path + (part,) in located.lines:
            path += (part,)
        elif path + (str(part),) in located.lines:
            path += (str(part),)
        else:
            break
    return located.line_of(path)


def _check_cutoff(data: dict, fail) -> None:
    """Refuse any observation, vote or event dated after the cutoff (before validation)."""
    cutoff = data.get("cutoff_year", CUTOFF_YEAR)
    if cutoff != CUTOFF_YEAR:
        fail(f"cutoff_year must be {CUTOFF_YEAR}: later figures are kept out of sample",
             ("cutoff_year",))  # fmt: skip

    def late(value: Any) -> bool:
        v = _norm_date(value)
        return isinstance(v, str) and bool(_DATE.match(v)) and _year(v) > CUTOFF_YEAR

    why = f"after {CUTOFF_YEAR}: later figures are reserved for out-of-sample checks"
    for sid, s in (data.get("series") or {}).items():
        for year in (s or {}).get("observations") or {}:
            if isinstance(year, int) and year > CUTOFF_YEAR:
                fail(f"observation for {year} is {why}", ("series", sid, "observations", year))
    for rid, v in (((data.get("un_votes") or {}).get("votes")) or {}).items():
        if late((v or {}).get("date")):
            fail(f"vote dated {v['date']} is {why}", ("un_votes", "votes", rid, "date"))
    for eid, e in (data.get("events") or {}).items():
        for key in ("start", "end"):
            if late((e or {}).get(key)):
                fail(f"event {key} {e[key]} is {why}", ("events", eid, key))


def _check_source_dates(h: History, fail) -> None:
    """Every year covered, no source older than its year, every magnitude printed."""
    span = range(h.first_year, h.cutoff_year + 1)
    for sid, s in h.series.items():
        for year in s.missing:
            if year not in span:
                fail(f"missing year {year} is outside {h.first_year}-{h.cutoff_year}",
                     ("series", sid, "missing", year))  # fmt: skip
        gaps = [y for y in span if y not in s.observations and y not in s.missing]
        if gaps:
            fail(f"years {gaps} are neither observed nor listed under 'missing' with the reason",
                 ("series", sid))  # fmt: skip
        for year, o in s.observations.items():
            for i, src in enumerate(o.sources):
                if _year(src.date) < year:
                    fail(f"a source dated {src.date} cannot report the year {year}",
                         ("series", sid, "observations", year, "sources", i, "date"))  # fmt: skip
    for eid, e in h.events.items():
        printed = " ".join(src.as_printed for src in e.sources)
        for i, m in enumerate(e.magnitude):
            if m.as_printed not in printed:
                fail("magnitude as_printed is not in any of the event's sources' as_printed",
                     ("events", eid, "magnitude", i, "as_printed"))  # fmt: skip
