"""Print where the demo site runs and how to sign in."""
from django.core.management.base import BaseCommand

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
            "",
        ]
        self.stdout.write("\n".join(lines))
