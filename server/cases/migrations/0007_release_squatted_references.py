"""Free the references kiosks took outside their own space before uploads were bound to them.

Until intake._check_reference_is_yours, a kiosk could upload a case under any reference,
e.g. another mall's kiosk's next ones, whose own uploads then failed with 409 forever. Every
kiosk case whose reference does not start with its kiosk's code gets a new reference in the
server's own space (first character Z, never a kiosk's or a desk's: fleet.services), and an
internal event keeps the old one. Its tracking token is unchanged, so its QR link still works.
"""
import secrets

from django.db import migrations
from django.utils import timezone

SERVER_PREFIX = "Z"
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def release_squatted_references(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    CaseEvent = apps.get_model("cases", "CaseEvent")
    outside = [
        (pk, reference, code)
        for pk, reference, code in Case.objects.filter(kiosk__isnull=False)
        .values_list("pk", "reference", "kiosk__code").iterator(chunk_size=2000)
        if reference.partition("-")[0] != code
    ]
    now = timezone.now()
    for pk, old, code in outside:
        new = _free_server_reference(Case)
        Case.objects.filter(pk=pk).update(reference=new)
        CaseEvent.objects.create(
            case_id=pk, at=now, kind="note", visibility="internal", actor_label="server",
            note=f"Reference {old} replaced by {new}: {old} does not start with the code of the "
            f"kiosk that uploaded this case ({code}), so it may be another kiosk's or the desk's.",
        )


def _free_server_reference(Case) -> str:
    while True:
        reference = (SERVER_PREFIX + "".join(secrets.choice(ALPHABET) for _ in range(2)) + "-"
                     + "".join(secrets.choice(ALPHABET) for _ in range(4)))
        if not Case.objects.filter(reference=reference).exists():
            return reference


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0006_alter_cannedreply_mall_alter_case_mall_and_more"),
    ]

    operations = [
        migrations.RunPython(release_squatted_references, migrations.RunPython.noop),
    ]
