"""What a statutory-exception read (APPI Art. 18(3)) was for, kept beside the trail.

The access event itself carries only the ground's code; the user's stated reason is free
text that may name a person, so it lives here, keyed by the event's seq, never in the trail.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class StatutoryGround(models.TextChoices):
    # APPI Art. 18(3)(i)-(iv): use beyond the purposes of use without the person's consent.
    LAW = "law", _("法令に基づく場合")
    LIFE = "life", _("人の生命、身体又は財産の保護のために必要がある場合")
    PUBLIC_HEALTH = (
        "public_health",
        _("公衆衛生の向上又は児童の健全な育成の推進のために特に必要がある場合"),
    )
    STATE = "state", _("国の機関等が法令の定める事務を遂行することに対して協力する必要がある場合")


class StatutoryAccessReason(models.Model):
    event_seq = models.PositiveBigIntegerField(_("監査イベントの連番"), unique=True)
    ground = models.CharField(_("根拠"), max_length=20, choices=StatutoryGround.choices)
    reason = models.TextField(_("理由"))

    class Meta:
        verbose_name = _("法令に基づく例外の理由")
        verbose_name_plural = _("法令に基づく例外の理由")
        ordering = ("-event_seq",)

    def __str__(self) -> str:
        return f"#{self.event_seq} {self.get_ground_display()}"
