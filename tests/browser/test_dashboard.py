"""The dashboard in a real browser (issue 8 item 4): headless Chromium, JavaScript off.

`akledger demo --no-serve` builds the demo ledger, `akledger serve` serves it on a loopback port,
and Playwright for Python drives Debian's chromium (``/usr/bin/chromium``, installed by
``scripts/test.sh``; no browser is downloaded): the auditor signs in with the token
`akledger principals token` printed, opens the heatmap, moves the as-of picker to an earlier
ledger position and to a date before the history, and sees the numbers change to those
`akledger query heatmap` gives for the same moment; then every view, still as of that position.
JavaScript is disabled throughout: the dashboard must read, filter and move in time without it.

Screenshots of each page are saved under ``tests/artifacts/browser/<test>/`` (git-ignored) and
the folder is printed (``pytest -s`` or ``-rA`` shows it).
"""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from api.dashboard.routes import VIEWS
from ledger.demo import AUDITOR
from tests.e2e.test_http import AKLEDGER, cli, free_port, poll

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts" / "browser"
EARLIER = 40  # a ledger position of the demo part-way through its first test runs
READY_TIMEOUT = 300.0  # seconds for the server to start and project the demo (bounds a busy box only)

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (the dev extra)")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(),
                                reason=f"{CHROMIUM} is missing (scripts/test.sh installs Debian's chromium)")


@pytest.fixture
def demo_server(env: dict[str, str], tmp_path: Path) -> Iterator[tuple[str, str]]:
    """The demo ledger served by `akledger serve`: (base URL, the SIT Auditor's token)."""
    cli(env, "demo", "--no-serve")
    token = cli(env, "principals", "token", AUDITOR).strip()
    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        proc = subprocess.Popen([AKLEDGER, "serve", "--port", str(port)], env=env, stdout=out,
                                stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"

    def answers() -> bool:
        if proc.poll() is not None:
            pytest.fail(f"the server exited with {proc.returncode}:\n{log.read_text()}")
        try:
            health = httpx.get(f"{base}/health", timeout=5.0)
        except httpx.TransportError:
            return False
        return health.status_code == 200 and all(v["lag"] == 0 for v in health.json()["projections"]["views"])

    try:
        poll("the server answering /health with its projections caught up", READY_TIMEOUT, answers)
        yield base, token
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=20)


@pytest.fixture
def shots(request: pytest.FixtureRequest) -> Path:
    """This test's screenshot folder, emptied first and printed."""
    folder = ARTIFACTS / re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.png"):
        old.unlink()
    print(f"\nscreenshots: {folder}")
    return folder


def totals(page: sync_api.Page) -> dict[str, int]:
    """The heatmap's total line, as the page shows it."""
    cells = page.locator("#heatmap-total [data-field]")
    return {cells.nth(i).get_attribute("data-field") or "": int(cells.nth(i).inner_text())
            for i in range(cells.count())}


def cli_totals(env: dict[str, str], *as_of: str) -> dict[str, int]:
    total = json.loads(cli(env, "query", "heatmap", "--json", *as_of))["total"]
    return {k: total[k] for k in ("passed", "failed", "not_run", "planned", "witnessed")}


def test_an_auditor_signs_in_opens_the_heatmap_and_moves_the_as_of_picker(
    demo_server: tuple[str, str], env: dict[str, str], shots: Path
) -> None:
    base, token = demo_server
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM))
        try:
            context = browser.new_context(java_script_enabled=False, viewport={"width": 1400, "height": 900})
            page = context.new_page()

            page.goto(f"{base}/dashboard/heatmap")
            assert "/dashboard/sign-in" in page.url  # not signed in: sent to sign in, and back after
            page.screenshot(path=shots / "01-sign-in.png")
            page.fill("#token", token)
            page.click("button[type=submit]")
            assert page.url == f"{base}/dashboard/heatmap"
            assert page.locator("h1").inner_text() == "Heatmap"
            now = totals(page)
            assert now == cli_totals(env)
            assert now["planned"] > 0
            page.screenshot(path=shots / "02-heatmap-latest.png", full_page=True)

            page.fill("input[name=as_of_position]", str(EARLIER))
            page.click("text=Show as of then")
            assert f"as_of_position={EARLIER}" in page.url
            then = totals(page)
            assert then == cli_totals(env, "--as-of-position", str(EARLIER))
            assert then != now
            assert page.locator("[data-position]").inner_text() == str(EARLIER)
            page.screenshot(path=shots / f"03-heatmap-position-{EARLIER}.png", full_page=True)

            before = (datetime.now(UTC) - timedelta(days=2)).date().isoformat()
            page.fill("input[name=as_of_position]", "")
            page.fill("input[name=as_of]", before)
            page.click("text=Show as of then")
            assert f"as_of={before}" in page.url
            assert totals(page)["planned"] == 0  # before the demo was recorded: nothing planned
            page.screenshot(path=shots / "04-heatmap-before-the-history.png", full_page=True)

            page.goto(f"{base}/dashboard/heatmap?as_of_position={EARLIER}")
            for number, (path, title, _) in enumerate(VIEWS, start=5):
                page.click(f"nav.views >> text=\"{title}\"")  # the navigation keeps the moment
                assert page.url.startswith(f"{base}/dashboard/{path}?as_of_position={EARLIER}")
                assert page.locator("h1").inner_text() == title
                page.screenshot(path=shots / f"{number:02}-{path}.png", full_page=True)

            page.click("text=Sign out")
            page.goto(f"{base}/dashboard/integrity")
            assert "/dashboard/sign-in" in page.url
        finally:
            browser.close()
    assert len(list(shots.glob("*.png"))) == 4 + len(VIEWS)
