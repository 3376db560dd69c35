"""The admin site: two-factor (django-otp) in every mode, the demo's included; staff sign in
on `safeguards:sign_in`; open incidents and, to the privacy officers, the changes waiting for a
second officer's approval shown on every page; the reports and the scope screen
linked for those who may use them.
"""

from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_otp.admin import OTPAdminSite

from safeguards.incidents import open_incidents
from safeguards.models import Approval
from safeguards.roles import Role, has_role, may_read_reports


class KumiaiAdminSite(OTPAdminSite):
    site_header = _("Kumiai 管理画面")
    site_title = _("Kumiai 管理画面")
    index_title = _("管理メニュー")

    def __init__(self, name: str = "admin"):
        super().__init__(name)

    def login(self, request, extra_context=None):
        # One sign-in page for staff, with the token and the lockout: ours.
        next_url = request.GET.get(REDIRECT_FIELD_NAME) or reverse("admin:index")
        return redirect_to_login(next_url, reverse("safeguards:sign_in"))

    def each_context(self, request) -> dict:
        context = super().each_context(request)
        if request.user.has_perm("safeguards.view_incident"):
            context["open_incidents"] = open_incidents().count()
        # The four eyes: a privacy officer sees what waits for a second officer's decision.
        if has_role(request.user, Role.PRIVACY_OFFICER):
            context["pending_approvals"] = Approval.objects.filter(
                state=Approval.State.PENDING
            ).count()
        # The 監事 works in /reports/: the admin's header and index lead there.
        context["may_read_reports"] = may_read_reports(request.user)
        # The scope screen is a view of its own: the index and the user page link to it.
        context["may_assign_scopes"] = request.user.has_perm(
            "safeguards.add_categoryuserobjectpermission"
        )
        return context
