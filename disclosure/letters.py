"""Letters to requesters and the blank forms for filing on paper, as Japanese PDFs.

Built of `core.pdf`'s blocks. Dates are written in 和暦 (`core.wareki.format_wareki`); the
society's name and desk come from the register's notice (`purposes.Notice`). `issue` stores what
it rendered: a letter is kept as it was sent. Nothing here decides anything; the caller's
transaction holds the row.
"""

import hashlib
from collections.abc import Sequence

from django.core.files.base import ContentFile
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from reportlab.lib.units import mm
from reportlab.platypus import Spacer, Table
from reportlab.platypus.flowables import Flowable

from core import deadlines
from core.pdf import HEADING, RIGHT, paragraph, render, table
from core.wareki import format_wareki
from purposes.models import Notice
from records.models import Member
from records.payload_schemas import SCHEMAS, titles

from .models import MHLW_NOTICE, DecisionItem, Kind, Letter, Request


def society() -> Notice | None:
    return Notice.objects.filter(pk=1).first()


def _letterhead(request: Request, number: str) -> list[Flowable]:
    notice = society()
    sender = (
        [
            notice.society_name,
            notice.desk_department,
            f"〒{notice.desk_postal_code} {notice.desk_address}",
            _("電話 %(phone)s") % {"phone": notice.desk_phone},
        ]
        if notice
        else []
    )
    if request.filer != Request.Filer.SELF:
        addressee, address = request.agent_name, request.agent_address
    elif request.is_bereaved:  # the bereaved person, at the contact the filing gave
        addressee = request.bereaved_name
        address = f"〒{request.postal_code} {request.address}"
    else:
        addressee, address = request.name, f"〒{request.postal_code} {request.address}"
    return [
        paragraph(
            "\n".join(
                [_("文書番号 %(number)s") % {"number": number}, format_wareki(deadlines.today())]
            ),
            RIGHT,
        ),
        paragraph(f"{address}\n" + _("%(name)s 様") % {"name": addressee}),
        paragraph("\n".join(sender), RIGHT),
        Spacer(1, 6 * mm),
    ]


def _summary(request: Request) -> Table:
    return table(
        [
            (_("受付番号"), request.receipt_number),
            (_("受付日"), format_wareki(deadlines.local_date(request.received_at))),
            (_("請求の種類"), "、".join(request.kind_labels())),
            (_("回答期限"), format_wareki(request.effective_due_on)),
        ]
    )


def _decision_rows(request: Request) -> list[tuple[str, str]]:
    """Each item, its outcome and, for a refusal, its ground and reason (APPI Art. 36); for an
    Art. 35 item the case it was decided on, and the measure taken under the proviso."""
    rows = []
    for item in request.items.select_related("category", "purpose"):
        lines = []
        if item.granted:
            lines.append(_("請求のとおり実施します。"))
        elif request.is_bereaved and item.ground == DecisionItem.Ground.NOT_HELD:
            # Outside APPI: said of the receipts, not of 保有個人データ.
            lines += [
                _("開示しません。"),
                _("根拠：開示の対象となる診療報酬明細書等がない"),
                _("理由：%(reason)s") % {"reason": item.reason},
            ]
        else:
            ground = str(DecisionItem.Ground(item.ground).label)
            if item.retention_law:
                ground += _("（%(law)s）") % {"law": item.retention_law}
            lines += [
                _("実施しません。"),
                _("根拠：%(ground)s") % {"ground": ground},
                _("理由：%(reason)s") % {"reason": item.reason},
            ]
        if item.case:
            case = DecisionItem.Case(item.case)
            # The paragraph leads: a case's label may carry its own article in brackets,
            # and two brackets in a row do not read (「（法第19条）（法第35条第1項）」).
            lines.insert(
                1,
                _("請求の事由（%(paragraph)s）：%(case)s")
                % {"case": case.label, "paragraph": case.paragraph},
            )
        if item.alternative_measure:
            # APPI Art. 35(2), (4), (6) proviso: what the society does instead.
            lines.append(_("代替措置：%(measure)s") % {"measure": item.alternative_measure})
        rows.append((item.subject, "\n".join(lines)))
    return rows


def _corrections(request: Request) -> list[tuple[str, str]]:
    rows = []
    for item in request.items.filter(kind=Kind.CORRECTION, granted=True):
        if item.record_id is None:
            field = Member._meta.get_field(item.field)
            label = str(getattr(field, "verbose_name", item.field))
        elif not item.field:
            label = _("記録ID %(id)s") % {"id": item.record_id}
        else:
            names = (titles(code).get(item.field) for code in SCHEMAS)
            label = _("記録ID %(id)s の%(field)s") % {
                "id": item.record_id,
                "field": next((name for name in names if name), item.field),
            }
        # Art. 34(3): what was done, in words: 訂正 and 追加 with the content as it now reads.
        done = DecisionItem.Correction(item.correction)
        if done == DecisionItem.Correction.DELETE:
            rows.append((label, str(_("削除しました"))))
        else:
            rows.append((label, f"{done.label}：{item.new_value}"))
    return rows


