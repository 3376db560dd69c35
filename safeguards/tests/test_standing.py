"""A missing pledge or a lapsed training stops a staff member handling personal data."""

import datetime

import pytest

from safeguards import training
from safeguards.models import TrainingCourse, TrainingSession
from safeguards.standing import handling_refusal

d = datetime.date


@pytest.fixture
def course(db):
    return TrainingCourse.objects.create(title="個人情報保護研修", pass_mark=80)


def attend(course, user, *, held_on, score, by):
    session = TrainingSession.objects.create(course=course, held_on=held_on)
    return training.record_attendance(session=session, user=user, score=score, by=by)


def test_it_refuses_a_handler_without_a_pledge(handler, course, officer):
    attend(course, handler, held_on=d(2026, 4, 1), score=90, by=officer)

    assert "秘密保持誓約書" in handling_refusal(handler, on=d(2026, 5, 1))


def test_it_refuses_a_handler_who_failed_the_test(handler, course, officer):
    training.sign_pledge(user=handler, version="2026", signed_on=d(2026, 4, 1), by=officer)
    attendance = attend(course, handler, held_on=d(2026, 4, 1), score=79, by=officer)

    assert not attendance.passed
    assert "理解度テストに合格" in handling_refusal(handler, on=d(2026, 5, 1))


def test_a_passed_training_counts_for_twelve_months(handler, course, officer):
    training.sign_pledge(user=handler, version="2026", signed_on=d(2026, 4, 1), by=officer)
    attendance = attend(course, handler, held_on=d(2026, 4, 1), score=80, by=officer)

    assert attendance.lapses_on == d(2027, 4, 1)
    assert handling_refusal(handler, on=d(2027, 3, 31)) is None
    refusal = handling_refusal(handler, on=d(2027, 4, 1))
    assert "2027年4月1日" in refusal
    assert "受講し直し" in refusal


def test_a_renewal_restores_the_standing(handler, course, officer):
    training.sign_pledge(user=handler, version="2026", signed_on=d(2026, 4, 1), by=officer)
    attend(course, handler, held_on=d(2026, 4, 1), score=95, by=officer)
    attend(course, handler, held_on=d(2027, 4, 5), score=85, by=officer)

    assert handling_refusal(handler, on=d(2027, 4, 5)) is None


def test_the_officer_sees_who_lapses_in_the_next_thirty_days(handler, officer, course):
    attend(course, handler, held_on=d(2026, 1, 15), score=90, by=officer)
    attend(course, officer, held_on=d(2026, 6, 1), score=90, by=officer)

    soon = training.lapsing(today=d(2026, 12, 20))

    assert [user.username for user in soon] == ["handler"]
    assert soon[0].training_lapses_on == d(2027, 1, 15)


def test_the_staff_standing_list_opens_for_the_officer(officer_client, handler):
    response = officer_client.get("/admin/safeguards/staffstanding/?standing=no_pledge")

    assert response.status_code == 200
    assert "秘密保持誓約書が登録されていない" in response.content.decode()


def test_a_staff_members_standing_page_shows_their_standing_and_never_their_password(
    auditor, handler, sign_in
):
    handler.set_password("correct horse battery staple")
    handler.save()
    page = sign_in(auditor).get(f"/admin/safeguards/staffstanding/{handler.pk}/change/")

    text = page.content.decode()
    assert page.status_code == 200
    assert "取扱いの可否" in text and "研修の失効日" in text
    assert "パスワード" not in text and handler.password.split("$")[-1] not in text


def test_an_accounts_page_says_whether_a_password_is_set_and_nothing_of_its_hash(
    privacy_officer, handler, sign_in
):
    handler.set_password("correct horse battery staple")
    handler.save()
    _algorithm, *rest = handler.password.split("$")
    page = sign_in(privacy_officer).get(f"/admin/auth/user/{handler.pk}/change/")

    text = page.content.decode()
    assert page.status_code == 200 and "パスワードは設定されています。" in text
    # Neither the algorithm nor any part of the salt or digest, masked or not.
    assert all(part[:6] not in text for part in rest if len(part) >= 6)
    assert "ソルト" not in text and "ハッシュ" not in text
