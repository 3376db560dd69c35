"""The one admin way to move a workflow (`core.admin.WorkflowAdminMixin`), on the pages of
every workflow: a button for each move the user may make from the row's state and none
other, each a POST carrying the state the page was drawn from, a page drawn before someone
else moved the row refused with the reason, and the buttons clear of the page's heading in
a browser."""

import datetime
import re

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from complaints.models import Complaint
from complaints.tests.factories import ComplaintFactory
from core.workflow import workflow_of
from disclosure.models import Request
from disclosure.tests.factories import RequestFactory
from safeguards.models import (
    AuditPlan,
    ChecklistItem,
    CorrectiveAction,
    Desk,
    Incident,
    Inspection,
    SafeguardArea,
)
from safeguards.roles import Role
from safeguards.scopes import grant_scope
from safeguards.testing import in_good_standing, make_staff

pytestmark = pytest.mark.django_db


def _incident(officer):
    return Incident.objects.create(
        kind=Incident.Kind.LEAK,
        summary="メールの誤送信",
        discovered_at=timezone.now(),
        reported_by=officer,
        state=Incident.State.ASSESSING,
        persons_affected=3,
    )


def _inspection(officer):
    ChecklistItem.objects.create(area=SafeguardArea.PHYSICAL, text="施錠の確認")
    return Inspection.objects.create(title="自己点検", scheduled_on=datetime.date(2026, 10, 1))


def _audit(officer):
    return AuditPlan.objects.create(
        title="監事監査",
        auditor="監事A",
        scope="安全管理措置",
        planned_on=datetime.date(2026, 11, 1),
    )


# A row in a state with moves, and the buttons the privacy officer finds on its page.
PAGES = {
    "requests": (
        lambda officer: RequestFactory(state=Request.State.IDENTITY_CHECK),
        [
            "本人確認：加入者と照合して審査に進む",
            "追加書類を依頼する",
            "本人確認ができないため却下する",
            "取下げを記録する",
            "回答期限を延長する",
        ],
    ),
    "complaints": (
        lambda officer: ComplaintFactory(state=Complaint.State.RECEIVED),
        ["「受付連絡済み」にする", "「個人情報取扱責任者が対応中」にする", "「取下げ」にする"],
    ),
    "incidents": (
        _incident,
        ["委員会へ速報した", "委員会へ確報した", "終結する", "本人へ通知した（法第26条第2項）"],
    ),
    "inspections": (_inspection, ["点検を開始する（点検項目を展開）"]),
    "audits": (_audit, ["監査実施中にする"]),
    "corrective actions": (
        lambda officer: CorrectiveAction.objects.create(
            description="持ち出し簿の点検", owner=officer, due_on=datetime.date(2026, 12, 20)
        ),
        ["完了にする", "取り消す"],
    ),
}


def _change_url(row):
    return reverse(f"admin:{row._meta.app_label}_{row._meta.model_name}_change", args=[row.pk])


def _buttons(html: str) -> list[tuple[str, str, str]]:
    """(action, drawn state, label) of each move button on a page."""
    section = re.search(r'<section class="workflow-moves".*?</section>', html, re.S)
    if section is None:
        return []
    return re.findall(
        r'<form method="post" action="([^"]+)">.*?name="_state" value="([^"]*)">.*?'
        r'<button type="submit" class="button">([^<]+)</button>',
        section.group(0),
        re.S,
    )


@pytest.fixture
def officer(db):
    return in_good_standing(make_staff("officer", Role.PRIVACY_OFFICER))


@pytest.mark.parametrize("name", list(PAGES))
def test_the_officer_finds_a_button_for_each_move_of_the_state(name, officer, sign_in):
    make, labels = PAGES[name]
    row = make(officer)
    state = workflow_of(row).state_of(row)

    html = sign_in(officer).get(_change_url(row)).content.decode()

    buttons = _buttons(html)
    assert [label for _action, _state, label in buttons] == labels
    assert {drawn for _action, drawn, _label in buttons} == {state}
    assert all(
        action.startswith(f"{_change_url(row).removesuffix('change/')}move/")
        for action, *_ in buttons
    )
    # The buttons are forms of their own, before the row's form (forms do not nest).
    assert html.index('class="workflow-moves"') < html.index(f'id="{row._meta.model_name}_form"')


def test_a_handler_finds_no_button_for_the_officers_moves(sign_in, superuser):
    handler = in_good_standing(make_staff("handler", Role.HANDLER))
    for code in Desk.Code.values:  # on both desks
        grant_scope(user=handler, desk=Desk.of(code), by=superuser)
    request = RequestFactory(state=Request.State.IDENTITY_CHECK)
    escalated = ComplaintFactory(state=Complaint.State.ESCALATED)
    client = sign_in(handler)

    request_labels = [label for *_, label in _buttons(client.get(_change_url(request)).text)]
    complaint_page = client.get(_change_url(escalated))

    assert "本人確認ができないため却下する" not in request_labels
    assert "追加書類を依頼する" in request_labels
    assert complaint_page.status_code == 200 and _buttons(complaint_page.text) == []


@pytest.mark.parametrize("name", list(PAGES))
def test_a_page_drawn_before_another_move_is_refused(name, officer, sign_in):
    make, _labels = PAGES[name]
    row = make(officer)
    workflow = workflow_of(row)
    drawn = workflow.state_of(row)
    client = sign_in(officer)
    action, _state, _label = _buttons(client.get(_change_url(row)).text)[0]
    # Someone else moves the row meanwhile (here, straight in the database).
    other = list(workflow.table[drawn])[-1]
    type(row).objects.filter(pk=row.pk).update(**{workflow.state_field: other})

    response = client.post(action, {"_state": drawn, "_confirm": "1"})

    said = [str(m) for m in get_messages(response.wsgi_request)]
    assert response.status_code == 302
    assert "他の職員が先に処理し" in said[0] and workflow.label_of(other) in said[0]
    row.refresh_from_db()
    assert workflow.state_of(row) == other


@pytest.mark.browser
def test_the_buttons_stay_clear_of_the_heading(
    audit_transactional_db, live_server, browser_context, sign_in
):
    # Issue 13 saw the moves drawn over the receipt number, on a 1,280 px screen.
    officer = in_good_standing(make_staff("officer", Role.PRIVACY_OFFICER))
    request = RequestFactory(state=Request.State.IDENTITY_CHECK)
    client = sign_in(officer)
    browser_context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page = browser_context.new_page()
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(live_server.url + _change_url(request))

    heading = page.locator("#content h2").first.bounding_box()
    buttons = page.locator(".workflow-moves button")
    assert buttons.count() == len(PAGES["requests"][1])
    for box in (buttons.nth(i).bounding_box() for i in range(buttons.count())):
        overlaps = not (
            box["y"] >= heading["y"] + heading["height"]
            or box["y"] + box["height"] <= heading["y"]
            or box["x"] >= heading["x"] + heading["width"]
            or box["x"] + box["width"] <= heading["x"]
        )
        assert not overlaps, (box, heading)
