"""Print where the demo site runs and how to sign in."""
from django.core.management.base import BaseCommand

from bookings.payments.access import pay_link
from bookings.payments.demo import DEMO_REFERENCE
from bookings.payments.models import Invoice
from catalogue.demo import DEMO_LOGINS


class Command(BaseCommand):
    help = "Print the demo site's URL and logins."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000)

    def handle(self, *args, port, **options):
        url = f"http://127.0.0.1:{port}/"
        lines = [
            "",
            f"  The site:  {url}",
            f"  The admin: {url}admin/",
            "  Demo logins (username / password):",
            *(f"    {username:32} {password:22} {role}" for username, password, role in DEMO_LOGINS),
            *self._demo_payment(url),
            "",
        ]
        self.stdout.write("\n".join(lines))

    @staticmethod
    def _demo_payment(url: str) -> list[str]:
        """The demo invoice has no traveller: its page opens through its signed link only."""
        invoice = Invoice.objects.filter(reference=DEMO_REFERENCE).first()
        if invoice is None:
            return []
        link = pay_link(reference=invoice.reference, expires_at=invoice.expires_at)
        return [f"  A payment page to try (sandbox): {url.rstrip('/')}{link}"]
