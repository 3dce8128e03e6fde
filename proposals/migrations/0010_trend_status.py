from django.db import migrations, models
from django.db.models import Count, F, IntegerField, Q, Value
from django.db.models.functions import Coalesce

STATUSES = [
    ("submitted", "Submitted"),
    ("accepted", "Accepted for handling"),
    ("answered", "Answered by a ministry"),
    ("adopted", "Reflected in law or policy"),
    ("withdrawn", "Withdrawn"),
]


def forget_counts(apps, schema_editor):
    apps.get_model("proposals", "TrendCount").objects.all().delete()


def recount(apps, schema_editor):
    """Fill the table again, now per status. A frozen copy of
    proposals.trends.refresh(): migrations must not depend on today's code."""
    Proposal = apps.get_model("proposals", "Proposal")
    ProposalTopic = apps.get_model("proposals", "ProposalTopic")
    TrendCount = apps.get_model("proposals", "TrendCount")
    dims = {"y": F("session_id"), "b": F("body"), "g": F("is_generated"), "s": F("status")}
    tag_dims = {
        "y": F("proposal__session_id"),
        "b": F("proposal__body"),
        "g": F("proposal__is_generated"),
        "s": F("proposal__status"),
    }
    totals = (
        Proposal.objects.order_by()
        .values(**dims)
        .annotate(tid=Value(None, output_field=IntegerField()), n=Count("pk"))
        .values_list("y", "b", "g", "s", "tid", "n")
    )
    children = (
        ProposalTopic.objects.filter(topic__parent__isnull=False)
        .order_by()
        .values(**tag_dims, tid=F("topic_id"))
        .annotate(n=Count("proposal_id"))
        .values_list("y", "b", "g", "s", "tid", "n")
    )
    roots = (
        ProposalTopic.objects.order_by()
        .values(**tag_dims, tid=Coalesce("topic__parent_id", "topic_id"))
        .annotate(n=Count("proposal_id", distinct=True))
        .values_list("y", "b", "g", "s", "tid", "n")
    )
    TrendCount.objects.bulk_create(
        [
            TrendCount(year=y, body=b, is_generated=g, status=s, topic_id=tid, proposals=n)
            for y, b, g, s, tid, n in totals.union(children, roots, all=True)
        ],
        batch_size=2000,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("proposals", "0009_session_id_index"),
    ]

    operations = [
        migrations.RunPython(forget_counts, migrations.RunPython.noop),
        migrations.RemoveConstraint(model_name="trendcount", name="trendcount_unique_slice"),
        migrations.RemoveConstraint(model_name="trendcount", name="trendcount_unique_total"),
        migrations.AddField(
            model_name="trendcount",
            name="status",
            field=models.CharField(choices=STATUSES, default="submitted", max_length=12),
            preserve_default=False,
        ),
        migrations.AddConstraint(
            model_name="trendcount",
            constraint=models.UniqueConstraint(
                fields=("year", "body", "is_generated", "status", "topic"),
                name="trendcount_unique_slice",
            ),
        ),
        migrations.AddConstraint(
            model_name="trendcount",
            constraint=models.UniqueConstraint(
                condition=Q(topic__isnull=True),
                fields=("year", "body", "is_generated", "status"),
                name="trendcount_unique_total",
            ),
        ),
        migrations.RunPython(recount, forget_counts),
    ]
