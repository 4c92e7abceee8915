"""Years of reports, seeded in bulk: the database a city has after a decade.

Rows are made in Python, a chunk of reports at a time with everything that hangs off them
(timelines, attachments, staff-message links, outbox rows, audit entries, handled-update
records), and written through the database driver's bulk path: `executemany` on one
SQLite transaction, `COPY` on PostgreSQL. Nothing goes through the ORM, which would take
hours for a million reports; a million take minutes.

The shape follows a city's life (SP4N-LAPOR!'s statuses, DESIGN.md section 2): reports
spread evenly over ten years up to now; those older than three months are almost all
closed (done and closed for good, not the city's business, archived), with a few held
reports nobody answered; the last three months hold the open queue. Every status change
has its timeline event, a notice to the citizen and a card in the staff group (both sent
outbox rows), and staff actions their audit entry; the last three days of citizens'
messages have their handled-update records (older ones are pruned by the bot).

Deterministic: the same size gives the same rows, so runs compare.
"""

from __future__ import annotations

import json
import random
import sqlite3
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy.engine import make_url

from bot.core.code_space import damm_check_digit

YEARS = 10
RECENT = timedelta(days=90)
HANDLED_KEPT = timedelta(days=3)
CHUNK = 20_000
SEEDED_UPDATES = 1_000_000_000
# Citizens file about two reports each over the years.
REPORTS_PER_REPORTER = 2
# Seven-digit codes (six digits and a Damm check digit) run out at 900,000; a seeded
# database larger than that gets nine-digit codes for the rest, as the bot would.
SHORT_BODIES = 900_000
AGENCIES = (
    ("dsdabm", "jalan_rusak"),
    ("dsdabm", "drainase"),
    ("dishub", "lampu_rambu"),
    ("dpkp", "pohon_taman"),
    ("satpolpp", "pkl_ketertiban"),
    ("dlh", "sampah"),
    ("tirtawening", "air_bersih"),
    ("disdik", "sekolah"),
    ("disdukcapil", "kependudukan"),
    ("dinkes", "kesehatan"),
)
WORDS = (
    "jalan berlubang di depan sekolah membahayakan pengendara motor setiap pagi",
    "lampu penerangan jalan mati sejak minggu lalu sehingga gang gelap",
    "sampah menumpuk di pinggir sungai dan menimbulkan bau tidak sedap",
    "pedagang kaki lima menutup trotoar sehingga pejalan kaki turun ke jalan",
    "air bersih tidak mengalir tiga hari dan warga membeli air galon",
    "antrean pembuatan KTP sangat panjang dan petugas datang terlambat",
    "saluran drainase tersumbat sehingga jalan tergenang setiap hujan",
    "pohon besar miring ke arah rumah warga dan dikhawatirkan tumbang",
)
STREETS = ("Jalan Braga", "Jalan Asia Afrika", "Jalan Dago", "Jalan Cihampelas", "Jalan Merdeka")
NOTICE = (
    "Laporan {code} Anda sekarang berstatus {status}. Kami akan memberi tahu Anda "
    "setiap ada perubahan. Anda dapat mengetik cek status kapan saja untuk melihat "
    "perkembangan laporan, atau tambah keterangan bila ada yang ingin disampaikan."
)
CARD = (
    "Laporan {code}. Klasifikasi: Pengaduan. Kategori: {category}. Status: {status}. "
    "Batas waktu: 3 hari kerja. Isi: {content}. Lokasi: {location}. Pelapor: Warga {reporter}."
)

M, H, F, T, S, B, A = (
    "MENUNGGU_VERIFIKASI",
    "DITUNDA",
    "DITERUSKAN",
    "DITINDAKLANJUTI",
    "SELESAI",
    "BUKAN_WEWENANG",
    "DIARSIPKAN",
)
# The statuses a report passes through to reach its present one (each a timeline event).
PATHS = {
    M: (M,),
    H: (M, H),
    F: (M, F),
    T: (M, F, T),
    S: (M, F, T, S),
    B: (M, B),
    A: (M, A),
}
# Shares of present statuses: old reports, and those of the last three months.
OLD_MIX = ((S, 0.70), (B, 0.10), (A, 0.185), (H, 0.015))
RECENT_MIX = ((M, 0.10), (H, 0.08), (F, 0.15), (T, 0.20), (S, 0.35), (B, 0.05), (A, 0.07))
STAFF_ID = 5_000_000_001
ADMIN_CHAT = -1_001_000_000_000
FIRST_USER = 1_000_000_000


