"""A load client on loopback for the benchmarks: gunicorn serving a
benchmark's WSGI app, and threads of ``http.client`` requests against it
(a new connection per request, as sync workers close each one)."""

import os
import statistics
import subprocess
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def http_load(port, path, seconds, threads, host):
    """``(requests per second, p50 ms, p95 ms, requests)`` of ``threads`` clients for ``seconds``."""
    import http.client

    latencies, errors = [], []
    deadline = time.perf_counter() + seconds

    def worker():
        mine = []
        while time.perf_counter() < deadline:
            start = time.perf_counter()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            try:
                connection.request("GET", path, headers={"Host": host})
                response = connection.getresponse()
                response.read()
                if response.status != 200:
                    errors.append(response.status)
            finally:
                connection.close()
            mine.append(time.perf_counter() - start)
        latencies.extend(mine)

    started = time.perf_counter()
    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    elapsed = time.perf_counter() - started
    assert not errors, f"non-200 answers: {errors[:5]}"
    ordered = sorted(latencies)
    return (len(ordered) / elapsed, statistics.median(ordered) * 1000, ordered[int(0.95 * (len(ordered) - 1))] * 1000,
            len(ordered))


def over_http(app, database_url, *, cached_path, bare_path, host, threads, rounds, seconds):
    """Bare and cached pages against gunicorn (2 sync workers serving ``app``,
    a ``module:callable`` in benchmarks/) on loopback: ``{"bare": …, "cached": …}``,
    each ``(requests/s, p50 ms, p95 ms, requests)``, medians of ``rounds``
    alternating intervals of ``seconds``. The cached page must answer as a hit
    once each worker has stored it."""
    import http.client
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "DATABASE_URL": database_url, "PYTHONPATH": f"{ROOT}:{ROOT / 'benchmarks'}"}
    server = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "gunicorn"), "--workers", "2", "--bind", f"127.0.0.1:{port}",
         "--log-level", "warning", app],
        cwd=str(ROOT / "benchmarks"), env=env,
    )
    try:
        for _ in range(200):
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                connection.request("GET", bare_path, headers={"Host": host})
                connection.getresponse().read()
                break
            except OSError:
                time.sleep(0.1)
        http_load(port, cached_path, 1, threads, host)  # each worker renders and stores the page once (warm-up)
        http_load(port, bare_path, 1, threads, host)
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request("GET", cached_path, headers={"Host": host})
        response = connection.getresponse()
        response.read()
        assert response.getheader("X-Minsheng-Cache") == "hit", response.getheaders()
        results = {"bare": [], "cached": []}
        for _round in range(rounds):  # alternating intervals, as the batches in process
            results["bare"].append(http_load(port, bare_path, seconds, threads, host))
            results["cached"].append(http_load(port, cached_path, seconds, threads, host))
        return {
            name: (statistics.median(r[0] for r in rows), statistics.median(r[1] for r in rows),
                   statistics.median(r[2] for r in rows), sum(r[3] for r in rows))
            for name, rows in results.items()
        }
    finally:
        server.terminate()
        server.wait(timeout=30)
