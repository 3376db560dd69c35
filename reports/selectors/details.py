"""An event as the auditor reads it: its target and each item of its details by a Japanese
name, each code by its label.

The trail holds codes, ids, counts and digests (DESIGN, invariant 3); this module only names
them, for the page and its exports alike. A key not named in `KEYS` shows as the trail wrote
it (reports/tests/test_event_details.py keeps the list complete for the events the app
writes).
"""

from collections.abc import Mapping

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from disclosure.models import Kind
from records import gate
from safeguards.models import Desk

from .names import PROBLEMS, REFUSAL_REASONS, category_names, ground_name, purpose_names

# The details' keys that name a staff member by id.
STAFF_KEYS = ("user", "actor")

# A list longer than this shows its first items and how many there are.
SHOWN = 20

KEYS = {
    key: gettext_lazy(name)
    for key, name in {
        "absent": "対象なし",
        "action": "操作",
        "actor": "実行者",
        "alternative_measures": "代替措置をとった明細",
        "answered": "回答済み",
        "anonymous": "匿名",
        "area": "管理区域",
        "basis": "保護措置の根拠",
        "categories": "類型",
        "category": "類型",
        "changes": "変更した項目",
        "channel": "受付の方法",
        "checkpoint_pinned": "公開鍵の指定",
        "checkpoint_problem": "チェックポイントとの照合",
        "checkpoint_problem_seq": "照合で異常のあった連番",
        "condition": "根拠の条件の確認",
        "created": "新規",
        "day": "日付",
        "days": "延長した日数",
        "desk": "窓口",
        "duty": "個人情報取扱責任者の登録簿",
        "digest": "ダイジェスト",
        "digests": "変更した項目",
        "documents": "本人確認書類",
        "dry_run": "試行のみ",
        "effective_on": "施行日",
        "end": "期間の末日",
        "error_count": "誤りの件数",
        "errors": "誤り",
        "events": "検証したイベント数",
        "exemptions": "通知・公表の例外",
        "exceptional": "法令に基づく例外のみ",
        "failed": "不合格",
        "for_request": "対応した請求",
        "fee_yen": "手数料（円）",
        "fields": "項目",
        "filings": "閲覧した届出",
        "format": "形式",
        "from": "変更前",
        "ground": "根拠",
        "group": "グループ（ID）",
        "head": "先頭のハッシュ",
        "head_seq": "先頭の連番",
        "held": "保留の件数",
        "imported": "取り込んだ",
        "incident_id": "関連する事案",
        "invalid": "条件の誤り",
        "items": "項目数",
        "kek": "鍵暗号化鍵",
        "key": "署名鍵の指紋",
        "keys": "データ鍵の件数",
        "kind": "種類",
        "kinds": "請求の種類",
        "legal_basis": "提供の根拠",
        "letters": "通知書",
        "line": "台帳の行",
        "lines": "台帳の行数",
        "mail": "送らなかったメール",
        "matched": "照合できた",
        "member": "加入者ID",
        "member_id": "加入者ID",
        "members_due": "消去する加入者の数",
        "members_erased": "消去した加入者の数",
        "members": "加入者ID",
        "method": "公表の方法",
        "min_rows": "件数の下限",
        "ms": "所要時間（ミリ秒）",
        "noncompliant": "不適合",
        "notes": "注記",
        "number": "番号",
        "outside": "時間外",
        "packages": "開示データ",
        "passed": "合格",
        "permissions": "類型ごとの利用目的",
        "prefix": "記号の接頭辞",
        "previous": "以前の鍵暗号化鍵",
        "problem": "チェーンの検証",
        "problem_seq": "異常のあった連番",
        "protected": "保護措置のある加入者ID",
        "provisions": "第三者提供記録",
        "purpose": "利用目的",
        "purposes": "利用目的",
        "reason": "理由",
        "records": "記録の件数",
        "redacted": "不開示の項目数",
        "reference": "整理番号",
        "refused": "拒否",
        "replayed": "再適用",
        "report": "レポート",
        "request": "請求",
        "request_id": "関連する請求",
        "page_digest": "公表事項に添えて掲げた事項のハッシュ値",
        "recipient": "提供先（ハッシュ値）",
        "role": "データベースロール",
        "rows": "件数",
        "safeguards": "安全管理措置",
        "schema": "スキーマ",
        "seq": "連番",
        "sequences": "シーケンス",
        "session": "研修の実施",
        "sha256": "ハッシュ値（SHA-256）",
        "source": "報告の経路",
        "start": "期間の初日",
        "statutory": "法令に基づく例外",
        "subject": "申出の対象",
        "surface": "経路",
        "tables": "テーブル",
        "to": "変更後",
        "trail": "監査証跡のテーブル",
        "unchanged": "変更なし",
        "updated": "更新",
        "user": "対象の職員",
        "version": "版",
    }.items()
}

