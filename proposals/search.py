"""Text analysis for full-text search, shared by both databases: what a document and a
query are turned into, and the highlighted snippet a result shows.

The analysis runs in Python, not in the database, so SQLite (FTS5) and PostgreSQL
(tsvector) index exactly the same tokens and match exactly alike:

- Latin-script text is folded (lower case, tones and accents stripped: "Léi Jūn" is
  "lei jun") and cut at word boundaries ("AI" is a word, never a piece of "retail"),
  and each word is stemmed with Snowball's English stemmer (Porter 2), so "batteries"
  and "battery" are one token;
- Chinese text is segmented by jieba in its search mode (words and the shorter words
  inside them: 动力电池 gives 动力, 电池, 动力电池), so 电池 finds 动力电池回收;
- names are also indexed in pinyin, spaced and joined ("lei jun", "leijun").

A query goes through the same analysis; every token must match (AND).
"""

from __future__ import annotations

import functools
import html
import logging
import re
import unicodedata
from collections.abc import Iterable, Iterator

import jieba
import snowballstemmer
from django.utils.safestring import SafeString, mark_safe
from pypinyin import lazy_pinyin

jieba.setLogLevel(logging.WARNING)  # its dictionary load logs at INFO on every start


def warm_up() -> None:
    """Load jieba's dictionary now rather than on the first Chinese text (config/wsgi.py)."""
    jieba.initialize()


# A run of CJK ideographs, or a run of Latin letters and digits (after folding).
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_TOKEN = re.compile(rf"[{_CJK}]+|[^\W_]+")
_IS_CJK = re.compile(rf"[{_CJK}]")
# Words so common that requiring them would only lose matches ("batteries for cars").
STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "for",
        "from",
        "in",
        "into",
        "is",
        "it",
        "of",
        "on",
        "or",
        "the",
        "to",
        "with",
    ]
)
#: How many query tokens count; the rest are ignored (a pasted paragraph stays cheap).
MAX_QUERY_TOKENS = 12


@functools.cache
def _stemmer() -> snowballstemmer.stemmer:
    return snowballstemmer.stemmer("english")


def fold(text: str) -> str:
    """Lower case with accents and pinyin tone marks removed ("Léi Jūn" -> "lei jun");
    CJK characters are left as they are."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@functools.lru_cache(maxsize=65536)
def _segment(run: str) -> tuple[str, ...]:
    # Cached: the same names and phrases recur in thousands of summaries.
    return tuple(word for word in jieba.cut_for_search(run) if word.strip())


def _words(text: str) -> Iterator[tuple[str, bool]]:
    """(word, is_chinese) for each word of the text, folded, before stemming. Only
    runs that need it are folded (NFKD per character is most of the cost)."""
    for match in _TOKEN.finditer(text):
        run = match.group()
        if _IS_CJK.match(run):
            for word in _segment(run):
                yield word, True
        elif run.isascii():
            yield run.lower(), False
        else:  # "Léi", or a ligature: fold, then cut again
            for word in _TOKEN.findall(fold(run)):
                yield word, bool(_IS_CJK.match(word))


@functools.lru_cache(maxsize=65536)
def stem(word: str) -> str:
    return _stemmer().stemWord(word)


_ASCII_WORD = re.compile(r"[a-z0-9]+")


def tokens(text: str) -> list[str]:
    """The index tokens of a text, in order (stop words dropped)."""
    if text.isascii():  # most text: the same result without folding or segmenting
        return [
            stem(word)
            for word in _ASCII_WORD.findall(text.lower())
            if len(word) > 1 and word not in STOPWORDS
        ]
    return [
        word if chinese else stem(word)
        for word, chinese in _words(text)
        # One letter is no word ("e" of "e-waste"): it would match nearly everything.
        if chinese or (len(word) > 1 and word not in STOPWORDS)
    ]


def analyse(*texts: str) -> str:
    """The indexed form of one field: its tokens, space-separated."""
    return " ".join(token for text in texts if text for token in tokens(text))


def name_forms(*names: str) -> list[str]:
    """Every form a person's name is searched by: as written, its pinyin when it is in
    Chinese, and each Latin-script form again with its spaces removed ("Lei Jun",
    "lei jun", "leijun"), so "leijun" and "lei jun" both match."""
    forms: list[str] = []
    for name in filter(None, (n.strip() for n in names)):
        forms.append(name)
        latin = name
        if _IS_CJK.search(name):
            syllables = lazy_pinyin(name)
            # As names are written in pinyin: the surname, then the given name in one
            # word (王小明 is "Wang Xiaoming"), besides each syllable on its own.
            latin = " ".join(syllables)
            forms += [latin, f"{syllables[0]} {''.join(syllables[1:])}"]
        joined = "".join(re.findall(r"[^\W_]+", fold(latin)))
        if joined and joined != fold(latin):
            forms.append(joined)
    return forms


@functools.lru_cache(maxsize=20_000)
def names_text(name: str, other_names: str, name_zh: str) -> str:
    """A delegate's names as their proposals' search rows hold them."""
    return analyse(*name_forms(name, *other_names.split(";"), name_zh))


@functools.lru_cache(maxsize=20_000)
def company_text(name: str, name_zh: str) -> str:
    """A company's names as the search rows of its staff's proposals hold them."""
    return analyse(name, name_zh)


def query_tokens(text: str) -> list[str]:
    """A query's tokens, analysed as documents are, without repeats."""
    return list(dict.fromkeys(tokens(text)))[:MAX_QUERY_TOKENS]


