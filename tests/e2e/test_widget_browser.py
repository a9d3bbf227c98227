"""The clinic web widget in a real headless Chromium (Debian's), against the real servers.

A patient opens the demo clinic page, asks a question, reports a fever, reloads the page;
the screenshots at desktop and phone width are saved in results/screenshots/ (and the
reviewed ones copied into docs/).
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Iterator, List

import pytest
from selenium import webdriver
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from harness.servers import ROOT, Servers

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")
SCREENSHOTS = ROOT / "results" / "screenshots"
DESKTOP = (1280, 800)
PHONE = (360, 740)


@pytest.fixture()
def browser(tmp_path: Path) -> Iterator[WebDriver]:
    for binary in (CHROMIUM, CHROMEDRIVER):
        if not Path(binary).exists():
            pytest.fail(f"{binary} is missing: `make test` installs chromium and chromium-driver")
    os.environ["SE_OFFLINE"] = "true"  # Selenium must not try to download a browser
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
        "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--disable-dev-shm-usage", f"--user-data-dir={tmp_path / 'profile'}",
        f"--window-size={DESKTOP[0]},{DESKTOP[1]}", "--lang=en-US",
    ):  # fmt: skip
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    yield driver
    driver.quit()


def wait(driver: WebDriver, seconds: float = 60) -> WebDriverWait:
    return WebDriverWait(driver, seconds)


def bot_messages(driver: WebDriver, kind: str = "") -> List[WebElement]:
    selector = f'.imw-msg[data-from="bot"]{f"[data-kind={kind!r}]" if kind else ""}'
    return driver.find_elements(By.CSS_SELECTOR, selector)


def open_widget(driver: WebDriver, servers: Servers) -> None:
    driver.get(f"{servers.url}/webhooks/widget/demo")
    launcher = wait(driver).until(ec.element_to_be_clickable((By.ID, "imw-launcher")))
    if not driver.find_element(By.ID, "imw-panel").is_displayed():
        launcher.click()
    wait(driver).until(ec.visibility_of_element_located((By.ID, "imw-input")))


def ask(driver: WebDriver, text: str) -> None:
    before = len(bot_messages(driver))
    box = driver.find_element(By.ID, "imw-input")
    box.send_keys(text)
    box.send_keys(Keys.ENTER)
    wait(driver).until(lambda d: len(bot_messages(d)) > before)
    wait(driver).until_not(ec.visibility_of_element_located((By.CSS_SELECTOR, ".imw-typing")))


def screenshot(driver: WebDriver, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    assert driver.save_screenshot(str(path)), f"could not save {path}"
    assert path.stat().st_size > 10_000, f"{path} looks blank"
    return path


def test_patient_asks_reports_a_fever_and_reloads(browser: WebDriver, servers: Servers) -> None:
    browser.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": DESKTOP[0], "height": DESKTOP[1], "deviceScaleFactor": 1, "mobile": False},
    )
    open_widget(browser, servers)
    ask(browser, "how should I store imuran?")
    answer = "\n".join(m.text for m in bot_messages(browser))
    assert "room temperature" in answer
    citation = browser.find_element(By.CSS_SELECTOR, ".imw-citation")
    assert citation.is_displayed() and citation.text.startswith("Source:")

    ask(browser, "I have a fever of 38.9 and chills")
    urgent = bot_messages(browser, "urgent")[0]
    assert urgent.is_displayed()
    assert "sign of infection" in urgent.text
    assert urgent.get_attribute("role") == "alert" or urgent.find_elements(
        By.CSS_SELECTOR, "[role=alert]"
    )
    screenshot(browser, "widget-desktop")

    browser.refresh()  # the conversation is still there after a reload
    wait(browser).until(lambda d: len(bot_messages(d, "urgent")) >= 1)
    expected = ["how should I store imuran?", "I have a fever of 38.9 and chills"]

    def user_texts(driver: WebDriver) -> List[str]:
        # textContent, not .text: the first message may be scrolled out of the message
        # list's view after the reload, and Selenium's .text is '' for what is not shown.
        found = driver.find_elements(By.CSS_SELECTOR, '.imw-msg[data-from="user"]')
        return [str(m.get_attribute("textContent") or "").strip() for m in found]

    with contextlib.suppress(TimeoutException):  # the assertion below shows what was there
        wait(browser).until(lambda d: user_texts(d) == expected)
    assert user_texts(browser) == expected
    assert browser.find_element(By.CSS_SELECTOR, ".imw-citation").is_displayed()


def test_phone_width_and_emergency(browser: WebDriver, servers: Servers) -> None:
    browser.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": PHONE[0], "height": PHONE[1], "deviceScaleFactor": 2, "mobile": True},
    )
    open_widget(browser, servers)
    panel = browser.find_element(By.ID, "imw-panel")
    assert panel.size["width"] >= PHONE[0] - 2, "the panel should fill a phone screen"
    ask(browser, "qwzx blorp")
    buttons = browser.find_elements(By.CSS_SELECTOR, ".imw-button")
    assert [b.text for b in buttons][:1] == ["How do I store it?"]
    screenshot(browser, "widget-phone")
    before = len(bot_messages(browser))
    buttons[0].click()  # a suggestion button sends its question
    wait(browser).until(lambda d: len(bot_messages(d)) > before)
    # The answer, the assistant's offer and the citation are paragraphs of their own.
    wait(browser).until(
        lambda d: any("room temperature" in m.text for m in bot_messages(d)[before:])
    )
    ask(browser, "my son swallowed a handful of my tablets")
    emergency = bot_messages(browser, "emergency")
    assert emergency and "911" in emergency[0].text
    assert emergency[0].find_elements(By.CSS_SELECTOR, 'a[href^="tel:"]'), "911 is a tel: link"
    # Right after the emergency reply, a message it cannot place (keys mashed in a
    # panic) gets the emergency reply again, not suggestions about storage.
    ask(browser, "qwzx blorp")
    assert len(bot_messages(browser, "emergency")) == 2


def test_keyboard_only_use(browser: WebDriver, servers: Servers) -> None:
    browser.get(f"{servers.url}/webhooks/widget/demo")
    launcher = wait(browser).until(ec.element_to_be_clickable((By.ID, "imw-launcher")))
    if browser.find_element(By.ID, "imw-panel").is_displayed():
        browser.find_element(By.ID, "imw-input").send_keys(Keys.ESCAPE)
    launcher.send_keys(Keys.ENTER)
    wait(browser).until(lambda d: d.switch_to.active_element.get_attribute("id") == "imw-input")
    browser.switch_to.active_element.send_keys(Keys.ESCAPE)
    wait(browser).until_not(ec.visibility_of_element_located((By.ID, "imw-panel")))
    assert browser.switch_to.active_element.get_attribute("id") == "imw-launcher"
    log = browser.find_element(By.ID, "imw-log")
    assert log.get_attribute("role") == "log" and log.get_attribute("aria-live") == "polite"


def test_assistant_unreachable_keeps_the_text_and_gives_the_warning(
    browser: WebDriver, servers: Servers
) -> None:
    open_widget(browser, servers)
    browser.execute_cdp_cmd("Network.enable", {})
    browser.execute_cdp_cmd(
        "Network.emulateNetworkConditions",
        {"offline": True, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
    )
    box = browser.find_element(By.ID, "imw-input")
    box.send_keys("I have a fever")
    box.send_keys(Keys.ENTER)
    notice = wait(browser).until(
        ec.visibility_of_element_located((By.CSS_SELECTOR, ".imw-offline"))
    )
    assert "call your doctor" in notice.text and "911" in notice.text
    assert browser.find_element(By.ID, "imw-input").get_attribute("value") == "I have a fever"
    screenshot(browser, "widget-offline")


def test_reviewed_screenshots_are_in_docs() -> None:
    """docs/ holds the screenshots a person looked at; `make screenshots` refreshes them."""
    for name in ("widget-desktop", "widget-phone"):
        assert (ROOT / "docs" / f"{name}.png").stat().st_size > 10_000
