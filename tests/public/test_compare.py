"""/compare/: two to four delegates or companies side by side."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db
URL = "/compare/"


def rows(response) -> dict[str, list[int]]:
    return {r.topic.slug: [n for _, n in r.counts] for r in response.context["comparison"].rows}


def test_two_delegates_side_by_side(client, real_data):
    response = client.get(f"{URL}?delegate=lei-jun&delegate=pony-ma")
    assert response.status_code == 200
    comparison = response.context["comparison"]
    assert [p.name for p in comparison.profiles] == ["Lei Jun", "Pony Ma"]
    assert [p.total for p in comparison.profiles] == [33, 47]
    by_topic = rows(response)
    # Counted through the list's own filter: what each link into the list gives.
    for slug, counts in by_topic.items():
        for person, n in zip(("lei-jun", "pony-ma"), counts, strict=True):
            params = {"delegate": person, "topic": slug}
            assert client.get("/proposals/", params).context["facets"].total == n, (slug, person)
    assert by_topic["mobility"] == [8, 0] and by_topic["culture"] == [0, 5]
    assert {t.slug for t in comparison.shared} == {s for s, c in by_topic.items() if all(c)}
    only = {p.slug: [t.slug for t in topics] for p, topics in comparison.only}
    assert only == {"lei-jun": ["mobility"], "pony-ma": ["culture"]}
    page = response.content.decode()
    assert 'href="/proposals/?delegate=lei-jun&amp;topic=mobility"' in page
    assert 'href="/proposals/?delegate=pony-ma&amp;topic=culture&amp;year=' in page


def test_four_delegates_and_companies_share_one_grid(client, real_data):
    response = client.get(f"{URL}?delegate=lei-jun&delegate=pony-ma&company=baidu&company=xiaomi")
    assert response.status_code == 200
    comparison = response.context["comparison"]
    assert [p.kind for p in comparison.profiles] == ["delegate", "delegate", "company", "company"]
    xiaomi = comparison.profiles[3]
    assert xiaomi.total == 33
    heatmaps = comparison.heatmaps
    assert len({tuple(h.years) for h in heatmaps}) == 1  # one year axis
    assert len({tuple(r.topic.slug for r in h.rows) for h in heatmaps}) == 1
    for h in heatmaps:  # each table adds up to its own totals
        assert sum(h.totals) == h.profile.total
        assert [r.total for r in h.rows] == [sum(c.count for c in r.cells) for r in h.rows]
    assert 'href="/proposals/?company=baidu&amp;topic=' in response.content.decode()


def test_the_bare_page_offers_the_pickers(client, real_data):
    response = client.get(URL)
    page = response.content.decode()
    assert response.status_code == 200 and response.context["comparison"] is None
    assert '<select id="id_delegate" name="delegate" multiple' in page
    assert '<option value="zhou-yunjie">Zhou Yunjie</option>' in page


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("delegate=lei-jun", "delegate", "Compare 2 to 4 delegates or companies (got 1)"),
        ("company=xiaomi", "company", "(got 1)"),
        (
            "delegate=lei-jun&delegate=pony-ma&delegate=robin-li&delegate=ding-lei&company=baidu",
            "delegate",
            "(got 5)",
        ),
        ("delegate=lei-jun&delegate=nobody", "delegate", "No delegate is called “nobody”"),
        ("delegate=lei-jun&company=nothing", "company", "No company is called “nothing”"),
    ],
)
def test_wrong_numbers_and_unknown_slugs_answer_400_naming_the_field(
    client, real_data, query, field, message
):
    response = client.get(f"{URL}?{query}")
    assert response.status_code == 400
    errors = {e.field: e.message for e in response.context["errors"]}
    assert field in errors and message in errors[field], errors


def test_compare_query_count(client, django_assert_num_queries, real_data):
    client.get("/topics/")  # a running site has the topic tree cached
    # 2 lookups, one profile query per person, the two pickers, one echo query per
    # person and the priorities (cached from then on).
    with django_assert_num_queries(2 + 4 + 2 + 4 + 1):
        client.get(f"{URL}?delegate=lei-jun&delegate=pony-ma&company=baidu&company=xiaomi")
    with django_assert_num_queries(1 + 2):  # the pickers are cached by now
        client.get(f"{URL}?delegate=lei-jun&delegate=pony-ma")


def test_compare_gives_each_person_the_echo_figures_of_their_own_page(client, real_data):
    response = client.get(f"{URL}?delegate=lei-jun&company=xiaomi")
    shown = {(row["kind"], row["record"].slug): row for row in response.context["echoes"]}
    for kind, slug in (("delegate", "lei-jun"), ("company", "xiaomi")):
        data = client.get("/trends/echo.json", {kind: slug}).json()
        row = shown[(kind, slug)]
        assert (row["proposals"], row["echo"], row["ahead"]) == (
            data["proposals"],
            data["echo"],
            data["ahead"],
        )
    page = response.content.decode()
    assert (
        "Echoes of the government&#x27;s goals" in page
        or "Echoes of the government's goals" in page
    )
