"""RSS and Atom feeds of the newest proposals: all, per topic, per delegate."""

from __future__ import annotations

from datetime import datetime

from django.contrib.syndication.views import Feed
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext, gettext_lazy

from core.languages import localized_text
from delegates.models import Delegate
from proposals.models import Proposal
from proposals.querysets import ProposalQuerySet
from topics.models import Topic
from topics.tree import topic_tree

FEED_SIZE = 30


def _newest(queryset: ProposalQuerySet) -> ProposalQuerySet:
    return (
        queryset.select_related("delegate")
        .prefetch_related("topics")
        .order_by("-session_id", "-created_at", "-pk")[:FEED_SIZE]
    )


class LatestProposalsFeed(Feed):
    title = gettext_lazy("Two Sessions Tracker: newest proposals")
    description = gettext_lazy(
        "Proposals and suggestions by China's tech leaders at the two sessions."
    )

    def link(self) -> str:
        return reverse("public:proposal-list")

    def items(self) -> ProposalQuerySet:
        return _newest(Proposal.objects.visible())

    def item_title(self, item: Proposal) -> str:
        return gettext("%(title)s (%(name)s, %(year)s %(body)s)") % {
            "title": localized_text(item, "title"),
            "name": localized_text(item.delegate, "name"),
            "year": item.session_id,
            "body": item.get_body_display(),
        }

    def item_description(self, item: Proposal) -> str:
        return localized_text(item, "summary")

    def item_pubdate(self, item: Proposal) -> datetime:
        return item.created_at

    def item_updateddate(self, item: Proposal) -> datetime:
        return item.updated_at

    def item_author_name(self, item: Proposal) -> str:
        return localized_text(item.delegate, "name")

    def item_categories(self, item: Proposal) -> list[str]:
        return [localized_text(t, "name") for t in item.topics.all()]


class LatestProposalsAtomFeed(LatestProposalsFeed):
    feed_type = Atom1Feed
    subtitle = LatestProposalsFeed.description


class TopicFeed(LatestProposalsFeed):
    def get_object(self, request: HttpRequest, slug: str) -> Topic:
        return get_object_or_404(Topic.objects.visible(), slug=slug)

    def title(self, obj: Topic) -> str:
        return gettext("Two Sessions Tracker: %(name)s") % {"name": localized_text(obj, "name")}

    def description(self, obj: Topic) -> str:
        return gettext("Newest proposals on %(name)s, sub-topics included.") % {
            "name": localized_text(obj, "name")
        }

    def link(self, obj: Topic) -> str:
        return obj.get_absolute_url()

    def items(self, obj: Topic) -> ProposalQuerySet:
        return _newest(Proposal.objects.visible().in_topics([topic_tree().by_id[obj.pk]]))


class TopicAtomFeed(TopicFeed):
    feed_type = Atom1Feed

    def subtitle(self, obj: Topic) -> str:
        return self.description(obj)


class DelegateFeed(LatestProposalsFeed):
    def get_object(self, request: HttpRequest, slug: str) -> Delegate:
        return get_object_or_404(Delegate.objects.visible(), slug=slug)

    def title(self, obj: Delegate) -> str:
        return gettext("Two Sessions Tracker: %(name)s") % {"name": localized_text(obj, "name")}

    def description(self, obj: Delegate) -> str:
        return gettext("Newest proposals and suggestions by %(name)s.") % {
            "name": localized_text(obj, "name")
        }

    def link(self, obj: Delegate) -> str:
        return obj.get_absolute_url()

    def items(self, obj: Delegate) -> ProposalQuerySet:
        return _newest(Proposal.objects.visible().by_delegate(obj))


class DelegateAtomFeed(DelegateFeed):
    feed_type = Atom1Feed

    def subtitle(self, obj: Delegate) -> str:
        return self.description(obj)
