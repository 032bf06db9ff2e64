"""The fleet console and its commands, over HTTP: a kiosk's heartbeat carries the console's
commands until the kiosk answers; approval holds content back; key rotation switches keys once
the kiosk uses the new one; silent kiosks raise alarms through the notification queue; staff see
only their mall's kiosks; bad input is a 4xx."""
from __future__ import annotations

import base64
import io
from datetime import timedelta

import pytest
from django.utils import timezone
from PIL import Image
from server_helpers import assert_error, post_json
from test_cases_support import make_staff

from server.fleet import remote
from server.fleet import services as fleet
from server.fleet.models import FleetSettings, Kiosk, KioskAlarm, KioskCommand
from server.notifications.kiosk_alarms import ALARM_TRIGGER
from server.notifications.models import DepartmentChannel, Message

pytestmark = pytest.mark.django_db


def beat(client, device_key: str, **fields):
    body = {"app_version": "1.2.0", "content_version": None, "sent_at": timezone.now().isoformat(), **fields}
    return post_json(client, "/api/v1/kiosk/heartbeat", body, Authorization=f"Bearer {device_key}")


def answer(client, device_key: str, command_id: str, **body):
    return post_json(client, f"/api/v1/kiosk/commands/{command_id}/result", body,
                     Authorization=f"Bearer {device_key}")


def jpeg() -> str:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 36), (200, 30, 30)).save(buffer, format="JPEG")
    return base64.b64encode(buffer.getvalue()).decode()


@pytest.fixture
def manager(mall):
    return make_staff("boss", "manager", mall)


def test_a_command_comes_with_every_heartbeat_until_the_kiosk_answers(client, mall, enrollment, manager):
    client.force_login(manager)
    kiosk = enrollment.kiosk
    response = client.post(f"/console/fleet/kiosks/{kiosk.pk}/command", {"kind": "set_volume", "value": "35"})
    assert response.status_code == 302
    command = KioskCommand.objects.get(kiosk=kiosk)
    assert (command.state, command.payload) == ("queued", {"percent": 35})

    first = beat(client, enrollment.device_key).json()["commands"]
    assert [(c["id"], c["kind"], c["payload"]) for c in first] == [(command.pk, "set_volume", {"percent": 35})]
    assert KioskCommand.objects.get(pk=command.pk).state == "delivered"
    # The reply was lost: the next heartbeat brings the same command again.
    again = beat(client, enrollment.device_key).json()["commands"]
    assert [c["id"] for c in again] == [command.pk]

    assert answer(client, enrollment.device_key, command.pk, ok=True, message="volume 35 %").status_code == 200
    assert answer(client, enrollment.device_key, command.pk, ok=False, message="late repeat").status_code == 200
    stored = KioskCommand.objects.get(pk=command.pk)
    assert (stored.state, stored.result) == ("succeeded", "volume 35 %")
    assert [c for c in beat(client, enrollment.device_key, speech_volume=35).json()["commands"] if c.get("id")] == []

    page = client.get(f"/console/fleet/kiosks/{kiosk.pk}/").content.decode()
    assert "volume 35 %" in page and "35 %" in page


def test_a_screenshot_answer_is_shown_in_the_console(client, mall, enrollment, manager):
    client.force_login(manager)
    kiosk = enrollment.kiosk
    client.post(f"/console/fleet/kiosks/{kiosk.pk}/command", {"kind": "screenshot"})
    command = KioskCommand.objects.get(kiosk=kiosk)
    beat(client, enrollment.device_key)
    assert_error(answer(client, enrollment.device_key, command.pk, ok=True), 400, "missing_screenshot")
    assert_error(answer(client, enrollment.device_key, command.pk, ok=True,
                        screenshot_jpeg_b64=base64.b64encode(b"GIF89a").decode()), 400, "bad_screenshot")
    assert answer(client, enrollment.device_key, command.pk, ok=True, screenshot_jpeg_b64=jpeg()).status_code == 200
    page = client.get(f"/console/fleet/kiosks/{kiosk.pk}/").content.decode()
    assert f"/console/fleet/commands/{command.pk}/screenshot.jpg" in page
    picture = client.get(f"/console/fleet/commands/{command.pk}/screenshot.jpg")
    assert picture["Content-Type"] == "image/jpeg"
    assert Image.open(io.BytesIO(picture.content)).size == (64, 36)


