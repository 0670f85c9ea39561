"""The observed-history file: schema, sources for every figure, nothing after 2023."""

from __future__ import annotations

import re

import pytest

from simulate.analysis.history import CUTOFF_YEAR, DEFAULT_HISTORY, History, load_history
from simulate.errors import InputError

TEXT = DEFAULT_HISTORY.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def history() -> History:
    return load_history()


def all_observations(h: History):
    for sid, s in h.series.items():
        for year, o in s.observations.items():
            yield sid, year, o


def test_the_shipped_file_validates(history):
    assert history.schema_version == 1
    assert history.cutoff_year == CUTOFF_YEAR == 2023
    assert load_history(DEFAULT_HISTORY) == history
    assert sum(1 for _ in all_observations(history)) >= 30
    assert {"trade_russia", "trade_china", "trade_eu", "oil_route_cpc", "corridor_volume",
            "fdi_inflow_russia"} <= set(history.series)  # fmt: skip


def test_every_figure_has_a_complete_source(history):
    for sid, year, o in all_observations(history):
        assert o.sources, (sid, year)
        for s in o.sources:
            where = (sid, year, s.publisher)
            assert s.publisher.strip() and s.title.strip() and s.url, where
            assert re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", s.date), where
            # the figure as printed carries digits or a number word, and was published
            # no earlier than the year it reports
            assert re.search(r"\d|milion|milione|milliard", s.as_printed), where
            assert int(s.date[:4]) >= year, where


def test_events_and_votes_are_sourced(history):
    for eid, e in history.events.items():
        assert e.sources and all(s.as_printed and s.publisher and s.date for s in e.sources), eid
        printed = " ".join(s.as_printed for s in e.sources)
        for m in e.magnitude:
            assert m.as_printed in printed, (eid, m.what)
    for rid, v in history.un_votes.votes.items():
        assert v.sources, rid


def test_nothing_after_2023(history):
    for sid, year, _ in all_observations(history):
        assert year <= 2023, (sid, year)
    for rid, v in history.un_votes.votes.items():
        assert int(v.date[:4]) <= 2023, rid
    for eid, e in history.events.items():
        assert int(e.start[:4]) <= 2023 and (e.end is None or int(e.end[:4]) <= 2023), eid


def test_every_year_is_observed_or_explained(history):
    for sid, s in history.series.items():
        for year in range(2019, 2024):
            assert year in s.observations or s.missing.get(year, "").strip(), (sid, year)


def test_ranges_carry_a_source_for_each_end(history):
    ranges = [(sid, y, o) for sid, y, o in all_observations(history) if o.value is None]
    assert len(ranges) >= 5
    for sid, year, o in ranges:
        assert o.low < o.high, (sid, year)
        assert {s.side for s in o.sources} == {"low", "high"}, (sid, year)


def test_china_trade_keeps_both_statistics_as_a_range(history):
    for year in (2021, 2022, 2023):
        low, high = history.observed("trade_china", year)
        assert high - low > 5, year  # China's customs figure is far above Kazakhstan's


def test_un_votes_are_yes_no_or_abstain_and_name_kazakhstan(history):
    votes = history.un_votes.votes
    assert set(votes) == {f"ES-11/{i}" for i in range(1, 7)}
    assert set(history.un_votes.coding) == {"yes", "no", "abstain"}
    for rid, v in votes.items():
        assert v.vote in ("yes", "no", "abstain"), rid
        assert any(re.search(r"Kazakh|Казах|Қазақ", s.as_printed) for s in v.sources), rid
    assert votes["ES-11/3"].vote == "no"
    assert votes["ES-11/1"].vote == "abstain"


def test_the_known_events_are_recorded(history):
    assert {"war_and_sanctions_2022_02", "csto_deployment_2022_01",
            "cpc_court_suspension_2022_07", "cpc_storm_damage_2022_03",
            "export_controls_2023", "druzhba_to_germany_2023",
            "freight_rerouting_2022"} <= set(history.events)  # fmt: skip
    court = history.events["cpc_court_suspension_2022_07"]
    assert (court.start, court.end) == ("2022-07-06", "2022-07-11")


def test_unmapped_series_say_why(history):
    for sid, s in history.series.items():
        assert s.model is not None or (s.model_note or "").strip(), sid


def test_observed_and_years_helpers(history):
    assert history.observed("oil_exports_total", 2022) == (64.3, 64.3)
    assert history.observed("trade_russia", 2022) == (24.3, 26.1)
    assert history.years("trade_russia") == [2021, 2022, 2023]
    with pytest.raises(KeyError, match="no series"):
        history.observed("gdp", 2022)
    with pytest.raises(KeyError, match="no observation for 2019"):
        history.observed("trade_russia", 2019)


