"""Browser journeys: Playwright driving Debian's Chromium against a served site.

tests/journeys/run.sh serves the site (gunicorn, production settings, loopback, a fresh
database with the real data and an editor) and runs these with `-m journeys`; the default
test run leaves them out (pyproject.toml's addopts). Every page a journey opens fails it on a
console error, an uncaught exception or a Content-Security-Policy violation, at desktop and
phone widths, and each step's screenshot is kept in JOURNEYS_ARTIFACTS.

The journeys rely on stable things only: URLs and their query parameters, landmarks
(main, navigation "Main", the list's form "Filter proposals" and list "Active filters"),
roles with their accessible names (links, buttons, headings, radio buttons), form labels,
and the admin's own field names. See README, "Browser journeys".
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, Playwright, sync_playwright

CHROMIUM = os.environ.get("JOURNEYS_CHROMIUM", "/usr/bin/chromium")
VIEWPORTS = {
    "desktop": {"viewport": {"width": 1280, "height": 900}},
    "phone": {
        "viewport": {"width": 390, "height": 844},
        "device_scale_factor": 2,
        "is_mobile": True,
        "has_touch": True,
    },
}
# Recorded by the page itself: Chromium reports a CSP violation on the console too, but an
# event names the directive and the blocked resource.
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI || "inline"}`);
});
"""


def _setting(name: str) -> str:
    value = os.environ.get(name, "")
    if not value:
        pytest.fail(f"{name} is not set: run the journeys with tests/journeys/run.sh")
    return value


@pytest.fixture(scope="session")
def site() -> str:
    return _setting("JOURNEYS_BASE_URL").rstrip("/")


@pytest.fixture(scope="session")
def editor_login() -> tuple[str, str]:
    return _setting("JOURNEYS_EDITOR"), _setting("JOURNEYS_EDITOR_PASSWORD")


@pytest.fixture(scope="session")
def artifacts() -> Path:
    folder = Path(_setting("JOURNEYS_ARTIFACTS"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (.ci/run does)")
    browser = playwright.chromium.launch(
        executable_path=CHROMIUM,
        args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    )
    yield browser
    browser.close()


@dataclass
class Journey:
    """A page in a fresh browser context, with what went wrong on it and its screenshots."""

    page: Page
    name: str
    artifacts: Path
    base: str
    problems: list[str] = field(default_factory=list)
    steps: int = 0

    def go(self, path: str) -> None:
        response = self.page.goto(self.base + path)
        assert response is not None and response.ok, (
            f"{path} answered {response and response.status}"
        )

    def shot(self, step: str) -> Path:
        """A full-page screenshot named after the journey, the width and the step."""
        self.steps += 1
        slug = re.sub(r"[^a-z0-9]+", "-", step.lower()).strip("-")
        path = self.artifacts / f"{self.name}-{self.steps:02d}-{slug}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture(params=list(VIEWPORTS))
def journey(request, browser: Browser, site: str, artifacts: Path) -> Iterator[Journey]:
    width = request.param
    context = browser.new_context(base_url=site, accept_downloads=True, **VIEWPORTS[width])
    context.add_init_script(CSP_LISTENER)
    page = context.new_page()
    name = f"{request.node.originalname.removeprefix('test_')}-{width}"
    journey = Journey(page=page, name=name, artifacts=artifacts, base=site)

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            journey.problems.append(f"console error on {page.url}: {message.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: journey.problems.append(f"uncaught on {page.url}: {error}"))
    try:
        yield journey
        # Anything logged late (a chart drawn after the last click) counts too.
        page.wait_for_load_state("networkidle")
    finally:
        context.close()
    assert journey.problems == [], "\n".join(journey.problems)
