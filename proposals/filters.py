"""The proposal list's FilterSet, built from the parameter table (params.py): one
filter per parameter, shared by the list, the exports, the feeds and the topic pages,
so every view of the data accepts the same query string."""

from __future__ import annotations

import copy
from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet

from core.errors import FieldError, form_errors

from .models import Proposal
from .params import PARAMS, Param, ParamsForm, Sort, make_field, url_value
from .querysets import ProposalQuerySet


class TableFilter(django_filters.Filter):
    """A filter whose field and queryset method come from its Param."""

    def __init__(self, param: Param) -> None:
        self.param = param
        super().__init__(field_name=param.name, label=param.label, method=self.apply_param)

    @property
    def field(self) -> forms.Field:
        if not hasattr(self, "_field"):
            self._field = make_field(self.param)
        return self._field

    def __deepcopy__(self, memo: dict[int, Any]) -> TableFilter:
        # Every FilterSet deep-copies its filters, and copying each Param's choices and
        # field was a tenth of a first visit's Python. A TableFilter holds no state of
        # its own but the parent and model each FilterSet sets on its copy, and a form
        # deep-copies the fields it is given, so a shallow copy sharing one field will do.
        self.field  # noqa: B018 - made once, on the class's filter, for every copy
        copied = copy.copy(self)
        memo[id(self)] = copied
        return copied

    def apply_param(self, queryset: ProposalQuerySet, name: str, value: Any) -> QuerySet:
        if self.param.apply is None:
            return queryset  # not a filter (the sort is applied by `sorted_qs`)
        return getattr(queryset, self.param.apply)(value)


class _ProposalFilterBase(django_filters.FilterSet):
    #: The parameter table this FilterSet is built from (see `filterset_for`).
    table: tuple[Param, ...] = ()

    @property
    def sort_order(self) -> str:
        # A search lists the best matches first unless another order is asked for.
        data = self.form.cleaned_data
        chosen = data.get("sort") or (Sort.RELEVANCE if data.get("q") else Sort.NEWEST)
        if chosen == Sort.RELEVANCE and not data.get("q"):
            return Sort.NEWEST
        return chosen

    def sorted_qs(self, order: str | None = None) -> ProposalQuerySet:
        """The filtered queryset in `order` (a Sort value), by default `sort_order`."""
        qs: ProposalQuerySet = self.qs
        return {
            Sort.NEWEST: qs.newest_first,
            Sort.OLDEST: qs.oldest_first,
            Sort.RELEVANCE: qs.by_relevance,
            Sort.DELEGATE: qs.by_delegate_name,
        }[order or self.sort_order]()

    def qs_without(self, *names: str) -> ProposalQuerySet:
        """The queryset with every valid filter applied except `names`: what a facet
        counts, so each option shows what choosing it would give."""
        data = self.form.cleaned_data
        by_name = {p.name: p for p in self.table}
        if not any(by_name[n].values(data.get(n)) for n in names if n in by_name):
            # None of them is given: the filtered queryset as built once (building
            # one again for every facet cost more Python than its SQL took).
            return self.qs.all()
        queryset = self.queryset.all()
        for name, value in self.form.cleaned_data.items():
            if name not in names:
                queryset = self.filters[name].filter(queryset, value)
        return queryset

    def active(self) -> list[tuple[Param, Any]]:
        """(param, cleaned value) of every parameter given, in table order."""
        data = self.form.cleaned_data
        return [(p, data.get(p.name)) for p in self.table if p.values(data.get(p.name))]

    def selected(self) -> dict[str, Any]:
        """The active parameters by name, for headings and the form."""
        return {param.name: value for param, value in self.active()}

    def chips(self) -> list[dict[str, Any]]:
        """One removable chip per active filter value, labelled as people read it."""
        return [
            {
                "key": param.name,
                "value": url_value(value),
                "label": param.chip(value),
                "multi": param.multi,
            }
            for param, cleaned in self.active()
            if param.chip is not None
            for value in param.values(cleaned)
        ]

    def hidden_inputs(self) -> list[tuple[str, str]]:
        """(name, value) of active parameters the form has no control for, so that
        pressing Apply keeps them."""
        return [
            (param.name, url_value(value))
            for param, cleaned in self.active()
            if not param.in_form
            for value in param.values(cleaned)
        ]

    @property
    def error_list(self) -> list[FieldError]:
        return form_errors(self.form)


def filterset_for(table: tuple[Param, ...]) -> type[_ProposalFilterBase]:
    """A FilterSet class with one filter per parameter of `table`, whose form applies
    the table's shared rules."""
    form = type("ProposalFilterForm", (ParamsForm,), {"table_params": table})
    meta = type("Meta", (), {"model": Proposal, "fields": [], "form": form})
    filters = {param.name: TableFilter(param) for param in table}
    return type(
        "ProposalFilter",
        (_ProposalFilterBase,),
        {"__module__": __name__, "Meta": meta, "table": table, **filters},
    )


ProposalFilter = filterset_for(PARAMS)
