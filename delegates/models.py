"""People, their companies, the annual sessions and the seats they hold.

Modelled on Popolo: a Delegate is a person, an Affiliation is their role at a
company over a span of years, a Seat is their membership of a body in one session.
"""

from __future__ import annotations

from django.db import connections, models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.querysets import PublicQuerySet


class Body(models.TextChoices):
    """The two bodies. How each names its members and their filings (deputies'
    suggestions, members' proposals) is worded by the templates."""

    NPC = "npc", _("NPC")
    CPPCC = "cppcc", _("CPPCC")


def _name_match(queryset: models.QuerySet, fields: list[str], text: str, fuzzy: bool) -> Q:
    """Substring match on every name field (English, pinyin, Chinese); on PostgreSQL
    also trigram similarity on the Latin-script names, so a near-miss spelling finds
    the person ("Lei Jum"). Chinese names are matched by substring: pg_trgm does not
    split CJK text into trigrams."""
    text = text.strip()
    if len(text) < (2 if _has_cjk(text) else 3):
        # "e" or "li" is inside thousands of names: matched as a name it would pull in
        # most of a million proposals. Such words are still searched in the text.
        return Q(pk__in=[])
    condition = Q()
    for field in fields:
        condition |= Q(**{f"{field}__icontains": text})
    if fuzzy and connections[queryset.db].vendor == "postgresql":
        condition |= Q(**{f"{fields[0]}__trigram_similar": text})
    return condition


def _has_cjk(text: str) -> bool:
    return any("\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" for ch in text)


class CompanyQuerySet(PublicQuerySet):
    def matching_name(self, text: str, fuzzy: bool = True) -> CompanyQuerySet:
        return self.filter(_name_match(self, ["name", "name_zh"], text, fuzzy))


class DelegateQuerySet(PublicQuerySet):
    def matching_name(self, text: str, fuzzy: bool = True) -> DelegateQuerySet:
        """Delegates whose name contains the text or, with `fuzzy`, is spelt close to it."""
        return self.filter(_name_match(self, ["name", "other_names", "name_zh"], text, fuzzy))


class AnnualSessionQuerySet(PublicQuerySet):
    def complete(self) -> AnnualSessionQuerySet:
        """Sessions whose entry an editor has finished (not marked in progress)."""
        return self.filter(in_progress=False)


class Company(models.Model):
    name = models.CharField(max_length=200, unique=True)
    name_zh = models.CharField("Chinese name", max_length=100, blank=True)
    slug = models.SlugField(max_length=200, unique=True)
    sector = models.CharField(max_length=100, blank=True, db_index=True)
    website = models.URLField(blank=True)
    is_generated = models.BooleanField(
        default=False, editable=False, help_text="Generated demo data, not a real record."
    )

    objects = CompanyQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "companies"

    def __str__(self) -> str:
        return self.name


class Delegate(models.Model):
    name = models.CharField(max_length=200, db_index=True)
    other_names = models.CharField(
        max_length=300,
        blank=True,
        help_text="Other English or pinyin forms, separated by semicolons (e.g. Ma Huateng).",
    )
    name_zh = models.CharField("Chinese name", max_length=100, blank=True, db_index=True)
    slug = models.SlugField(max_length=200, unique=True)
    bio = models.TextField("short bio", blank=True)
    companies = models.ManyToManyField(Company, through="Affiliation", related_name="delegates")
    is_generated = models.BooleanField(
        default=False, editable=False, help_text="Generated demo data, not a real record."
    )

    objects = DelegateQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.name_zh})" if self.name_zh else self.name

    @property
    def all_names(self) -> list[str]:
        extra = [n.strip() for n in self.other_names.split(";") if n.strip()]
        return [self.name, *extra] + ([self.name_zh] if self.name_zh else [])


class AffiliationQuerySet(models.QuerySet["Affiliation"]):
    def held_in(self, year: int | models.Expression) -> AffiliationQuerySet:
        """Affiliations whose span covers `year` (open ends count as covering)."""
        return self.filter(
            Q(start_year__isnull=True) | Q(start_year__lte=year),
            Q(end_year__isnull=True) | Q(end_year__gte=year),
        )


