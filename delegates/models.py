"""People, their companies, the annual sessions and the seats they hold.

Modelled on Popolo: a Delegate is a person, an Affiliation is their role at a
company over a span of years, a Seat is their membership of a body in one session.
"""

from __future__ import annotations

from django.db import connections, models
from django.db.models import F, Q
from django.utils.translation import gettext
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
    cjk = _has_cjk(text)
    for field in fields:
        # Chinese text is only looked for in the Chinese names (the English and pinyin
        # ones hold none): each name field is a scan when the text is too short for a
        # trigram index, and a two-character name such as 雷军 always is.
        if not cjk or field.endswith("_zh"):
            condition |= Q(**{f"{field}__icontains": text})
    if fuzzy and not cjk and connections[queryset.db].vendor == "postgresql":
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
    name = models.CharField(max_length=200, unique=True, verbose_name=_("name"))
    name_zh = models.CharField(_("Chinese name"), max_length=100, blank=True)
    slug = models.SlugField(max_length=200, unique=True, verbose_name=_("slug"))
    sector = models.CharField(max_length=100, blank=True, db_index=True, verbose_name=_("sector"))
    website = models.URLField(blank=True, verbose_name=_("website"))
    is_generated = models.BooleanField(
        default=False, editable=False, help_text=_("Generated demo data, not a real record.")
    )

    objects = CompanyQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("company")
        ordering = ["name"]
        verbose_name_plural = _("companies")

    def __str__(self) -> str:
        return self.name


class Delegate(models.Model):
    name = models.CharField(max_length=200, db_index=True, verbose_name=_("name"))
    other_names = models.CharField(
        max_length=300,
        blank=True,
        help_text=_("Other English or pinyin forms, separated by semicolons (e.g. Ma Huateng)."),
        verbose_name=_("other names"),
    )
    name_zh = models.CharField(_("Chinese name"), max_length=100, blank=True, db_index=True)
    slug = models.SlugField(max_length=200, unique=True, verbose_name=_("slug"))
    bio = models.TextField(_("short bio"), blank=True)
    companies = models.ManyToManyField(
        Company, through="Affiliation", related_name="delegates", verbose_name=_("companies")
    )
    is_generated = models.BooleanField(
        default=False, editable=False, help_text=_("Generated demo data, not a real record.")
    )

    objects = DelegateQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("delegate")
        verbose_name_plural = _("delegates")
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
    delegate = models.ForeignKey(
        Delegate, on_delete=models.CASCADE, related_name="affiliations", verbose_name=_("delegate")
    )
    company = models.ForeignKey(
        Company, on_delete=models.PROTECT, related_name="affiliations", verbose_name=_("company")
    )
    role = models.CharField(max_length=200, blank=True, verbose_name=_("role"))
    start_year = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text=_("First year a source attests this role."),
        verbose_name=_("start year"),
    )
    end_year = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text=_("Last year a source attests this role; empty if open."),
        verbose_name=_("end year"),
    )

    objects = AffiliationQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("affiliation")
        verbose_name_plural = _("affiliations")
        ordering = ["delegate", "start_year"]
        constraints = [
            models.CheckConstraint(
                condition=Q(start_year__isnull=True)
                | Q(end_year__isnull=True)
                | Q(start_year__lte=F("end_year")),
                name="affiliation_years_in_order",
                violation_error_message=_("The end year cannot come before the start year."),
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

    year = models.PositiveSmallIntegerField(primary_key=True, verbose_name=_("year"))
    npc_session = models.CharField(
        _("NPC session"), max_length=100, blank=True, help_text=_("e.g. 13th NPC, 5th session")
    )
    cppcc_session = models.CharField(
        _("CPPCC session"), max_length=100, blank=True, help_text=_("e.g. 13th CPPCC, 5th session")
    )
    npc_session_zh = models.CharField(
        _("NPC session (Chinese)"),
        max_length=100,
        blank=True,
        db_default="",
        help_text=_("e.g. 第十四届全国人民代表大会第三次会议"),
    )
    cppcc_session_zh = models.CharField(
        _("CPPCC session (Chinese)"),
        max_length=100,
        blank=True,
        db_default="",
        help_text=_("e.g. 中国人民政治协商会议第十四届全国委员会第三次会议"),
    )
    opens_on = models.DateField(
        null=True,
        blank=True,
        help_text=_("First plenary day of either body."),
        verbose_name=_("opens on"),
    )
    closes_on = models.DateField(
        null=True,
        blank=True,
        help_text=_("Last plenary day of either body."),
        verbose_name=_("closes on"),
    )
    in_progress = models.BooleanField(
        "in progress",
        default=False,
        db_default=False,
        help_text="Still being entered: the dashboard's latest-session figures use the latest "
        "complete session until this is cleared.",
    )
    is_generated = models.BooleanField(
        default=False, editable=False, help_text=_("Generated demo data, not a real record.")
    )

    objects = AnnualSessionQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = _("sessions")
        ordering = ["-year"]
        verbose_name = _("session")
        constraints = [
            models.CheckConstraint(
                condition=Q(year__gte=1949) & Q(year__lte=2100), name="session_year_plausible"
            ),
            models.CheckConstraint(
                condition=Q(opens_on__isnull=True)
                | Q(closes_on__isnull=True)
                | Q(opens_on__lte=F("closes_on")),
                name="session_dates_in_order",
                violation_error_message=_("The closing date cannot come before the opening date."),
            ),
        ]

    def __str__(self) -> str:
        return gettext("%(year)s two sessions") % {"year": self.year}


class Seat(models.Model):
    delegate = models.ForeignKey(
        Delegate, on_delete=models.CASCADE, related_name="seats", verbose_name=_("delegate")
    )
    session = models.ForeignKey(
        AnnualSession, on_delete=models.PROTECT, related_name="seats", verbose_name=_("session")
    )
    body = models.CharField(max_length=5, choices=Body.choices, verbose_name=_("body"))
    delegation = models.CharField(
        _("delegation or sector"),
        max_length=200,
        blank=True,
        help_text=_("NPC: the electing delegation (e.g. Guangdong). CPPCC: the sector."),
    )
    citation = models.CharField(
        max_length=500,
        blank=True,
        help_text=_("Where this membership is reported."),
        verbose_name=_("citation"),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("seat")
        verbose_name_plural = _("seats")
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
