"""The admin's import pages as an editor uses them: upload, preview, confirm."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from proposals.admin import imports as admin_import
from proposals.models import Proposal
from tests.proposals.import_files import THREE_ROWS, csv_bytes, db_state, make_row

pytestmark = pytest.mark.django_db
URL = "/admin/proposals/proposal/import/"
TOKEN = "0123456789abcdef" * 2


@pytest.fixture(autouse=True)
def upload_dir(tmp_path, monkeypatch):
    """Previews that are never confirmed leave their upload behind: not in the real /tmp."""
    monkeypatch.setattr(admin_import, "UPLOAD_DIR", tmp_path / "imports")
    return tmp_path / "imports"


def upload(data: bytes, name: str = "session.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="text/csv")


def test_changelist_links_to_import_and_data_quality(editor_client):
    page = editor_client.get("/admin/proposals/proposal/").content.decode()
    assert f'href="{URL}"' in page
    assert 'href="/admin/proposals/proposal/quality/"' in page


def test_editor_imports_through_preview_and_confirm(
    editor_client, editor, import_topics, django_assert_max_num_queries, upload_dir
):
    with django_assert_max_num_queries(8):
        form = editor_client.get(URL)
    assert form.status_code == 200
    assert "Preview the import" in form.content.decode()
    with django_assert_max_num_queries(60):
        preview = editor_client.post(
            URL, {"file": upload(csv_bytes(THREE_ROWS)), "progress": TOKEN}
        )
    assert preview.status_code == 200
    page = preview.content.decode()
    assert "3 rows read from <strong>session.csv</strong>" in page
    assert "Confirm the import" in page
    assert "Plan compute nationally" in page
    report = preview.context["report"]
    assert report.tallies["proposal"].created == 3 and report.dry_run
    assert not Proposal.objects.exists()  # the preview wrote nothing
    # The page's script polls this while the request runs; here the run is over.
    progress = editor_client.get(reverse("admin:proposals_proposal_import_progress", args=[TOKEN]))
    assert progress.json() == {"rows": 3}

    token = preview.context["confirm_token"]
    done = editor_client.post(URL, {"confirm": "1", "token": token}, follow=True)
    assert done.redirect_chain[-1][0] == "/admin/proposals/proposal/"
    assert Proposal.objects.count() == 3
    message = str(list(done.context["messages"])[0])
    assert "Imported 3 rows from session.csv" in message
    assert "proposals: 3 created" in message
    version = Proposal.objects.get(title="Plan compute nationally").history.get()
    assert version.history_user == editor
    # The stored upload is gone: confirming again cannot import twice.
    again = editor_client.post(URL, {"confirm": "1", "token": token}, follow=True)
    assert "expired" in str(list(again.context["messages"])[0])
    assert Proposal.objects.count() == 3
    assert not list(upload_dir.iterdir())


def test_preview_lists_every_bad_row_and_offers_no_confirm(editor_client, import_topics):
    rows = [
        make_row(title=""),
        make_row(year="1800", title="x"),
        make_row(body="Senate", title="y"),
    ]
    before = db_state()
    response = editor_client.post(URL, {"file": upload(csv_bytes(rows))})
    page = response.content.decode()
    assert "3 problems on 3 lines" in page
    assert "empty title" in page and "year out of range" in page and "NPC or CPPCC" in page
    assert [(p.line, p.column) for p in response.context["problems"]] == [
        (2, "title"),
        (3, "year"),
        (4, "body"),
    ]
    assert "Confirm the import" not in page
    assert db_state() == before


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("year,body\n".encode("utf-16"), "UTF-16"),
        ("年份,标题\n2023,标题\n".encode("gbk"), "not UTF-8"),
        (b"2023,NPC,Lei Jun,,,,Title,,ai,,https://x.org/,,,\n", "missing header"),
        (b"\xef\xbb\xbf\n", "the file is empty"),
    ],
)
def test_unreadable_uploads_get_a_clear_message(editor_client, data, message):
    response = editor_client.post(URL, {"file": upload(data)})
    assert response.status_code == 200
    assert message in response.content.decode()


def test_empty_and_huge_uploads_are_refused_by_the_form(editor_client, monkeypatch):
    response = editor_client.post(URL, {"file": upload(b"")})
    assert "The submitted file is empty." in response.content.decode()
    monkeypatch.setattr(admin_import, "MAX_UPLOAD_BYTES", 100)
    response = editor_client.post(URL, {"file": upload(b"x" * 200)})
    page = response.content.decode()
    assert "the admin takes files up to" in page and "import_proposals" in page
    assert response.context["form"].errors["file"]


def test_cancel_discards_the_upload(editor_client, import_topics):
    preview = editor_client.post(URL, {"file": upload(csv_bytes(THREE_ROWS))})
    token = preview.context["confirm_token"]
    cancelled = editor_client.post(URL, {"cancel": "1", "token": token}, follow=True)
    assert "Import cancelled" in str(list(cancelled.context["messages"])[0])
    response = editor_client.post(URL, {"confirm": "1", "token": token}, follow=True)
    assert "expired" in str(list(response.context["messages"])[0])
    assert not Proposal.objects.exists()


def test_a_forged_token_imports_nothing(editor_client):
    response = editor_client.post(URL, {"confirm": "1", "token": "../../etc/passwd"}, follow=True)
    assert "expired" in str(list(response.context["messages"])[0])


def test_staff_without_the_import_permission_cannot_import(db):
    user = User.objects.create_user("viewer", password="a-long-viewer-pass", is_staff=True)
    client = Client()
    client.force_login(user)
    assert client.get(URL).status_code == 403
    assert (
        client.get(reverse("admin:proposals_proposal_import_progress", args=[TOKEN])).status_code
        == 403
    )


def test_import_pages_carry_no_inline_script_or_style(editor_client, import_topics):
    pages = [
        editor_client.get(URL),
        editor_client.post(URL, {"file": upload(csv_bytes(THREE_ROWS))}),
        editor_client.post(URL, {"file": upload(csv_bytes([make_row(title="")]))}),
    ]
    for response in pages:
        html = response.content.decode()
        assert "style=" not in html
        assert "<script>" not in html and "<script type" not in html
        assert '<script src="/static/js/admin_import.js" defer></script>' in html
