"""Opening briefings in a real browser: headless Chromium (the system's, never a downloaded
one) driven by Playwright. Shared by the browser tests and by the README's screenshot
(``REDLINES_SCREENSHOT=docs/img/briefing.png pytest tests/browser``)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from playwright.sync_api import Browser, Page, Request, Route

__all__ = ["CANDIDATES", "Opened", "find_chromium", "open_briefing", "session"]

#: Where a system Chromium is looked for (``REDLINES_CHROMIUM`` first): Debian's
#: ``chromium`` package, then what is on the PATH.
CANDIDATES = ("/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome")


def find_chromium() -> str | None:
    """The path of a system Chromium, or None."""
    given = os.environ.get("REDLINES_CHROMIUM")
    if given:
        return given
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


@contextmanager
def session(executable: str) -> Iterator[Browser]:
    """A headless Chromium at *executable* (``--no-sandbox``: CI runs as root)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class Opened:
    """A briefing open in a page, with everything the page logged or tried to load."""

    page: Page
    console: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)


def _local(url: str) -> bool:
    return url.startswith(("file://", "data:", "about:"))


@contextmanager
def open_briefing(
    browser: Browser, path: Path, *, width: int = 1100, height: int = 900
) -> Iterator[Opened]:
    """*path* opened offline in a fresh page of *width* x *height*; any request that is not
    ``file:`` or ``data:`` is blocked and recorded, and so is every console message."""
    context = browser.new_context(
        viewport={"width": width, "height": height}, offline=True, device_scale_factor=1
    )
    page = context.new_page()
    opened = Opened(page)

    def route(r: Route) -> None:
        if _local(r.request.url):
            r.continue_()
        else:
            opened.blocked.append(r.request.url)
            r.abort()

    def request(r: Request) -> None:
        opened.requests.append(r.url)

    page.route("**/*", route)
    page.on("request", request)
    page.on("console", lambda m: opened.console.append(f"{m.type}: {m.text}"))
    page.on("pageerror", lambda e: opened.console.append(f"pageerror: {e}"))
    try:
        page.goto(path.resolve().as_uri(), wait_until="load")
        yield opened
    finally:
        context.close()


def screenshot(browser: Browser, html: Path, png: Path, *, width: int = 960) -> None:
    """A PNG of the top of the briefing *html* (its status cards, timeline and findings)."""
    with open_briefing(browser, html, width=width, height=1150) as opened:
        png.parent.mkdir(parents=True, exist_ok=True)
        opened.page.screenshot(path=str(png), full_page=False)