def line_of(text: str, snippet: str) -> int:
    """1-based line where ``snippet`` starts in ``text`` (it must occur once)."""
    assert text.count(snippet) == 1, snippet
    return text[: text.index(snippet)].count("\n") + 1


def mutated(tmp_path, old: str, new: str) -> tuple:
    assert TEXT.count(old) >= 1, old
    text = TEXT.replace(old, new, 1)
    path = tmp_path / "history.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_history(path)
    assert err.value.file == str(path)
    return err.value, text


def test_a_2024_figure_is_refused(tmp_path):
    old = "      2023:\n        low: 31.4"
    err, text = mutated(tmp_path, old, old.replace("2023", "2024"))
    assert "2024" in err.message and "after 2023" in err.message
    assert err.line == line_of(text, "      2024:\n")


def test_an_event_after_2023_is_refused(tmp_path):
    err, text = mutated(tmp_path, 'start: "2023-10-19"', 'start: "2024-01-10"')
    assert "after 2023" in err.message
    assert err.line == line_of(text, 'start: "2024-01-10"')


def test_a_source_without_publisher_is_refused(tmp_path):
    old = '          - publisher: The Astana Times\n            title: "kazakhstan-exceeds-oil'
    err, text = mutated(tmp_path, old, '          - title: "kazakhstan-exceeds-oil')
    assert "missing" in err.message
    assert err.field == "series.oil_exports_total.observations.2022.sources.0.publisher"
    assert err.line == line_of(text, '          - title: "kazakhstan-exceeds-oil')


def test_a_figure_without_sources_is_refused(tmp_path):
    old = "        value: 64.3\n        sources:\n"
    i = TEXT.index(old) + len(old)
    end = TEXT.index("      2023:\n        value: 70.5", i)
    path = tmp_path / "history.yaml"
    text = TEXT[: TEXT.index(old)] + "        value: 64.3\n        sources: []\n" + TEXT[end:]
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_history(path)
    assert err.value.file == str(path) and "sources" in err.value.field
    assert err.value.line == line_of(text, "        sources: []\n")


def test_a_range_with_low_not_below_high_is_refused(tmp_path):
    err, text = mutated(tmp_path, "        low: 24.1\n        high: 31.2",
                        "        low: 31.2\n        high: 24.1")  # fmt: skip
    assert "low (31.2) must be below high (24.1)" in err.message
    assert err.line == line_of(text, "        low: 31.2\n") - 1  # the year key above it


def test_a_range_without_a_source_for_one_end_is_refused(tmp_path):
    old = "          - side: low\n            publisher: MENAFN (AzerNews)"
    err, _ = mutated(tmp_path, old, old.replace("low", "high"))
    assert "source for its low end" in err.message
    assert err.field == "series.corridor_volume.observations.2023"


def test_a_source_published_before_the_year_it_reports_is_refused(tmp_path):
    err, text = mutated(tmp_path, 'date: "2024-02-23"', 'date: "2022-12-01"')
    assert "cannot report the year 2023" in err.message
    assert err.line == line_of(text, 'date: "2022-12-01"')


def test_a_vote_other_than_yes_no_abstain_is_refused(tmp_path):
    err, text = mutated(tmp_path, 'vote: "no"', "vote: against")
    assert err.field == "un_votes.votes.ES-11/3.vote"
    assert err.line == line_of(text, "vote: against")


def test_an_event_size_not_in_its_sources_is_refused(tmp_path):
    old = 'as_printed: "We have completely banned the export to Russia of 106 goods'
    err, text = mutated(tmp_path, old, old.replace("106", "107"))
    assert "not in any of the event's sources" in err.message
    assert err.line == line_of(text, "of 107 goods")


def test_an_unexplained_gap_is_refused(tmp_path):
    old = "      2019: not found (a source gives only"
    err, text = mutated(tmp_path, old, "      2018: not found (a source gives only")
    assert "missing year 2018 is outside 2019-2023" in err.message
    assert err.line == line_of(text, "      2018: not found")
    err, text = mutated(tmp_path, old, "      # 2019: not found (a source gives only")
    assert "years [2019] are neither observed nor listed" in err.message
    assert err.field == "series.trade_russia"
    assert err.line == line_of(text, "  trade_russia:\n")


def test_invalid_yaml_names_the_line(tmp_path):
    path = tmp_path / "history.yaml"
    path.write_text("schema_version: 1\nseries: [\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_history(path)
    assert err.value.file == str(path) and err.value.line is not None
