"""What the web tests share: a staff member signing in to the console in a fresh browser context."""
from __future__ import annotations


def signed_in_page(browser, url: str, username: str, password: str, wait_for: str, **context):
    """A page of a new browser context that asked for `url`, signed in through the console's
    login form and is back at `wait_for` (a glob of the page the login leads to)."""
    options = {"viewport": {"width": 1280, "height": 900}, "locale": "zh-CN", **context}
    page = browser.new_context(**options).new_page()
    page.goto(url)
    page.fill('input[name="username"]', username)
    page.fill('input[name="password"]', password)
    # The login page's own address (?next=...) may match `wait_for`: wait for the navigation
    # the sign-in starts, not for an address the page may already have.
    with page.expect_navigation(url=wait_for):
        page.click('button[type="submit"]')
    return page