def code_for(n: int) -> int:
    """The n-th report's code: a permutation of the seven-digit space, then nine digits."""
    if n < SHORT_BODIES:
        body = 100_000 + (n * 7_919) % SHORT_BODIES
    else:
        body = 10_000_000 + ((n - SHORT_BODIES) * 7_919) % 90_000_000
    digits = str(body)
    return int(digits + str(damm_check_digit(digits)))


def _pick(mix: Sequence[tuple[str, float]], roll: float) -> str:
    for status, share in mix:
        if roll < share:
            return status
        roll -= share
    return mix[-1][0]


@dataclass
class Rows:
    """One chunk's rows, by table, as dicts of column values."""

    tables: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def add(self, table: str, row: dict[str, Any]) -> None:
        self.tables.setdefault(table, []).append(row)


@dataclass(frozen=True)
class Shape:
    """The size and time span of a seeded database."""

    reports: int
    now: datetime
    years: int = YEARS

    @property
    def start(self) -> datetime:
        return self.now - timedelta(days=365 * self.years)

    @property
    def reporters(self) -> int:
        return max(1, self.reports // REPORTS_PER_REPORTER)

    def created(self, n: int) -> datetime:
        span = (self.now - timedelta(hours=1) - self.start).total_seconds()
        return self.start + timedelta(seconds=span * n / max(1, self.reports))

    def reporter_of(self, n: int) -> int:
        """Reporter ids (1-based) spread over the years: reporter k files reports k, k+R."""
        return n % self.reporters + 1


def reporters(shape: Shape, first: int, last: int) -> list[dict[str, Any]]:
    """Reporters first..last (ids, 1-based), consented before their first report."""
    rows = []
    for rid in range(first, last + 1):
        user = FIRST_USER + rid
        rows.append(
            {
                "id": rid,
                "telegram_user_id": user,
                "chat_id": user,
                "first_name": f"Warga {rid}",
                "last_name": None,
                "username": f"warga{rid}" if rid % 3 == 0 else None,
                "locale": "id",
                "consent_at": shape.start,
                "context": "menu",
                "tries": 0,
                "context_report_id": None,
                "unreachable_at": None,
                "simple_mode": rid % 50 == 0,
                "voice_replies": False,
                "barred_at": None,
                "barred_reason": None,
                "erased_at": None,
                "flood_started_at": None,
                "flood_count": 0,
                "bar_noticed_at": None,
                "long_text_at": None,
                "created_at": shape.start,
                "updated_at": shape.start,
            }
        )
    return rows


class Counters:
    """Row ids of the tables filled alongside reports."""

    def __init__(self) -> None:
        self.event = self.outbox = self.audit = self.link = self.attachment = 0
        # Far above the update ids a benchmark's emulator hands out (from 1): a seeded record
        # must not make the bot take a new update for a redelivery and skip it.
        self.update = SEEDED_UPDATES


def chunk(shape: Shape, first: int, last: int, ids: Counters) -> Rows:
    """Reports first..last-1 (0-based numbers) with everything that hangs off them."""
    rows = Rows()
    rng = random.Random(first)
    recent_from = shape.now - RECENT
    handled_from = shape.now - HANDLED_KEPT
    for n in range(first, last):
        rid = n + 1
        created = shape.created(n)
        recent = created >= recent_from
        status = _pick(RECENT_MIX if recent else OLD_MIX, rng.random())
        agency, category = AGENCIES[n % len(AGENCIES)]
        reporter = shape.reporter_of(n)
        code = code_for(n)
        content = f"{WORDS[n % len(WORDS)]} nomor {n}"
        location = f"{STREETS[n % len(STREETS)]} nomor {n % 200 + 1}, RT {n % 9 + 1} RW {n % 7 + 1}"
        path = PATHS[status]
        # A report's life takes a few days; the last change is before now.
        steps = [created + timedelta(hours=20 * k + rng.random()) for k in range(len(path))]
        steps = [
            min(at, shape.now - timedelta(minutes=len(path) - k)) for k, at in enumerate(steps)
        ]
        updated = steps[-1]
        # The running limit: none once closed or held (a hold pauses the clock). The watch
        # has already dealt with every limit that has passed, as it does every 15 minutes.
        deadline = None if status in (B, A, H) else updated + timedelta(days=5)
        passed = deadline is not None and deadline < shape.now
        rows.add(
            "reports",
            {
                "id": rid,
                "code": code,
                "draft_uid": f"{rid:032x}",
                "reporter_id": reporter,
                "channel": "telegram",
                "classification": ("pengaduan", "aspirasi", "permintaan_informasi")[n % 3],
                "content": content,
                "category": category,
                "agency": agency,
                "location_text": location if n % 4 else None,
                "latitude": None,
                "longitude": None,
                "incident_date": (created - timedelta(days=1)).date(),
                "anonymous": n % 10 == 0,
                "confidential": n % 20 == 0,
                "status": status,
                "locale": "id",
                "created_at": created,
                "updated_at": updated,
                "deadline_at": deadline,
                "reminded_at": deadline - timedelta(days=1) if passed and deadline else None,
                "escalated_at": deadline if passed and status != S else None,
                "closed_at": deadline if passed and status == S else None,
                "rating": "puas" if status == S and n % 3 == 0 else None,
                "rating_reason": None,
                **_facts(path, steps),
            },
        )
        if n % 3 == 0:
            ids.attachment += 1
            rows.add(
                "attachments",
                {
                    "id": ids.attachment,
                    "report_id": rid,
                    "position": 1,
                    "kind": "photo",
                    "role": "attachment",
                    "file_id": f"AgACAgUAAxkBAAI{rid:012d}",
                    "file_unique_id": f"AQAD{rid:010d}",
                    "file_size": 120_000,
                    "mime_type": None,
                    "file_name": None,
                    "duration": None,
                },
            )
        ids.link += 1
        rows.add(
            "staff_messages",
            {
                "id": ids.link,
                "chat_id": ADMIN_CHAT,
                "message_id": rid * 4,
                "report_id": rid,
                "kind": "card",
                "created_at": created,
            },
        )
        before = None
        for k, (to, at) in enumerate(zip(path, steps, strict=True)):
            citizen = k == 0
            ids.event += 1
            rows.add(
                "timeline_events",
                {
                    "id": ids.event,
                    "report_id": rid,
                    "at": at,
                    "actor": "citizen" if citizen else "staff",
                    "actor_user_id": FIRST_USER + reporter if citizen else STAFF_ID,
                    "from_status": before,
                    "to_status": to,
                    "public_text": None if citizen else "Terima kasih, laporan sedang kami proses.",
                    "internal_note": None,
                },
            )
            if not citizen:
                ids.audit += 1
                rows.add(
                    "audit_log",
                    {
                        "id": ids.audit,
                        "at": at,
                        "actor_user_id": STAFF_ID,
                        "chat_id": ADMIN_CHAT,
                        "action": to.lower()[:32],
                        "report_id": rid,
                        "allowed": True,
                        "detail": None,
                    },
                )
            _outbox(
                rows, ids, rid=rid, reporter=reporter, code=code, status=to, at=at,
                content=content, location=location, category=category,
            )  # fmt: skip
            before = to
        if created >= handled_from:
            for k in range(11):
                ids.update += 1
                rows.add(
                    "handled_updates",
                    {
                        "update_id": ids.update,
                        "handled_at": created + timedelta(seconds=20 * k),
                        "chat_id": FIRST_USER + reporter,
                        "replies": None,
                        "replies_sent": True,
                    },
                )
    return rows


def _facts(path: Sequence[str], steps: Sequence[datetime]) -> dict[str, Any]:
    """What the workflow keeps on a report for the statistics, as it would have kept it."""
    forwarded = responded = done = None
    if F in path:
        k = path.index(F)
        forwarded = steps[k]
        responded = steps[k + 1] if k + 1 < len(path) else None
    if path[-1] == S:
        done = steps[-1]
    return {
        "forwarded_at": forwarded,
        "response_due_at": forwarded + timedelta(days=7) if forwarded else None,
        "responded_at": responded,
        "done_at": done,
    }


def _outbox(
    rows: Rows,
    ids: Counters,
    *,
    rid: int,
    reporter: int,
    code: int,
    status: str,
    at: datetime,
    content: str,
    location: str,
    category: str,
) -> None:
    """A sent notice to the citizen and a sent card in the staff group, for one change."""
    shown = f"{str(code)[:3]}-{str(code)[3:]}"
    payload = {"html": False, "buttons": [], "file": None, "copy": None, "under_card": False,
               "link": None, "extra": {}, "document": None, "speak": None}  # fmt: skip
    user = FIRST_USER + reporter
    ids.outbox += 1
    rows.add(
        "outbox",
        {
            "id": ids.outbox,
            "created_at": at,
            "available_at": at,
            "report_id": rid,
            "purpose": "notice",
            "destination": json.dumps({"kind": "citizen", "reporter_id": reporter}),
            "payload": json.dumps({**payload, "text": NOTICE.format(code=shown, status=status)}),
            "state": "sent",
            "attempts": 1,
            "lease_owner": "seed",
            "lease_until": None,
            "sent_at": at + timedelta(seconds=1),
            "chat_id": user,
            "message_id": ids.outbox,
            "last_error": None,
        },
    )
    ids.outbox += 1
    card = CARD.format(
        code=shown, category=category, status=status, content=content, location=location,
        reporter=reporter,
    )  # fmt: skip
    rows.add(
        "outbox",
        {
            "id": ids.outbox,
            "created_at": at,
            "available_at": at,
            "report_id": rid,
            "purpose": "card",
            "destination": json.dumps({"key": "verifikasi", "kind": "staff"}),
            "payload": json.dumps({**payload, "text": card, "link": "card"}),
            "state": "sent",
            "attempts": 1,
            "lease_owner": "seed",
            "lease_until": None,
            "sent_at": at + timedelta(seconds=1),
            "chat_id": ADMIN_CHAT,
            "message_id": ids.outbox,
            "last_error": None,
        },
    )


# Tables in the order their rows may be written (foreign keys point backwards).
ORDER = (
    "reporters",
    "reports",
    "attachments",
    "timeline_events",
    "staff_messages",
    "audit_log",
    "outbox",
    "handled_updates",
)


def chunks(shape: Shape, size: int = CHUNK) -> Iterator[Rows]:
    """The whole database, a chunk of reports at a time (reporters come first)."""
    step = 50_000
    for first in range(1, shape.reporters + 1, step):
        batch = Rows()
        batch.tables["reporters"] = reporters(shape, first, min(shape.reporters, first + step - 1))
        yield batch
    ids = Counters()
    for first in range(0, shape.reports, size):
        yield chunk(shape, first, min(shape.reports, first + size), ids)


def _sqlite_value(value: Any) -> Any:
    # SQLAlchemy's SQLite DateTime keeps naive UTC text with six fractional digits.
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, date):
        return value.isoformat()
    return value