def test_bad_commands_and_results_are_refused(client, mall, enrollment, other_kiosk, manager):
    client.force_login(manager)
    kiosk = enrollment.kiosk
    for data in ({"kind": "format_disk"}, {"kind": "set_volume", "value": "101"},
                 {"kind": "set_brightness", "value": "bright"}, {"kind": "rotate_key"}):
        assert client.post(f"/console/fleet/kiosks/{kiosk.pk}/command", data).status_code == 400, data
    assert not KioskCommand.objects.exists()
    assert client.get(f"/console/fleet/kiosks/{kiosk.pk}/command").status_code == 405
    assert_error(answer(client, enrollment.device_key, "01ARZ3NDEKTSV4RRFFQ69G5FAV", ok=True), 404)
    command = remote.send_command(other_kiosk, "reload", manager)
    assert_error(answer(client, enrollment.device_key, command.pk, ok=True), 404)  # not this kiosk's
    assert_error(answer(client, enrollment.device_key, command.pk, ok="maybe"), 422)
    assert answer(client, "not-a-key", command.pk, ok=True).status_code == 401
    assert_error(beat(client, enrollment.device_key, speech_volume=140), 422)
    assert_error(beat(client, enrollment.device_key, orientation="sideways"), 422)


def test_staff_see_and_command_only_their_own_malls_kiosks(client, mall, kiosk, other_kiosk, manager):
    other_kiosk.name = "harbour kiosk"
    other_kiosk.save(update_fields=["name"])
    client.force_login(manager)
    listing = client.get("/console/fleet/").content.decode()
    assert kiosk.code in listing and other_kiosk.code not in listing
    assert client.get(f"/console/fleet/kiosks/{other_kiosk.pk}/").status_code == 404
    assert client.post(f"/console/fleet/kiosks/{other_kiosk.pk}/command", {"kind": "reload"}).status_code == 404
    assert client.post(f"/console/fleet/kiosks/{other_kiosk.pk}/revoke").status_code == 404
    assert Kiosk.objects.get(pk=other_kiosk.pk).revoked_at is None
    desk = make_staff("desk", "agent", mall)
    client.force_login(desk)
    assert client.get("/console/fleet/").status_code == 200
    assert client.post(f"/console/fleet/kiosks/{kiosk.pk}/command", {"kind": "reload"}).status_code == 403
    assert not KioskCommand.objects.exists()


def test_a_mall_that_wants_approval_gives_new_kiosks_no_content_until_approved(client, imported_mall, published):
    manager = make_staff("boss", "manager", imported_mall)
    client.force_login(manager)
    response = client.post("/console/fleet/settings", {"approval_required": "on", "offline_after_minutes": "10",
                                                       "alarm_department": ""})
    assert response.status_code == 302
    enrolled = fleet.enroll_kiosk(fleet.create_enrollment_code(imported_mall).code)
    headers = {"Authorization": f"Bearer {enrolled.device_key}"}
    assert_error(client.get("/api/v1/kiosk/content", headers=headers), 403, "pending_approval")
    assert "badge fleet-pending" in client.get("/console/fleet/").content.decode()
    assert client.post(f"/console/fleet/kiosks/{enrolled.kiosk.pk}/approve").status_code == 302
    assert client.get("/api/v1/kiosk/content", headers=headers).status_code == 200


def test_approval_off_the_default_an_enrolled_kiosk_gets_content_at_once(client, enrolled_kiosk, published):
    assert client.get("/api/v1/kiosk/content", headers=enrolled_kiosk.headers).status_code == 200
    assert Kiosk.objects.get(pk=enrolled_kiosk.id).approved_at is not None


