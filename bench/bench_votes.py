"""Benchmark live votes: 300 phones voting within 10 s while a projector polls the results.

Starts the production server (``motion serve --workers 4``, gunicorn) on a fresh instance,
on SQLite (WAL) and on PostgreSQL, logs 300 participants in beforehand, then has each
phone vote once (and 30 of them change their vote, all to abstention) at times spread
over the window,
while a projector polls the live state every 250 ms. Loopback only; every loop is bounded.

Usage: .venv/bin/python bench/bench_votes.py [--db sqlite|postgresql|both]
    [--pg-url postgresql+psycopg://postgres@127.0.0.1:5432/motion_bench_votes]
Prints a Markdown table (paste it into docs/benchmarks.md, section "Live votes").
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from http.cookies import SimpleCookie
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
MOTION = str(REPO / ".venv" / "bin" / "motion")
PHONES = 300
CHANGERS = 30
WINDOW = 8.0          # seconds over which the first votes are spread (target: within 10 s)
POLL_EVERY = 0.25
PASSWORD = "bench password not secret"
CHOICES = ("for", "against", "abstain")
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
SLUG = "bench-votes"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Client:
    """One phone: a keep-alive connection and its session cookie."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: bytes | None = None,
                headers: dict[str, str] | None = None) -> tuple[int, bytes]:
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        for attempt in range(2):
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
                break
            except (http.client.HTTPException, ConnectionError):
                if attempt:
                    raise
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(header)
            for key, morsel in cookie.items():
                self.cookies[key] = morsel.value
        return response.status, data

    def csrf(self, path: str) -> str:
        status, data = self.request("GET", path)
        match = CSRF_RE.search(data.decode())
        if status != 200 or not match:
            raise RuntimeError(f"no CSRF token on {path} ({status})")
        return match.group(1)

    def login(self, email: str) -> str:
        token = self.csrf("/compte/connexion")
        from urllib.parse import urlencode

        status, _ = self.request(
            "POST", "/compte/connexion",
            urlencode({"email": email, "password": PASSWORD, "csrf_token": token}).encode(),
            {"Content-Type": "application/x-www-form-urlencoded"})
        if status != 302:
            raise RuntimeError(f"login failed for {email}: {status}")
        return self.csrf(f"/v/{SLUG}")


def seed(env: dict[str, str]) -> int:
    """Create the campaign, 300 élus, a facilitator, a motion and an open vote; return its id."""
    code = f"""
import os
from datetime import timedelta
from motion import create_app
from motion.extensions import db
from motion.models import PhaseKind, User, Role
from motion.models._types import utcnow
from motion.services import accounts, campaigns, frameworks, motions, votes
app = create_app()
with app.app_context():
    now = utcnow()
    campaign = campaigns.create_campaign("{SLUG}", "Plénière (banc d'essai)",
        framework=frameworks.ensure_default_framework(),
        phase_starts={{PhaseKind.COLLECT: now - timedelta(days=30),
                       PhaseKind.SYNTHESIS: now - timedelta(days=2),
                       PhaseKind.PLENARY: now - timedelta(hours=1)}})
    workshop = campaigns.get_or_create_workshop(campaign, "Atelier plénière")
    hashed = accounts.hash_password({PASSWORD!r})
    users = [User(email=f"phone{{i}}@bench.local", display_name=f"Élu {{i}}",
                  collectivite=f"Commune {{i % 120}}", password_hash=hashed)
             for i in range({PHONES})]
    users.append(User(email="anim@bench.local", display_name="Animation", role=Role.FACILITATOR,
                      password_hash=hashed))
    db.session.add_all(users)
    db.session.flush()
    for user in users:
        campaigns.add_member(user, workshop)
    motion = motions.create_motion(campaign)
    proposition = motions.create_proposition(motion, motion.sections[0],
        title="Un référent numérique par intercommunalité",
        text="Chaque intercommunalité désigne un référent chargé de l'inclusion numérique.")
    session = votes.open_vote(proposition, actor=None)
    db.session.commit()
    print(session.id)
"""
    out = subprocess.run([str(REPO / ".venv" / "bin" / "python"), "-c", code], env=env,
                         cwd=REPO, check=True, capture_output=True, text=True, timeout=300)
    return int(out.stdout.strip().splitlines()[-1])


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def run(db_kind: str, pg_url: str) -> dict:
    with tempfile.TemporaryDirectory(prefix="motion-bench-votes-") as tmp:
        env = {k: v for k, v in os.environ.items() if not k.startswith("MOTION_")}
        env.update(MOTION_INSTANCE=tmp, MOTION_ENV="development")
        if db_kind == "postgresql":
            reset_pg(pg_url)
            env["MOTION_DATABASE_URL"] = pg_url
        subprocess.run([MOTION, "init", "--admin-email", "admin@bench.local",
                        "--admin-password", PASSWORD], env=env, cwd=REPO, check=True,
                       capture_output=True, timeout=300)
        session_id = seed(env)
        port = free_port()
        log = open(Path(tmp) / "server.log", "w+")  # noqa: SIM115 (closed below)
        server = subprocess.Popen([MOTION, "serve", "--host", "127.0.0.1", "--port", str(port),
                                   "--workers", "4"], env=env, cwd=REPO, stdout=log,
                                  stderr=subprocess.STDOUT, start_new_session=True)
        try:
            wait_ready(port, server, log)
            return measure(port, session_id, db_kind)
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
            log.close()