def seed_sqlite(path: str, shape: Shape) -> dict[str, int]:
    """Fill a migrated SQLite file; rows written by table."""
    counts: dict[str, int] = {}
    connection = sqlite3.connect(path)
    try:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=OFF")
        connection.execute("PRAGMA cache_size=-200000")
        for batch in chunks(shape):
            with connection:
                for table in ORDER:
                    data = batch.tables.get(table)
                    if not data:
                        continue
                    columns = list(data[0])
                    statement = (
                        f"INSERT INTO {table} ({', '.join(columns)}) "
                        f"VALUES ({', '.join('?' for _ in columns)})"
                    )
                    connection.executemany(
                        statement, [tuple(_sqlite_value(r[c]) for c in columns) for r in data]
                    )
                    counts[table] = counts.get(table, 0) + len(data)
        connection.execute("ANALYZE")
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        connection.close()
    return counts


async def seed_postgresql(url: str, shape: Shape) -> dict[str, int]:
    """Fill a migrated PostgreSQL database by COPY; rows written by table."""
    import asyncpg  # noqa: PLC0415 - only the PostgreSQL run needs it

    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    counts: dict[str, int] = {}
    connection = await asyncpg.connect(dsn)
    try:
        for batch in chunks(shape):
            async with connection.transaction():
                for table in ORDER:
                    data = batch.tables.get(table)
                    if not data:
                        continue
                    columns = list(data[0])
                    await connection.copy_records_to_table(
                        table,
                        records=[tuple(r[c] for c in columns) for r in data],
                        columns=columns,
                    )
                    counts[table] = counts.get(table, 0) + len(data)
        # Sequences behind the ids follow the rows written with explicit ids.
        for table in ORDER:
            if table == "handled_updates":
                continue
            await connection.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT coalesce(max(id), 1) FROM {table}))"
            )
        await connection.execute("ANALYZE")
    finally:
        await connection.close()
    return counts


async def seed(url: str, shape: Shape) -> dict[str, Any]:
    """Seed a migrated database at `url`; rows by table and the seconds it took."""
    started = time.monotonic()
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        assert parsed.database is not None
        counts = seed_sqlite(parsed.database, shape)
    else:
        counts = await seed_postgresql(url, shape)
    return {"rows": counts, "seconds": time.monotonic() - started}
