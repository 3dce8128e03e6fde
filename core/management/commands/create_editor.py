from __future__ import annotations

import getpass
import os
from typing import Any

from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from core.editors import EDITORS_GROUP


class Command(BaseCommand):
    help = (
        "Create (or promote) a staff account in the Editors group: it can curate every "
        "tracker record in the admin, but not users or groups. The password is asked for, "
        "or read from DJANGO_EDITOR_PASSWORD when there is no terminal."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--email", default="")

    def handle(self, *args: Any, username: str, email: str, **options: Any) -> None:
        User = get_user_model()
        user = User.objects.filter(username=username).first()
        password = None
        if user is None:
            password = os.environ.get("DJANGO_EDITOR_PASSWORD") or self._ask_password()
            candidate = User(username=username, email=email)
            try:
                password_validation.validate_password(password, candidate)
            except ValidationError as exc:
                raise CommandError("Password refused: " + " ".join(exc.messages)) from exc
        with transaction.atomic():
            if user is None:
                user = User.objects.create_user(username=username, email=email, password=password)
                verb = "Created"
            else:
                verb = "Updated"
            user.is_staff = True
            user.save(update_fields=["is_staff"])
            user.groups.add(Group.objects.get(name=EDITORS_GROUP))
        self.stdout.write(
            self.style.SUCCESS(f"{verb} editor {username!r}: log in at /admin/ to curate records.")
        )

    def _ask_password(self) -> str:
        if not self.stdin_isatty():
            raise CommandError("No terminal to ask for a password: set DJANGO_EDITOR_PASSWORD.")
        first = getpass.getpass("Password: ")
        if first != getpass.getpass("Password (again): "):
            raise CommandError("The two passwords differ.")
        return first

    @staticmethod
    def stdin_isatty() -> bool:
        import sys

        return sys.stdin.isatty()