BEREAVED_WORDING: dict[str, Promise] = {
    Letter.Kind.ACKNOWLEDGEMENT: gettext_lazy(
        "亡くなられた加入者の診療報酬明細書等の開示のご依頼を、%(notice)s に基づき"
        "上記のとおり受け付けました。死亡の事実と続柄を確かめたうえで、回答期限までに"
        "結果をお知らせします。"
    ),
    Letter.Kind.DECISION: gettext_lazy(
        "亡くなられた加入者の診療報酬明細書等の開示のご依頼について、%(notice)s に基づき、"
        "次のとおり決定しましたので通知します。"
    ),
    Letter.Kind.COMPLETION: gettext_lazy(
        "%(notice)s に基づき、開示を決定した診療報酬明細書等をお送りします。"
        "受付番号の照会用ページから受け取ってください（書面の郵送をご希望のときは同封します）。"
    ),
}


def _delivery(request: Request) -> str:
    """How the disclosure package went to the member, as the completion letter says it."""
    if request.delivery == Request.Delivery.RESTRICTED_POST and request.posted_on:
        tracking = (
            _("（追跡番号 %(number)s）") % {"number": request.tracking_number}
            if request.tracking_number
            else ""
        )
        return _(
            "開示データは、%(day)sに本人限定受取郵便で、ご登録の住所あてにお送りしました%(tracking)s。"
            "郵便局からの到着のお知らせに従い、本人確認書類を提示してお受け取りください。"
            "請求の状況のページからのダウンロードはできません。"
        ) % {"day": format_wareki(request.posted_on), "tracking": tracking}
    if request.delivery == Request.Delivery.DOWNLOAD and (made := request.packages.first()):
        return _(
            "開示データは、請求の状況のページで生年月日を入力して、%(until)sまでダウンロード"
            "できます。"
        ) % {"until": format_wareki(deadlines.local_date(made.expires_at))}
    return ""


def body(request: Request, kind: str, extra: list[Flowable]) -> list[Flowable]:
    """The paragraphs of a letter of `kind` about `request`, after the letterhead."""
    parts: list[Flowable] = [_summary(request), Spacer(1, 5 * mm)]
    if request.is_bereaved and kind in BEREAVED_WORDING:
        # Outside APPI: the MHLW notice's own letters, which cite neither the Act nor the PPC.
        parts.append(paragraph(BEREAVED_WORDING[kind] % {"notice": MHLW_NOTICE}))
        if kind == Letter.Kind.DECISION:
            parts.append(
                paragraph(_("決定：%(outcome)s") % {"outcome": request.get_outcome_display()})
            )
            if rows := _decision_rows(request):
                parts.append(table(rows))
            if request.reasons:
                parts.append(paragraph(_("理由：%(reasons)s") % {"reasons": request.reasons}))
    elif kind == Letter.Kind.ACKNOWLEDGEMENT:
        parts.append(
            paragraph(_("上記のとおり請求を受け付けました。回答期限までに結果をお知らせします。"))
        )
        if request.fee_yen:
            # APPI Art. 38: the fee for 利用目的の通知 and 開示.
            parts.append(
                paragraph(_("手数料は %(fee)s 円です。") % {"fee": f"{request.fee_yen:,}"})
            )
    elif kind in (Letter.Kind.DOCUMENTS, Letter.Kind.REJECTION):
        parts.append(paragraph(request.state_note))
    elif kind == Letter.Kind.EXTENSION and request.extended_due_on:
        parts.append(
            paragraph(
                _("回答期限を %(due)s まで延長します。理由：%(reason)s")
                % {
                    "due": format_wareki(request.extended_due_on),
                    "reason": request.extension_reason,
                }
            )
        )
    elif kind == Letter.Kind.DECISION:
        # APPI Art. 36: a refusal, whole or partial, is told with its reasons.
        parts.append(paragraph(_("決定：%(outcome)s") % {"outcome": request.get_outcome_display()}))
        if rows := _decision_rows(request):
            parts.append(table(rows))
        if request.reasons:
            parts.append(paragraph(_("理由：%(reasons)s") % {"reasons": request.reasons}))
        parts.append(
            paragraph(
                _(
                    "この決定について不明な点があるときは、下記の窓口までお問い合わせください。"
                    "個人情報保護委員会の相談窓口に相談することもできます。"
                )
            )
        )
        if notice := society():
            parts.append(
                table(
                    [
                        (_("窓口"), f"{notice.society_name} {notice.desk_department}"),
                        (_("所在地"), f"〒{notice.desk_postal_code} {notice.desk_address}"),
                        (_("電話番号"), notice.desk_phone),
                    ]
                )
            )
    elif kind == Letter.Kind.COMPLETION:
        parts.append(paragraph(_("決定の内容を実施しましたので、お知らせします。")))
        if delivered := _delivery(request):
            parts.append(paragraph(delivered))
        if rows := _corrections(request):
            # APPI Art. 34(3): the person is told what was corrected.
            parts.append(paragraph(_("訂正の内容（法第34条第3項）")))
            parts.append(table([(_("項目"), _("訂正後の内容")), *rows]))
    parts.extend(extra)
    return parts


