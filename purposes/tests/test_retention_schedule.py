"""The retention schedule of the register (APPI Art. 22): each category's period, the event it
runs from and its legal basis, loaded with the default register and shown on `/privacy/`."""

import datetime
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from purposes.models import Category

pytestmark = pytest.mark.django_db

D = datetime.date


def schedule_rows(html: str) -> list[tuple[str, str, str]]:
    table = html.split('<table class="register retention">')[1].split("</table>")[0]
    return re.findall(
        r'<th scope="row" class="category">(.*?)</th>\s*<td>(.*?)</td>\s*<td>(.*?)</td>', table
    )


def test_art22_the_privacy_page_shows_each_categorys_period_event_and_basis(client, loaded):
    rows = {
        name: (period, basis)
        for name, period, basis in schedule_rows(client.get("/privacy/").content.decode())
    }

    assert len(rows) == 17
    assert rows["健康診査に関する情報"] == (
        "記録日の属する年度の翌年度から5年、又は資格喪失日の属する年度の翌年度末までのいずれか短い期間",
        "特定健康診査及び特定保健指導の実施に関する基準第10条",
    )
    assert rows["レセプトに関する情報"] == ("記録日から5年", "健康保険法第58条・民法第166条第1項")
    assert rows["資格に関する情報"] == (
        "資格喪失日から5年",
        "民法第166条第1項（資格喪失後受診の返還請求）",
    )
    assert rows["加入者の口座情報"] == ("定めなし（利用目的の達成に必要な間）", "—")


def test_tokutei_kenshin_kijun_art10_a_checkup_is_kept_five_years_from_the_following_fiscal_year(
    register,
):
    kenshin = register["health-checks"]
    # FY2020 (令和2年度): kept through FY2021–FY2025, to 31 March 2026.
    assert kenshin.kept_until(D(2020, 6, 1)) == D(2026, 3, 31)
    assert kenshin.kept_until(D(2021, 3, 31)) == D(2026, 3, 31)
    assert kenshin.kept_until(D(2021, 4, 1)) == D(2027, 3, 31)
    assert register["health-guidance"].kept_until(D(2020, 6, 1)) == D(2026, 3, 31)


def test_tokutei_kenshin_kijun_art10_after_moving_to_another_insurer_the_shorter_period_applies(
    register,
):
    kenshin = register["health-checks"]
    # Lost in FY2022: to the end of FY2023 (31 March 2024), shorter than 31 March 2026.
    assert kenshin.kept_until(D(2020, 6, 1), lost_on=D(2022, 5, 1)) == D(2024, 3, 31)
    # Lost in FY2025: the end of FY2026 is later, so the five years apply.
    assert kenshin.kept_until(D(2020, 6, 1), lost_on=D(2025, 5, 1)) == D(2026, 3, 31)


def test_art22_a_former_members_eligibility_runs_from_the_loss_and_a_members_never_ends(
    register,
):
    eligibility = register["eligibility"]
    assert eligibility.kept_until(D(2015, 4, 1)) == D.max
    assert eligibility.kept_until(D(2015, 4, 1), lost_on=D(2020, 7, 1)) == D(2025, 6, 30)
    assert register["bank-accounts"].kept_until(D(2015, 4, 1)) is None


CATEGORIES = [
    Category(retention_years=5, retention_from=Category.RetentionFrom.RECORD),
    Category(
        retention_years=5,
        retention_from=Category.RetentionFrom.FISCAL_YEAR,
        retention_shorter_on_loss=True,
    ),
    Category(retention_years=3, retention_from=Category.RetentionFrom.LOSS),
]
days = st.dates(min_value=D(2000, 1, 1), max_value=D(2040, 12, 31))


@given(
    category=st.sampled_from(CATEGORIES),
    day=days,
    lost_on=st.none() | days,
    today=days,
)
def test_art22_the_bounds_a_disposal_run_queries_agree_with_the_period(
    category, day, lost_on, today
):
    by_record, by_loss = category.due_cutoffs(today)
    due = (by_record is not None and day <= by_record) or (
        by_loss is not None and lost_on is not None and lost_on <= by_loss
    )
    assert due == (category.kept_until(day, lost_on=lost_on) < today)
