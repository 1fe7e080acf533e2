"""A flash crowd: ten times the sustainable rate for a minute, on loopback; nothing may be lost.

    .venv/bin/python -m benchmarks.flash_crowd [--backend sqlite|postgresql] [--factor 10]
        [--crowd-seconds 60] [--workers 5] [--max-in-flight 400] [--write]

Gunicorn serves the app on a fresh database, as in ``benchmarks/submissions.py``, with
the admission gate as configured by default (``SUBMISSION_SLOTS``). Then, in one
process (aiohttp):

1. **Sustainable rate**: 16 respondents in a closed loop for ``--calm-seconds``; the
   contributions a second they complete is R.
2. **The crowd**: new respondents arrive at ``factor`` × R a second for
   ``--crowd-seconds`` (an open loop: they do not wait for each other), each a new
   browser: GET the questionnaire, POST it, then read the receipt, or, on 503, check
   that the "too busy" page holds the answers, a ``Retry-After`` and the same form's
   tokens. At most ``--max-in-flight`` respondents are in flight (the load is bounded):
   an arrival beyond that is counted and not sent.
3. **Recovery**: the closed loop again; the seconds from the end of the crowd until
   the rate is back to 80 % of R (over a one-second window).
4. **Nothing lost**: every form refused as busy is sent again from its busy page; then
   the references received are counted against the rows stored, refused forms must
   have left nothing before they were sent again, and every stored response has all
   its answer rows.

Targets (issue 17, item 5): every contribution stored with a receipt or refused with
its answers kept; none lost or half-stored; the questionnaire's p99 under 1 s during
the crowd; back to the normal rate within 10 s after it.
"""

import argparse
import asyncio
import re
import sys
import tempfile
import time
from dataclasses import dataclass, field
from html import unescape
from pathlib import Path

import aiohttp
import sqlalchemy as sa

from . import common
from .databases import fresh_database, postgres_url
from .loadgen import REFERENCE_RE, TOKEN_RE, form_data
from .servers import Workers, serve
from .submissions import DEFAULT_SLUG, form_fields, percentiles, prepare_app, server_environment

TIMEOUT = aiohttp.ClientTimeout(total=120)
BUSY_TEXT = "Too many people are sending their contributions at this moment"
HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')
MARK = "q_final_comments"  # a text answer each respondent fills with its own words


@dataclass
class Visit:
    """One respondent of the crowd, or of a calm phase."""

    started: float
    get_seconds: float | None = None
    post_seconds: float | None = None
    ended: float | None = None
    #: "receipt", "busy", or what went wrong ("GET 502", "TimeoutError", "busy page lacks ...").
    outcome: str = ""
    reference: str | None = None
    submission_token: str | None = None
    #: The busy page's resend form, as a browser would send it.
    resend: list = field(default_factory=list)
    retry_after: str | None = None
    #: The browser's cookies: sending the busy page's form again is done from the same browser.
    jar: object = None
    #: What sending the busy page's form again gave ("resent", or what went wrong).
    resent: str | None = None


def _fields(fields: list, words: str) -> list:
    return [[name, words if name == MARK else value] for name, value in fields]


async def visit(base: str, slug: str, fields: list, t0: float, number: int) -> Visit:
    """GET, POST, then the receipt or the busy page, in a browser of its own."""
    url = f"{base}/consultations/{slug}/respond"
    record = Visit(started=time.perf_counter() - t0)
    words = f"Flash crowd respondent {number}"
    jar = record.jar = aiohttp.CookieJar(unsafe=True, treat_as_secure_origin=[base])
    try:
        async with aiohttp.ClientSession(cookie_jar=jar, timeout=TIMEOUT) as session:
            began = time.perf_counter()
            async with session.get(url) as reply:
                page = await reply.text()
                record.get_seconds = time.perf_counter() - began
                if reply.status != 200:
                    record.outcome = f"GET {reply.status}"
                    return record
            tokens = dict(TOKEN_RE.findall(page))
            record.submission_token = tokens.get("submission_token")
            began = time.perf_counter()
            data = form_data(_fields(fields, words), tokens)
            async with session.post(url, data=data, allow_redirects=False) as reply:
                body = await reply.text()
                record.post_seconds = time.perf_counter() - began
                status, location = reply.status, reply.headers.get("Location", "")
                record.retry_after = reply.headers.get("Retry-After")
            if status == 303:
                async with session.get(base + location.removeprefix(base)) as reply:
                    found = REFERENCE_RE.search(await reply.text())
                record.outcome = "receipt" if found else "receipt without reference"
                record.reference = found.group(1) if found else None
            elif status == 503 and BUSY_TEXT in body:
                form = body.split('<form method="post"', 1)[-1].split("</form>", 1)[0]
                record.resend = [(n, unescape(v)) for n, v in HIDDEN.findall(form)]
                kept = words in body and (MARK, words) in record.resend
                same = ("submission_token", record.submission_token) in record.resend
                ok = kept and same and record.retry_after
                record.outcome = "busy" if ok else "busy page lacks the answers"
            else:
                record.outcome = f"POST {status}"
    except (aiohttp.ClientError, TimeoutError) as error:
        record.outcome = type(error).__name__
    finally:
        record.ended = time.perf_counter() - t0
    return record