def test_a_rotated_key_replaces_the_old_one_once_the_kiosk_uses_it(client, mall, enrollment, manager):
    client.force_login(manager)
    kiosk, old_key = enrollment.kiosk, enrollment.device_key
    assert client.post(f"/console/fleet/kiosks/{kiosk.pk}/rotate-key").status_code == 302
    delivered = beat(client, old_key).json()["commands"]
    rotation = next(c for c in delivered if c["kind"] == "rotate_key")
    new_key = rotation["payload"]["device_key"]
    assert beat(client, old_key).status_code == 200  # not yet confirmed: the old key still works
    # The kiosk may hold that key already: another rotation now would strand it.
    assert client.post(f"/console/fleet/kiosks/{kiosk.pk}/rotate-key").status_code == 409
    assert answer(client, new_key, rotation["id"], ok=True, message="key switched").status_code == 200
    assert beat(client, old_key).status_code == 401
    assert beat(client, new_key).status_code == 200
    stored = KioskCommand.objects.get(pk=rotation["id"])
    assert (stored.state, stored.payload) == ("succeeded", {})  # the key is not kept in the row
    assert Kiosk.objects.get(pk=kiosk.pk).device_key_sha256 == fleet.hash_secret(new_key)


def test_a_revoked_kiosk_is_locked_out_and_its_commands_fail(client, mall, enrollment, manager):
    client.force_login(manager)
    kiosk = enrollment.kiosk
    client.post(f"/console/fleet/kiosks/{kiosk.pk}/command", {"kind": "restart"})
    assert client.post(f"/console/fleet/kiosks/{kiosk.pk}/revoke").status_code == 302
    assert beat(client, enrollment.device_key).status_code == 401
    assert KioskCommand.objects.get(kiosk=kiosk).state == "failed"
    assert client.post(f"/console/fleet/kiosks/{kiosk.pk}/command", {"kind": "reload"}).status_code == 400
    assert "The kiosk was revoked." in client.get(f"/console/fleet/kiosks/{kiosk.pk}/?lang=en").content.decode()
    assert "该自助机已被吊销。" in client.get(f"/console/fleet/kiosks/{kiosk.pk}/?lang=zh-hans").content.decode()


def test_the_console_says_in_its_own_words_what_came_of_each_command(client, mall, enrollment, manager):
    client.force_login(manager)
    kiosk = enrollment.kiosk
    volume = remote.send_command(kiosk, "set_volume", manager, "35")
    brightness = remote.send_command(kiosk, "set_brightness", manager, "70")
    beat(client, enrollment.device_key)
    answer(client, enrollment.device_key, volume.pk, ok=True, message="read-aloud volume 35 %")
    answer(client, enrollment.device_key, brightness.pk, ok=False, unsupported=True,
           message="no backlight under /sys/class/backlight")
    page = client.get(f"/console/fleet/kiosks/{kiosk.pk}/?lang=en").content.decode()
    assert "Read-aloud volume set to 35 %" in page
    assert "Not supported on this kiosk" in page and "no backlight under /sys/class/backlight" in page
    page = client.get(f"/console/fleet/kiosks/{kiosk.pk}/?lang=zh-hans").content.decode()
    assert "朗读音量已设为 35%" in page and "这台自助机不支持" in page


def test_the_heartbeat_keeps_the_screen_state_and_the_console_shows_it(client, mall, enrollment, manager):
    beat(client, enrollment.device_key, screen_on=False, orientation="portrait", speech_volume=60, brightness=None,
         uptime_s=7300, disk_free_bytes=5 * 1024**3, outbox_depth=2, last_errors=["content: timeout"])
    stored = Kiosk.objects.get(pk=enrollment.kiosk.pk)
    assert (stored.screen_on, stored.orientation, stored.speech_volume, stored.brightness) == (
        False, "portrait", 60, None)
    client.force_login(manager)
    page = client.get("/console/fleet/?lang=en").content.decode()
    row = page[page.index(f'data-kiosk="{stored.code}"'):]
    row = row[:row.index("</tr>")]
    for shown in ("1.2.0", "2:01:40", "5.0\xa0GB", "portrait", "content: timeout", ">2<"):
        assert shown in row, shown


