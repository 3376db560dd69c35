"""The gated admin: how a ModelAdmin reads through `records.gate`, for the purpose the user chose.

`GatedAdminMixin` gives a ModelAdmin its rows from `records.gate` for the access purpose the
user chose on the purpose picker (`PurposePickerMixin`; kept in the session, shown in the
header). Changelists, search, filters, change views, related-field lookups and autocomplete
all start from `get_queryset`, so an object outside the access is "not found" like one that
never existed. The model admins that use it are in `records.admin`.
"""

import json
from collections.abc import Callable

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.views.main import SEARCH_VAR
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import QuerySet
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from safeguards.models import StatutoryGround, condition_of
from safeguards.scopes import desk_codes_for

from . import gate
from .models import Member

SESSION_KEY = "gate_access"

# A list this long (by the planner's estimate) shows about how many rows it holds, not the
# exact count, where counting would read its rows: 1.3 million receipts took 110 ms of every
# page of them (issue 16). Whole categories are counted from their tally instead.
ESTIMATE_FROM = 100_000
EXACT = "exact_count"  # the query parameter that asks for the exact count on such a list


class EstimatedCountPaginator(Paginator):
    """Django's paginator, which counts the rows exactly unless told it may estimate them
    (`may_estimate`: a gated list of records, on PostgreSQL, with no search, not counted from
    the tally, the exact count not asked for): then a list the planner expects to hold
    `ESTIMATE_FROM` rows or more takes the planner's estimate (EXPLAIN plans the list's
    query and reads no row), says so (`estimated`, `label`: 「約130万」), and offers the exact
    count (`exact_url`). A page past the true end of the list is an empty page."""

    def __init__(
        self,
        object_list: QuerySet,
        per_page,
        *,
        may_estimate=False,
        exact_url="",
        **kwargs,
    ):
        super().__init__(object_list, per_page, **kwargs)
        self.rows = object_list
        self.may_estimate, self.exact_url, self.estimated = may_estimate, exact_url, False

    @property
    def count(self) -> int:
        if "_count" not in self.__dict__:
            self._count = self._estimate() or self.rows.count()
        return self._count

    def _estimate(self) -> int:
        if not self.may_estimate or connections[self.rows.db].vendor != "postgresql":
            return 0
        plan = self.rows.order_by().explain(format="json")
        if not plan:  # a list no row can be in: Django sends the database nothing
            return 0
        planned = int(json.loads(plan)[0]["Plan"]["Plan Rows"])
        self.estimated = planned >= ESTIMATE_FROM
        return planned if self.estimated else 0

    @property
    def label(self) -> str:
        """The estimate as staff read it, in 万 to two figures (「約130万」, 「約13万」): the
        planner's estimate is rarely closer than a few per cent, nor meant to be."""
        man = self.count / 10_000
        return _("約%(count)s万") % {"count": f"{round(man, 2 - len(str(int(man)))):g}"}


class DeskAdminMixin:
    """A desk's filings in the admin (requests, complaints; `desk` is a `Desk.Code`).

    Rows come only through `gate.filings` for staff who hold the desk: anyone else finds the
    list empty and is refused a filing's own pages (change, history, moves: all start from
    `get_object`) with `gate.OutOfDesk`, a Japanese 403 and an `access.refused` event. Only
    the desk's staff take a filing in.
    """

    desk: str

    def desk_access(self, request) -> gate.DeskAccess:
        """The access to the desk's filings, or the refusal (raised, audited)."""
        return gate.open_desk(user=request.user, desk=self.desk)

    def holds_desk(self, request) -> bool:
        """`gate.may_handle`, with the user's desks read once a request: the menu asks for
        each desk's pages, one statement each."""
        if not hasattr(request, "held_desks"):
            request.held_desks = desk_codes_for(request.user)
        return self.desk in request.held_desks

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if not self.holds_desk(request):
            return queryset.none()
        return gate.filings(self.desk_access(request), queryset)

    def get_object(self, request, object_id, from_field=None):
        self.desk_access(request)
        return super().get_object(request, object_id, from_field)

    def has_add_permission(self, request):
        return super().has_add_permission(request) and self.holds_desk(request)


def chosen_access(request) -> gate.Access:
    """The admin access for this request, from the purpose chosen on the picker (once)."""
    if not hasattr(request, "gate_access"):
        chosen = request.session.get(SESSION_KEY, {})
        statutory = None
        if "ground" in chosen:
            try:
                statutory = gate.Statutory(
                    ground=chosen["ground"],
                    reason=chosen["reason"],
                    condition_confirmed=chosen.get("confirmed", False),
                )
            except ValueError:  # chosen before the condition was asked: chosen again
                request.session.pop(SESSION_KEY, None)
        request.gate_access = gate.open_access(
            user=request.user,
            surface=gate.Surface.ADMIN,
            purpose=chosen.get("purpose"),
            statutory=statutory,
        )
    return request.gate_access