async def resend(base: str, slug: str, record: Visit) -> Visit:
    """Send a busy page's form again, as its "Try sending it again" button does."""
    data = aiohttp.FormData()
    for name, value in record.resend:
        data.add_field(name, value)
    async with aiohttp.ClientSession(cookie_jar=record.jar, timeout=TIMEOUT) as session:
        path = f"/consultations/{slug}/respond"
        async with session.post(base + path, data=data, allow_redirects=False) as reply:
            await reply.read()
            if reply.status != 303:
                record.resent = f"resent: {reply.status}"
                return record
            location = reply.headers["Location"]
        async with session.get(base + location.removeprefix(base)) as reply:
            found = REFERENCE_RE.search(await reply.text())
    record.resent = "resent" if found else "resent without reference"
    record.reference = found.group(1) if found else None
    return record


async def calm(base, slug, fields, seconds, t0, respondents=16) -> list[Visit]:
    """Respondents one after another at ``respondents`` browsers, for ``seconds``."""
    visits: list[Visit] = []
    stop_at = time.perf_counter() - t0 + seconds
    counter = iter(range(10**9))

    async def loop():
        while time.perf_counter() - t0 < stop_at:
            visits.append(await visit(base, slug, fields, t0, 10**6 + next(counter)))

    await asyncio.gather(*(loop() for _ in range(respondents)))
    return visits


async def crowd(base, slug, fields, rate, seconds, bound, t0) -> tuple[list[Visit], int]:
    """Arrivals at ``rate`` a second for ``seconds``; at most ``bound`` in flight."""
    tasks, skipped, in_flight = [], 0, [0]
    start = time.perf_counter()
    total = int(rate * seconds)

    async def one(number):
        in_flight[0] += 1
        try:
            return await visit(base, slug, fields, t0, number)
        finally:
            in_flight[0] -= 1

    for number in range(total):
        await asyncio.sleep(max(0.0, start + number / rate - time.perf_counter()))
        if in_flight[0] >= bound:
            skipped += 1
            continue
        tasks.append(asyncio.create_task(one(number)))
    return list(await asyncio.gather(*tasks)), skipped


def completed_rate(visits: list[Visit], start: float, end: float) -> float:
    done = [v for v in visits if v.outcome == "receipt" and start <= v.ended < end]
    return len(done) / (end - start) if end > start else 0.0


def recovery_seconds(visits: list[Visit], crowd_end: float, normal: float, horizon: float):
    """Seconds after the crowd until one second's receipts reach 80 % of ``normal``."""
    step = 0.25
    moment = crowd_end
    while moment + 1 <= crowd_end + horizon:
        if completed_rate(visits, moment, moment + 1) >= 0.8 * normal:
            return moment - crowd_end
        moment += step
    return None


@dataclass
class Result:
    backend: str
    normal_rate: float
    crowd_rate: float
    crowd: list
    skipped: int
    recovery: float | None
    after_rate: float
    resent: list
    stored: int
    refused_left_nothing: bool
    complete: bool
    missing: int
    crowd_seconds: float


