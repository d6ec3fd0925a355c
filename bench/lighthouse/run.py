"""Lighthouse on the traveller's pages, phone and desktop, as a real visitor gets them.

    make lighthouse                      (installs Lighthouse and chromium, then runs this)
    .venv/bin/python -m bench.lighthouse.run [--pages home hotel_dates ...] [--forms mobile desktop] [--runs 3]

What it measures (docs/lighthouse.md):

- The site in the embedded demo mode (SQLite, in-process cache, tasks and sandboxes: a fresh
  database under a temporary folder, ``migrate`` + ``seed_demo``) served the production way:
  gunicorn, ``DEBUG=false``, static files collected and served by WhiteNoise (compressed).
  The markup, headers and static files are those of production; the data store is not, which
  the Performance figures of a single page load on loopback barely feel.
- Pages: home, a destination, a hotel without and with dates, checkout (``/book/?…``), the
  price-lock page (``/book/locked/<id>/``) and the payment page (the signed ``/pay/<ref>/?t=…``
  link a placed booking redirects to). The last three are signed in as the demo ``traveller``
  (a booking made the way tests/travel/test_browser_site.py makes one, in Playwright); Lighthouse
  gets the session cookie through ``--extra-headers``.
- Forms: ``mobile`` (Lighthouse's default: a throttled mid-range phone) and ``desktop``
  (``--preset=desktop``), in Debian's chromium (``CHROME_PATH``, headless).

Each page and form is measured ``--runs`` times (3) and the run with the median Performance
score is kept: on a shared machine one run's Total Blocking Time moves with the load.

Writes each report to bench/results/lighthouse/<page>-<form>.json with its screenshots removed
(the base64 images of ``final-screenshot``, ``screenshot-thumbnails`` and ``full-page-screenshot``
make up most of a report; every score and audit is kept), and the summary (scores per page, form
and category, the audits below 1, versions, the machine, the load average) to
bench/results/lighthouse.json; prints a table.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "travel.settings.base")  # BASE_DIR for the gunicorn starter

from bench.machine import RESULTS_DIR, write_results  # noqa: E402
from tests.fixtures.processes import gunicorn  # noqa: E402

HERE = Path(__file__).resolve().parent
LIGHTHOUSE = HERE / "node_modules" / ".bin" / "lighthouse"
REPORTS_DIR = RESULTS_DIR / "lighthouse"
CHROME_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
FORMS = ("mobile", "desktop")
ATTEMPTS = 3
SCREENSHOT_AUDITS = ("final-screenshot", "screenshot-thumbnails", "full-page-screenshot")

DESTINATION = "bali"
HOTEL = "saffron-lotus-seminyak"
TRAVELLER = ("traveller", "traveller-demo-pass")
GUESTS = 2


def hotel_with_dates() -> str:
    check_in = date.today() + timedelta(days=21)
    return (f"/hotels/{HOTEL}/?check_in={check_in}&check_out={check_in + timedelta(days=2)}"
            f"&guests={GUESTS}&rooms=1")


# --- the site, served the production way -----------------------------------------------------

# The full-stack variables a shell may carry (README): the run is the embedded demo whatever they say.
FULL_STACK = ("DATABASE_URL", "DATABASE_REPLICA_URL", "REDIS_URL", "CELERY_BROKER_URL", "CACHE_KEY_PREFIX",
              "TEST_DATABASE_NAME", "REQUIRE_SERVICES")


def site_env(database: Path) -> dict[str, str]:
    """The embedded demo (its sandboxes in the one web process) with DEBUG off."""
    inherited = {k: v for k, v in os.environ.items() if k not in FULL_STACK}
    return {**inherited, "DATABASE_URL": f"sqlite:///{database}", "SANDBOXES_PER_PROCESS": "1",
            "DEBUG": "false", "ALLOWED_HOSTS": "127.0.0.1,localhost", "LOG_LEVEL": "WARNING",
            "DJANGO_SETTINGS_MODULE": "travel.settings.base",
            # The demo traveller already holds the demo's unpaid bookings, more than the limit on
            # unpaid bookings per account allows: lift it so the run can lock and place one more.
            "BOOKINGS_MAX_PENDING": "1000", "BOOKINGS_MAX_PENDING_ROOM_NIGHTS": "100000"}


def prepare_site(env: dict[str, str]) -> None:
    python = sys.executable
    for command in (["migrate", "--noinput", "-v", "0"], ["seed_demo"], ["collectstatic", "--noinput", "-v", "0"]):
        subprocess.run([python, "manage.py", *command], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


def serve(env: dict[str, str], log_path: Path):
    """gunicorn: one process (the embedded cache, price locks and sandboxes live in it), four
    threads so a page and its static files load in parallel; yields the base URL."""
    return gunicorn(options=["--workers", "1", "--threads", "4", "--log-level", "warning"], env=env,
                    log_path=log_path, what="the demo site")


# --- the traveller's session and booking, as a person clicks -----------------------------------

class Traveller:
    """A signed-in Playwright page: the session cookie, and the booking pages' paths."""

    def __init__(self, base: str, chromium_path: str):
        from playwright.sync_api import sync_playwright

        self.base = base
        self._playwright = sync_playwright().start()
        self._browser = self._playwright.chromium.launch(executable_path=chromium_path, args=CHROME_FLAGS,
                                                         headless=True)
        self.page = self._browser.new_context().new_page()
        self.page.set_default_timeout(30000)
        self.page.goto(base + "/accounts/login/")
        self.page.fill("input[name=username]", TRAVELLER[0])
        self.page.fill("input[name=password]", TRAVELLER[1])
        self.page.click("main button[type=submit]")
        self.page.wait_for_url(base + "/")

    def cookie_header(self) -> str:
        cookies = self.page.context.cookies(self.base)
        return "; ".join(f"{c['name']}={c['value']}" for c in cookies)

    def _path(self) -> str:
        parts = urlsplit(self.page.url)
        return parts.path + ("?" + parts.query if parts.query else "")

    def checkout(self) -> str:
        """From the hotel page with dates, the first offer's Book button: /book/?…"""
        self.page.goto(self.base + hotel_with_dates())
        self.page.locator("form.book-form button").first.click()
        self.page.wait_for_url("**/book/?*")
        return self._path()

    def locked(self) -> str:
        """A fresh price lock (10 minutes): /book/locked/<id>/"""
        self.page.goto(self.base + self.checkout())
        self.page.get_by_role("button", name="Lock price").click()
        self._arrive("**/book/locked/*/")
        return self._path()

    def payment(self) -> str:
        """A placed booking's signed payment link: /pay/<ref>/?t=…"""
        self.page.goto(self.base + self.locked())
        self.page.fill("#id_lead_name", "Ana Traveller")
        if not self.page.input_value("#id_lead_email"):
            self.page.fill("#id_lead_email", "ana@example.com")
        self.page.fill("#id_lead_phone", "+44 20 7946 0958")
        for n in range(1, GUESTS):
            self.page.fill(f"#other_name_{n}", f"Guest {n} Traveller")
        self.page.get_by_role("button", name="Book now").click()
        self._arrive("**/pay/*/*")
        return self._path()

    def _arrive(self, pattern: str) -> None:
        """Wait for the next page; if a problem page came instead, say what it says."""
        from playwright.sync_api import TimeoutError

        try:
            self.page.wait_for_url(pattern)
        except TimeoutError:
            raise RuntimeError(f"expected {pattern}, got {self.page.url}: {self.page.inner_text('main')[:500]}")

    def close(self) -> None:
        self._browser.close()
        self._playwright.stop()


