from django_tasks import task

from pilier.accounts.models import Office

from . import services


@task()
def refresh_follow_up(office_id: str, year: int) -> None:
    """The worker's task: the rooms of an office's PRO files for `year` that a request left to compute."""
    office = Office.objects.filter(pk=office_id).first()
    if office is not None:
        services.follow_up_refresh(office=office, year=year)