async def run_phases(base, slug, fields, arguments, backend) -> tuple:
    t0 = time.perf_counter()
    await calm(base, slug, fields, 3, t0)  # warm-up: templates compiled, connections open
    calm_start = time.perf_counter() - t0
    before = await calm(base, slug, fields, arguments.calm_seconds, t0)
    normal = completed_rate(before, calm_start, calm_start + arguments.calm_seconds)
    rate = max(1.0, arguments.factor * normal)
    print(f"{backend}: sustainable {normal:.1f}/s; crowd of {rate:.0f} a second…", flush=True)
    crowd_start = time.perf_counter() - t0
    crowd_task = asyncio.create_task(
        crowd(base, slug, fields, rate, arguments.crowd_seconds, arguments.max_in_flight, t0)
    )
    await asyncio.sleep(arguments.crowd_seconds)
    crowd_end = time.perf_counter() - t0
    # Recovery: the calm respondents come back the moment the crowd stops arriving.
    after = await calm(base, slug, fields, arguments.recovery_seconds, t0)
    crowded, skipped = await crowd_task
    return normal, rate, crowded, skipped, after, crowd_start, crowd_end


def measure(backend: str, arguments, folder: Path) -> Result:
    fields = form_fields(arguments.slug)
    folder = folder / backend
    folder.mkdir(parents=True)
    with fresh_database(backend, folder, postgres_url()) as url:
        env = server_environment(url, folder)
        if arguments.slots is not None:
            env["SUBMISSION_SLOTS"] = str(arguments.slots)
        prepare_app(env, arguments.slug)
        with serve("wsgi:app", env, Workers(arguments.workers), folder / "gunicorn.log") as server:
            normal, rate, crowded, skipped, after, crowd_start, crowd_end = asyncio.run(
                run_phases(server.base, arguments.slug, fields, arguments, backend)
            )
            busy = [v for v in crowded if v.outcome == "busy"]
            tokens_busy = {v.submission_token for v in busy}
            engine = sa.create_engine(url)
            with engine.connect() as connection:
                stored_now = set(
                    connection.scalars(sa.text("SELECT submission_token FROM responses"))
                )
            refused_left_nothing = not (tokens_busy & stored_now)

            async def resend_all():
                gate = asyncio.Semaphore(4)

                async def one(record):
                    async with gate:
                        return await resend(server.base, arguments.slug, record)

                return await asyncio.gather(*(one(r) for r in busy))

            resent = asyncio.run(resend_all()) if busy else []
        with engine.connect() as connection:
            references = set(connection.scalars(sa.text("SELECT reference FROM responses")))
            counts = connection.execute(
                sa.text("SELECT response_id, count(*) FROM answers GROUP BY response_id")
            ).all()
        engine.dispose()
    received = {v.reference for v in [*crowded, *resent] if v.reference}
    received |= {v.reference for v in after if v.reference}
    complete = len(counts) == len(references) and len({n for _, n in counts}) <= 1
    return Result(
        backend=backend,
        normal_rate=normal,
        crowd_rate=rate,
        crowd=crowded,
        skipped=skipped,
        recovery=recovery_seconds(after, crowd_end, normal, arguments.recovery_seconds),
        after_rate=completed_rate(after, crowd_end, crowd_end + arguments.recovery_seconds),
        resent=resent,
        stored=len(references),
        refused_left_nothing=refused_left_nothing,
        complete=complete,
        missing=len(received - references),
        crowd_seconds=crowd_end - crowd_start,
    )


