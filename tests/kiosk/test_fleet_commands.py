"""The fleet console's commands on the kiosk: the real sync agent against the real server (Django's
live server), a console command sent through the server's own services, and what the kiosk stored
and answered. Screenshots and restarts need the Kivy app: tests/e2e/test_fleet_console.py."""
from __future__ import annotations

import pytest
import requests

from kiosk.commands import RESULTS_KEY, read_brightness, run_commands, screen_report, set_brightness
from kiosk.identity import KioskIdentity, load_identity, save_identity
from kiosk.store import LocalStore
from kiosk.sync_agent import SyncAgent
from sync.protocol import HEARTBEAT_PATH, HeartbeatReply

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def enrolled(live_server, tmp_path):
    """A kiosk enrolled at a mall of the live server, its identity saved in a real LocalStore."""
    from server.accounts.services import create_staff_user
    from server.fleet import services as fleet
    from server.malls.models import Mall

    mall = Mall.objects.create(id="plaza", name_zh_cn="星光广场")
    enrollment = fleet.enroll_kiosk(fleet.create_enrollment_code(mall).code)
    manager = create_staff_user("boss", "manager", "unused", mall=mall, check_password=False)
    store = LocalStore.in_dir(tmp_path / "kiosk")
    save_identity(store, KioskIdentity(
        kiosk_id=enrollment.kiosk.pk, kiosk_code=enrollment.kiosk.code, device_key=enrollment.device_key,
        mall_id=mall.pk, location_id=None, public_base_url=live_server.url, server_url=live_server.url))
    agent = SyncAgent(store, load_identity(store), "9.9.9")
    yield {"store": store, "agent": agent, "kiosk": enrollment.kiosk, "manager": manager,
           "old_key": enrollment.device_key, "url": live_server.url}
    agent.session.close()
    store.close()


def stored(command):
    command.refresh_from_db()
    return command.state, command.result


def test_the_console_sets_the_read_aloud_volume_and_the_next_heartbeat_reports_it(enrolled):
    from server.fleet import remote
    from server.fleet.models import Kiosk

    store, agent = enrolled["store"], enrolled["agent"]
    command = remote.send_command(enrolled["kiosk"], "set_volume", enrolled["manager"], "35")
    assert agent.send_heartbeat(store) is not None
    assert store.get_setting("speech_volume") == 35
    assert stored(command) == ("succeeded", "read-aloud volume 35 %")
    assert store.get_setting(RESULTS_KEY) == {}  # acknowledged, so forgotten
    agent.send_heartbeat(store)
    assert Kiosk.objects.get(pk=enrolled["kiosk"].pk).speech_volume == 35


def test_brightness_without_a_backlight_says_so_to_the_console(enrolled, tmp_path, monkeypatch):
    from server.fleet import remote

    monkeypatch.setattr("kiosk.commands.BACKLIGHT_ROOT", tmp_path / "no-backlight")
    command = remote.send_command(enrolled["kiosk"], "set_brightness", enrolled["manager"], "70")
    enrolled["agent"].send_heartbeat(enrolled["store"])
    assert stored(command) == ("failed", f"no backlight under {tmp_path / 'no-backlight'}")
    assert command.unsupported


def test_brightness_is_written_to_the_backlight_the_kernel_offers(tmp_path):
    device = tmp_path / "backlight" / "intel_backlight"
    device.mkdir(parents=True)
    (device / "max_brightness").write_text("1200\n")
    (device / "brightness").write_text("1200\n")
    assert set_brightness(25, root=tmp_path / "backlight") == "brightness 25 % (intel_backlight)"
    assert (device / "brightness").read_text() == "300"
    assert read_brightness(tmp_path / "backlight") == 25


def test_commands_that_need_the_screen_fail_honestly_without_an_app(enrolled):
    from server.fleet import remote

    screenshot = remote.send_command(enrolled["kiosk"], "screenshot", enrolled["manager"])
    restart = remote.send_command(enrolled["kiosk"], "restart", enrolled["manager"])
    enrolled["agent"].send_heartbeat(enrolled["store"])
    assert stored(screenshot) == ("failed", "no screen: the kiosk app is not running in this process")
    assert stored(restart) == ("failed", "no app to restart: the kiosk app is not running in this process")
    assert screenshot.unsupported and restart.unsupported
    assert screen_report(enrolled["store"])["orientation"] is None


def test_a_rotated_key_is_stored_used_and_the_old_one_then_refused(enrolled):
    from server.fleet import remote

    store, agent = enrolled["store"], enrolled["agent"]
    command = remote.rotate_key(enrolled["kiosk"], enrolled["manager"])
    agent.send_heartbeat(store)
    assert stored(command) == ("succeeded", "device key replaced")
    new_key = load_identity(store).device_key
    assert new_key != enrolled["old_key"]
    old = requests.post(enrolled["url"] + HEARTBEAT_PATH, json={"app_version": "x", "sent_at": "2026-12-05T10:00:00Z"},
                        headers={"Authorization": f"Bearer {enrolled['old_key']}"}, timeout=10)
    assert old.status_code == 401
    assert agent.send_heartbeat(store) is not None  # the agent goes on with the new key


def test_a_result_the_server_did_not_get_is_sent_again_not_run_again(enrolled):
    """The kiosk keeps a result until the server has it: a reply lost after the command ran
    brings the same command again, and the kept result answers it."""
    from server.fleet import remote

    store, agent = enrolled["store"], enrolled["agent"]
    command = remote.send_command(enrolled["kiosk"], "set_volume", enrolled["manager"], "80")
    live_url = agent.base_url
    agent.base_url = "http://127.0.0.1:9"  # the result cannot be posted (nothing listens there)
    reply = agent.session.post(live_url + HEARTBEAT_PATH, data=agent._heartbeat(store, []).model_dump_json(),
                               headers={"Content-Type": "application/json"}, timeout=10)
    delivered = HeartbeatReply.model_validate_json(reply.content).commands
    run_commands(agent, store, delivered)
    assert set(store.get_setting(RESULTS_KEY)) == {command.pk}
    assert stored(command)[0] == "delivered"
    store.set_setting("speech_volume", 10)  # changed on the kiosk since: a re-run would undo it
    agent.base_url = live_url
    agent.send_heartbeat(store)  # the same command comes again; the kept result answers it
    assert stored(command) == ("succeeded", "read-aloud volume 80 %")
    assert store.get_setting("speech_volume") == 10
    assert store.get_setting(RESULTS_KEY) == {}


def test_screen_report_reads_the_volume_setting(store: LocalStore):
    store.set_setting("speech_volume", 55)
    assert screen_report(store)["speech_volume"] == 55
    store.set_setting("speech_volume", "loud")
    assert screen_report(store)["speech_volume"] is None
