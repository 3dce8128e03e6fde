"""The government's priorities: the real data, the import command and the admin's
import as an editor uses it, and bad files reported by line and column with nothing
written."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count

from core.editors import EDITORS_GROUP
from delegates.models import AnnualSession
from demo.priorities import PRIORITIES_PATH
from government.importing import HEADER, import_priorities
from government.models import GovernmentPriority
from proposals.admin import imports as proposal_uploads
from proposals.models import Source
from tests.factories import AnnualSessionFactory, TopicFactory

pytestmark = pytest.mark.django_db
URL = "/admin/government/governmentpriority/import/"


@pytest.fixture(autouse=True)
def upload_dir(tmp_path, monkeypatch):
    monkeypatch.setattr(proposal_uploads, "UPLOAD_DIR", tmp_path / "imports")
    return tmp_path / "imports"


@pytest.fixture
def small_world(db):
    AnnualSessionFactory(year=2024)
    AnnualSessionFactory(year=2025)
    TopicFactory(slug="ai", name="AI")
    TopicFactory(slug="llm", name="LLM")


def csv_bytes(*rows: str) -> bytes:
    return (",".join(HEADER) + "\n" + "".join(r + "\n" for r in rows)).encode()


GOOD = (
    "2024,'AI+' action (first time),开展“人工智能+”行动,ai;llm,https://example.org/a,A,Xinhua,2024-03-05",
    "2025,Embodied intelligence,具身智能,ai,https://example.org/b,,,",
)


def _state() -> tuple:
    return (
        sorted(GovernmentPriority.objects.values_list("session_id", "text_en", "first_named")),
        Source.objects.count(),
    )


def test_real_priorities_counts_and_named_records(real_data):
    assert GovernmentPriority.objects.count() == 60
    counts = dict(
        AnnualSession.objects.filter(priorities__isnull=False)
        .values_list("year")
        .annotate(n=Count("priorities"))
    )
    assert counts[2013] == 1 and counts[2023] == 3 and counts[2024] == 9 and counts[2025] == 9
    ai_plus = GovernmentPriority.objects.get(session_id=2024, text_en__startswith="'AI+' action")
    assert ai_plus.first_named
    assert "人工智能+" in ai_plus.text_zh
    assert "ai" in set(ai_plus.topics.values_list("slug", flat=True))
    assert ai_plus.sources.count() == 1
    # The "(first time)" notes: AI 2017, industrial internet 2018, Intelligence+ 2019...
    first = GovernmentPriority.objects.filter(first_named=True)
    assert {2017, 2018, 2019, 2020, 2021, 2024} <= set(first.values_list("session_id", flat=True))
    assert not GovernmentPriority.objects.filter(topics__isnull=True).exists()
    assert not GovernmentPriority.objects.filter(sources__isnull=True).exists()


def test_import_command_loads_the_real_file_and_is_idempotent(real_data):
    GovernmentPriority.objects.all().delete()
    out = io.StringIO()
    call_command("import_priorities", str(PRIORITIES_PATH), stdout=out)
    assert "60 created" in out.getvalue()
    assert GovernmentPriority.objects.count() == 60
    before = _state()
    out = io.StringIO()
    call_command("import_priorities", str(PRIORITIES_PATH), stdout=out)
    assert "0 created, 0 updated, 60 unchanged" in out.getvalue()
    assert _state() == before


def test_import_updates_a_changed_row_and_records_history(small_world, tmp_path):
    path = tmp_path / "p.csv"
    path.write_bytes(csv_bytes(*GOOD))
    call_command("import_priorities", str(path), stdout=io.StringIO())
    path.write_bytes(csv_bytes(GOOD[0].replace("ai;llm", "llm"), GOOD[1]))
    out = io.StringIO()
    call_command("import_priorities", str(path), stdout=out)
    assert "0 created, 1 updated, 1 unchanged" in out.getvalue()
    changed = GovernmentPriority.objects.get(session_id=2024)
    assert list(changed.topics.values_list("slug", flat=True)) == ["llm"]
    assert changed.first_named  # "(first time)" in the text
    assert not GovernmentPriority.objects.get(session_id=2025).first_named
    assert changed.history.count() >= 2


def test_bad_file_reports_every_row_with_line_and_column_and_writes_nothing(small_world, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(
        csv_bytes(
            GOOD[0],
            "2019,Old,旧,ai,https://example.org/c,,,",  # no 2019 session
            "2024,Unknown topic,,quantum,https://example.org/d,,,",
            "twenty,No year,,ai,not-a-url,,,2024-13-01",
            GOOD[0],  # the same priority twice
        )
    )
    before = _state()
    err = io.StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_priorities", str(path), stdout=io.StringIO(), stderr=err)
    text = err.getvalue()
    assert "line 3, column year ('2019'): no session that year" in text
    assert "line 4, column topics ('quantum'): no topic with this slug" in text
    assert "line 5, column year ('twenty'): not a year" in text
    assert "line 5, column source_url ('not-a-url')" in text
    assert "line 5, column source_date ('2024-13-01'): use YYYY-MM-DD" in text
    assert "line 6, column priority_en" in text and "the same priority as line 2" in text
    assert _state() == before  # the good first row was not written either


def test_wrong_header_and_non_utf8_are_refused(small_world):
    report = import_priorities(io.BytesIO(b"year,title\n2024,x\n"), name="x.csv")
    assert not report.ok and report.problems[0].line == 1
    report = import_priorities(io.BytesIO(csv_bytes(GOOD[0]) + b"\xff\xfe\n"), name="y.csv")
    assert not report.ok and report.problems[0].reason == "not UTF-8 text"
    assert not GovernmentPriority.objects.exists()


def test_dry_run_writes_nothing(small_world):
    report = import_priorities(io.BytesIO(csv_bytes(*GOOD)), name="p.csv", dry_run=True)
    assert report.ok and report.created == 2 and report.sources_created == 2
    assert _state() == ([], 0)


def test_editors_may_add_change_and_import_priorities_but_not_delete(editor):
    perms = set(
        Group.objects.get(name=EDITORS_GROUP).permissions.values_list("codename", flat=True)
    )
    assert {
        "add_governmentpriority",
        "change_governmentpriority",
        "view_governmentpriority",
        "import_priorities",
    } <= perms
    assert "delete_governmentpriority" not in perms
    assert editor.has_perm("government.import_priorities")
    assert not editor.is_superuser


def test_editor_imports_in_the_admin_through_preview_and_confirm(
    small_world, editor_client, upload_dir
):
    page = editor_client.get("/admin/government/governmentpriority/").content.decode()
    assert f'href="{URL}"' in page
    assert editor_client.get(URL).status_code == 200
    preview = editor_client.post(
        URL, {"file": SimpleUploadedFile("p.csv", csv_bytes(*GOOD), content_type="text/csv")}
    )
    assert preview.status_code == 200
    assert preview.context["report"].created == 2
    assert not GovernmentPriority.objects.exists()  # nothing until confirmed
    token = preview.context["confirm_token"]
    done = editor_client.post(URL, {"token": token, "confirm": "1"})
    assert done.status_code == 302
    assert GovernmentPriority.objects.count() == 2
    first = GovernmentPriority.objects.get(session_id=2024)
    assert first.history.first().history_user.username == "editor"
    # The token is spent: confirming again imports nothing more.
    again = editor_client.post(URL, {"token": token, "confirm": "1"})
    assert again.status_code == 302 and GovernmentPriority.objects.count() == 2
    assert not list(upload_dir.glob("*.upload"))


def test_admin_import_of_a_bad_file_lists_problems_and_offers_no_confirm(
    small_world, editor_client
):
    bad = csv_bytes("2024,X,,nope,https://example.org/x,,,")
    response = editor_client.post(
        URL, {"file": SimpleUploadedFile("bad.csv", bad, content_type="text/csv")}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "nope" in page and "no topic with this slug" in page
    assert response.context["confirm_token"] is None
    assert not GovernmentPriority.objects.exists()


def test_admin_import_recognises_a_proposals_file_by_its_header(small_world, editor_client):
    from proposals.interchange import COLUMNS

    data = (",".join(COLUMNS) + "\n").encode()
    response = editor_client.post(
        URL, {"file": SimpleUploadedFile("s.csv", data, content_type="text/csv")}
    )
    assert "This is a proposals file" in response.content.decode()


def test_the_public_cannot_reach_the_import(client):
    assert client.get(URL).status_code == 302  # to the admin's login


def test_priority_history_is_shown_to_editors(small_world, editor_client):
    import_priorities(io.BytesIO(csv_bytes(GOOD[0])), name="p.csv")
    priority = GovernmentPriority.objects.get()
    url = f"/admin/government/governmentpriority/{priority.pk}/history/"
    assert editor_client.get(url).status_code == 200


def test_editor_can_open_a_past_version_to_revert_it(small_world, editor_client):
    import_priorities(io.BytesIO(csv_bytes(GOOD[0])), name="p.csv")
    priority = GovernmentPriority.objects.get()
    priority.text_zh = "改过"
    priority.save()
    oldest = priority.history.order_by("history_id").first()
    url = f"/admin/government/governmentpriority/{priority.pk}/history/{oldest.history_id}/"
    response = editor_client.get(url)
    assert response.status_code == 200
    assert "开展“人工智能+”行动" in response.content.decode()
    version = response.context["adminform"].form["tracked_version"].value()
    response = editor_client.post(
        url,
        {
            "tracked_version": version,
            "session": 2024,
            "text_en": priority.text_en,
            "text_zh": "开展“人工智能+”行动",
            "first_named": "on",
            "topics": list(priority.topics.values_list("pk", flat=True)),
            "sources": list(priority.sources.values_list("pk", flat=True)),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    priority.refresh_from_db()
    assert priority.text_zh == "开展“人工智能+”行动"
