"""The journeys' own checks can fail: a CSP violation and a console error on a real page
are caught (and then cleared, so that this test passes only because they were caught)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.journeys


def test_checks_catch_a_csp_violation_and_a_console_error(journey):
    page = journey.page
    journey.go("/")
    # An inline style attribute, as a template with `style=` would carry: the policy
    # refuses it and the page reports the violation.
    page.evaluate("document.body.insertAdjacentHTML('beforeend', '<p style=\"color: red\">x</p>')")
    page.evaluate("console.error('a script failed')")
    page.wait_for_timeout(500)
    assert any("CSP violation: style-src" in p for p in journey.problems), journey.problems
    assert any("a script failed" in p for p in journey.problems), journey.problems
    journey.problems.clear()
