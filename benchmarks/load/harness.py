"""What the load test (run_load.py) and the fault tests (tests/soak/) share:
a fresh PostgreSQL database, gunicorn on a free loopback port, a
django-q2 worker as a process group that can be SIGKILLed, and the check
that no case is half-written.

Nothing here touches a database that it did not create: each run names its
own (``minsheng_load``, ``minsheng_load_soak_*``)."""

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYTHON = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
ADMIN_URL = os.environ.get("LOAD_ADMIN_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def database_url(name, admin_url=ADMIN_URL):
    """The URL of database ``name`` on the server of ``admin_url``."""
    return admin_url.rsplit("/", 1)[0] + "/" + name


def recreate_database(name, admin_url=ADMIN_URL):
    """Drop and create database ``name`` (its name must say it is a load or soak database)."""
    import psycopg

    assert "load" in name or "soak" in name, f"refusing to recreate {name!r}: not a load/soak database"
    with psycopg.connect(admin_url.replace("postgres://", "postgresql://", 1), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return database_url(name, admin_url)


def environment(database, **extra):
    """The environment of the project's processes for ``database`` (a URL)."""
    env = {
        **os.environ,
        "DATABASE_URL": database,
        "DJANGO_SECRET_KEY": os.environ.get("DJANGO_SECRET_KEY", "load-test-only-not-a-secret"),
        "DJANGO_DEBUG": "false",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "PYTHONPATH": f"{ROOT}:{ROOT / 'benchmarks' / 'load'}",
        "LOG_LEVEL": os.environ.get("LOAD_LOG_LEVEL", "WARNING"),
    }
    env.pop("REDIS_URL", None)  # the cache of each worker (locmem) unless LOAD_REDIS_URL names a Redis
    if os.environ.get("LOAD_REDIS_URL"):
        env["REDIS_URL"] = os.environ["LOAD_REDIS_URL"]
    env.update({k: str(v) for k, v in extra.items()})
    return env


def manage(env, *args, check=True, **kwargs):
    return subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=check, **kwargs)


def prepare(env, demo_cases=50):
    """Migrate and load the demo profile (``load_demo``, the command of scripts/demo.sh)."""
    manage(env, "migrate", "--no-input", "-v0")
    manage(env, "load_demo", "--cases", str(demo_cases), "--quiet")


def wait_http(port, path="/", timeout=180, host="127.0.0.1"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", path, headers={"Host": host})
            status = connection.getresponse().status
            connection.close()
            if status < 500:
                return status
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"nothing answered on 127.0.0.1:{port}{path} within {timeout}s")


class Gunicorn:
    """gunicorn with ``workers`` sync workers serving config.wsgi on a free loopback port."""

    def __init__(self, env, workers=4, timeout=30, settings="config.settings"):
        self.port = free_port()
        self.process = subprocess.Popen(
            [GUNICORN, "--workers", str(workers), "--bind", f"127.0.0.1:{self.port}", "--timeout", str(timeout),
             "--log-level", "warning", "config.wsgi:application"],
            cwd=ROOT, env={**env, "DJANGO_SETTINGS_MODULE": settings}, start_new_session=True,
        )
        wait_http(self.port, "/graphql/?query=%7B__typename%7D")

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


class Worker:
    """``manage.py qcluster`` in its own process group (the cluster's sentinel,
    pusher, workers and monitor all in it), so that ``kill()`` SIGKILLs them
    all at once, as the OOM killer or a pulled plug would."""

    def __init__(self, env, log_path=None):
        self.log = open(log_path, "ab") if log_path else subprocess.DEVNULL
        self.process = subprocess.Popen([PYTHON, "manage.py", "qcluster"], cwd=ROOT, env=env,
                                        stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)

    def kill(self):
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait()

    def stop(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()
        if self.log is not subprocess.DEVNULL:
            self.log.close()


def incomplete_cases(numbers=None):
    """Numbers of cases (all, or those in ``numbers``) that are half-written:
    no query code, or no ``register`` event (the receipt). Needs Django set up."""
    from django.db.models import Q

    from casemodels.models import Case

    cases = Case.objects.all() if numbers is None else Case.objects.filter(number__in=list(numbers))
    return sorted(
        cases.filter(Q(query_code="") | Q(number="") | ~Q(events__action="register")).values_list("number", flat=True)
        .distinct()
    )


def setup_django(env):
    """Set up Django in this process against ``env``'s database (for the checks)."""
    for key in ("DATABASE_URL", "DJANGO_SECRET_KEY", "DJANGO_DEBUG", "DJANGO_ALLOWED_HOSTS"):
        os.environ[key] = env[key]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()
