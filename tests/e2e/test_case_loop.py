"""Issue 18's acceptance 1, with real processes: a complaint filed by touch on a kiosk process
reaches the engineering department's queue on a real server process (uvicorn); a handler there
is told by e-mail (read back from an SMTP server this test runs) and by the department's group
robot (a local HTTP receiver), takes the case, reveals the visitor's phone (audited) and
resolves it; the visitor gets an SMS through the gateway adapter (a local receiver stands in for
the operator's gateway) and sees the answer on the tracking page in Chromium without
reloading; a one-star rating opens a follow-up task for the manager, who is e-mailed."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import requests
import zxingcpp
from conftest import StaffBrowser, VisitorProcess
from live_server import CODE_RE, ServerProcess, enroll, free_port, manage, wait_until
from notification_receivers import HttpReceiver, SmtpInbox
from PIL import Image

pytestmark = pytest.mark.e2e

CHROMIUM = Path("/usr/bin/chromium")
PASSWORD = "e2e-Handler-password-1"
PHONE = "13812345678"
HANDLER, HANDLER_MAIL = "eng-wang", "wang@plaza.example"
MANAGER, MANAGER_MAIL = "mgr-zhao", "zhao@plaza.example"


@pytest.fixture
def receivers():
    smtp, robot, gateway = SmtpInbox().start(), HttpReceiver().start(), HttpReceiver(answer={"ok": True}).start()
    yield smtp, robot, gateway
    smtp.stop()
    robot.stop()
    gateway.stop()


@pytest.fixture
def server(tmp_path_factory, receivers):
    smtp, robot, gateway = receivers
    server = ServerProcess(tmp_path_factory.mktemp("server"), free_port())
    server.env.update(
        CONCIERGE_EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        CONCIERGE_EMAIL_HOST="127.0.0.1", CONCIERGE_EMAIL_PORT=str(smtp.port),
        CONCIERGE_SMS_GATEWAY_URL=gateway.url + "/sms/send", CONCIERGE_SMS_GATEWAY_KEY="e2e-gateway-key",
        CONCIERGE_NOTIFY_AT_ONCE="1", CONCIERGE_LIVE_CHECK_SECONDS="0.5",
        CONCIERGE_TRACKING_RATE="1000/m",  # the test polls the tracking page until the case is there
    )
    # One management process for the set-up (each costs seconds to start): migrate, the demo mall
    # (seeded, published, and an enrollment code printed), the two staff users, the group robot.
    staff = ((HANDLER, "department_handler", HANDLER_MAIL, ["--department", "engineering"]),
             (MANAGER, "manager", MANAGER_MAIL, []))
    users = "".join(f"call_command('create_user', {username!r}, '--role', {role!r}, '--password', {PASSWORD!r}, "
                    f"'--email', {mail!r}, *{extra!r}); " for username, role, mail, extra in staff)
    set_up = manage(server.env, "shell", "-c", (
        "from django.core.management import call_command; "
        "call_command('migrate', '--noinput', verbosity=0); call_command('demo'); " + users +
        "from server.malls.models import Mall; from server.notifications.models import DepartmentChannel; "
        f"DepartmentChannel.objects.create(mall=Mall.objects.get(), department='engineering', "
        f"webhook_url={robot.url + '/cgi-bin/webhook/send?key=e2e'!r}, triggers=['new_case', 'hand_over'])"))
    assert set_up.returncode == 0, set_up.stdout + set_up.stderr
    code = CODE_RE.search(set_up.stdout)
    assert code, f"no enrollment code in the demo's output:\n{set_up.stdout}"
    server.enrollment_code = code.group(1)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def chromium():
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (/usr/bin/chromium)")
    sync_playwright = pytest.importorskip("playwright.sync_api").sync_playwright
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield browser
        browser.close()


def shell(server, code: str) -> str:
    result = manage(server.env, "shell", "-c", code)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def post_form(staff: StaffBrowser, case_url: str, action: str, data: dict | None = None):
    page = staff.session.get(case_url, timeout=10)
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert match, "the case page has no form"
    return staff.session.post(case_url + action, data={"csrfmiddlewaretoken": match.group(1), **(data or {})},
                              headers={"Referer": case_url}, timeout=10)


def test_a_kiosk_complaint_goes_round_the_whole_loop(server, receivers, chromium, tmp_path):
    smtp, robot, gateway = receivers
    kiosk_dir = tmp_path / "kiosk"
    enroll(server, kiosk_dir, server.enrollment_code).close()

    visitor = VisitorProcess(kiosk_dir, tmp_path / "receipt.png", description="lift door on floor 3 is stuck",
                             category="environment_facilities", phone=PHONE)
    try:
        receipt = visitor.receipt()
        [code] = zxingcpp.read_barcodes(Image.open(receipt["screenshot"]))
        tracking_url, reference = code.text, receipt["reference"]
        # The receipt's QR code opens the case's page once the kiosk has sent the case (404 till then).
        assert wait_until(lambda: requests.get(tracking_url, timeout=10).status_code == 200, timeout=90, every=0.25), \
            "the case never reached the server"
    finally:
        visitor.kill()
    assert shell(server, "from server.cases.models import Case; "
                         f"c = Case.objects.get(reference={reference!r}); print(c.department, c.owner_id, "
                         "c.description == 'lift door on floor 3 is stuck')") \
        == "engineering None True", "in engineering's queue, owned by nobody; typed in English, stored as typed"

    # The handler is told by e-mail and the department's group by its robot, off the request path.
    assert wait_until(lambda: smtp.to(HANDLER_MAIL), timeout=30), "no e-mail reached the handler"
    [mail] = smtp.to(HANDLER_MAIL)
    assert reference in mail["Subject"] and "lift door on floor 3 is stuck" in mail.get_content()
    assert wait_until(lambda: robot.received, timeout=30), "the group robot got nothing"
    assert reference in robot.received[0].body["text"]["content"]
    assert robot.received[0].query["key"] == ["e2e"]

    # The visitor keeps the tracking page open on their phone.
    phone = chromium.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, locale="en-US").new_page()
    phone.goto(tracking_url)
    phone.evaluate("window.__stillTheSamePage = true")

    staff = StaffBrowser(server.url)
    staff.log_in(HANDLER, PASSWORD)
    case_url = staff.case_url(reference)
    taken = post_form(staff, case_url, "take")
    assert taken.ok, taken.status_code
    revealed = post_form(staff, case_url, "contact")
    assert revealed.ok and PHONE in revealed.text, "the owner of the case sees the visitor's whole number"
    resolved = staff.change_status(case_url, "resolved", "The lift door has been repaired; thank you for telling us.")
    assert "The lift door has been repaired" in resolved

    # The SMS goes to the visitor through the gateway adapter.
    assert wait_until(lambda: gateway.received, timeout=30), "no SMS reached the gateway"
    [sms] = gateway.received
    assert sms.body["phone"] == PHONE and reference in sms.body["text"]
    assert sms.headers["Authorization"] == "Bearer e2e-gateway-key"

    # The tracking page shows the answer without a reload (server-sent events under uvicorn).
    phone.get_by_text("The lift door has been repaired; thank you for telling us.").wait_for(timeout=20000)
    assert phone.evaluate("window.__stillTheSamePage === true")

    # One star: a follow-up task for the manager, who is e-mailed about it.
    phone.click("label[for=stars-1]")
    phone.click("form.visitor[action$='/rate'] button[type=submit]")
    phone.wait_for_load_state()
    assert shell(server, "from server.accounts.models import AuditEntry; from server.cases.models import FollowUp; "
                         "print(AuditEntry.objects.filter(action='case.reveal_contact', "
                         f"detail={reference!r}, actor__username={HANDLER!r}).count(), FollowUp.objects.filter("
                         f"case__reference={reference!r}, status='open', low_score=1).count())") \
        == "1 1", "the reveal of the phone number is audited; the one star opened a follow-up"
    assert wait_until(lambda: smtp.to(MANAGER_MAIL), timeout=30), "the manager was not told of the low score"
    assert reference in smtp.to(MANAGER_MAIL)[-1]["Subject"]
    phone.context.close()