# (name, how to get its path, signed in): a path is made just before its page is measured,
# so the price lock behind "locked" is fresh.
PAGES = (
    ("home", lambda t: "/", False),
    ("destination", lambda t: f"/destinations/{DESTINATION}/", False),
    ("hotel", lambda t: f"/hotels/{HOTEL}/", False),
    ("hotel_dates", lambda t: hotel_with_dates(), False),
    ("checkout", lambda t: t.checkout(), True),
    ("locked", lambda t: t.locked(), True),
    ("payment", lambda t: t.payment(), True),
)


# --- Lighthouse ---------------------------------------------------------------------------------

def run_lighthouse(url: str, form: str, out: Path, cookie: str = "") -> dict:
    """One Lighthouse run; the report, stripped of its screenshots, written to ``out``."""
    command = [str(LIGHTHOUSE), url, "--output=json", f"--output-path={out}", "--quiet",
               f"--only-categories={','.join(CATEGORIES)}", f"--chrome-flags={' '.join(CHROME_FLAGS)}"]
    if form == "desktop":
        command.append("--preset=desktop")
    if cookie:
        command.append("--extra-headers=" + json.dumps({"Cookie": cookie}))
    for attempt in range(1, ATTEMPTS + 1):
        # On a busy machine Lighthouse now and then loses the trace (NO_NAVSTART, NO_FCP): measure again.
        if subprocess.run(command, env={**os.environ, "CHROME_PATH": chromium_path()}).returncode == 0:
            break
        if attempt == ATTEMPTS:
            raise RuntimeError(f"Lighthouse failed {ATTEMPTS} times on {url} ({form})")
    report = json.loads(out.read_text())
    strip_screenshots(report)
    redact_headers(report)
    out.write_text(json.dumps(report, indent=1) + "\n")
    return report