REPORTS = {
    "overview": gettext_lazy("概況"),
    "access": gettext_lazy("アクセスの点検"),
    "events": gettext_lazy("監査イベントの一覧"),
    "trail": gettext_lazy("監査証跡の検証"),
    "scopes": gettext_lazy("担当の登録簿"),
    "my-number": gettext_lazy("個人番号"),
    "processors": gettext_lazy("委託先・共同利用"),
    "consents": gettext_lazy("本人の同意"),
    "disposals": gettext_lazy("廃棄の実施"),
    "disposal": gettext_lazy("廃棄記録"),
}
FORMATS = {"html": gettext_lazy("画面"), "csv": "CSV", "pdf": "PDF"}
# What a desk's read names by model (records.gate.ledgers: `filings`).
FILINGS = {
    "request": gettext_lazy("開示等の請求"),
    "complaint": gettext_lazy("苦情"),
    "document": gettext_lazy("本人確認書類"),
    "letter": gettext_lazy("通知書"),
}


class Namer:
    """Names for the codes of many events, the register's names read once."""

    def __init__(self, staff: dict):
        self.staff = staff  # staff_names() of every actor and user the events name
        self.purposes = purpose_names()
        self.categories = category_names()

    def target(self, target_type: str, target_id: str) -> str:
        model = _model(target_type)
        name = str(model._meta.verbose_name) if model else target_type
        return f"{name} {target_id}".strip()

    def details(self, details: dict, target_type: str = "") -> str:
        model = _model(target_type)
        return "／".join(
            f"{KEYS.get(key, key)}：{self.value(key, value, model)}"
            for key, value in sorted(details.items())
        )

    def value(self, key: str, value, model=None) -> str:
        if value is None or value == "":
            return "—"
        if isinstance(value, bool):
            return _("はい") if value else _("いいえ")
        if key in ("changes", "digests") and isinstance(value, dict):
            return self.value("fields", sorted(value), model)
        if key == "filings" and isinstance(value, dict):
            return "、".join(
                f"{FILINGS.get(name, name)} {_listed(ids)}" for name, ids in value.items()
            )
        if isinstance(value, dict):
            return "、".join(
                f"{KEYS.get(k, k)} {self.value(k, v, model)}" for k, v in value.items()
            )
        if isinstance(value, list):
            if key in ("failed", "errors"):  # checks and rows: how many
                return str(len(value))
            return _listed([self.value(key, item, model) for item in value])
        return self._code(key, str(value), model)

    def _code(self, key: str, code: str, model) -> str:
        simple: dict[str, Mapping[str, object]] = {
            "surface": dict(gate.Surface.choices),
            "reason": REFUSAL_REASONS,
            "desk": dict(Desk.Code.choices),
            "duty": {gate.PROTECTIONS: _("保護措置（DV等）")},
            "report": REPORTS,
            "format": FORMATS,
            "kinds": dict(Kind.choices),
            "problem": PROBLEMS,
            "checkpoint_problem": PROBLEMS,
            "purpose": self.purposes,
            "category": self.categories,
            "categories": self.categories,
        }
        if key in simple:
            return str(simple[key].get(code, code))
        if key in STAFF_KEYS and code.isdigit():
            return self.staff.get(int(code), code)
        if key == "ground":
            return ground_name(code) or code
        if key == "fields" and model is not None:
            return _field_name(model, code)
        if key in ("from", "to") and model is not None:
            return _choice(model, _state_field(model), code)
        if model is not None:
            return _choice(model, key, code)
        return code


def _listed(items: list) -> str:
    shown = "、".join(str(item) for item in items[:SHOWN])
    more = _("ほか%(n)d件") % {"n": len(items) - SHOWN} if len(items) > SHOWN else ""
    return "、".join(part for part in (shown, more) if part)


def _model(target_type: str):
    if "." not in target_type:
        return None
    try:
        return apps.get_model(target_type)
    except (LookupError, ValueError):
        return None


def _state_field(model) -> str:
    names = {f.name for f in model._meta.get_fields()}
    return "status" if "status" in names and "state" not in names else "state"


def _choice(model, field_name: str, code: str) -> str:
    try:
        field = model._meta.get_field(field_name)
    except FieldDoesNotExist:
        return code
    return str(dict(getattr(field, "choices", None) or ()).get(code, code))


def _field_name(model, name: str) -> str:
    try:
        return str(model._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:
        return name
