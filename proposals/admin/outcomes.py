"""Outcome events in the admin (inline on the proposal, each with its own history and
revert) and the filed-again candidates page, where an editor confirms each link."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from core.admin import TrackedAdmin

from ..candidates import repeat_candidates
from ..models import OutcomeEvent, Proposal
from ..outcomes import Step, parse_partial_date, timeline_problems


class TimelineFormSet(forms.BaseInlineFormSet):
    """The order rules over the whole inline at once: each event's own validation
    sees only the saved events, not the other rows being added with it."""

    def clean(self) -> None:
        super().clean()
        steps = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or self._should_delete_form(form) or not data.get("kind"):
                continue
            when = data.get("when") or ""
            if when and parse_partial_date(when) is None:
                continue  # its field reports it
            steps.append(Step(data["kind"], when))
        year = self.instance.session_id if self.instance else None
        problems = timeline_problems(steps, year)
        if problems:
            raise ValidationError(problems)

    def _construct_form(self, i: int, **kwargs: Any) -> forms.Form:
        form = super()._construct_form(i, **kwargs)
        # The formset checks the timeline as a whole; a row checked alone against the
        # saved rows would refuse a valid reordering made in one save.
        form.instance._timeline_checked = True
        return form


class OutcomeEventInline(admin.StackedInline):
    model = OutcomeEvent
    formset = TimelineFormSet
    extra = 0
    autocomplete_fields = ["source"]
    fields = [("kind", "when"), ("department", "grade"), "law", "source", "caveat", "note"]
    verbose_name = "outcome event"
    verbose_name_plural = "outcome events (what became of it; the status follows them)"


@admin.register(OutcomeEvent)
class OutcomeEventAdmin(TrackedAdmin):
    list_display = ["proposal", "kind", "when", "department"]
    list_filter = ["kind"]
    list_select_related = ["proposal"]
    search_fields = ["proposal__title", "department", "note"]
    autocomplete_fields = ["proposal", "source"]


class RepeatCandidates:
    """The candidates page, mixed into ProposalAdmin."""

    def repeats_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_change_permission(request):
            raise PermissionDenied
        if request.method == "POST":
            later = get_object_or_404(Proposal, pk=request.POST.get("later"))
            earlier = get_object_or_404(Proposal, pk=request.POST.get("earlier"))
            later.repeats = earlier
            try:
                later.full_clean(validate_unique=False, validate_constraints=False)
            except ValidationError as exc:
                messages.error(request, "; ".join(exc.messages))
            else:
                self.record_baseline(Proposal, [later.pk])
                later._change_reason = "Linked as filed again by an editor"
                later.save()
                messages.success(
                    request,
                    _("Linked: “%(later)s” (%(ly)s) files again “%(earlier)s” (%(ey)s).")
                    % {
                        "later": later,
                        "ly": later.session_id,
                        "earlier": earlier,
                        "ey": earlier.session_id,
                    },
                )
            return HttpResponseRedirect(reverse("admin:proposals_proposal_repeats"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Filed again: candidate pairs"),
            "candidates": repeat_candidates(),
        }
        return TemplateResponse(request, "admin/proposals/proposal/repeats.html", context)
