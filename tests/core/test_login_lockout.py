"""Login throttling with django-axes (issue 17, defect 4): 50 wrong passwords in 16 s,
then the right one logged in."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/?next=/admin/"


def attempt(client: Client, username: str, password: str, address: str = "10.0.0.1"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def signed_in(client: Client) -> bool:
    return client.get("/admin/").status_code == 200


def test_fifty_wrong_passwords_then_the_right_one_does_not_sign_in(editor):
    client = Client()
    for n in range(50):
        attempt(client, "editor", f"wrong-{n}")
    response = attempt(client, "editor", "a-long-editor-pass")
    assert response.status_code == 429
    assert not signed_in(client)


def test_the_lockout_page_is_styled_and_says_how_to_unlock(editor):
    client = Client()
    for n in range(4):
        assert attempt(client, "editor", f"wrong-{n}").status_code == 200  # the form again
    attempt(client, "editor", "wrong-4")  # the fifth failure locks
    response = attempt(client, "editor", "a-long-editor-pass")
    assert response.status_code == 429
    assert response["Retry-After"] == "900"
    page = response.content.decode()
    assert "Sign-in locked" in page
    assert "Two Sessions Tracker: curation" in page  # the admin's own header
    assert "Try again in 15 minutes." in page
    assert "delete the account's access attempts" in page


def test_an_account_is_locked_from_every_address(editor):
    for n in range(5):
        attempt(Client(), "editor", f"wrong-{n}", address=f"10.0.1.{n}")
    client = Client()
    assert attempt(client, "editor", "a-long-editor-pass", address="10.0.2.1").status_code == 429
    assert not signed_in(client)


def test_an_address_is_locked_for_every_account(editor):
    for n in range(5):
        attempt(Client(), f"guess-{n}", "wrong", address="10.0.3.1")
    client = Client()
    attempt(client, "editor", "a-long-editor-pass", address="10.0.3.1")
    assert not signed_in(client)
    other = Client()  # the same account from elsewhere is not locked
    attempt(other, "editor", "a-long-editor-pass", address="10.0.4.1")
    assert signed_in(other)


def test_an_admin_unlocks_the_account_in_the_admin(editor, admin_client):
    from axes.models import AccessAttempt

    for n in range(5):
        attempt(Client(), "editor", f"wrong-{n}")
    ids = list(AccessAttempt.objects.values_list("pk", flat=True))
    assert ids
    response = admin_client.post(
        "/admin/axes/accessattempt/",
        {"action": "delete_selected", "_selected_action": ids, "post": "yes"},
    )
    assert response.status_code == 302
    client = Client()
    attempt(client, "editor", "a-long-editor-pass")
    assert signed_in(client)


def test_a_success_resets_the_count(editor):
    client = Client()
    for n in range(4):
        attempt(client, "editor", f"wrong-{n}")
    attempt(client, "editor", "a-long-editor-pass")
    assert signed_in(client)
    client.logout()
    for n in range(4):
        attempt(client, "editor", f"again-{n}")
    attempt(client, "editor", "a-long-editor-pass")
    assert signed_in(client)


def test_behind_the_proxy_the_address_is_the_one_nginx_sets(editor, settings):
    settings.TRACKER_BEHIND_PROXY = True
    for n in range(5):
        Client().post(
            LOGIN,
            {"username": f"guess-{n}", "password": "x"},
            REMOTE_ADDR="127.0.0.1",
            HTTP_X_REAL_IP="203.0.113.9",
        )
    client = Client()  # another client through the same proxy is not locked out
    client.post(
        LOGIN,
        {"username": "editor", "password": "a-long-editor-pass"},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_REAL_IP="198.51.100.7",
    )
    assert signed_in(client)
    assert User.objects.filter(username="editor").exists()
