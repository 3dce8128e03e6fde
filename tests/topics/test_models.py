from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db.models import ProtectedError

from tests.factories import ProposalFactory, TopicFactory
from topics.models import Topic

pytestmark = pytest.mark.django_db


def test_tree_has_two_levels():
    mobility = TopicFactory(name="Mobility")
    swapping = TopicFactory(name="Battery swapping", parent=mobility)
    with pytest.raises(ValidationError, match="itself a sub-topic"):
        TopicFactory(name="Swap stations", parent=swapping)
    assert not Topic.objects.filter(name="Swap stations").exists()


def test_parent_with_children_cannot_become_a_child():
    mobility = TopicFactory(name="Mobility")
    TopicFactory(name="Battery swapping", parent=mobility)
    energy = TopicFactory(name="Energy")
    mobility.parent = energy
    with pytest.raises(ValidationError, match="has sub-topics"):
        mobility.save()


def test_colour_must_be_a_hex_code():
    topic = TopicFactory.build(color="red")
    with pytest.raises(ValidationError) as excinfo:
        topic.full_clean()
    assert "color" in excinfo.value.message_dict


def test_topic_in_use_cannot_be_deleted_and_unused_one_can():
    used = TopicFactory()
    ProposalFactory(topics=[used])
    with pytest.raises(ProtectedError):
        used.delete()
    unused = TopicFactory()
    unused.delete()
    assert not Topic.objects.filter(pk=unused.pk).exists()


def test_parent_in_use_as_parent_cannot_be_deleted():
    parent = TopicFactory()
    TopicFactory(parent=parent)
    with pytest.raises(ProtectedError):
        parent.delete()
