"""Each kind of report in a real browser: headless Chromium (Debian's chromium and
chromium-driver, driven by selenium) opens the file with the network switched off; every
chart must have drawn its SVG with data, no console error may be logged, and the flagged
sessions table must filter and open a session's probability strip.

Skipped, with the reason, where selenium or the browser and its driver are not installed
(``.ci/run`` installs them when it can)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest

webdriver = pytest.importorskip("selenium.webdriver", reason="browser tests need selenium")

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(
    not (CHROMIUM and DRIVER),
    reason="browser tests need Debian's chromium and chromium-driver (apt-get install "
    "chromium chromium-driver)",
)

#: each chart div: how many traces Plotly drew and whether an SVG with points exists
CHARTS_JS = """
return Array.from(document.querySelectorAll('div.chart')).map(function (d) {
  return {id: d.id, traces: (d.data || []).length,
          svg: d.querySelectorAll('svg.main-svg').length,
          marks: d.querySelectorAll('g.trace, g.heatmaplayer image, g.heatmaplayer').length};
});
"""


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1400,1000", "--host-resolver-rules=MAP * ~NOTFOUND"):  # fmt: skip
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    driver.set_page_load_timeout(120)
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd(
        "Network.emulateNetworkConditions",
        {"offline": True, "latency": 0, "downloadThroughput": 0, "uploadThroughput": 0},
    )
    yield driver
    driver.quit()


def _open(driver, path) -> list[dict]:
    driver.get_log("browser")  # drop what an earlier page logged
    driver.get(path.as_uri())
    charts = driver.execute_script(CHARTS_JS)
    errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    assert not errors, errors
    return charts


@pytest.mark.parametrize("kind", ["detect", "forecast", "classify", "text", "compare"])
def test_charts_render_offline_without_console_errors(browser, reports, kind):
    charts = _open(browser, reports[kind])
    assert charts, "no chart in the page"
    for chart in charts:
        assert chart["traces"] > 0 and chart["svg"] > 0 and chart["marks"] > 0, chart


def test_flagged_table_filters_and_opens_the_strip(browser, reports):
    from selenium.webdriver.common.by import By

    _open(browser, reports["detect"])
    widget = browser.find_element(By.CSS_SELECTOR, ".widget-flagged")
    rows = widget.find_elements(By.CSS_SELECTOR, "tbody tr")
    count = widget.find_element(By.CSS_SELECTOR, ".count").text
    total = int(count.split(" of ")[1].split()[0])
    assert rows and total > 0
    box = widget.find_element(By.CSS_SELECTOR, "input[type=search]")
    box.send_keys("test_normal")
    shown = widget.find_elements(By.CSS_SELECTOR, "tbody tr")
    assert all("test_normal" in r.text for r in shown)
    assert int(widget.find_element(By.CSS_SELECTOR, ".count").text.split()[0]) < total
    box.clear()
    box.send_keys("no such session anywhere")
    assert widget.find_elements(By.CSS_SELECTOR, "tbody tr") == []
    assert widget.find_element(By.CSS_SELECTOR, ".count").text.startswith("0 of ")
    for _ in "no such session anywhere":
        box.send_keys("\b")
    widget.find_elements(By.CSS_SELECTOR, "tbody tr")[0].click()
    strip = widget.find_element(By.CSS_SELECTOR, ".detail .strip")
    assert browser.execute_script("return arguments[0].data[0].y.length", strip) > 0
    assert strip.find_elements(By.CSS_SELECTOR, "svg.main-svg")
    assert not [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