def test_a_silent_kiosk_raises_one_alarm_to_managers_and_the_chosen_department(client, mall, enrollment):
    manager = make_staff("boss", "manager", mall)
    manager.email = "boss@plaza.example"
    manager.save(update_fields=["email"])
    FleetSettings.objects.create(mall=mall, offline_after_minutes=15, alarm_department="engineering")
    DepartmentChannel.objects.create(mall=mall, department="engineering", webhook_url="https://robot.example/hook")
    beat(client, enrollment.device_key)
    heard = Kiosk.objects.get(pk=enrollment.kiosk.pk).heartbeat_at

    assert remote.check_silent_kiosks(heard + timedelta(minutes=14)).raised == 0
    assert remote.check_silent_kiosks(heard + timedelta(minutes=16)).raised == 1
    assert remote.check_silent_kiosks(heard + timedelta(minutes=17)).raised == 0  # one alarm, not one a minute
    messages = Message.objects.filter(trigger=ALARM_TRIGGER)
    assert sorted((m.channel, m.recipient) for m in messages) == [
        ("email", "boss@plaza.example"), ("webhook", "https://robot.example/hook")]
    assert enrollment.kiosk.code in messages.first().subject

    client.force_login(manager)
    assert "badge fleet-alarm" in client.get("/console/fleet/").content.decode()
    beat(client, enrollment.device_key)
    assert remote.check_silent_kiosks().cleared == 1
    assert KioskAlarm.objects.get().cleared_at is not None


def test_alarms_off_and_pending_kiosks_raise_nothing(mall, enrollment):
    FleetSettings.objects.create(mall=mall, offline_after_minutes=0)
    assert remote.check_silent_kiosks(timezone.now() + timedelta(days=3)).raised == 0


def test_bad_fleet_settings_are_a_form_error(client, mall, manager):
    client.force_login(manager)
    response = client.post("/console/fleet/settings", {"offline_after_minutes": "-5", "alarm_department": "nope"})
    assert response.status_code == 400
    assert not FleetSettings.objects.exists()


def test_the_alarm_sweep_runs_as_a_scheduled_job_and_the_console_is_in_the_menu(client, mall, enrollment, manager):
    from server.core.jobs import registered_jobs, run_job

    job = next(job for job in registered_jobs() if job.name == "fleet-offline-alarms")
    run = run_job(job, force=True)
    assert run.succeeded and run.result == "0 kiosk alarms raised, 0 cleared"
    client.force_login(manager)
    assert 'href="/console/fleet/"' in client.get("/console/cases/").content.decode()


def test_a_maintenance_pin_travels_as_its_hash_and_the_kiosk_checks_it(client, mall, enrollment, manager, tmp_path):
    from kiosk.commands import set_maintenance_pin
    from kiosk.maintenance import PinCheck, check_pin
    from kiosk.store import LocalStore
    from sync.protocol import Command

    client.force_login(manager)
    kiosk = enrollment.kiosk
    url = f"/console/fleet/kiosks/{kiosk.pk}/command"
    assert client.post(url, {"kind": "set_maintenance_pin", "value": "12ab"}).status_code == 400
    assert client.post(url, {"kind": "set_maintenance_pin", "value": "123"}).status_code == 400
    assert client.post(url, {"kind": "set_maintenance_pin", "value": "482916"}).status_code == 302
    (sent,) = beat(client, enrollment.device_key).json()["commands"]
    assert "482916" not in str(sent) and sent["payload"]["algorithm"] == "pbkdf2_sha256"
    with LocalStore.in_dir(tmp_path) as store:  # the kiosk's side of the same command
        set_maintenance_pin(store, Command.model_validate(sent))
        assert check_pin(store, "482916") == PinCheck.RIGHT and check_pin(store, "000000") == PinCheck.WRONG
    replaced = answer(client, enrollment.device_key, sent["id"], ok=True, message="maintenance PIN replaced")
    assert replaced.status_code == 200
    assert KioskCommand.objects.get(pk=sent["id"]).payload == {}  # no hash kept once the kiosk has it
    page = client.get(f"/console/fleet/kiosks/{kiosk.pk}/").content.decode()
    assert 'data-command="set_maintenance_pin" data-state="succeeded"' in page
