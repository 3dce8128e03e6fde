"""Small things on the list an analyst meets: empty parameters, plurals, and error
messages that use the names on the form."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db
URL = "/proposals/"


def test_empty_parameters_redirect_to_the_address_without_them(client, real_data):
    response = client.get(f"{URL}?q=&sort=&year_min=&year_max=&year=2022&topic=&body=npc")
    assert response.status_code == 302
    assert response["Location"] == f"{URL}?year=2022&body=npc"
    only_empty = client.get(f"{URL}?q=&sort=")
    assert only_empty.status_code == 302 and only_empty["Location"] == URL
    assert client.get(response["Location"]).status_code == 200
    assert client.get(f"{URL}?year=2022").status_code == 200  # nothing to drop


def test_the_form_drops_empty_controls_before_submitting(client, real_data):
    page = client.get(URL).content.decode()
    assert '<script type="module" src="/static/js/filters.js"></script>' in page


def test_one_result_is_singular(client, real_data):
    page = client.get(f"{URL}?topic=e-waste").content.decode()
    assert ">1 result</h2>" in page
    assert "Download this row:" in page and "these 1 rows" not in page
    many = client.get(f"{URL}?topic=battery-swapping").content.decode()
    assert ">3 results</h2>" in many and "Download these 3 rows:" in many


def test_a_400_names_each_field_by_its_label(client, real_data):
    page = client.get(f"{URL}?year_min=2022&year_max=2013").content.decode()
    assert "To year (<code>year_max</code>): “To year” (2013) is before “From year” (2022)" in page
    response = client.get("/trends/topics.json?year_min=2022&year_max=2013")
    assert response.json()["errors"][0]["field"] == "year_max"
