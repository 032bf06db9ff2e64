"""`python -m server erase-expired-contacts`: erase visitors' contact details and revoke tracking
links of cases finished longer ago than CONCIERGE_CONTACT_RETENTION_DAYS.

Safe to run on several servers at once: every case is claimed by a conditional update."""
from django.conf import settings
from django.core.management.base import BaseCommand

from server.cases.jobs import erase_expired_contacts


class Command(BaseCommand):
    help = "Erase contact details of cases finished before the retention period."

    def handle(self, *args, **options):
        erased = erase_expired_contacts()
        self.stdout.write(f"{erased} case(s) erased (retention {settings.CONCIERGE_CONTACT_RETENTION_DAYS} days).")
