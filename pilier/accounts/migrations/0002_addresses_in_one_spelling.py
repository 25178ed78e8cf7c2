"""Every stored address in its one spelling (stripped, lower case): the login now looks it up exactly."""

from django.db import migrations


def normalize_addresses(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    taken = set(User.objects.values_list("email", flat=True))
    for user in User.objects.only("id", "email"):
        address = user.email.strip().lower()
        if address != user.email and address not in taken:  # a clash is left for an operator to settle
            taken.add(address)
            User.objects.filter(pk=user.pk).update(email=address)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [migrations.RunPython(normalize_addresses, migrations.RunPython.noop)]
