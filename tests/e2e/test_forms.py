"""Forms as assistive technology meets them: the error summary and its links, error messages tied
to their fields, required fields said in words, autocomplete tokens, and "Show password".
"""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.helpers import (
    LANGS,
    button,
    error_summary,
    field,
    sign_in,
    submit,
    ui,
    visit,
)
from tests.factories import DEFAULT_PASSWORD, UserFactory

REQUIRED_NOTE = {
    "en": "Fields marked with an asterisk (*) are required.",
    "es": "Los campos marcados con un asterisco (*) son obligatorios.",
}

# WCAG 1.3.5: what each personal field is, in HTML autocomplete tokens.
AUTOCOMPLETE = {
    "register": {
        "User Name": "username",
        "First Name": "given-name",
        "Last Name": "family-name",
        "Email Address": "email",
        "Confirm Email Address": "email",
    },
    "login": {"User Name": "username", "Password": "current-password"},
    "password-reset": {"Email Address": "email"},
    "profile": {
        "First Name": "given-name",
        "Last Name": "family-name",
        "Current Password": "current-password",
        "New Password": "new-password",
        "Confirm New Password": "new-password",
    },
}


@pytest.mark.parametrize("lang", LANGS)
def test_error_summary_is_announced_and_its_links_focus_the_fields(page: Page, lang):
    visit(page, f"/{lang}/register/")
    main = page.get_by_role("main")
    expect(main).to_contain_text(REQUIRED_NOTE[lang])
    labels = ["User Name", "First Name", "Last Name", "Email Address", "Confirm Email Address"]
    for label in labels:
        # Required in words for screen readers, with the asterisk the note explains for sight.
        label_element = main.locator("label", has=page.locator(".phx-required")).filter(
            has_text=re.compile(
                rf"^\*\s*{re.escape(ui(lang, label))}\s*\({ui(lang, 'required')}\)$"
            )
        )
        expect(label_element).to_have_count(1)

    submit(page, lang, "Register button")
    summary = error_summary(page, lang)
    expect(page).to_have_title(re.compile(r"^Error: "))
    # Focus moves to the summary (role="alert") as the page loads, so it is read out at once.
    expect(summary).to_be_focused()
    expect(summary).to_have_attribute("role", "alert")
    # One link per field in error, then the link to the matching Help entry.
    links = summary.locator("li").get_by_role("link")
    expect(links).to_have_count(len(labels))
    help_link = summary.locator("p").get_by_role("link")
    expect(help_link).to_have_attribute("href", f"/{lang}/help/#errors")

    for index, label in enumerate(labels):
        link = links.nth(index)
        expect(link).to_contain_text(ui(lang, label))
        link.click()
        target = field(page, lang, label)
        expect(target).to_be_focused()
        expect(target).to_have_attribute("aria-invalid", "true")
        # The field's description includes its error message, so it is read with the field.
        described_by = target.get_attribute("aria-describedby").split()
        error_id = next(ref for ref in described_by if ref.endswith("_error"))
        error = page.locator(f"#{error_id}")
        expect(error).to_be_visible()
        message = link.inner_text().split(":", 1)[1].strip()
        expect(error).to_contain_text(message)


@pytest.mark.parametrize("lang", LANGS)
def test_personal_fields_carry_autocomplete_tokens(page: Page, lang):
    def expect_tokens(form: str) -> None:
        for label, token in AUTOCOMPLETE[form].items():
            expect(field(page, lang, label), f"{form}: {label}").to_have_attribute(
                "autocomplete", token
            )

    for form in ("register", "password-reset", "login"):
        visit(page, f"/{lang}/{form}/")
        expect_tokens(form)

    user = UserFactory(preferred_language=lang)
    sign_in(page, lang, user.username, DEFAULT_PASSWORD)
    visit(page, f"/{lang}/profile/")
    expect_tokens("profile")


@pytest.mark.parametrize("lang", LANGS)
def test_show_password_reveals_and_hides_it(page: Page, lang):
    visit(page, f"/{lang}/login/")
    password = field(page, lang, "Password")
    password.fill("Secret-Saguaro-1")
    show = page.get_by_role("main").get_by_role("button", name=ui(lang, "Show password"))
    expect(show).to_have_attribute("aria-controls", password.get_attribute("id"))

    show.click()
    expect(password).to_have_attribute("type", "text")
    expect(password).to_have_value("Secret-Saguaro-1")
    hide = page.get_by_role("main").get_by_role("button", name=ui(lang, "Hide password"))
    expect(hide).to_be_visible()

    hide.click()
    expect(password).to_have_attribute("type", "password")
    expect(button(page, lang, "Show password")).to_be_visible()