def report(results: list[Result], arguments, load: str) -> str:
    rows, lines = [], []
    for r in results:
        outcomes = {}
        for v in r.crowd:
            outcomes[v.outcome] = outcomes.get(v.outcome, 0) + 1
        gets = [v.get_seconds for v in r.crowd if v.get_seconds is not None]
        posts = [v.post_seconds for v in r.crowd if v.post_seconds is not None]
        get_ms, post_ms = percentiles(gets), percentiles(posts)
        arrived = len(r.crowd) / r.crowd_seconds if r.crowd_seconds else 0
        failed = sum(n for k, n in outcomes.items() if k not in ("receipt", "busy"))
        resent_ok = sum(1 for v in r.resent if v.resent == "resent")
        failed += len(r.resent) - resent_ok
        rows.append(
            [
                r.backend,
                r.normal_rate,
                r.crowd_rate,
                arrived,
                len(r.crowd),
                r.skipped,
                outcomes.get("receipt", 0),
                outcomes.get("busy", 0),
                failed,
                get_ms[0],
                get_ms[2],
                post_ms[2],
                r.recovery,
                f"{resent_ok}/{len(r.resent)}",
            ]
        )
        kept = (
            "every refused form's page held its answers and tokens"
            if not any(v.outcome == "busy page lacks the answers" for v in r.crowd)
            else "SOME busy pages lacked the answers"
        )
        verdict_lost = "PASS" if not r.missing and failed == 0 else "FAIL"
        others = ", ".join(
            f"{k} × {n}" for k, n in outcomes.items() if k not in ("receipt", "busy")
        )
        lines += [
            f"- {r.backend}: {verdict_lost} nothing lost: {r.missing} references received but not "
            f"stored; {failed} respondents got neither a receipt nor a busy page "
            f"({others or 'none'}); "
            f"{kept}; {resent_ok} of {len(r.resent)} sent again were stored.",
            f"- {r.backend}: {'PASS' if r.refused_left_nothing and r.complete else 'FAIL'} none "
            f"half-stored: refused forms left {'nothing' if r.refused_left_nothing else 'ROWS'} "
            f"before they were sent again; {r.stored} responses stored, "
            f"{'each with all its answer rows' if r.complete else 'SOME WITH MISSING ANSWERS'}.",
            f"- {r.backend}: questionnaire p99 during the crowd {get_ms[2] or 0:,.0f} ms (target "
            f"< 1,000 ms): {'met' if get_ms[2] is not None and get_ms[2] < 1000 else 'missed'}.",
            f"- {r.backend}: back to 80 % of the sustainable rate "
            + (
                f"{r.recovery:.1f} s after the crowd (target ≤ 10 s): "
                f"{'met' if r.recovery <= 10 else 'missed'}."
                if r.recovery is not None
                else f"not within {arguments.recovery_seconds:g} s (target ≤ 10 s): missed."
            ),
        ]
    headers = [
        "backend",
        "sustainable/s",
        "crowd target/s",
        "arrived/s",
        "respondents",
        "not sent (bound)",
        "receipts",
        "busy (503)",
        "failed",
        "GET p50 ms",
        "GET p99 ms",
        "POST p99 ms",
        "recovery s",
        "resent stored",
    ]
    return "\n\n".join(
        [
            "\n".join(
                common.machine(
                    postgres_url() if any(r.backend == "postgresql" for r in results) else None
                )
            ),
            f"gunicorn {arguments.workers} sync workers, submission slots "
            f"{'as configured (default 4)' if arguments.slots is None else arguments.slots}; "
            f"sustainable rate: 16 respondents in a closed loop for {arguments.calm_seconds:g} s; "
            f"crowd: {arguments.factor:g} × that rate of new respondents a second for "
            f"{arguments.crowd_seconds:g} s, at most {arguments.max_in_flight} in flight; "
            f"recovery: the closed loop again for {arguments.recovery_seconds:g} s. Load "
            f"generator on the same machine. Load average (1, 5, 15 min): {load}.",
            common.table(headers, rows),
            "\n".join(lines),
        ]
    )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="sqlite")
    parser.add_argument("--factor", type=float, default=10)
    parser.add_argument("--calm-seconds", type=float, default=10)
    parser.add_argument("--crowd-seconds", type=float, default=60)
    parser.add_argument("--recovery-seconds", type=float, default=20)
    parser.add_argument("--workers", type=int, default=5)
    parser.add_argument("--slots", type=int, help="SUBMISSION_SLOTS (default: the app's)")
    parser.add_argument("--max-in-flight", type=int, default=400)
    parser.add_argument("--slug", default=DEFAULT_SLUG)
    parser.add_argument("--write", action="store_true")
    parser.add_argument("--results", type=Path, default=common.RESULTS)
    arguments = parser.parse_args(argv)
    backends = ["sqlite", "postgresql"] if arguments.backend == "both" else [arguments.backend]
    before = common.load_average()
    with tempfile.TemporaryDirectory(prefix="flash-crowd-") as folder:
        results = [measure(backend, arguments, Path(folder)) for backend in backends]
    body = report(results, arguments, f"{before} before, {common.load_average()} after")
    print(body)
    if arguments.write:
        common.write_section(
            "flash-crowd", "A flash crowd (flash_crowd)", body, results=arguments.results
        )
    ok = all(not r.missing and r.refused_left_nothing and r.complete for r in results)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
