"""Requests the site must refuse cleanly: a disallowed Host, oversized bodies, and a
forwarded scheme nobody vouches for (issue 17, defects 6 and 9)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

pytestmark = pytest.mark.django_db

MB = 1024 * 1024


def test_a_disallowed_host_gets_the_styled_400_with_the_configured_origin(client, settings):
    settings.TRACKER_SITE_ORIGIN = "https://tracker.example.org"
    response = client.get("/proposals/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    page = response.content.decode()
    assert "That address has a problem" in page
    assert '<link rel="canonical" href="https://tracker.example.org/proposals/">' in page
    assert "evil.example" not in page


def test_a_disallowed_host_without_a_configured_origin_still_gets_a_400(client):
    response = client.get("/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert "evil.example" not in response.content.decode()


def test_an_allowed_host_keeps_its_own_origin_when_none_is_configured(client):
    page = client.get("/topics/", HTTP_HOST="localhost").content.decode()
    assert '<link rel="canonical" href="http://localhost/topics/">' in page


def test_a_large_upload_to_the_login_page_is_refused_before_it_is_read(client):
    big = SimpleUploadedFile("big.bin", b"x" * (12 * MB))
    response = client.post("/admin/login/", {"username": "a", "password": "b", "f": big})
    assert response.status_code == 413
    assert "too large" in response.content.decode()


def test_a_public_page_takes_a_form_not_a_file(client):
    response = client.post("/proposals/", {"f": SimpleUploadedFile("a.bin", b"x" * (2 * MB))})
    assert response.status_code == 413


def test_the_declared_length_alone_is_enough_to_refuse(client):
    # The body is never read: a client announcing 55 MB is answered at once.
    response = client.generic(
        "POST",
        "/admin/login/",
        b"username=a&password=b",
        content_type="application/x-www-form-urlencoded",
        CONTENT_LENGTH=str(55 * MB),
    )
    assert response.status_code == 413


def test_the_import_may_still_send_its_file(editor_client):
    response = editor_client.post(
        "/admin/proposals/proposal/import/",
        {"file": SimpleUploadedFile("p.csv", b"x" * (3 * MB), content_type="text/csv")},
    )
    assert response.status_code != 413


def test_a_forwarded_scheme_is_not_trusted_without_a_proxy(client):
    assert settings.SECURE_PROXY_SSL_HEADER is None
    page = client.get("/topics/", HTTP_HOST="localhost", HTTP_X_FORWARDED_PROTO="https")
    assert '<link rel="canonical" href="http://localhost/topics/">' in page.content.decode()


@pytest.mark.parametrize(
    ("behind", "header"), [("1", "('HTTP_X_FORWARDED_PROTO', 'https')"), ("0", "None")]
)
def test_the_proxy_header_is_trusted_only_when_configured(behind, header):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(DJANGO_DEBUG="1", DJANGO_BEHIND_PROXY=behind)
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "from django.conf import settings; print(settings.SECURE_PROXY_SSL_HEADER)",
        ],
        env={**env, "DJANGO_SETTINGS_MODULE": "config.settings"},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == header