def median_run(url: str, form: str, out: Path, cookie: str, runs: int) -> tuple[dict, list[dict]]:
    """``runs`` runs; the one with the median Performance score is kept in ``out`` (Lighthouse's
    advice for a noisy machine), with the figures of every run for the summary."""
    reports = []
    for n in range(runs):
        path = out if runs == 1 else out.with_suffix(f".run{n}.json")
        reports.append((run_lighthouse(url, form, path, cookie), path, os.getloadavg()[0]))
    reports.sort(key=lambda item: item[0]["categories"]["performance"]["score"])
    median, median_path, _load = reports[len(reports) // 2]
    if median_path != out:
        median_path.replace(out)
    for _report, path, _load in reports:
        if path != out:
            path.unlink(missing_ok=True)
    return median, [{"scores": scores(r), "load_1min": round(load, 2)} for r, _path, load in reports]


def strip_screenshots(report: dict) -> None:
    """Drop the base64 images (most of a report's bytes); scores and audits stay."""
    report.pop("fullPageScreenshot", None)
    for audit_id in SCREENSHOT_AUDITS:
        audit = report.get("audits", {}).get(audit_id)
        if audit and "details" in audit:
            audit["details"] = {"type": audit["details"].get("type"), "stripped": "base64 image removed"}


def redact_headers(report: dict) -> None:
    """The signed-in pages' session cookie (in the settings the report echoes) is not committed."""
    headers = report.get("configSettings", {}).get("extraHeaders") or {}
    for name in headers:
        headers[name] = "(redacted)"


def scores(report: dict) -> dict[str, int]:
    return {name: round(report["categories"][name]["score"] * 100) for name in CATEGORIES}


def below_one(report: dict) -> dict[str, list[dict]]:
    """Per category, the scored audits that did not pass fully (weight > 0 or a binary fail)."""
    found = {}
    for name in CATEGORIES:
        weak = []
        for ref in report["categories"][name]["auditRefs"]:
            audit = report["audits"][ref["id"]]
            if audit.get("score") is None or audit["score"] >= 1 or audit.get("scoreDisplayMode") in (
                    "notApplicable", "manual", "informative"):
                continue
            weak.append({"id": ref["id"], "score": audit["score"], "weight": ref.get("weight", 0),
                         "title": audit["title"], "value": audit.get("displayValue", "")})
        found[name] = weak
    return found


def chromium_path() -> str:
    return os.environ.get("CHROME_PATH") or shutil.which("chromium") or "/usr/bin/chromium"


def chromium_version() -> str:
    return subprocess.run([chromium_path(), "--version"], capture_output=True, text=True).stdout.strip()


def print_table(rows: list[dict]) -> None:
    print(f"{'page':<12} {'form':<8} " + " ".join(f"{c[:14]:>14}" for c in CATEGORIES) + "   load")
    for row in rows:
        print(f"{row['page']:<12} {row['form']:<8} " + " ".join(f"{row['scores'][c]:>14}" for c in CATEGORIES)
              + f"   {row['load_1min']:.2f}")


# --- the run ------------------------------------------------------------------------------------

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", nargs="+", default=[p[0] for p in PAGES], choices=[p[0] for p in PAGES])
    parser.add_argument("--forms", nargs="+", default=list(FORMS), choices=FORMS)
    parser.add_argument("--runs", type=int, default=3,
                        help="runs per page and form; the report with the median Performance score is kept")
    args = parser.parse_args()
    if not LIGHTHOUSE.exists():
        sys.exit("Lighthouse is not installed: npm ci --prefix bench/lighthouse (or make lighthouse)")
    if not Path(chromium_path()).exists():
        sys.exit("chromium is not installed: make browser-deps")
    REPORTS_DIR.mkdir(parents=True, exist_ok=True)
    rows, load_before = [], os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="lighthouse-") as tmp:
        env = site_env(Path(tmp) / "demo.sqlite3")
        prepare_site(env)
        with serve(env, Path(tmp) / "gunicorn.log") as base:
            traveller = Traveller(base, chromium_path())
            try:
                for name, path_of, signed_in in PAGES:
                    if name not in args.pages:
                        continue
                    url = base + path_of(traveller)
                    cookie = traveller.cookie_header() if signed_in else ""
                    for form in args.forms:
                        report, runs = median_run(url, form, REPORTS_DIR / f"{name}-{form}.json", cookie,
                                                  args.runs)
                        rows.append({"page": name, "form": form, "path": urlsplit(url).path,
                                     "scores": scores(report), "below_1": below_one(report),
                                     "load_1min": round(os.getloadavg()[0], 2), "runs": runs})
                        print_table(rows[-1:])
            finally:
                traveller.close()
    versions = {"lighthouse": report["lighthouseVersion"], "chromium": chromium_version(),
                "user_agent": report["environment"]["hostUserAgent"]}
    path = write_results("lighthouse", {
        "mode": "embedded demo (SQLite) under gunicorn, DEBUG=false, static by WhiteNoise (collectstatic)",
        "runs_per_page_and_form": args.runs, "kept": "the run with the median Performance score",
        "versions": versions, "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()], "reports": str(REPORTS_DIR.relative_to(ROOT)),
        "screenshots": "stripped from the reports (final-screenshot, screenshot-thumbnails, full-page-screenshot)",
        "pages": rows,
    })
    print()
    print_table(rows)
    print(f"\nLighthouse {versions['lighthouse']}, {versions['chromium']}; written {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