def issue(request: Request, kind: str, *, extra: Sequence[Flowable] = ()) -> Letter:
    """Render the letter, store it under MEDIA_ROOT and return its row (caller's transaction)."""
    title = str(Letter.Kind(kind).label)
    # 文書番号: the receipt number and the letter's place among the request's letters.
    number = f"{request.receipt_number}-{request.letters.count() + 1}"
    pdf = render(title, [*_letterhead(request, number), *body(request, kind, list(extra))])
    letter = Letter(
        request=request,
        kind=kind,
        issued_on=deadlines.today(),
        sha256=hashlib.sha256(pdf).hexdigest(),
    )
    letter.file.save(f"{request.receipt_number}-{kind}.pdf", ContentFile(pdf), save=False)
    letter.full_clean()
    letter.save()
    return letter


def blank_request_form() -> bytes:
    """開示等請求書: the paper form, with the same items as the web form."""
    rows = [
        (_("請求者"), _("□本人　□法定代理人　□任意代理人　□遺族（下の欄も記入）")),
        (_("記号・番号・枝番"), ""),
        (_("氏名"), ""),
        (_("フリガナ"), ""),
        (_("生年月日"), _("　　年　　月　　日")),
        (_("住所"), "〒\n"),
        (_("電話番号・メール"), ""),
        (
            _("請求の種類"),
            "\n".join(f"□{label}" for label in Kind.labels)
            + _("\n（開示のとき）□第三者提供記録を含む"),
        ),
        (_("対象の類型・期間"), ""),
        (_("開示の方法"), _("□電子データ　□書面の郵送")),
        (_("訂正等の内容"), _("項目：\n現在の内容：\n正しい内容：")),
        (_("請求の理由（利用停止等）"), "\n"),
        (_("代理人（代理人が請求するとき）"), _("氏名：\n本人との関係：\n住所・電話番号：")),
        (
            _("遺族からの開示依頼（亡くなった加入者の診療報酬明細書等）"),
            _("依頼する方の氏名・フリガナ：\n亡くなった方との続柄：")
            + "　".join(f"□{label}" for label in Request.Bereaved.labels)
            + _("\n死亡日：　　年　　月　　日")
            + _("\n□医療機関に依頼者の氏名等を伝えることに同意する"),
        ),
    ]
    return render(
        _("保有個人データ開示等請求書"),
        [
            paragraph(_("　　年　　月　　日"), RIGHT),
            table(rows),
            Spacer(1, 4 * mm),
            paragraph(
                _(
                    "本人確認書類（運転免許証、パスポート、マイナンバーカードの表面など）の写しを添えてください。"
                    "代理人が請求するときは、代理人の本人確認書類と、委任状または戸籍謄本など代理権を証する書類も添えてください。"
                )
            ),
            paragraph(
                _(
                    "遺族からの開示依頼は、個人情報保護法による請求ではなく、%(notice)sに基づき、"
                    "亡くなった加入者の診療報酬明細書等に限って開示するものです。記号・番号・枝番、"
                    "氏名、フリガナ、生年月日の欄には亡くなった方のものを書き、依頼する方の本人確認書類"
                    "と、死亡の事実と続柄を証する書類（戸籍謄本など）を添えてください。医療機関には、"
                    "同意があるときに限り、開示してよいかを照会します。"
                )
                % {"notice": MHLW_NOTICE}
            ),
        ],
    )


def blank_proxy_form() -> bytes:
    """委任状: the member appoints an agent to file on their behalf."""
    return render(
        _("委任状"),
        [
            paragraph(_("　　年　　月　　日"), RIGHT),
            paragraph(
                _(
                    "私は、下記の者を代理人と定め、保有個人データの開示等の請求に関する一切の権限を委任します。"
                )
            ),
            Spacer(1, 4 * mm),
            paragraph(_("代理人"), HEADING),
            table([(_("氏名"), ""), (_("住所"), ""), (_("電話番号"), "")]),
            paragraph(_("委任者（本人）"), HEADING),
            table(
                [
                    (_("氏名（自署）"), ""),
                    (_("記号・番号・枝番"), ""),
                    (_("生年月日"), _("　　年　　月　　日")),
                    (_("住所"), ""),
                ]
            ),
        ],
    )
