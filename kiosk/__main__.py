"""`python -m kiosk enroll|run|tour|status|maintenance-pin`: the kiosk's command line.

Kivy is imported only by `run` and `tour` (through `screens`), so enrolling and checking a
kiosk over SSH works without a display.
"""
from __future__ import annotations

import argparse
import logging
import sys
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

from kiosk import APP_VERSION
from kiosk.config import KioskConfig, default_data_dir
from kiosk.identity import load_identity
from kiosk.store import LocalStore, StoreError

EXIT_USAGE = 2
EXIT_FAILED = 1


def _data_dir(args: argparse.Namespace) -> Path:
    return Path(args.data_dir).expanduser() if args.data_dir else default_data_dir()


def _open_store(data_dir: Path) -> LocalStore:
    return LocalStore(KioskConfig(data_dir=data_dir).database_path)


def _print_identity(identity) -> None:  # noqa: ANN001 - KioskIdentity
    print(f"kiosk id:        {identity.kiosk_id}")
    print(f"kiosk code:      {identity.kiosk_code}")
    print(f"mall:            {identity.mall_id}")
    print(f"location:        {identity.location_id or '-'}")
    print(f"server:          {identity.server_url}")
    print(f"public base URL: {identity.public_base_url}")


def cmd_enroll(args: argparse.Namespace) -> int:
    from kiosk.maintenance import ReenrolRefused, reenrol
    from kiosk.sync_agent import EnrollError

    data_dir = _data_dir(args)
    with _open_store(data_dir) as store:
        existing = load_identity(store)
        if existing is not None and not args.force:
            print(
                f"This kiosk is already enrolled as {existing.kiosk_code} ({existing.kiosk_id}) "
                f"in {data_dir}. Use --force to enroll it again.",
                file=sys.stderr,
            )
            return EXIT_FAILED
        try:
            identity = reenrol(store, args.server, args.code, APP_VERSION)
        except ReenrolRefused as refused:
            # A new enrolment brings a new kiosk code, and the server takes a case only under the
            # code of the kiosk that uploads it: these cases would never arrive.
            print(
                f"{refused.waiting} case(s) made as {refused.kiosk_code} are still waiting to be uploaded. "
                "Let the kiosk upload them first (python -m kiosk status shows the outbox), "
                "then enroll it again.",
                file=sys.stderr,
            )
            return EXIT_FAILED
        except EnrollError as exc:
            print(f"Enrollment failed: {exc}", file=sys.stderr)
            return EXIT_FAILED
    print(f"Enrolled. Data directory: {data_dir}")
    _print_identity(identity)
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    from kiosk import outbox
    from kiosk.content import active_version, damaged_blobs, missing_blobs, previous_version

    data_dir = _data_dir(args)
    if not (data_dir / "kiosk.db").exists():
        print(f"No kiosk data in {data_dir} (not enrolled, never run).")
        return EXIT_FAILED
    with _open_store(data_dir) as store:
        identity = load_identity(store)
        print(f"data directory:  {data_dir}")
        if identity is None:
            print("identity:        not enrolled (python -m kiosk enroll --server URL --code CODE)")
        else:
            _print_identity(identity)
        version = active_version(store)
        if version is None:
            print("content:         none installed")
        else:
            print(f"content:         version {version.version} of {version.mall_id} "
                  f"({version.source}, installed {version.installed_at})")
        previous = previous_version(store)
        if previous is not None:
            print(f"rollback:        version {previous.version} ({previous.source})")
        damaged, missing = damaged_blobs(store), missing_blobs(store)
        if damaged or missing:
            print(f"content files:   {len(damaged)} damaged, {len(missing)} missing "
                  "(fetched again by the running kiosk)")
            for sha256 in [*damaged, *missing][:5]:
                print(f"  {sha256}")
        else:
            print("content files:   all present and intact")
        print(f"outbox:          {outbox.depth(store)} case(s) waiting, "
              f"{outbox.rejected_count(store)} refused by the server")
        for item in outbox.pending(store, float("inf"), limit=5):
            if item.last_error:
                print(f"  {item.reference}: {item.attempts} attempt(s), last error: {item.last_error}")
    return 0


def _install_bundle(store: LocalStore, bundle_dir: str) -> None:
    from kiosk.content import install_bundle
    from sync.bundle import load_source_bundle

    installed = install_bundle(store, load_source_bundle(Path(bundle_dir)))
    logging.getLogger("kiosk").info("content from %s is version %s", bundle_dir, installed.version)