def reset_pg(url: str) -> None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    target = make_url(url)
    if not re.fullmatch(r"[A-Za-z0-9_]+", target.database or ""):
        raise SystemExit(f"unexpected database name in {url}")
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{target.database}"'))
    admin.dispose()


def wait_ready(port: int, server: subprocess.Popen, log) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and server.poll() is None:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.3)
    log.seek(0)
    raise SystemExit(f"server did not start:\n{log.read()[-3000:]}")


class Ballot:
    """One voting window: every phone votes once (choices for, against, abstain in turn),
    then ``changers`` of them change to abstention, while a projector polls the live
    state; times, errors and the tally read at the end against what was sent."""

    def __init__(self, phones: list[Client], tokens: list[str], projector: Client,
                 session_id: int, changers: int) -> None:
        self.phones, self.tokens, self.projector = phones, tokens, projector
        self.session_id = session_id
        self.state_path = f"/api/campagnes/{SLUG}/motion/etat"
        self.expected = {i: CHOICES[i % 3] for i in range(len(phones))}
        # Every change is away from the first choice and towards "abstain", so that a lost
        # change shows in the tally (changes that cancel out, as many each way, would hide
        # it).
        self.changes = {i: "abstain" for i in
                        [i for i, c in self.expected.items() if c != "abstain"][:changers]}
        self.vote_times: list[float] = []
        self.poll_times: list[float] = []
        self.errors: list[str] = []
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.poller = threading.Thread(target=self._poll)

    def _poll(self) -> None:
        for _ in range(int(120 / POLL_EVERY)):  # bounded
            if self.stop.is_set():
                return
            started = time.perf_counter()
            try:
                status, _ = self.projector.request("GET", self.state_path,
                                                   headers={"Accept": "application/json"})
                if status != 200:
                    self.errors.append(f"poll {status}")
            except Exception as error:  # reported in the results
                self.errors.append(f"poll {error!r}")
            with self.lock:
                self.poll_times.append(time.perf_counter() - started)
            time.sleep(max(0.0, POLL_EVERY - (time.perf_counter() - started)))

    def _vote(self, i: int, choice: str, at: float, t0: float) -> None:
        time.sleep(max(0.0, t0 + at - time.perf_counter()))
        body = json.dumps({"choice": choice}).encode()
        started = time.perf_counter()
        try:
            status, data = self.phones[i].request(
                "POST", f"/api/votes/{self.session_id}", body,
                {"Content-Type": "application/json", "X-CSRFToken": self.tokens[i],
                 "Accept": "application/json"})
            if status != 200:
                self.errors.append(f"vote {status} {data[:120]!r}")
        except Exception as error:  # reported in the results
            self.errors.append(f"vote {error!r}")
        with self.lock:
            self.vote_times.append(time.perf_counter() - started)

    def start(self) -> float:
        """Start polling; the window's start time."""
        self.poller.start()
        return time.perf_counter()

    def vote(self, t0: float, window: float, changes_within: float, threads: int) -> float:
        """The first votes spread over ``window`` s from ``t0``, then the changes over the
        next ``changes_within`` s; the seconds from ``t0`` until the last answer."""
        n = len(self.phones)
        first = [(i, self.expected[i], window * i / n) for i in range(n)]
        again = [(i, c, window + changes_within * k / len(self.changes))
                 for k, (i, c) in enumerate(self.changes.items())]
        with ThreadPoolExecutor(threads) as pool:
            for plan in (first, again):
                for future in [pool.submit(self._vote, i, c, at, t0) for i, c, at in plan]:
                    future.result()
        return time.perf_counter() - t0

    def finish(self) -> dict:
        """Stop polling and compare the tally with what the phones sent."""
        time.sleep(1.0)
        self.stop.set()
        self.poller.join(timeout=10)
        final = {**self.expected, **self.changes}
        want = {"pour": sum(c == "for" for c in final.values()),
                "contre": sum(c == "against" for c in final.values()),
                "abstention": sum(c == "abstain" for c in final.values())}
        _, data = self.projector.request("GET", self.state_path,
                                         headers={"Accept": "application/json"})
        got = json.loads(data)["session"]
        return {
            "votes": len(self.vote_times), "errors": len(self.errors),
            "error_sample": self.errors[:3],
            "exact": all(got[k] == v for k, v in want.items()) and got["total"] == len(final),
            "tally": {k: got[k] for k in ("pour", "contre", "abstention", "total")},
            "expected": want, "vote_times": self.vote_times, "poll_times": self.poll_times,
        }


