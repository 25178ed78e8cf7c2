"""A file's analysis inputs changed: its follow-up rows are marked stale (the room is computed again on the next
dashboard request, for them only); an income entered moves the file out of "waiting for the client"."""

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from pilier.clients.models import CareerLine, Client, Income
from pilier.policies.models import Policy

from .models import FollowUpYear


def _stale(client_id: Any) -> None:
    FollowUpYear.objects.filter(client_id=client_id, stale=False).update(stale=True)


@receiver(post_save, sender=Client, dispatch_uid="followup_client_saved")
@receiver(post_delete, sender=Client, dispatch_uid="followup_client_deleted")
def _client_changed(sender: type, instance: Client, **kwargs: Any) -> None:
    if not kwargs.get("created") and not kwargs.get("raw"):
        _stale(instance.pk)


@receiver(post_save, sender=Policy, dispatch_uid="followup_policy_saved")
@receiver(post_delete, sender=Policy, dispatch_uid="followup_policy_deleted")
@receiver(post_save, sender=CareerLine, dispatch_uid="followup_line_saved")
@receiver(post_delete, sender=CareerLine, dispatch_uid="followup_line_deleted")
@receiver(post_delete, sender=Income, dispatch_uid="followup_income_deleted")
def _input_changed(sender: type, instance: Policy | CareerLine | Income, **kwargs: Any) -> None:
    if not kwargs.get("raw"):
        _stale(instance.client_id)


@receiver(post_save, sender=Income, dispatch_uid="followup_income_saved")
def _income_entered(sender: type, instance: Income, **kwargs: Any) -> None:
    if kwargs.get("raw"):
        return
    from .services import follow_up_answered

    _stale(instance.client_id)
    follow_up_answered(client_id=instance.client_id, by=instance.entered_by)
