"""Inbox first page at a million cases, on SQLite and on PostgreSQL.

Each backend runs in its own process: a fresh database (SQLite: a temporary file; PostgreSQL:
a database BENCH_INBOX_DATABASE, default `concierge_bench`, created beside the one in
BENCH_POSTGRES_URL and dropped at the end), migrated, then filled with BENCH_INBOX_CASES cases
(default 1,000,000) by bulk inserts (SQLite: executemany in large transactions; PostgreSQL:
COPY). Most cases are finished, as in a mall after a few years; a few thousand are open, some
overdue; one complaint in 97 was escalated.

Measured: the whole console request GET /console/cases/?<filters> for a signed-in agent, through
Django's full stack (middleware, filters form, status counts, the escalated block, the "mine"
count, template), in-process. Each filter set is requested REPEATS times; the median and the
worst are printed. The reference is the same request on an empty inbox (the fixed cost of the
page). Target: under 200 ms.
"""
from __future__ import annotations

import hashlib
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from datetime import timezone as dt_timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT)]

CASES = int(os.environ.get("BENCH_INBOX_CASES", "1000000"))
REPEATS = int(os.environ.get("BENCH_INBOX_REPEATS", "5"))
POSTGRES_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
BENCH_DATABASE = os.environ.get("BENCH_INBOX_DATABASE", "concierge_bench")
TARGET_MS = 200

FLOORS = ["B1", "L1", "L2", "L3", "L4"]
STORES = [f"s-{n:03d}" for n in range(40)]
KINDS = ["complaint"] * 6 + ["suggestion", "praise", "lost_report", "found_item"]
CATEGORIES = ["product_quality", "service_attitude", "environment_facilities", "safety",
              "tenant_dispute", "price_question", "other"]
DEPARTMENT = {"safety": "security", "environment_facilities": "engineering", "tenant_dispute": "floor",
              "product_quality": "floor", "service_attitude": "floor", "price_question": "floor",
              "other": "service_desk", "": "service_desk"}
OPEN_STATUSES = ["new", "accepted", "in_progress", "waiting_on_visitor", "resolved"]
FILTER_SETS = [
    ("no filter (newest first)", ""),
    ("status = open", "status=open"),
    ("status = new", "status=new"),
    ("category = safety", "category=safety"),
    ("kind + department", "kind=complaint&department=engineering"),
    ("owner = me", "owner={owner}"),
    ("my open cases", "status=open&owner={owner}"),
    ("escalated only", "escalated=on"),
    ("overdue only", "overdue=on"),
    ("floor = L3", "floor=L3"),
    ("store = s-007", "store=s-007"),
    ("received in one week", "received_from={week_start}&received_to={week_end}"),
    ("closed + floor + category", "status=closed&floor=L2&category=service_attitude"),
    ("search a reference", "q={reference}"),
    ("search text, open cases", "status=open&q=细节"),
    ("search text, one match", "q=第{rare}号"),
]


# ---------------------------------------------------------------- one backend (child process)
def _setup_django(backend: str, data_dir: Path) -> None:
    os.environ["CONCIERGE_DATA_DIR"] = str(data_dir)
    os.environ["DJANGO_SETTINGS_MODULE"] = "server.settings"
    if backend == "postgresql":
        os.environ["CONCIERGE_DATABASE_URL"] = POSTGRES_URL.rsplit("/", 1)[0] + "/" + BENCH_DATABASE
    else:
        os.environ.pop("CONCIERGE_DATABASE_URL", None)
    import django

    django.setup()


def _mall_with_staff():
    from server.accounts.services import create_staff_user
    from server.content.models import Category, Level, Store
    from server.malls.models import Mall

    mall = Mall.objects.create(id="plaza", name_zh_cn="星光广场", name_en="Starlight Plaza")
    category = Category.objects.create(mall=mall, content_id="food", name_zh_cn="餐饮")
    levels = [Level.objects.create(mall=mall, content_id=floor, short_name=floor, ordinal=i - 1,
                                   name_zh_cn=floor, width_m=100, height_m=60)
              for i, floor in enumerate(FLOORS)]
    for n, store in enumerate(STORES):
        Store.objects.create(mall=mall, content_id=store, name_zh_cn=f"店铺{n}", category=category,
                             level=levels[n % len(levels)], unit=f"{n}", node_id=f"n{n}")
    agents = [create_staff_user(f"agent{n}", "agent", "x", mall=mall, check_password=False)
              for n in range(5)]
    return mall, agents