def cmd_run(args: argparse.Namespace) -> int:
    import gc

    # No cycle collection until the first frame (the app turns it back on there): the start-up
    # makes a great deal that lives for good, and walking it again and again only delays the screen.
    gc.disable()
    from kiosk.recovery import check_at_start

    config = KioskConfig(data_dir=_data_dir(args), fullscreen=not args.windowed)
    config.data_dir.mkdir(parents=True, exist_ok=True)
    from kiosk.logfile import log_to_file

    log_to_file(config.data_dir)  # the maintenance screen shows its last lines
    recovery = check_at_start(config.data_dir)  # a damaged database or a full disk, before any use
    for problem in recovery.problems:
        logging.getLogger("kiosk").error("at start: %s", problem)
    store = LocalStore(config.database_path)
    if args.bundle:
        from kiosk.content import ContentInstallError

        try:
            _install_bundle(store, args.bundle)
        except (ValueError, OSError, ContentInstallError) as exc:  # BundleError is a ValueError
            print(f"Cannot install the bundle {args.bundle}: {exc}", file=sys.stderr)
            store.close()
            return EXIT_FAILED
    from kiosk.content import verify_documents_at_rest

    verify_documents_at_rest(store)  # the pictures are re-hashed behind the first frame
    identity = load_identity(store)
    from screens.app import run_kiosk  # Kivy starts here, not before

    app = None
    try:
        app = run_kiosk(config, store, partial(_start_behind_first_frame, config, identity),
                        Path(args.screenshots) if args.screenshots else None)
    finally:
        if app is not None and app.agent is not None:
            app.agent.stop()
        store.close()
    return 0


def _start_behind_first_frame(config: KioskConfig, identity):  # noqa: ANN001, ANN202 - KioskIdentity, SyncAgent
    """On a thread of its own once the kiosk shows its first frame: re-hash the content's files
    (damaged ones are removed and fetched again; a damaged version gives way to the one before,
    which the screens pick up), then make the sync agent, None for a kiosk not enrolled."""
    from kiosk.content import verify_blobs_at_rest

    log = logging.getLogger("kiosk")
    with LocalStore(config.database_path) as store:  # sqlite connections belong to one thread
        missing = verify_blobs_at_rest(store)
        if missing:
            log.warning("%d content file(s) missing or damaged: to be fetched again", len(missing))
        if identity is None:
            log.warning("this kiosk is not enrolled: running offline with its local content only")
            return None
        from kiosk.sync_agent import SyncAgent

        return SyncAgent(store, identity, APP_VERSION)  # it opens its own connection on its thread


def cmd_maintenance_pin(args: argparse.Namespace) -> int:
    import getpass

    from kiosk.maintenance import set_pin
    from sync.maintenance_pin import PIN_MAX_DIGITS, PIN_MIN_DIGITS, valid_pin

    def read(prompt: str) -> str:
        if sys.stdin.isatty():
            return getpass.getpass(prompt)
        return sys.stdin.readline().strip()

    pin = read(f"New maintenance PIN ({PIN_MIN_DIGITS} to {PIN_MAX_DIGITS} digits): ")
    if not valid_pin(pin):
        print(f"A PIN has {PIN_MIN_DIGITS} to {PIN_MAX_DIGITS} digits (0-9); nothing was changed.", file=sys.stderr)
        return EXIT_FAILED
    if read("The same PIN again: ") != pin:
        print("The two PINs differ; nothing was changed.", file=sys.stderr)
        return EXIT_FAILED
    data_dir = _data_dir(args)
    data_dir.mkdir(parents=True, exist_ok=True)
    with _open_store(data_dir) as store:
        set_pin(store, pin)
    print(f"Maintenance PIN set (only its salted hash is kept, in {data_dir}). A running kiosk uses it "
          "at once: five taps on the mall's name within 3 seconds open the staff sign-in.")
    return 0


def cmd_tour(args: argparse.Namespace) -> int:
    from screens.tour import TOUR_SIZE, render_tour  # Kivy starts here, not before

    out_dir = Path(args.out)
    out_dir.mkdir(parents=True, exist_ok=True)
    render_tour(out_dir, size=TOUR_SIZE[::-1] if args.portrait else TOUR_SIZE, pictures=not args.check_only,
                accessible=args.accessible)
    print(f"Screens {'checked' if args.check_only else 'rendered'} to {out_dir}")
    return 0


