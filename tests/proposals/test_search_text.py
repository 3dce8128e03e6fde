"""The text analysis both databases index, and the snippets results show."""

from __future__ import annotations

from proposals.search import (
    fold,
    highlight,
    mark_name,
    name_forms,
    query_tokens,
    snippets,
    tokens,
)


def test_folding_strips_tones_and_case_and_keeps_chinese():
    assert fold("Léi Jūn 雷军") == "lei jun 雷军"


def test_words_are_cut_at_boundaries_stemmed_and_chinese_segmented():
    assert tokens("Maintain retail chains") == ["maintain", "retail", "chain"]
    assert tokens("batteries") == tokens("battery")
    assert "电池" in tokens("动力电池回收") and "动力电池" in tokens("动力电池回收")
    assert tokens("the e-waste of AI") == ["wast", "ai"]  # no stop words, no single letters


def test_names_are_indexed_spaced_and_joined_and_in_pinyin():
    forms = name_forms("雷军")
    assert "lei jun" in forms and "leijun" in forms
    assert "leijun" in name_forms("Lei Jun")
    assert "wang xiaoming" in name_forms("王小明")
    assert query_tokens("Léi Jūn") == ["lei", "jun"]


def test_highlight_escapes_markup_and_marks_stemmed_matches():
    marked = highlight('<b>Batteries</b> & "swaps"', query_tokens("battery"))
    assert marked == "&lt;b&gt;<mark>Batteries</mark>&lt;/b&gt; &amp; &quot;swaps&quot;"


def test_highlight_marks_chinese_words_inside_longer_words():
    assert highlight("推进动力电池回收", query_tokens("电池")) == "推进<mark>动力电池</mark>回收"


def test_snippet_excerpt_comes_from_the_first_field_that_matches():
    title, excerpt = snippets(
        "Build stations", ["", "A long summary " * 20 + "about hydrogen trucks."], ["hydrogen"]
    )
    assert title == "Build stations"
    assert "<mark>hydrogen</mark> trucks." in excerpt and excerpt.startswith("… ")
    assert snippets("Title", ["nothing here"], ["hydrogen"])[1] == ""


def test_a_name_is_marked_however_the_query_wrote_it():
    for text in ["leijun", "lei jun", "Léi Jūn"]:
        assert mark_name("Lei Jun", query_tokens(text)) == "<mark>Lei Jun</mark>", text
    assert mark_name("雷军", query_tokens("雷军")) == "<mark>雷军</mark>"
    assert mark_name("雷军", query_tokens("leijun")) == "<mark>雷军</mark>"
    assert mark_name("Pony <Ma>", query_tokens("pony")) == "<mark>Pony</mark> &lt;Ma&gt;"
    assert mark_name("Lei Jun", query_tokens("battery")) == "Lei Jun"


def test_a_web_process_loads_the_chinese_dictionary_before_its_first_request():
    import importlib

    import jieba

    import config.wsgi

    jieba.dt.initialized = False  # as a new process starts, whatever ran before here
    importlib.reload(config.wsgi)
    assert jieba.dt.initialized
