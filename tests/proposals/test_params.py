"""The list's parameter table (proposals.params) and what is derived from it: the
FilterSet, the facet cache key, the TrendCount eligibility, the trend form, the admin's
count shortcut, chips and hidden inputs. A new parameter is one entry plus one
QuerySet method; these tests fail when a derived piece forgets one."""

from __future__ import annotations

import pytest
from django import forms
from django.http import QueryDict

from proposals import facets
from proposals.admin.proposal import TREND_COUNTED_FILTERS, count_from_trends
from proposals.facets import counted_in_aggregates, facet_counts, facet_key
from proposals.filters import ProposalFilter, filterset_for
from proposals.models import Proposal
from proposals.params import PARAMS, Param
from proposals.querysets import ProposalQuerySet
from stats.params import TREND_PARAMS, TrendForm

pytestmark = pytest.mark.django_db

# Two different valid values of every parameter that filters, on the real data. A new
# parameter needs its pair here (test_every_filter_has_examples says so).
EXAMPLES = {
    "q": ("battery", "privacy"),
    "year_min": ("2018", "2020"),
    "year_max": ("2019", "2021"),
    "body": ("npc", "cppcc"),
    "year": ("2021", "2022"),
    "topic": ("mobility", "battery-swapping"),
    "delegate": ("lei-jun", "robin-li"),
    "company": ("xiaomi", "baidu"),
    "status": ("submitted", "adopted"),
    "outcome": ("known", "unknown"),
    "filed_again": ("yes", "no"),
}


def filterset(query: str, table=None) -> ProposalFilter:
    cls = ProposalFilter if table is None else filterset_for(table)
    result = cls(QueryDict(query), queryset=Proposal.objects.visible())
    assert result.is_valid(), result.errors
    return result


def test_every_filter_has_examples():
    assert set(EXAMPLES) == {p.name for p in PARAMS if p.apply}


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_every_parameter_is_in_the_facet_cache_key(real_data, name):
    """Two selections that differ in any one parameter never share cached facets."""
    first, second = EXAMPLES[name]
    keys = {facet_key(filterset(q)) for q in ("", f"{name}={first}", f"{name}={second}")}
    assert len(keys) == 3


def test_order_and_paging_do_not_change_the_facet_key(real_data):
    assert facet_key(filterset("sort=oldest&page=3")) == facet_key(filterset(""))
    assert facet_key(filterset("year=2021&year=2022")) == facet_key(
        filterset("year=2022&year=2021")
    )


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_trendcount_answers_exactly_when_the_table_says_it_can(real_data, monkeypatch, name):
    """A parameter marked as countable in TrendCount gives the facets counting the
    proposals gives; one not marked sends the facets to the proposals."""
    param = next(p for p in PARAMS if p.name == name)
    for value in EXAMPLES[name]:
        selection = filterset(f"{name}={value}")
        if param.counts is None:
            assert not counted_in_aggregates(selection)
            continue
        assert counted_in_aggregates(selection)
        from_table = facet_counts(selection)
        monkeypatch.setattr(facets, "counted_in_aggregates", lambda filterset: False)
        from_proposals = facet_counts(selection)
        monkeypatch.undo()
        assert from_table == from_proposals
        assert from_table.total == selection.qs.count()


def test_the_trend_form_takes_the_lists_own_fields_and_messages(real_data):
    assert {p.name for p in TREND_PARAMS} == {
        "topic",
        "body",
        "delegate",
        "company",
        "year_min",
        "year_max",
    }
    for query, field in (("year_min=abc", "year_min"), ("topic=nope", "topic"), ("body=x", "body")):
        listed = ProposalFilter(QueryDict(query), queryset=Proposal.objects.all())
        trend = TrendForm(QueryDict(query))
        assert not listed.is_valid() and not trend.is_valid()
        assert listed.form.errors[field] == trend.errors[field]


def test_the_admin_count_shortcut_follows_the_table(real_data):
    assert set(TREND_COUNTED_FILTERS) == {"body__exact", "status__exact", "session__year__exact"}
    for params, expected in (
        ("body__exact=npc", Proposal.objects.filter(body="npc").count()),
        # 31 in 2022, one with a known outcome (Robin Li's robotaxis, replied)
        ("session__year__exact=2022&status__exact=submitted", 30),
        ("session__year__exact=abc", None),
        ("delegate__id__exact=1", None),
    ):
        assert count_from_trends(QueryDict(params)) == expected


def test_a_new_parameter_is_one_entry_plus_one_queryset_method(real_data, monkeypatch):
    """Adding `has_summary`: the FilterSet parses and applies it, the facet key and the
    TrendCount rule know it, and the list's form carries it (no facet of its own)."""

    def with_summary(self: ProposalQuerySet, value: str) -> ProposalQuerySet:
        return self.exclude(summary="") if value == "yes" else self.filter(summary="")

    monkeypatch.setattr(ProposalQuerySet, "with_summary", with_summary, raising=False)
    has_summary = Param(
        "has_summary",
        "Has a summary",
        lambda: forms.ChoiceField(choices=[("yes", "Yes"), ("no", "No")]),
        apply="with_summary",
        chip=lambda value: f"Summary: {value}",
        in_form=False,
    )
    table = (*PARAMS, has_summary)
    chosen = filterset("has_summary=yes&year=2022", table)
    assert chosen.qs.count() == Proposal.objects.filter(session_id=2022).exclude(summary="").count()
    assert facet_key(chosen) != facet_key(filterset("year=2022", table))
    assert not counted_in_aggregates(chosen)  # TrendCount cannot count under it
    assert facet_counts(chosen).total == chosen.qs.count()
    assert {"key": "has_summary", "value": "yes", "label": "Summary: yes", "multi": False} in (
        chosen.chips()
    )
    assert chosen.hidden_inputs() == [("has_summary", "yes")]
    bad = filterset_for(table)(QueryDict("has_summary=maybe"), queryset=Proposal.objects.all())
    assert not bad.is_valid() and "has_summary" in bad.errors
    twice = filterset_for(table)(
        QueryDict("has_summary=yes&has_summary=no"), queryset=Proposal.objects.all()
    )
    assert not twice.is_valid() and twice.errors["has_summary"] == ["Give this parameter once."]