def _rows(count: int, mall_id: str, owner_ids: list[int], now: datetime):
    """Case rows as column → value dicts: spread over three years, newest open."""
    rng = random.Random(20261123)
    span = timedelta(days=3 * 365).total_seconds()
    for n in range(count):
        received = now - timedelta(seconds=span * (1 - n / count))  # ascending in time
        age_days = (now - received).days
        kind = rng.choice(KINDS)
        category = rng.choice(CATEGORIES) if kind == "complaint" else ""
        if age_days > 7 or rng.random() < 0.6:
            status = "closed"
        else:
            status = rng.choice(OPEN_STATUSES)
        finished = status == "closed"
        due = received + timedelta(hours=rng.choice([6, 30, 80]))
        yield {
            "id": f"{n:026d}",
            "mall_id": mall_id,
            "kiosk_id": None,
            "reference": f"{n // 65536:03X}-{n % 65536:04X}",  # unique below 268 million
            "tracking_token_sha256": hashlib.sha256(n.to_bytes(8, "big")).hexdigest(),
            "kind": kind, "category": category,
            "store_id": rng.choice(STORES) if rng.random() < 0.7 else "",
            "occurred_at": None, "description": f"第{n}号工单：顾客反映的问题描述，包含一些细节。",
            "contact_phone": None if finished else "13812345678", "contact_consent": not finished,
            "language": "zh_CN", "status": status,
            "owner_id": None if status == "new" else rng.choice(owner_ids),
            "created_at": received, "received_at": received, "status_changed_at": received,
            "accepted_at": None if status == "new" else received,
            "resolved_at": received + timedelta(hours=5) if status in ("resolved", "closed") else None,
            "finished_at": received + timedelta(days=2) if finished else None,
            "location_id": "", "details": "{}", "source": "kiosk",
            "department": DEPARTMENT[category], "level_id": rng.choice(FLOORS),
            "due_at": due, "paused_at": None,
            "escalated_at": received + timedelta(days=1) if kind == "complaint" and n % 97 == 0 else None,
            "callback_due_at": None,
            "callback_done_at": None, "callback_outcome": "", "callback_satisfaction": None,
            "rating": rng.choice([None, None, 3, 4, 5]) if finished else None, "rating_comment": "",
            "rated_at": None, "contact_erased_at": None,
            "priority": rng.choice([1, 2, 2, 2, 3]), "visitor_surname": "", "people_involved": "",
            "visitor_request": "", "root_cause": "", "root_cause_note": "", "merged_into_id": None,
        }


def _secondary_indexes(backend: str, table: str) -> list[tuple[str, str]]:
    """(name, CREATE statement) of the table's plain indexes (not those behind constraints)."""
    from django.db import connection

    with connection.cursor() as cursor:
        if backend == "postgresql":
            cursor.execute(
                "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = %s AND NOT EXISTS "
                "(SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)", [table])
        else:
            cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s "
                           "AND sql IS NOT NULL", [table])
        return list(cursor.fetchall())


def _search_triggers(backend: str, table: str) -> list[tuple[str, str]]:
    """(name, CREATE statement) of the triggers that feed SQLite's search index."""
    from django.db import connection

    if backend != "sqlite":
        return []
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [table])
        return list(cursor.fetchall())


