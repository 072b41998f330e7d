"""End-to-end test of the browser UI in a real headless Chromium (Selenium + chromedriver).

Run by scripts/browser-test.sh inside a loopback-only network namespace, against a live gateway:
two browser sessions chat over the hub; the Inspector's "Create a webhook that points here" registers
a webhook to a built-in request bin; a broadcast is delivered, its row turns "delivered" in the
Deliveries tab and the signed request (signature "valid") appears in the Inspector. A screenshot of
every tab is saved for the README. No console errors are allowed.

Usage: ui_test.py BASE_URL TOKEN SCREENSHOT_DIR
"""

import os
import sys
import time

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

BASE, TOKEN, SHOTS = sys.argv[1], sys.argv[2], sys.argv[3]
TABS = ["live", "stats", "console", "webhooks", "deliveries", "inspector"]


def browser(width=1280, height=900):
    options = Options()
    for argument in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     f"--window-size={width},{height}", "--no-first-run", "--disable-extensions"]:
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


def by_id(driver, name, timeout=15):
    return WebDriverWait(driver, timeout).until(EC.presence_of_element_located((By.ID, name)))


def wait_until(driver, condition, what, timeout=20):
    try:
        return WebDriverWait(driver, timeout).until(lambda d: condition(d))
    except Exception as error:  # noqa: BLE001 - report what we waited for
        raise AssertionError(f"timed out waiting for {what}") from error


def connect(driver):
    by_id(driver, "tab-live").click()
    state = by_id(driver, "conn-state")
    if state.text.strip().lower() != "connected":
        toggle = by_id(driver, "conn-toggle")
        if toggle.text.strip().lower() == "connect":
            toggle.click()
    wait_until(driver, lambda d: d.find_element(By.ID, "conn-state").text.strip().lower() == "connected", "a WebSocket connection")
    return wait_until(driver, lambda d: d.find_element(By.ID, "client-id").text.strip(), "the welcome's client id")


def messages(driver):
    return [row.text for row in driver.find_elements(By.CSS_SELECTOR, '#messages [data-testid="message"]')]


def console_errors(driver):
    return [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]


def main():
    os.makedirs(SHOTS, exist_ok=True)
    alice, bob = browser(), browser(390, 844)  # a wide screen and a phone
    try:
        for driver in (alice, bob):
            driver.get(f"{BASE}/?token={TOKEN}")
        alice_id, bob_id = connect(alice), connect(bob)
        assert alice_id and bob_id and alice_id != bob_id, (alice_id, bob_id)

        # Chat between the two sessions.
        by_id(alice, "send-text").send_keys("hello from alice")
        by_id(alice, "send-button").click()
        wait_until(bob, lambda d: any("hello from alice" in text for text in messages(d)), "alice's chat in bob's page")
        by_id(bob, "send-text").send_keys("hi alice, bob here")
        by_id(bob, "send-button").click()
        wait_until(alice, lambda d: any("bob here" in text for text in messages(d)), "bob's chat in alice's page")

        # Inspector: one click registers a webhook pointing at a new bin.
        by_id(alice, "tab-inspector").click()
        by_id(alice, "inspector-create-webhook").click()
        wait_until(alice, lambda d: d.find_elements(By.CSS_SELECTOR, '[data-testid="bin-row"]'), "the new bin")
        wait_until(alice, lambda d: d.find_element(By.ID, "demo-broadcast").is_displayed(), "the demo broadcast button")
        by_id(alice, "demo-broadcast").click()

        # The signed request arrives in the bin, live.
        signature = wait_until(
            alice,
            lambda d: d.find_elements(By.CSS_SELECTOR, '[data-testid="inspector-request"][data-signature="valid"]'),
            "a delivered request with a valid signature in the inspector",
        )
        assert signature

        # The delivery row turns delivered, live.
        by_id(alice, "tab-deliveries").click()
        wait_until(
            alice,
            lambda d: d.find_elements(By.CSS_SELECTOR, '[data-testid="delivery-row"][data-status="delivered"]'),
            "a delivered row in the deliveries log",
        )

        # The webhook is listed.
        by_id(alice, "tab-webhooks").click()
        wait_until(alice, lambda d: d.find_elements(By.CSS_SELECTOR, '[data-testid="webhook-row"]'), "the webhook in the list")

        # The REST console broadcasts, and both pages see it.
        by_id(alice, "tab-console").click()
        by_id(alice, "bc-message").send_keys("from the REST console")
        by_id(alice, "bc-submit").click()
        wait_until(alice, lambda d: d.find_element(By.ID, "rc-status").text.strip().startswith("HTTP 200"), "the console's HTTP 200")
        wait_until(bob, lambda d: any("from the REST console" in text for text in messages(d)), "the REST broadcast in bob's page")

        by_id(alice, "tab-stats").click()
        wait_until(alice, lambda d: d.find_element(By.ID, "stat-total_messages_sent").text.strip() not in ("", "0", "–", "-"), "live stats")

        for tab in TABS:
            by_id(alice, f"tab-{tab}").click()
            time.sleep(0.3)  # let the tab's last paint land before the screenshot (not a wait for an event)
            alice.save_screenshot(os.path.join(SHOTS, f"{tab}.png"))
        bob.save_screenshot(os.path.join(SHOTS, "live-phone.png"))

        errors = console_errors(alice) + console_errors(bob)
        assert not errors, f"console errors: {errors}"

        # The API documentation pages show the webhooks we send (their own console is not ours: ReDoc
        # fetches its logo from its CDN, which the loopback-only namespace cannot reach).
        alice.get(f"{BASE}/docs")
        # `delivery.recovered` is named only in the document's `webhooks` section.
        wait_until(alice, lambda d: "delivery.recovered" in d.find_element(By.TAG_NAME, "body").text, "the webhooks in Swagger UI", timeout=30)
        assert "Webhooks" in alice.find_element(By.TAG_NAME, "body").text
        alice.save_screenshot(os.path.join(SHOTS, "docs.png"))
        alice.get(f"{BASE}/redoc")
        wait_until(alice, lambda d: "delivery.recovered" in d.find_element(By.TAG_NAME, "body").text, "the webhooks in ReDoc", timeout=30)
        alice.save_screenshot(os.path.join(SHOTS, "redoc.png"))

        print(f"browser test passed; screenshots in {SHOTS}")
    finally:
        alice.quit()
        bob.quit()


if __name__ == "__main__":
    main()