class GatedAdminMixin:
    """Rows come from the gate (`gate_rows(access)` names `gate.members`, `gate.records`...).

    Foreign keys to members and categories offer only those of the access, so a posted id
    outside it is an invalid choice. Changes follow the model permissions, under a purpose:
    a statutory access (APPI Art. 18(3)) reads and never writes. Nothing is deleted here.
    """

    gate_rows: Callable[[gate.Access], gate.GatedQuerySet]

    def action_checkbox(self, obj):
        """Django's row checkbox, written as its widget's template writes it: rendering the
        widget through the template engine took a third of a changelist of 100 rows (the gate
        bench, issue 16)."""
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            helpers.ACTION_CHECKBOX_NAME,
            obj.pk,
            format_html(_("Select this object for an action - {}"), str(obj)),
        )

    def gate_access(self, request) -> gate.Access:
        """The access the pages read through: the purpose chosen on the picker."""
        return chosen_access(request)

    def get_queryset(self, request):
        queryset = self.gate_rows(self.gate_access(request))
        ordering = self.get_ordering(request)
        return queryset.order_by(*ordering) if ordering else queryset

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.related_model is Member:
            kwargs["queryset"] = gate.members(self.gate_access(request))
        elif db_field.name == "category":
            kwargs["queryset"] = gate.categories(self.gate_access(request))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_model_perms(self, request):
        # The index and the menu list these pages only to staff holding a scope: for anyone
        # else each is a refusal (audited, in Japanese) if opened by its address.
        if not hasattr(request, "holds_scope"):  # asked for each page of the menu: once
            # An access this request opened holds a scope (`open_access` refuses one that
            # does not): the page's own opening answers, with no second statement.
            request.holds_scope = hasattr(request, "gate_access") or gate.holds_scope(request.user)
        if not request.holds_scope:
            return dict.fromkeys(super().get_model_perms(request), False)
        return super().get_model_perms(request)

    def changelist_view(self, request, extra_context=None):
        # The list is titled by what it lists (「記録」), not Django's "select to change".
        context = {"title": self.opts.verbose_name_plural, **(extra_context or {})}
        # The exact count, asked for on a long list (`EstimatedCountPaginator`), is no filter:
        # the changelist must not see it among its lookups.
        request.exact_count = EXACT in request.GET
        if request.exact_count:
            request.GET = request.GET.copy()
            del request.GET[EXACT]
        return super().changelist_view(request, context)

    def get_paginator(self, request, queryset, per_page, orphans=0, allow_empty_first_page=True):
        if self.paginator is not EstimatedCountPaginator:
            return super().get_paginator(
                request, queryset, per_page, orphans, allow_empty_first_page
            )
        exact = request.GET.copy()
        exact[EXACT] = "1"
        return EstimatedCountPaginator(
            queryset,
            per_page,
            orphans=orphans,
            allow_empty_first_page=allow_empty_first_page,
            may_estimate=not (getattr(request, "exact_count", True) or request.GET.get(SEARCH_VAR))
            and self.may_estimate(request, queryset),
            exact_url=f"?{exact.urlencode()}",
        )

    def may_estimate(self, request, queryset) -> bool:
        """Whether the list may be long enough to estimate: its access reads whole categories,
        which its count would read row by row (a purpose needing consent checks each member).
        Whole categories read as they are, or filtered by category, are counted exactly from
        their tally (`GatedQuerySet.tallied`); the records of members granted one by one are
        few, and counted without asking the planner first."""
        return bool(self.gate_access(request).category_ids) and not queryset.tallied()

    def has_change_permission(self, request, obj=None):
        if obj is not None and self.gate_access(request).statutory is not None:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        # Out of the access and never existing read alike (no hint that it exists); the
        # message says what the user can do about the first, which is the usual case.
        purpose = request.session.get(SESSION_KEY, {}).get("name", _("未選択"))
        message = _(
            "ID「%(id)s」の%(name)sは、選んでいる利用目的（%(purpose)s）ではあなたの担当外の"
            "ため表示できません（該当するものがないときも同じ表示です）。利用目的を変えるか、"
            "担当の割当てを個人情報取扱責任者に確認してください。"
        ) % {"id": object_id, "name": opts.verbose_name, "purpose": purpose}
        self.message_user(request, message, messages.WARNING)
        return HttpResponseRedirect(reverse("admin:index", current_app=self.admin_site.name))