def _fill(count: int, mall, owner_ids: list[int], backend: str) -> float:
    """Bulk-load the cases: the migrations' indexes are dropped first and built again after
    (one sort per index instead of a million index updates), as one would for an import."""
    from django.db import connection, transaction

    from server.cases.models import Case

    columns = [field.column for field in Case._meta.concrete_fields]
    started = time.perf_counter()
    indexes = _secondary_indexes(backend, Case._meta.db_table)
    triggers = _search_triggers(backend, Case._meta.db_table)
    with connection.cursor() as cursor:
        for name, _statement in indexes + triggers:
            cursor.execute(f"DROP {'TRIGGER' if (name, _statement) in triggers else 'INDEX'} {name}")
    now = datetime.now(dt_timezone.utc)
    rows = _rows(count, mall.pk, owner_ids, now)
    if backend == "postgresql":
        with connection.cursor() as cursor:
            raw = cursor.cursor
            with raw.copy(f"COPY {Case._meta.db_table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row([row[c] for c in columns])
    else:
        def sqlite_value(value):
            if isinstance(value, datetime):
                return value.astimezone(dt_timezone.utc).replace(tzinfo=None).isoformat(" ")
            if isinstance(value, bool):
                return int(value)
            return value

        sql = (f"INSERT INTO {Case._meta.db_table} ({', '.join(columns)}) "
               f"VALUES ({', '.join('?' for _ in columns)})")
        batch: list[tuple] = []
        raw = connection.cursor().cursor  # the sqlite3 cursor: no per-row Django overhead
        raw.execute("PRAGMA synchronous = OFF")  # a throw-away benchmark file
        for row in rows:
            batch.append(tuple(sqlite_value(row[c]) for c in columns))
            if len(batch) == 50_000:
                with transaction.atomic():
                    raw.executemany(sql, batch)
                batch.clear()
        with transaction.atomic():
            raw.executemany(sql, batch)
    with connection.cursor() as cursor:
        for _name, statement in indexes:
            cursor.execute(statement)
        if triggers:  # the search index (migration 0005) filled in one go, then kept by its triggers
            cursor.execute(f"INSERT INTO cases_case_fts (case_id, description) "
                           f"SELECT id, description FROM {Case._meta.db_table}")
            for _name, statement in triggers:
                cursor.execute(statement)
        cursor.execute(f"ANALYZE {Case._meta.db_table}")
    return time.perf_counter() - started


def _time_requests(client, query: str) -> list[float]:
    timings = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        response = client.get(f"/console/cases/?{query}")
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (query, response.status_code)
    return timings


def run_backend(backend: str) -> None:
    data_dir = Path(tempfile.mkdtemp(prefix=f"bench-inbox-{backend}-"))
    try:
        _measure_backend(backend, data_dir)
    finally:  # the SQLite file of a million cases is 1.6 GB: not left behind
        shutil.rmtree(data_dir, ignore_errors=True)


def _measure_backend(backend: str, data_dir: Path) -> None:
    _setup_django(backend, data_dir)
    from django.core.management import call_command
    from django.test import Client
    from django.utils import timezone

    from server.cases.models import Case

    call_command("migrate", interactive=False, verbosity=0)
    mall, agents = _mall_with_staff()
    client = Client()
    client.force_login(agents[0])
    empty = _time_requests(client, "")
    seconds = _fill(CASES, mall, [a.pk for a in agents], backend)
    total = Case.objects.count()
    print(f"[{backend}] {total:,} cases inserted in {seconds:.0f} s; "
          f"empty inbox (reference): median {statistics.median(empty):.0f} ms")
    today = timezone.localdate()
    values = {
        "owner": agents[0].pk, "reference": Case.objects.order_by("-received_at")
        .values_list("reference", flat=True)[5000],
        "rare": CASES // 3,
        "week_start": (today - timedelta(days=400)).isoformat(),
        "week_end": (today - timedelta(days=393)).isoformat(),
    }
    worst_median = 0.0
    results = []
    for label, query in FILTER_SETS:
        timings = _time_requests(client, query.format(**values))
        median = statistics.median(timings)
        worst_median = max(worst_median, median)
        results.append((label, query.format(**values), median))
        print(f"[{backend}]   {label:28s} median {median:6.1f} ms   worst {max(timings):6.1f} ms   "
              f"({median / statistics.median(empty):.1f}x the empty inbox)")
    slowest_label, slowest_query = max(results, key=lambda item: item[2])[:2]
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        client.get(f"/console/cases/?{slowest_query}")
    top = max(captured.captured_queries, key=lambda q: float(q["time"]))
    print(f"[{backend}]   its slowest SQL of {len(captured.captured_queries)} ({float(top['time']) * 1000:.0f} ms): "
          f"{top['sql'][:300]}")
    verdict = "met" if worst_median < TARGET_MS else "NOT met"
    print(f"[{backend}] slowest filter set: median {worst_median:.0f} ms (target < {TARGET_MS} ms: {verdict})")


# ---------------------------------------------------------------- the run
def _postgres_admin(statement: str) -> None:
    import psycopg

    with psycopg.connect(POSTGRES_URL, autocommit=True) as connection:
        connection.execute(statement)


def _child(backend: str) -> int:
    # Unbuffered: each figure shows as it is measured, and a child that dies still leaves them.
    return subprocess.run([sys.executable, __file__, "--backend", backend], cwd=ROOT,
                          env=dict(os.environ, PYTHONPATH=str(ROOT), PYTHONUNBUFFERED="1")).returncode


def main() -> None:
    print(f"Inbox first page at {CASES:,} cases, {REPEATS} requests per filter set")
    backends = os.environ.get("BENCH_INBOX_BACKENDS", "sqlite,postgresql").split(",")
    if "sqlite" in backends and _child("sqlite"):
        sys.exit(1)
    if "postgresql" not in backends:
        return
    try:
        _postgres_admin(f"DROP DATABASE IF EXISTS {BENCH_DATABASE}")
        _postgres_admin(f"CREATE DATABASE {BENCH_DATABASE}")
    except Exception as error:  # no server: say so, the SQLite figures stand
        print(f"[postgresql] skipped: cannot reach {POSTGRES_URL} ({error})")
        return
    try:
        code = _child("postgresql")
    finally:
        _postgres_admin(f"DROP DATABASE IF EXISTS {BENCH_DATABASE} WITH (FORCE)")
    if code:
        sys.exit(code)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--backend":
        run_backend(sys.argv[2])
    else:
        main()
