"""The audit trail itself: the last verification of its chain, the last signed checkpoint,
how many events it gained per day, and the key operations after erasures not done yet.

Verifying walks every event (audit.verify), seconds at millions of events: too slow for a
page view, so the auditor starts it with a button and the result is appended to the trail
as `reports.trail.verified`; the page shows the latest such event.
"""

import json
import time

from django.utils.translation import gettext as _

from audit.checkpoint import CheckpointError, check_checkpoint
from audit.models import Event
from audit.verify import Kind, verify_chain
from audit.vocabulary import Action, declared, label, stored_names
from records.models import PendingKeyOperation
from records.rekeying import pending_summary
from reports import summary
from reports.period import Period
from reports.tables import Chart, Report, Table

from . import events
from .names import PROBLEMS, staff_names


def verify(*, checkpoint: str = "", public_key: str = "") -> dict:
    """Verify the chain, and a signed checkpoint against it when given; return the result as
    details for the trail (codes and numbers only: the problems' English prose stays out)."""
    started = time.monotonic()
    report = verify_chain()
    result = {
        "events": report.count,
        "head_seq": report.head_seq,
        "head": report.head_hash,
        "problem": report.problem.kind.name if report.problem else None,
        "problem_seq": report.problem.seq if report.problem else None,
    }
    problem_name: str | None
    if checkpoint:
        try:
            problem = check_checkpoint(
                checkpoint=json.loads(checkpoint), pinned_key_pem=public_key or None
            )
        except (json.JSONDecodeError, CheckpointError):
            problem_name = Kind.FORGED.name
            seq = None
        else:
            problem_name = problem.kind.name if problem else None
            seq = problem.seq if problem else None
        result |= {
            "checkpoint_problem": problem_name,
            "checkpoint_problem_seq": seq,
            "checkpoint_pinned": bool(public_key),
        }
    return result | {"ms": round((time.monotonic() - started) * 1000)}


def trail(period: Period) -> Report:
    return summary.consistent(lambda source: _trail(period, source))


def _trail(period: Period, source: summary.Source) -> Report:
    # From the daily summary up to its mark and the events after it (reports.summary).
    per_day = sorted(source.figures(summary.EVENTS, period, ("day",)), key=lambda r: r["day"])
    per_action = sorted(
        _by_declared_action(source.figures(summary.EVENTS, period, ("action",))).items(),
        key=lambda item: (-item[1], item[0]),
    )
    return Report(
        "trail",
        _("監査証跡の検証"),
        period,
        [
            _last_verification(),
            _last_checkpoint(),
            _keys_pending(),
            Table(
                _("日別のイベント数"),
                (_("日付"), _("イベント数")),
                [(row["day"], row["events"]) for row in per_day],
                Chart.LINE,
            ),
            Table(
                _("操作別のイベント数"),
                (_("操作"), _("イベント数")),
                [(label(name), count) for name, count in per_action],
                Chart.BARS,
                links=[events.url(period, action=name) for name, _count in per_action],
            ),
        ],
    )


def _keys_pending() -> Table:
    """The erasures whose key operation (a re-key, the destruction of a key) is still being
    tried again (`records.rekeying`): the auditor reads this here, not the officer's banner.
    Counts and the oldest time only: no member is named. Now, not over the period."""
    kinds = dict(PendingKeyOperation.Kind.choices)
    title = _("消去の後のデータ鍵の処理（未完了）")
    columns = (_("処理"), _("加入者数"), _("最も古いもの"))
    rows = [(str(kinds[row["kind"]]), row["count"], row["since"]) for row in pending_summary()]
    if not rows:
        return Table(title, columns, [], note=_("未完了の処理はありません（現時点）。"))
    return Table(
        title,
        columns,
        rows,
        note=_(
            "現時点の件数です。鍵保管庫に接続できず自動で再試行しています。完了するまで、消去した"
            "値が以前のバックアップでは読めるままです。個人情報取扱責任者に確認してください。"
        ),
    )


def _by_declared_action(rows: list[dict]) -> dict[str, int]:
    """Events per action, an action's legacy names counted with it under its name."""
    counts: dict[str, int] = {}
    for row in rows:
        action = declared(row["action"])
        name = action.value if action is not None else row["action"]
        counts[name] = counts.get(name, 0) + row["events"]
    return counts


def _outcome(problem: str | None, seq: int | None) -> str:
    if problem is None:
        return _("異常なし")
    return _("異常あり：%(problem)s（連番 %(seq)s）") % {
        "problem": PROBLEMS.get(problem, problem),
        "seq": seq if seq is not None else "—",
    }


def anomaly() -> str:
    """What the latest verification found wrong, as the page must say first; "" if nothing."""
    last = _latest(Action.REPORTS_TRAIL_VERIFIED)
    if last is None:
        return ""
    result = last.details
    found = [
        _("ハッシュの連鎖：%(outcome)s")
        % {"outcome": _outcome(result["problem"], result["problem_seq"])}
        if result["problem"]
        else "",
        _("署名付きチェックポイントとの照合：%(outcome)s")
        % {
            "outcome": _outcome(
                result.get("checkpoint_problem"), result.get("checkpoint_problem_seq")
            )
        }
        if result.get("checkpoint_problem")
        else "",
    ]
    return "　".join(part for part in found if part)


def _latest(action: Action) -> Event | None:
    return Event.objects.filter(action__in=stored_names(action)).order_by("-seq").first()


def _last_verification() -> Table:
    last = _latest(Action.REPORTS_TRAIL_VERIFIED)
    title = _("直近の検証結果")
    columns = (_("項目"), _("値"))
    if last is None:
        return Table(title, columns, [], note=_("まだ検証していません。"))
    result = last.details
    rows = [
        (_("検証日時"), last.at),
        (_("検証した人"), staff_names([last.actor_id]).get(last.actor_id)),
        (_("検証したイベント数"), result["events"]),
        (_("先頭の連番"), result["head_seq"]),
        (_("先頭のハッシュ"), result["head"]),
        (_("チェーンの検証"), _outcome(result["problem"], result["problem_seq"])),
        (_("所要時間（ミリ秒）"), result["ms"]),
    ]
    if "checkpoint_problem" in result:
        rows += [
            (
                _("署名付きチェックポイントとの照合"),
                _outcome(result["checkpoint_problem"], result["checkpoint_problem_seq"]),
            ),
            (
                _("公開鍵の指定"),
                _("あり") if result["checkpoint_pinned"] else _("なし（署名者は未確認）"),
            ),
        ]
    return Table(title, columns, rows)


def _last_checkpoint() -> Table:
    last = _latest(Action.AUDIT_CHECKPOINT_WRITTEN)
    title = _("直近の署名付きチェックポイント")
    columns = (_("項目"), _("値"))
    if last is None:
        return Table(title, columns, [], note=_("チェックポイントはまだ作成されていません。"))
    return Table(
        title,
        columns,
        [
            (_("連番"), last.seq),
            (_("作成日時"), last.at),
            (_("ハッシュ"), last.hash),
            (_("署名鍵の指紋"), last.details.get("key", "")),
        ],
        note=_(
            "監事が保管するチェックポイントのファイルを下の検証で照合すると、"
            "証跡が書き換えられていないことを確かめられます。"
        ),
    )