class Affiliation(models.Model):
    delegate = models.ForeignKey(Delegate, on_delete=models.CASCADE, related_name="affiliations")
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="affiliations")
    role = models.CharField(max_length=200, blank=True)
    start_year = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="First year a source attests this role."
    )
    end_year = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Last year a source attests this role; empty if open."
    )

    objects = AffiliationQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["delegate", "start_year"]
        constraints = [
            models.CheckConstraint(
                condition=Q(start_year__isnull=True)
                | Q(end_year__isnull=True)
                | Q(start_year__lte=F("end_year")),
                name="affiliation_years_in_order",
                violation_error_message="The end year cannot come before the start year.",
            ),
            models.UniqueConstraint(
                fields=["delegate", "company", "role", "start_year"],
                name="affiliation_unique_role_start",
            ),
        ]

    def __str__(self) -> str:
        years = f"{self.start_year or '?'}–{self.end_year or ''}"
        role = f"{self.role}, " if self.role else ""
        return f"{self.delegate.name}: {role}{self.company.name} ({years})"


class AnnualSession(models.Model):
    """One year's two sessions (NPC and CPPCC plenaries). Named to avoid
    django.contrib.sessions' Session; the year is the key, so filtering proposals
    by year needs no join."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    npc_session = models.CharField(
        "NPC session", max_length=100, blank=True, help_text="e.g. 13th NPC, 5th session"
    )
    cppcc_session = models.CharField(
        "CPPCC session", max_length=100, blank=True, help_text="e.g. 13th CPPCC, 5th session"
    )
    npc_session_zh = models.CharField(
        "NPC session (Chinese)",
        max_length=100,
        blank=True,
        db_default="",
        help_text="e.g. 第十四届全国人民代表大会第三次会议",
    )
    cppcc_session_zh = models.CharField(
        "CPPCC session (Chinese)",
        max_length=100,
        blank=True,
        db_default="",
        help_text="e.g. 中国人民政治协商会议第十四届全国委员会第三次会议",
    )
    opens_on = models.DateField(
        null=True, blank=True, help_text="First plenary day of either body."
    )
    closes_on = models.DateField(
        null=True, blank=True, help_text="Last plenary day of either body."
    )
    in_progress = models.BooleanField(
        "in progress",
        default=False,
        db_default=False,
        help_text="Still being entered: the dashboard's latest-session figures use the latest "
        "complete session until this is cleared.",
    )
    is_generated = models.BooleanField(
        default=False, editable=False, help_text="Generated demo data, not a real record."
    )

    objects = AnnualSessionQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-year"]
        verbose_name = "session"
        constraints = [
            models.CheckConstraint(
                condition=Q(year__gte=1949) & Q(year__lte=2100), name="session_year_plausible"
            ),
            models.CheckConstraint(
                condition=Q(opens_on__isnull=True)
                | Q(closes_on__isnull=True)
                | Q(opens_on__lte=F("closes_on")),
                name="session_dates_in_order",
                violation_error_message="The closing date cannot come before the opening date.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} two sessions"


class Seat(models.Model):
    delegate = models.ForeignKey(Delegate, on_delete=models.CASCADE, related_name="seats")
    session = models.ForeignKey(AnnualSession, on_delete=models.PROTECT, related_name="seats")
    body = models.CharField(max_length=5, choices=Body.choices)
    delegation = models.CharField(
        "delegation or sector",
        max_length=200,
        blank=True,
        help_text="NPC: the electing delegation (e.g. Guangdong). CPPCC: the sector.",
    )
    citation = models.CharField(
        max_length=500, blank=True, help_text="Where this membership is reported."
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["session", "delegate"]
        constraints = [
            models.UniqueConstraint(
                fields=["delegate", "session", "body"], name="seat_unique_per_body_and_session"
            ),
            models.CheckConstraint(condition=Q(body__in=Body.values), name="seat_body_valid"),
        ]
        indexes = [models.Index(fields=["session", "body"], name="seat_session_body")]

    def __str__(self) -> str:
        return f"{self.delegate.name}: {self.get_body_display()} {self.session_id}"