def cmd_search(args: argparse.Namespace) -> int:

    data_dir = _data_dir(args)
    if not (data_dir / "kiosk.db").exists():
        print(f"No kiosk data in {data_dir}: install content first (python -m kiosk run --bundle DIR).",
              file=sys.stderr)
        return EXIT_FAILED
    with _open_store(data_dir) as store:
        return _print_search(store, args.query, limit=args.limit)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m kiosk", description="Concierge mall kiosk")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def with_data_dir(sub: argparse.ArgumentParser) -> argparse.ArgumentParser:
        sub.add_argument("--data-dir", help="kiosk data directory (default: $CONCIERGE_KIOSK_DIR "
                         "or ~/.local/share/concierge-kiosk)")
        return sub

    enroll = with_data_dir(commands.add_parser("enroll", help="register this kiosk with a server"))
    enroll.add_argument("--server", required=True, help="server URL, e.g. https://concierge.example.com")
    enroll.add_argument("--code", required=True, help="one-time enrollment code from the console")
    enroll.add_argument("--force", action="store_true", help="enroll again although already enrolled")
    enroll.set_defaults(handler=cmd_enroll)

    run = with_data_dir(commands.add_parser("run", help="start the kiosk"))
    run.add_argument("--screenshots", metavar="DIR", help="save a screenshot of every screen shown")
    run.add_argument("--windowed", action="store_true", help="a window instead of full screen")
    run.add_argument("--bundle", metavar="DIR", help="install this source bundle as content first")
    run.set_defaults(handler=cmd_run)

    tour = commands.add_parser("tour", help="render every screen in every language to PNG files")
    tour.add_argument("--out", required=True, metavar="DIR")
    tour.add_argument("--portrait", action="store_true",
                      help="a portrait panel (1080x1920, the kiosk's default) instead of landscape (1920x1080)")
    tour.add_argument("--check-only", action="store_true",
                      help="walk every screen only to check that the text fits (overflow.txt), no pictures")
    tour.add_argument("--accessible", action="store_true",
                      help="every screen in the accessibility mode (reach band, read-aloud panel)")
    tour.set_defaults(handler=cmd_tour)

    search = with_data_dir(commands.add_parser("search", help="the directory's ranked results for a query"))
    search.add_argument("query", help="what a visitor would type: 星巴克, xingbake, xbk, 3F-12 …")
    search.add_argument("--limit", type=int, default=20, help="results to print (default 20)")
    search.set_defaults(handler=cmd_search)

    status = with_data_dir(commands.add_parser("status", help="identity, content and outbox"))
    status.set_defaults(handler=cmd_status)

    pin = with_data_dir(commands.add_parser(
        "maintenance-pin", help="set the staff PIN of the maintenance screen (asked twice)",
        description="Set the PIN staff type to open the kiosk's maintenance screen (five taps on the "
                    "mall's name in the header within 3 seconds). It is asked twice, from the terminal "
                    "or one line each from stdin; only a salted PBKDF2 hash is kept. Without a PIN the "
                    "maintenance screen cannot be opened at all. Five wrong PINs lock it for 5 minutes."))
    pin.set_defaults(handler=cmd_maintenance_pin)
    return parser


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # Kivy lowers the root level to DEBUG: Pillow would trace every PNG chunk, urllib3 every request
    # (a line per broadcast poll); their warnings still show.
    for chatty in ("PIL", "urllib3"):
        logging.getLogger(chatty).setLevel(logging.INFO)
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except StoreError as exc:
        print(f"The kiosk's local store cannot be used: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except PermissionError as exc:
        print(f"Permission denied: {exc}", file=sys.stderr)
        return EXIT_FAILED


def _print_search(store, query: str, limit: int = 20, now: datetime | None = None) -> int:
    """`python -m kiosk search`: the ranked results from the installed content, for operators
    checking their content; returns the exit status."""
    from kiosk.content import active_content, active_version
    from venue.index import ContentIndex
    from venue.search import StoreSearch, Tier

    tier_names = {
        Tier.EXACT: "exact", Tier.PREFIX: "prefix", Tier.WORD_START: "word start", Tier.CONTAINS: "contains",
        Tier.SOUNDS_LIKE: "sounds like", Tier.RELATED: "related", Tier.ONE_TYPO: "one typo",
    }
    version = active_version(store)
    content = active_content(store)
    if version is None or content is None:
        print("No content is installed on this kiosk.")
        return 1
    index = ContentIndex(content)
    hits = StoreSearch(index).search(query, now or datetime.now(UTC))
    print(f"{len(hits)} result(s) for {query!r} in {content.mall.id} content version {version.version}")
    for rank, hit in enumerate(hits[:max(0, limit)], start=1):
        level = index.level(hit.store.level_id)
        name = hit.store.name
        names = " / ".join(dict.fromkeys(n for n in (name.zh_CN, name.en, name.zh_TW) if n))
        state = "open" if hit.is_open else "closed"
        print(f"{rank:3d}. {hit.store.unit:<8} {level.short_name if level else '?':<3} {names}  "
              f"[{tier_names[hit.tier]}: {hit.matched}; {state}]")
    if len(hits) > limit:
        print(f"… and {len(hits) - limit} more (--limit)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
