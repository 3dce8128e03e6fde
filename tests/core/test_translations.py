"""The Chinese interface: every string the code marks for translation has a Chinese
translation in locale/, and numbers and dates follow the reader's language."""

from __future__ import annotations

import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings
from django.template import Context, Template
from django.utils import translation

from core.templatetags.tracker import localized

ROOT = Path(settings.BASE_DIR)
PO = Path("locale/zh_Hans/LC_MESSAGES/django.po")
# What a checkout holds besides the code: environments, data, caches, build output.
NOT_CODE = shutil.ignore_patterns(
    ".venv",
    "node_modules",
    ".git",
    "staticfiles",
    "artifacts",
    "fixtures",
    "__pycache__",
    ".*_cache",
    "*.sqlite3*",
    "*.mo",
)


def _gettext_tool(name: str, *args: str) -> str:
    result = subprocess.run([name, *args], capture_output=True, text=True, check=True)  # noqa: S603
    return result.stdout


@pytest.fixture(scope="module")
def extracted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The .po file as makemessages leaves it when run against today's code, in a copy of
    the project (makemessages writes into locale/, which must stay as committed)."""
    assert shutil.which("msgfmt"), "gettext is missing: `make messages` installs it"
    copy = tmp_path_factory.mktemp("messages") / "project"
    shutil.copytree(ROOT, copy, ignore=NOT_CODE, symlinks=True)
    subprocess.run(  # noqa: S603
        [
            sys.executable,
            "manage.py",
            "makemessages",
            "-l",
            "zh_Hans",
            "--ignore=.venv",
            "--ignore=node_modules",
            "-v0",
        ],
        cwd=copy,
        check=True,
        capture_output=True,
    )
    return copy / PO


def test_every_extracted_string_has_a_chinese_translation(extracted):
    untranslated = _gettext_tool("msgattrib", "--untranslated", "--no-obsolete", str(extracted))
    fuzzy = _gettext_tool("msgattrib", "--only-fuzzy", "--no-obsolete", str(extracted))
    # msgattrib prints nothing when no entry matches; the header alone is not an entry.
    missing = [line for line in untranslated.splitlines() if line.startswith("msgid ")]
    assert missing[1:] == [], "strings without a zh-hans translation:\n" + untranslated
    assert "msgid" not in fuzzy, "fuzzy zh-hans translations:\n" + fuzzy


def test_the_translations_keep_every_placeholder(extracted):
    # msgfmt --check fails on a translation that drops or renames a %(name)s.
    _gettext_tool("msgfmt", "--check", "-o", "/dev/null", str(extracted))


def test_the_committed_catalog_is_the_extracted_one(extracted):
    """No entry of the committed file is stale or missing against the code."""

    def ids(path: Path) -> set[str]:
        text = _gettext_tool("msgattrib", "--no-obsolete", "--no-wrap", str(path))
        return {line for line in text.splitlines() if line.startswith(("msgid ", "msgctxt "))}

    assert ids(ROOT / PO) == ids(extracted)


def _render(source: str, language: str, **context) -> str:
    with translation.override(language):
        return Template("{% load tracker %}" + source).render(Context(context))


def test_counts_are_grouped_as_the_language_writes_them():
    assert _render("{{ n|number }}", "en", n=1234567) == "1,234,567"
    assert _render("{{ n|number }}", "zh-hans", n=1234567) == "1234567"


def test_dates_are_written_as_each_language_writes_them():
    day = date(2024, 3, 5)
    assert _render('{{ d|date:"DATE_FORMAT" }}', "zh-hans", d=day) == "2024年3月5日"
    assert _render('{{ d|date:"DATE_FORMAT" }}', "en", d=day) == "March 5, 2024"


def test_fallback_text_is_marked_with_its_language_and_numbers_are_not():
    with translation.override("zh-hans"):
        marked = localized({"name": "Lei Jun", "name_zh": ""}, "name")
        assert marked.startswith('<span lang="en">Lei Jun</span>')
        assert '<span class="lang-badge" lang="en">English</span>' in marked
        assert localized({"label": "2024", "label_zh": ""}, "label") == "2024"
    with translation.override("en"):
        marked = localized({"name": "", "name_zh": "雷军"}, "name")
        assert '<span lang="zh-Hans">雷军</span>' in marked
        assert '<span class="lang-badge" lang="zh-Hans">中文</span>' in marked