def fts5_query(terms: Iterable[str]) -> str:
    """An FTS5 MATCH expression requiring every term. Tokens hold only letters, digits
    and ideographs, so quoting them is enough to keep FTS5's syntax out."""
    return " ".join(f'"{term}"' for term in terms)


def tsquery(terms: Iterable[str]) -> str:
    """A to_tsquery('simple', ...) expression requiring every term."""
    return " & ".join(terms)


# --- snippets --------------------------------------------------------------------

#: Characters of context shown around the first match in a summary.
SNIPPET_CONTEXT = 80


def _spans(text: str, terms: set[str]) -> list[tuple[int, int]]:
    """Where the text's words match a query term: Latin words by stem, Chinese by
    the segmented words inside each run of ideographs."""
    spans: list[tuple[int, int]] = []
    folded = fold(text)
    if len(folded) != len(text):  # folding changed lengths (rare ligatures): match raw
        folded = text.lower()
    for match in _TOKEN.finditer(folded):
        run = match.group()
        if _IS_CJK.match(run):
            position = match.start()
            for word in jieba.cut(run):
                if word in terms or any(t in word for t in terms if _IS_CJK.match(t)):
                    spans.append((position, position + len(word)))
                position += len(word)
        elif stem(run) in terms:
            spans.append(match.span())
    return spans


def highlight(text: str, terms: Iterable[str]) -> SafeString:
    """The text, HTML-escaped, with the words matching the terms in <mark>. Escaping
    comes first, piece by piece, so markup in a title is shown as text."""
    terms = set(terms)
    out, last = [], 0
    for start, end in _spans(text, terms):
        out.append(html.escape(text[last:start]))
        out.append(f"<mark>{html.escape(text[start:end])}</mark>")
        last = end
    out.append(html.escape(text[last:]))
    return mark_safe("".join(out))  # noqa: S308 - every piece escaped above


def excerpt(text: str, terms: Iterable[str]) -> SafeString:
    """A short window of a long text around its first match, highlighted; empty when
    nothing in it matches."""
    terms = set(terms)
    spans = _spans(text, terms)
    if not spans:
        return mark_safe("")
    start, end = spans[0]
    left = max(0, start - SNIPPET_CONTEXT)
    right = min(len(text), end + SNIPPET_CONTEXT * 2)
    if left:  # start at a word boundary
        space = text.find(" ", left, start)
        left = space + 1 if space != -1 else left
    window = highlight(text[left:right], terms)
    return mark_safe(("… " if left else "") + window + (" …" if right < len(text) else ""))  # noqa: S308


def snippets(
    title: str, fields: Iterable[str], terms: Iterable[str]
) -> tuple[SafeString, SafeString]:
    """A result's title with its matches marked, and an excerpt of the first of the
    other fields (in the order given: summary, the other language's title and summary,
    topic names) that holds a match; the excerpt is empty when only a name matched."""
    terms = set(terms)
    for text in fields:
        if text and (window := excerpt(text, terms)):
            return highlight(title, terms), window
    return highlight(title, terms), mark_safe("")


def mark_name(name: str, terms: Iterable[str]) -> SafeString:
    """A person's name with the words the query matched marked; the whole name when the
    query gave it joined ("leijun") or in Chinese (雷军, a word of its own)."""
    ordered = list(terms)
    terms = set(ordered)
    whole = {analyse(form) for form in name_forms(name)} | {
        "".join(re.findall(r"[^\W_]+", fold(name)))
    }
    if terms & whole or " ".join(ordered) in whole:
        return mark_safe(f"<mark>{html.escape(name)}</mark>")  # noqa: S308 - escaped
    return highlight(name, terms)
