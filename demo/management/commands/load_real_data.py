from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from demo.realdata import FIXTURE_PATH
from proposals import search_index
from proposals.models import OutcomeEvent, Proposal
from proposals.outcomes import Step, derived_status, timeline_problems
from stats.counting import refresh
from topics.models import Topic


class Command(BaseCommand):
    help = (
        "Load the real data (fixtures/real_data.json) into an empty database. Does nothing "
        "when proposals already exist, so running it twice changes nothing. All or nothing: "
        "a bad record stops the load with the record and field at fault."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("fixture", nargs="?", type=Path, default=FIXTURE_PATH)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["fixture"]
        if Proposal.objects.exists():
            self.stdout.write("Proposals already present: the real data was not loaded again.")
            return
        try:
            records = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise CommandError(f"{path}: cannot read the fixture: {exc}") from exc
        problems = check_field_values(records)
        if problems:
            raise CommandError(f"{path}: nothing was loaded.\n" + "\n".join(problems))
        try:
            with transaction.atomic():
                call_command("loaddata", str(path), verbosity=0)
                problems = validate_loaded(records)
                if problems:
                    raise CommandError(f"{path}: nothing was loaded.\n" + "\n".join(problems))
                # loaddata's raw saves skip the signals that keep trend counts exact
                # and the search rows true.
                refresh()
                search_index.rebuild()
        except CommandError:
            raise
        except Exception as exc:  # the database refused a row (constraint, foreign key)
            raise CommandError(f"{path}: nothing was loaded. {type(exc).__name__}: {exc}") from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded {len(records)} records ({Proposal.objects.count()} proposals)."
            )
        )


def _where(index: int, record: dict, field: str | None = None) -> str:
    place = f"record {index + 1} ({record.get('model')} pk={record.get('pk')})"
    return f"{place}, field {field!r}" if field else place


def check_field_values(records: Any) -> list[str]:
    """Check every plain field's value before anything touches the database."""
    if not isinstance(records, list):
        return ["the fixture must be a JSON list of records"]
    problems = []
    for index, record in enumerate(records):
        if not isinstance(record, dict) or not isinstance(record.get("fields"), dict):
            problems.append(f"record {index + 1}: needs 'model', 'pk' and 'fields'")
            continue
        try:
            model = apps.get_model(record.get("model", ""))
        except (LookupError, ValueError):
            problems.append(f"{_where(index, record)}: unknown model")
            continue
        for name, value in record["fields"].items():
            try:
                field = model._meta.get_field(name)
            except FieldDoesNotExist:
                problems.append(f"{_where(index, record, name)}: no such field")
                continue
            if field.is_relation:
                continue  # checked by the database and full_clean after loading
            try:
                field.clean(value, None)
            except ValidationError as exc:
                problems.append(
                    f"{_where(index, record, name)}: {'; '.join(exc.messages)} (value {value!r})"
                )
    return problems


def validate_loaded(records: list[dict]) -> list[str]:
    """Field validation on everything just loaded, and the rules that span tables.

    The database has already enforced uniqueness, checks and foreign keys during
    loaddata; what it cannot see is checked here, set-based rather than per row.
    """
    problems = []
    by_model: dict[str, list[tuple[int, dict]]] = {}
    for index, record in enumerate(records):
        by_model.setdefault(record["model"], []).append((index, record))
    for label, items in by_model.items():
        model = apps.get_model(label)
        relations = [f.name for f in model._meta.get_fields() if f.is_relation]
        loaded = model._default_manager.in_bulk([record["pk"] for _, record in items])
        for index, record in items:
            try:
                loaded[record["pk"]].clean_fields(exclude=relations)
            except ValidationError as exc:
                for field, messages in exc.message_dict.items():
                    problems.append(f"{_where(index, record, field)}: {' '.join(messages)}")
    for proposal in Proposal.objects.without_matching_seat().select_related("delegate"):
        problems.append(
            f"proposals.proposal pk={proposal.pk}, field 'body': {proposal.delegate} held no "
            f"{proposal.get_body_display()} seat in {proposal.session_id}"
        )
    for topic in Topic.objects.too_deep():
        problems.append(f"topics.topic pk={topic.pk}, field 'parent': the tree has two levels")
    for proposal in Proposal.objects.without_source():
        problems.append(f"proposals.proposal pk={proposal.pk}, field 'sources': no source")
    for proposal in Proposal.objects.without_topic():
        problems.append(f"proposals.proposal pk={proposal.pk}, field 'topics': no topic")
    problems += outcome_problems()
    return problems


def outcome_problems() -> list[str]:
    """Loaded timelines in an impossible order, statuses their events do not give, and
    filed-again links to another delegate or a later year: loaddata saves raw."""
    problems = []
    steps: dict[int, list[Step]] = defaultdict(list)
    for pk, kind, when in OutcomeEvent.objects.values_list("proposal_id", "kind", "when"):
        steps[pk].append(Step(kind, when))
    for proposal in Proposal.objects.select_related("repeats"):
        mine = steps.get(proposal.pk, [])
        for reason in timeline_problems(mine, proposal.session_id):
            problems.append(f"proposals.proposal pk={proposal.pk}, outcome events: {reason}")
        if proposal.status != derived_status(s.kind for s in mine):
            problems.append(
                f"proposals.proposal pk={proposal.pk}, field 'status': {proposal.status!r} is "
                f"not what its events give ({derived_status(s.kind for s in mine)!r})"
            )
        earlier = proposal.repeats
        if earlier is not None and (
            earlier.delegate_id != proposal.delegate_id or earlier.session_id >= proposal.session_id
        ):
            problems.append(
                f"proposals.proposal pk={proposal.pk}, field 'repeats': not an earlier "
                "proposal by the same delegate"
            )
    return problems