def login_phones(ports: list[int], n: int) -> tuple[list[Client], list[str]]:
    """``n`` phones logged in (16 at a time), phone i on ``ports[i % len(ports)]``; their
    vote page's CSRF tokens."""
    phones = [Client(ports[i % len(ports)]) for i in range(n)]
    with ThreadPoolExecutor(16) as pool:
        tokens = list(pool.map(lambda p: p[1].login(f"phone{p[0]}@bench.local"),
                               enumerate(phones)))
    return phones, tokens


def measure(port: int, session_id: int, db_kind: str) -> dict:
    phones, tokens = login_phones([port], PHONES)
    projector = Client(port)
    projector.login("anim@bench.local")
    ballot = Ballot(phones, tokens, projector, session_id, CHANGERS)
    t0 = ballot.start()
    elapsed = ballot.vote(t0, WINDOW, 1.0, threads=64)
    found = ballot.finish()
    vote_times, poll_times = found.pop("vote_times"), found.pop("poll_times")
    return {
        "db": db_kind, "seconds": round(elapsed, 2), **found,
        "vote_p50_ms": round(percentile(vote_times, 0.5) * 1000, 1),
        "vote_p95_ms": round(percentile(vote_times, 0.95) * 1000, 1),
        "vote_max_ms": round(max(vote_times) * 1000, 1),
        "polls": len(poll_times),
        "poll_p95_ms": round(percentile(poll_times, 0.95) * 1000, 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--pg-url", default=os.environ.get(
        "MOTION_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/motion_bench_votes"))
    args = parser.parse_args()
    kinds = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    results = [run(kind, args.pg_url) for kind in kinds]
    for result in results:
        print(json.dumps(result, ensure_ascii=False), file=sys.stderr)
    print("| database | votes (300 + 30 changes) | sent within | errors | tally exact "
          "| vote p50 | vote p95 | vote max | polls | poll p95 |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for r in results:
        t = r["tally"]
        print(f"| {r['db']} | {r['votes']} | {r['seconds']} s | {r['errors']} | "
              f"{'yes' if r['exact'] else 'NO'} ({t['pour']}/{t['contre']}/{t['abstention']}) | "
              f"{r['vote_p50_ms']} ms | {r['vote_p95_ms']} ms | {r['vote_max_ms']} ms | "
              f"{r['polls']} | {r['poll_p95_ms']} ms |")
    ok = all(r["errors"] == 0 and r["exact"] and r["vote_p95_ms"] < 300
             and r["poll_p95_ms"] < 200 for r in results)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
