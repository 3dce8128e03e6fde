"""RSS and Atom feeds of the newest proposals: all, per topic, per delegate.

Every feed takes the proposal list's query string (the same ProposalFilter, from the
parameter table), so a feed link copied from a filtered list follows that filter, and
a bad value answers the data endpoints' 400. Items are dated by filing: the session's
opening day, else the first source's date, else 1 January of the session's year (never
the day the data was loaded). Titles and summaries are sent as plain text: escaped for
RSS, whose readers treat an item's text as HTML, and typed "text" in Atom, so markup
in a summary reaches a reader as the characters it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from django.contrib.syndication.views import Feed
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape
from django.utils.translation import gettext, gettext_lazy

from core.errors import data_400
from core.templatetags.tracker import localized_text
from delegates.models import Delegate
from proposals.filters import ProposalFilter
from proposals.models import Proposal
from proposals.querysets import ProposalQuerySet
from topics.models import Topic
from topics.tree import topic_tree

FEED_SIZE = 30


class PlainTextAtom1Feed(Atom1Feed):
    """Atom with each entry's summary typed as text (Django types it "html")."""

    def add_item_elements(self, handler: Any, item: dict[str, Any]) -> None:
        summary = item["description"]
        super().add_item_elements(handler, {**item, "description": None})
        if summary:
            handler.addQuickElement("summary", summary, {"type": "text"})


@dataclass(frozen=True)
class Selection:
    """What a feed shows: its record (a topic, a delegate, or None for all) and the
    list filters of the request, validated."""

    record: Any
    filterset: Any
    query: str


def filing_date(proposal: Proposal) -> datetime:
    """When the proposal was filed, as best the data knows (see the module docstring)."""
    day = proposal.session.opens_on
    if day is None:
        dated = [s.published_on for s in proposal.sources.all() if s.published_on]
        day = dated[0] if dated else date(proposal.session_id, 1, 1)
    return timezone.make_aware(datetime.combine(day, time.min))


class LatestProposalsFeed(Feed):
    title = gettext_lazy("Two Sessions Tracker: newest proposals")
    description = gettext_lazy(
        "Proposals and suggestions by China's tech leaders at the two sessions."
    )

    def __call__(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        filterset = ProposalFilter(request.GET, queryset=Proposal.objects.visible())
        if not filterset.is_valid():
            return data_400(filterset.error_list)
        return super().__call__(request, *args, **kwargs)

    def record(self, request: HttpRequest, **kwargs: Any) -> Any:
        return None

    def get_object(self, request: HttpRequest, **kwargs: Any) -> Selection:
        record = self.record(request, **kwargs)
        filterset = ProposalFilter(request.GET, queryset=self.proposals(record))
        filterset.is_valid()  # checked in __call__
        query = request.GET.urlencode()
        return Selection(record, filterset, f"?{query}" if query else "")

    def proposals(self, record: Any) -> ProposalQuerySet:
        return Proposal.objects.visible()

    def items(self, obj: Selection) -> ProposalQuerySet:
        return (
            obj.filterset.qs.select_related("delegate", "session")
            .prefetch_related("topics", "sources")
            .order_by("-session_id", "-pk")[:FEED_SIZE]
        )

    def link(self, obj: Selection) -> str:
        return reverse("public:proposal-list") + obj.query

    def _text(self, value: str) -> str:
        return value if issubclass(self.feed_type, Atom1Feed) else escape(value)

    def item_title(self, item: Proposal) -> str:
        return self._text(
            gettext("%(title)s (%(name)s, %(year)s %(body)s)")
            % {
                "title": localized_text(item, "title"),
                "name": item.delegate.name,
                "year": item.session_id,
                "body": item.get_body_display(),
            }
        )

    def item_description(self, item: Proposal) -> str:
        return self._text(localized_text(item, "summary"))

    def item_pubdate(self, item: Proposal) -> datetime:
        return filing_date(item)

    def item_author_name(self, item: Proposal) -> str:
        return item.delegate.name

    def item_categories(self, item: Proposal) -> list[str]:
        return [t.name for t in item.topics.all()]


class LatestProposalsAtomFeed(LatestProposalsFeed):
    feed_type = PlainTextAtom1Feed
    subtitle = LatestProposalsFeed.description


class TopicFeed(LatestProposalsFeed):
    def record(self, request: HttpRequest, **kwargs: Any) -> Topic:
        return get_object_or_404(Topic.objects.visible(), slug=kwargs["slug"])

    def proposals(self, record: Topic) -> ProposalQuerySet:
        return Proposal.objects.visible().in_topics([topic_tree().by_id[record.pk]])

    def title(self, obj: Selection) -> str:
        return gettext("Two Sessions Tracker: %(name)s") % {
            "name": localized_text(obj.record, "name")
        }

    def description(self, obj: Selection) -> str:
        return gettext("Newest proposals on %(name)s, sub-topics included.") % {
            "name": localized_text(obj.record, "name")
        }

    def link(self, obj: Selection) -> str:
        return obj.record.get_absolute_url()


class TopicAtomFeed(TopicFeed):
    feed_type = PlainTextAtom1Feed

    def subtitle(self, obj: Selection) -> str:
        return self.description(obj)


class DelegateFeed(LatestProposalsFeed):
    def record(self, request: HttpRequest, **kwargs: Any) -> Delegate:
        return get_object_or_404(Delegate.objects.visible(), slug=kwargs["slug"])

    def proposals(self, record: Delegate) -> ProposalQuerySet:
        return Proposal.objects.visible().by_delegate(record)

    def title(self, obj: Selection) -> str:
        return gettext("Two Sessions Tracker: %(name)s") % {
            "name": localized_text(obj.record, "name")
        }

    def description(self, obj: Selection) -> str:
        return gettext("Newest proposals and suggestions by %(name)s.") % {"name": obj.record}

    def link(self, obj: Selection) -> str:
        return obj.record.get_absolute_url()


class DelegateAtomFeed(DelegateFeed):
    feed_type = PlainTextAtom1Feed

    def subtitle(self, obj: Selection) -> str:
        return self.description(obj)
