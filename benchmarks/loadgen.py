"""Virtual respondents sending contributions over HTTP, run in a process of its own.

    .venv/bin/python -m benchmarks.loadgen --base http://127.0.0.1:8000 --slug apply-ai \\
        --form form.json --out result.json --concurrency 50 --duration 30 --warmup 3

Each respondent has its own cookie jar (the session cookie carries the CSRF token) and
loops until the time is up: GET the questionnaire, read its hidden tokens, POST the
contribution as multipart/form-data like a browser, follow the redirect, read the
reference on the receipt. ``form.json`` holds the fields as ``[name, value]`` pairs (a
value of null is a file input left empty). The result is one record per cycle; the
caller turns them into rates and percentiles.
"""

import argparse
import asyncio
import json
import re
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import aiohttp

from .servers import group_cpu_seconds

TOKEN_RE = re.compile(r'name="(csrf_token|submission_token|form_served)"[^>]*value="([^"]*)"')
REFERENCE_RE = re.compile(r'class="reference-text" data-reference="([^"]+)"')
TIMEOUT = aiohttp.ClientTimeout(total=60)


@dataclass
class Cycle:
    """One GET + POST + receipt, its times in seconds since the load started."""

    started: float
    ended: float
    post_seconds: float | None = None
    reference: str | None = None
    error: str | None = None


class Failed(Exception):
    """A step of the cycle did not give what a browser expects; the message is its kind."""


def form_data(fields: list, tokens: dict) -> aiohttp.FormData:
    """The multipart body a browser sends: the answers, the tokens, empty file inputs."""
    data = aiohttp.FormData()
    for name, value in fields:
        if value is None:
            data.add_field(name, b"", filename="", content_type="application/octet-stream")
        else:
            data.add_field(name, value)
    for name, value in tokens.items():
        data.add_field(name, value)
    return data


async def _get_text(session, url, step) -> str:
    async with session.get(url) as reply:
        text = await reply.text()
        if reply.status != 200:
            raise Failed(f"{step} {reply.status}")
        return text


async def _post(session, url, fields, tokens) -> str:
    async with session.post(url, data=form_data(fields, tokens), allow_redirects=False) as reply:
        await reply.read()
        if reply.status != 303:
            raise Failed(f"POST {reply.status}")
        return reply.headers["Location"]


async def one_cycle(session, base, slug, fields, t0) -> Cycle:
    """Fill in and send the questionnaire once; errors are recorded, not raised."""
    url = f"{base}/consultations/{slug}/respond"
    cycle = Cycle(started=time.perf_counter() - t0, ended=0.0)
    try:
        page = await _get_text(session, url, "GET")
        tokens = dict(TOKEN_RE.findall(page))
        if len(tokens) != 3:
            raise Failed("GET without tokens")
        posted = time.perf_counter()
        location = await _post(session, url, fields, tokens)
        cycle.post_seconds = time.perf_counter() - posted
        receipt = await _get_text(session, base + location.removeprefix(base), "receipt")
        found = REFERENCE_RE.search(receipt)
        if not found:
            raise Failed("receipt without reference")
        cycle.reference = found.group(1)
    except Failed as failure:
        cycle.error = str(failure)
    except (aiohttp.ClientError, TimeoutError) as error:
        cycle.error = type(error).__name__
    cycle.ended = time.perf_counter() - t0
    return cycle


async def respondent(connector, base, slug, fields, t0, stop_at, cycles) -> None:
    """One person after another at the same browser: a cookie jar of its own, cycles in a row."""
    jar = aiohttp.CookieJar(unsafe=True, treat_as_secure_origin=[base])
    async with aiohttp.ClientSession(
        connector=connector, connector_owner=False, cookie_jar=jar, timeout=TIMEOUT
    ) as session:
        while time.perf_counter() - t0 < stop_at:
            jar.clear()  # the next contribution comes from a new person
            cycles.append(await one_cycle(session, base, slug, fields, t0))


async def sample_cpu(pgid, t0, moments, samples) -> None:
    """The server's CPU seconds (process group ``pgid``) at each of ``moments`` after ``t0``."""
    for moment in moments:
        await asyncio.sleep(max(0.0, t0 + moment - time.perf_counter()))
        samples.append(group_cpu_seconds(pgid))


async def run_load(base, slug, fields, *, concurrency, duration, warmup, server_pgid=None) -> dict:
    """Run ``concurrency`` respondents for ``warmup + duration`` seconds; return every cycle.

    With ``server_pgid``, also the server's CPU seconds spent in the measured window
    (from the end of the warm-up to the end), so that worker start-up is left out.
    """
    cycles: list[Cycle] = []
    samples: list[float] = []
    connector = aiohttp.TCPConnector(limit=concurrency, force_close=False)
    t0 = time.perf_counter()
    tasks = [
        respondent(connector, base, slug, fields, t0, warmup + duration, cycles)
        for _ in range(concurrency)
    ]
    if server_pgid:
        tasks.append(sample_cpu(server_pgid, t0, (warmup, warmup + duration), samples))
    try:
        await asyncio.gather(*tasks)
    finally:
        await connector.close()
    window_cpu = samples[1] - samples[0] if len(samples) == 2 else None
    return {
        "warmup": warmup,
        "duration": duration,
        "window_cpu_seconds": window_cpu,
        "cycles": [asdict(c) for c in cycles],
    }


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", required=True, help="e.g. http://127.0.0.1:8000")
    parser.add_argument("--slug", required=True)
    parser.add_argument("--form", required=True, type=Path, help="JSON [name, value] pairs")
    parser.add_argument("--out", required=True, type=Path, help="where to write the cycles")
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--duration", type=float, default=30)
    parser.add_argument("--warmup", type=float, default=3, help="seconds not measured")
    parser.add_argument("--server-pgid", type=int, help="process group whose CPU to sample")
    arguments = parser.parse_args(argv)
    result = asyncio.run(
        run_load(
            arguments.base.rstrip("/"),
            arguments.slug,
            json.loads(arguments.form.read_text()),
            concurrency=arguments.concurrency,
            duration=arguments.duration,
            warmup=arguments.warmup,
            server_pgid=arguments.server_pgid,
        )
    )
    arguments.out.write_text(json.dumps(result))


if __name__ == "__main__":
    main()
