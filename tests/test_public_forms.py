"""The two public forms, requests (/requests/new/) and complaints (/complaints/new/), render
their fields through one partial (templates/forms/_field.html) and style them with one
stylesheet (kumiai/forms.css). An invalid submission on either says what is wrong in words, next
to the field and in the summary, and ties those words to the field for a screen reader; at a
phone's width the page is one column and every target is at least 44px high."""

import dataclasses

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from complaints.forms import ComplaintForm
from disclosure.forms import RequestForm

FORMS = {"requests": "disclosure:new", "complaints": "complaints:new"}
# The request form's page after its first step, asked with the most fields: an agent asking
# for corrections and a disclosure of some categories.
CHOSEN = {"requests": "?filer=legal_agent&kinds=disclosure&kinds=correction&narrow=on"}

# What the browser measures on the page shown again with errors, in one pass: each invalid
# field's error text, the choice groups' legends, the summary's links, the targets' sizes.
MEASURE = """() => {
  const visible = (el) => el.getClientRects().length > 0;
  const fields = [...document.querySelectorAll('.field.has-error')].map((field) => ({
    errorText: field.querySelector('.error')?.innerText,
    helpText: field.querySelector('.help')?.innerText,
    inputs: [...field.querySelectorAll('[aria-invalid="true"]')].map((el) => el.id),
    group: field.querySelector('fieldset')?.id,
    legend: field.querySelector('fieldset > legend')?.innerText,
  }));
  const targets = [...document.querySelectorAll(
    'main input:not([type=hidden]):not([type=radio]):not([type=checkbox]), main select, ' +
    'main textarea, main button, main label.choice')].filter(visible);
  const boxes = [...document.querySelectorAll('main .field')].map(
    (el) => el.getBoundingClientRect());
  return {
    fields,
    summaryTargets: [...document.querySelectorAll('.error-summary a')].map(
      (a) => document.getElementById(a.hash.slice(1))?.closest('.field.has-error') !== null),
    small: targets.filter((el) => el.getBoundingClientRect().height < 44).map((el) => el.outerHTML),
    sideBySide: boxes.some((a, i) => boxes.slice(i + 1).some(
      (b) => a.top < b.bottom - 1 && b.top < a.bottom - 1)),
    overflows: document.documentElement.scrollWidth > window.innerWidth,
    stylesheets: [...document.styleSheets].map(
      (sheet) => sheet.href && new URL(sheet.href).pathname),
  };
}"""


@pytest.mark.django_db
@pytest.mark.parametrize("form", FORMS)
def test_it_renders_both_forms_through_the_one_partial_and_stylesheet(client, form):
    response = client.post(reverse(FORMS[form]), {})

    used = {template.name for template in response.templates}
    assert {"forms/_field.html", "forms/_errors.html"} <= used
    head, body = response.text.split("</head>")
    assert '<link rel="stylesheet" href="/static/kumiai/forms.css">' in head
    assert "<link" not in body


@pytest.mark.parametrize("form_class", [RequestForm, ComplaintForm])
def test_it_lays_out_every_field_once_in_the_forms_sections(form_class):
    form = form_class()

    laid_out = [field.name for _legend, fields in form.sections() for field in fields]

    assert sorted(laid_out) == sorted(field.name for field in form if not field.is_hidden)


@dataclasses.dataclass
class Shown:
    page: object
    console: list[str] = dataclasses.field(default_factory=list)

    def refused(self) -> list[str]:
        """What the browser refused to apply under the content security policy."""
        return [text for text in self.console if "Content Security Policy" in text]


@pytest.fixture(params=FORMS)
def invalid(request, browser_context, live_server) -> Shown:
    """The form sent empty at a phone's width, as shown again with its errors."""
    shown = Shown(browser_context.new_page())
    shown.page.on("console", lambda message: shown.console.append(message.text))
    shown.page.goto(live_server.url + reverse(FORMS[request.param]) + CHOSEN.get(request.param, ""))
    shown.page.get_by_role("button", name="入力内容を確認する").click()
    # The click does not wait for the answer: the summary comes with it, the sizes with its
    # stylesheet.
    shown.page.locator(".error-summary").wait_for()
    shown.page.wait_for_load_state("load")
    return shown


@pytest.mark.browser
@pytest.mark.usefixtures("audit_transactional_db")
def test_it_describes_each_invalid_field_once_by_its_help_and_error(invalid):
    from playwright.sync_api import expect

    page = invalid.page
    fields = page.evaluate(MEASURE)["fields"]

    assert len(fields) >= 3
    # Each form has a required group of radios or checkboxes: it is a fieldset with a legend.
    assert any(field["group"] for field in fields)
    for field in fields:
        assert field["errorText"], field
        assert field["inputs"], field
        # Read once, help first: nothing repeated, nothing else.
        described = " ".join(filter(None, (field["helpText"], field["errorText"])))
        if field["group"]:
            group = page.get_by_role("group", name=field["legend"], exact=True)
            expect(group).to_have_accessible_description(described)
            # A choice is read inside its group: describing it too would repeat the group's
            # help and error at every choice.
            for choice_id in field["inputs"]:
                expect(page.locator(f"#{choice_id}")).to_have_accessible_description("")
        else:
            for input_id in field["inputs"]:
                expect(page.locator(f"#{input_id}")).to_have_accessible_description(described)


@pytest.mark.browser
@pytest.mark.usefixtures("audit_transactional_db")
def test_it_links_the_summary_to_each_invalid_field(invalid):
    measured = invalid.page.evaluate(MEASURE)

    expect(invalid.page.get_by_role("alert")).to_be_visible()
    assert len(measured["summaryTargets"]) >= len(measured["fields"])
    assert all(measured["summaryTargets"])


@pytest.mark.browser
@pytest.mark.usefixtures("audit_transactional_db")
def test_it_is_one_column_of_44px_targets_on_a_phone_with_no_inline_style(invalid):
    measured = invalid.page.evaluate(MEASURE)

    assert "/static/kumiai/forms.css" in measured["stylesheets"]
    assert not measured["overflows"]
    assert not measured["sideBySide"]
    assert measured["small"] == []
    assert invalid.refused() == []
