"""core.urls builds record links without the resolver: they must be what reverse()
gives, in both languages, for every kind of record."""

from __future__ import annotations

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import translation

from core.urls import page_url, record_url
from delegates.models import AnnualSession, Company, Delegate
from proposals.models import Proposal
from topics.models import Topic

pytestmark = pytest.mark.django_db

ROUTES = [
    ("public:proposal-detail", Proposal, "pk"),
    ("public:delegate-detail", Delegate, "slug"),
    ("public:company-detail", Company, "slug"),
    ("public:session-detail", AnnualSession, "year"),
    ("public:topic-detail", Topic, "slug"),
]


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_record_links_are_what_reverse_gives(real_data, language):
    with translation.override(language):
        for name, model, field in ROUTES:
            for value in model.objects.values_list(field, flat=True):
                assert record_url(name, value) == reverse(name, args=[value])
            record = model.objects.first()
            assert record.get_absolute_url() == reverse(name, args=[getattr(record, field)])
        assert page_url("public:proposal-list") == reverse("public:proposal-list")


def test_each_language_has_its_own_links():
    with translation.override("en"):
        english = record_url("public:topic-detail", "ai")
    with translation.override("zh-hans"):
        chinese = record_url("public:topic-detail", "ai")
    assert (english, chinese) == ("/topics/ai/", "/zh-hans/topics/ai/")


def test_a_value_that_is_no_plain_slug_goes_through_reverse():
    # reverse() quotes it, or refuses it when the route's converter would.
    with pytest.raises(Exception, match="Reverse"):
        record_url("public:delegate-detail", "two words")


@override_settings(FORCE_SCRIPT_NAME="/tracker/")
def test_the_script_prefix_is_part_of_the_link(real_data):
    from django.urls import set_script_prefix

    set_script_prefix("/tracker/")
    try:
        assert record_url("public:topic-detail", "ai") == "/tracker/topics/ai/"
    finally:
        set_script_prefix("/")