class ScopedCategoryFilter(admin.SimpleListFilter):
    """Only the categories the access may read: no other category's name or count shows."""

    title = gettext_lazy("類型")
    parameter_name = "category"

    def lookups(self, request, model_admin):
        return [(str(c.pk), c.name) for c in gate.categories(chosen_access(request))]

    def queryset(self, request, queryset):
        return queryset.filter(category_id=self.value()) if self.value() else queryset


class PurposePickerMixin:
    """The purpose picker's page, `admin:records_purpose`, on the admin that serves it."""

    def get_urls(self):
        return [
            path(
                "purpose/",
                self.admin_site.admin_view(self.purpose_view),
                name="records_purpose",
            ),
            *super().get_urls(),
        ]

    def purpose_view(self, request):
        """The purpose picker: purposes the user's scope allows today, or a statutory ground."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        choices = gate.choosable_purposes(request.user)
        purpose_form = PurposeForm(choices, request.POST if "purpose" in request.POST else None)
        statutory_form = StatutoryForm(request.POST if "ground" in request.POST else None)
        for form in (purpose_form, statutory_form):
            if form.is_bound and form.is_valid():
                request.session[SESSION_KEY] = form.chosen()
                messages.success(request, _("利用目的を「%s」にしました。") % form.chosen()["name"])
                return HttpResponseRedirect(_safe_next(request))
        if purpose_form.is_bound and request.POST["purpose"] and "purpose" in purpose_form.errors:
            # A purpose the register does not permit for this user's scope, or none at all.
            gate.refuse_purpose(
                user=request.user, surface=gate.Surface.ADMIN, purpose=request.POST.get("purpose")
            )
        context = {
            **self.admin_site.each_context(request),
            "title": _("利用目的の選択"),
            "purpose_form": purpose_form,
            "statutory_form": statutory_form,
            "no_purposes": not choices,
            "next": request.GET.get("next", ""),
        }
        return TemplateResponse(request, "admin/records/purpose.html", context)


def _safe_next(request) -> str:
    target = request.GET.get("next", "")
    if url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return target
    return reverse("admin:records_record_changelist")


class PurposeForm(forms.Form):
    """One radio button per purpose, grouped under each category that permits it: a purpose
    that several categories permit appears in each group, as the same choice."""

    purpose = forms.ChoiceField(label=gettext_lazy("利用目的"), widget=forms.RadioSelect)

    def __init__(self, groups, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["purpose"].choices = groups
        self.names = {code: name for _category, purposes in groups for code, name in purposes}

    def chosen(self) -> dict:
        code = self.cleaned_data["purpose"]
        return {"purpose": code, "name": self.names[code]}


class StatutoryForm(forms.Form):
    """A ground of APPI Art. 18(3) in the Act's words, the reason, and for items (ii)-(iv)
    and (vi) the confirmation that the ground's condition holds."""

    ground = forms.ChoiceField(
        label=gettext_lazy("法令上の根拠（個人情報保護法第18条第3項）"),
        choices=StatutoryGround.choices,
        widget=forms.RadioSelect,
    )
    condition_confirmed = forms.BooleanField(
        label=gettext_lazy("根拠の条件に当たることを確認しました"),
        required=False,
        help_text=gettext_lazy(
            "第2号・第3号は本人の同意を得ることが困難であるとき、第4号は本人の同意を得ることに"
            "より事務の遂行に支障を及ぼすおそれがあるとき、第6号は提供先が学術研究機関等で学術"
            "研究目的で取り扱う必要があり、個人の権利利益を不当に侵害するおそれがないときに"
            "限られます。"
        ),
    )
    reason = forms.CharField(
        label=gettext_lazy("理由"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "監事が確認します。根拠となる法令・依頼文書、同意を得られない事情などを具体的に"
            "書いてください。"
        ),
    )

    def clean(self):
        cleaned = super().clean()
        condition = condition_of(cleaned.get("ground", ""))
        if condition and not cleaned.get("condition_confirmed"):
            self.add_error(
                "condition_confirmed",
                _(
                    "この根拠は、%(condition)sが条件です。条件に当たることを確かめ、確認の欄に"
                    "チェックしてください。当たらないときは、この根拠では閲覧できません。"
                )
                % {"condition": condition},
            )
        return cleaned

    def chosen(self) -> dict:
        ground = StatutoryGround(self.cleaned_data["ground"])
        return {
            "ground": ground.value,
            "reason": self.cleaned_data["reason"],
            "confirmed": bool(condition_of(ground) and self.cleaned_data["condition_confirmed"]),
            "name": _("例外：%s") % ground.article,
        }
