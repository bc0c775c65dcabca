"""Notice templates: a site's editor reaches the documented fields and nothing else, and a
mistake is refused at save naming its part and line (issue #7, "Bad input"). No database."""

from __future__ import annotations

from datetime import date

import pytest

from octavo.notices.rendering import Source, TemplateRefused, check
from octavo.notices.rules import (
    NoticeKind,
    Schedule,
    overdue_kind,
    sample_context,
    thresholds,
)
from octavo.notices.selectors import default_source

CONTEXT = sample_context("en")


def refused(text: str, *, part: str = "text") -> TemplateRefused:
    parts = {"subject": "Notice", "text": "Hello", "html": ""} | {part: text}
    with pytest.raises(TemplateRefused) as caught:
        check(Source(**parts), CONTEXT)
    return caught.value


def test_the_documented_fields_render_in_text_and_escaped_in_html() -> None:
    source = Source(
        subject="{{ items|length }} for {{ patron.first_name }}",
        text="{% for item in items %}{{ loop.index }}. {{ item.title }} due {{ item.due }}"
        "{% endfor %} ({{ site.name }}, {{ today }})",
        html="<p>{{ patron.last_name }} {{ '<b>' }}</p>",
    )
    rendered = check(source, CONTEXT).render(CONTEXT)
    assert rendered.subject == "1 for Ana"
    assert rendered.text == (
        "1. Frog and Toad Are Friends due September 15, 2026 (North Elementary, September 18, 2026)"
    )
    assert rendered.html == "<p>Reyes &lt;b&gt;</p>"


@pytest.mark.parametrize(
    "text",
    [
        "{{ patron.__class__ }}",
        "{{ patron.__class__.__mro__[1].__subclasses__() }}",
        "{{ ''.__class__ }}",
        "{{ items.__len__ }}",
        "{{ patron|attr('__dict__') }}",
        "{{ site.name.upper() }}",
    ],
)
def test_the_sandbox_refuses_anything_but_the_documented_fields(text: str) -> None:
    error = refused(f"Hello\n{text}")
    assert error.line == 2
    assert error.part == "text"


def test_a_filter_reaching_for_an_attribute_gets_nothing() -> None:
    source = Source("Notice", "{{ items|map(attribute='__class__')|list }}", "")
    assert check(source, CONTEXT).render(CONTEXT).text == "[Undefined]"


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("{{ secret_key }}", "unknown field 'secret_key'"),
        ("{{ range(10) }}", "unknown field 'range'"),
        ("{{ patron.email }}", "'email' is not a field"),
    ],
)
def test_a_name_outside_the_fields_is_refused_with_its_line(text: str, words: str) -> None:
    error = refused(f"Dear family,\n\n{text}")
    assert error.line == 3
    assert words.split("'")[1] in str(error)


def test_a_syntax_error_is_refused_with_the_part_and_line() -> None:
    error = refused("<p>Hello</p>\n<p>{% for item in items %}{{ item.title }}</p>", part="html")
    assert (error.part, error.line) == ("html", 2)
    assert str(error).startswith("html: line 2: ")
    assert "for" in str(error)


def test_an_empty_subject_or_text_is_refused() -> None:
    assert "may not be empty" in str(refused("   ", part="subject"))


@pytest.mark.parametrize("kind", list(NoticeKind))
@pytest.mark.parametrize("language", ["en", "es"])
def test_every_shipped_template_passes_its_own_check(kind: NoticeKind, language: str) -> None:
    context = sample_context(language)
    rendered = check(default_source(kind, language), context).render(context)
    assert rendered.subject and rendered.text.startswith(("Hello Ana", "Hola, Ana"))
    assert "<p>" in rendered.html


def test_a_loan_reaches_each_overdue_notice_on_its_day_and_only_the_highest() -> None:
    schedule = Schedule(overdue_days=(1, 8, 15))
    assert [overdue_kind(d, schedule) for d in (0, 1, 7, 8, 14, 15, 40)] == [
        None,
        NoticeKind.OVERDUE_1,
        NoticeKind.OVERDUE_1,
        NoticeKind.OVERDUE_2,
        NoticeKind.OVERDUE_2,
        NoticeKind.OVERDUE_FINAL,
        NoticeKind.OVERDUE_FINAL,
    ]


def test_thresholds_bound_each_range_by_the_first_day_outside_it() -> None:
    limits = thresholds(date(2026, 9, 16), Schedule(courtesy_days=2, overdue_days=(1, 8, 15)))
    # Due before 16 Sept (yesterday or earlier): first notice; before 9 Sept: second...
    assert limits.overdue == (date(2026, 9, 16), date(2026, 9, 9), date(2026, 9, 2))
    assert limits.courtesy_until == date(2026, 9, 19)  # due today, tomorrow or the day after


def test_a_schedule_whose_overdue_days_do_not_rise_is_refused() -> None:
    with pytest.raises(ValueError, match="rise"):
        Schedule(overdue_days=(8, 1, 15))
