"""The load of ``run_load.py`` (locust, headless): citizens and staff at once
against gunicorn on loopback.

- ``Citizen`` (most users): submits requests through ``submitCase`` (the
  mini-program) and through the site's form (the web channel, CSRF token,
  POST-redirect-GET), tracks its own cases with ``trackCase`` (number and
  query code it was given), opens the result board page and asks
  ``resultBoard``. Each citizen sends its own ``X-Forwarded-For`` address
  (one nginx in front: ``MINSHENG_TRUSTED_PROXY_COUNT=1``).
- ``Staff``: signs in with ``tokenAuth`` (bearer token), lists ``cases`` and
  takes the citizens' new cases through dispatch (dispatcher), sign and
  reply (the 市住建局 handler) — each case by one staff user only.

Every request is checked: HTTP status, no GraphQL ``errors``, an empty
``errors`` list in a mutation's payload. Each successful submission's number
is written to ``$LOAD_SUBMITTED`` (one a line, with the way it came in) when
the run ends, together with the submissions whose outcome is unknown (the
connection failed): ``run_load.py`` compares them with the database."""

import itertools
import json
import os
import random
import re
import threading
import uuid
from collections import Counter, deque

from locust import HttpUser, between, events, task

PASSWORD = os.environ.get("LOAD_PASSWORD", "minsheng-demo")
DISPATCHER = os.environ.get("LOAD_DISPATCHER", "dispatcher")
HANDLER = os.environ.get("LOAD_HANDLER", "zhujian")
HANDLER_UNIT = os.environ.get("LOAD_HANDLER_UNIT", "zhujian")
PERIOD = os.environ.get("LOAD_PERIOD", "2025-10")
SUBMIT_PATH = os.environ.get("LOAD_SUBMIT_PATH", "/submit/")
LOAD_CHANNEL = os.environ.get("LOAD_CHANNEL", "mini-program")
BOARD_PATH = os.environ.get("LOAD_BOARD_PATH", "/board/")

SUBMITTED = []  # (number, how) of every submission the server confirmed
UNKNOWN = []  # submissions whose answer never came (the case may or may not exist)
STATUSES = Counter()  # HTTP status of every response
TO_HANDLE = deque()  # new cases for the staff users, each taken once
_lock = threading.Lock()
_addresses = itertools.count(1)
NUMBER = re.compile(r"data-case-number>\s*([A-Z]*\d{13})\s*<")
QUERY_CODE = re.compile(r"data-query-code>\s*([^<\s]+)\s*<")
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')

SUBMIT = """mutation($input: SubmitCaseInput!) {
  submitCase(input: $input) { case { number queryCode state } errors { field code message } } }"""
TRACK = """query($number: String!, $queryCode: String!) {
  trackCase(number: $number, queryCode: $queryCode) { number state stateLabel timeline { action at } } }"""
BOARD = """query($period: String!) { resultBoard(period: $period) { period totals { received closed }
  groups { unitKind rows { unit { code name } dispatched score rank } } } }"""
SIGN_IN = """mutation($username: String!, $password: String!) {
  tokenAuth(username: $username, password: $password, name: "load test") { token errors { code message } } }"""
CASES = """query { cases(first: 20) { edges { node { number state light receivedAt ownerUnit { code }
  assignments { unit { code } state } events(last: 3) { action at } } } } }"""
DISPATCH = """mutation($number: String!, $unit: String!) {
  dispatchCase(number: $number, unit: $unit, coUnits: [], note: "load test") {
    case { number state } errors { code message } } }"""
SIGN = """mutation($number: String!) { signCase(number: $number) { case { number state } errors { code message } } }"""
REPLY = """mutation($number: String!) {
  replyCase(number: $number, reply: "已核实并处理完毕（负载测试）。") {
    case { number state } errors { code message } } }"""


@events.request.add_listener
def _count_status(response=None, exception=None, **kwargs):
    with _lock:
        STATUSES[getattr(response, "status_code", None) or ("no answer" if exception else "?")] += 1


@events.quitting.add_listener
def _write_submissions(environment, **kwargs):
    path = os.environ.get("LOAD_SUBMITTED")
    if not path:
        return
    with open(path, "w", encoding="utf-8") as out:
        json.dump({"submitted": SUBMITTED, "unknown": UNKNOWN, "statuses": {str(k): v for k, v in STATUSES.items()}},
                  out, ensure_ascii=False)


class GraphQLUser(HttpUser):
    abstract = True

    def on_start(self):
        n = next(_addresses)
        self.address = f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}"
        self.token = None

    def graphql(self, name, query, variables=None, *, payload=None):
        """The data of a GraphQL call, or None (the request is then marked failed, with the reason)."""
        headers = {"X-Forwarded-For": self.address}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        with self.client.post("/graphql/", json={"query": query, "variables": variables or {}}, headers=headers,
                              name=name, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}: {response.text[:200]}")
                return None
            body = response.json()
            if body.get("errors"):
                response.failure(f"GraphQL errors: {body['errors']}")
                return None
            data = body.get("data") or {}
            if payload is not None:
                errors = (data.get(payload) or {}).get("errors") or []
                if errors:
                    response.failure(f"{payload} refused: {errors}")
                    return None
            response.success()
            return data


class Citizen(GraphQLUser):
    weight = 4
    wait_time = between(0.2, 1.0)

    def on_start(self):
        super().on_start()
        self.mine = []  # (number, query code)

    @task(4)
    def submit_api(self):
        external_id = f"load-{uuid.uuid4()}"
        variables = {"input": {
            "channel": LOAD_CHANNEL, "externalId": external_id, "caseType": random.choice(["complaint", "help"]),
            "content": f"负载测试：小区路灯不亮，请尽快维修。{external_id}", "citizenName": "负载测试",
            "citizenPhone": "13812341234", "address": "建设南路12号",
        }}
        try:
            data = self.graphql("submitCase", SUBMIT, variables, payload="submitCase")
        except Exception:  # no answer: the outcome is unknown, recorded for the database check
            UNKNOWN.append(external_id)
            raise
        if data is None:
            return
        case = data["submitCase"]["case"]
        self._keep(case["number"], case["queryCode"], "submitCase")

    @task(1)
    def submit_form(self):
        headers = {"X-Forwarded-For": self.address}
        page = self.client.get(SUBMIT_PATH, headers=headers, name="submit page (GET)")
        token = CSRF_INPUT.search(page.text or "")
        if page.status_code != 200 or token is None:
            return
        form = {"csrfmiddlewaretoken": token.group(1), "case_type": "complaint", "title": "",
                "content": f"负载测试：网站表单反映。{uuid.uuid4()}", "citizen_name": "负载测试",
                "citizen_phone": "13812341234", "address": "建设南路12号"}
        with self.client.post(SUBMIT_PATH, data=form, headers={**headers, "Referer": self.host + SUBMIT_PATH},
                              name="submit page (POST, redirect)", catch_response=True) as response:
            number, code = NUMBER.search(response.text or ""), QUERY_CODE.search(response.text or "")
            if response.status_code != 200 or number is None or code is None:
                response.failure(f"HTTP {response.status_code}: no case number on the page")
                if response.status_code == 0 or response.status_code >= 500:
                    UNKNOWN.append(form["content"])
                return
            response.success()
        self._keep(number.group(1), code.group(1), "form")

    def _keep(self, number, query_code, how):
        with _lock:
            SUBMITTED.append((number, how))
            TO_HANDLE.append(number)
        self.mine.append((number, query_code))

    @task(4)
    def track(self):
        if not self.mine:
            return
        number, query_code = random.choice(self.mine)
        data = self.graphql("trackCase", TRACK, {"number": number, "queryCode": query_code})
        if data is not None and (data["trackCase"] or {}).get("number") != number:
            events.request.fire(request_type="CHECK", name="trackCase finds the case", response_time=0,
                                response_length=0, exception=AssertionError(f"{number} not found by its code"))

    @task(1)
    def board_page(self):
        self.client.get(BOARD_PATH, headers={"X-Forwarded-For": self.address}, name="board page")

    @task(2)
    def result_board(self):
        self.graphql("resultBoard", BOARD, {"period": PERIOD})


class Staff(GraphQLUser):
    weight = 1
    wait_time = between(0.5, 1.5)

    def on_start(self):
        super().on_start()
        self.tokens = {}
        for username in (DISPATCHER, HANDLER):
            data = self.graphql("tokenAuth", SIGN_IN, {"username": username, "password": PASSWORD},
                                payload="tokenAuth")
            self.tokens[username] = data["tokenAuth"]["token"] if data else None
        self.token = self.tokens[DISPATCHER]

    def as_user(self, username, name, query, variables, payload):
        self.token = self.tokens.get(username)
        try:
            return self.graphql(name, query, variables, payload=payload)
        finally:
            self.token = self.tokens.get(DISPATCHER)

    @task(3)
    def case_list(self):
        self.graphql("cases (staff list)", CASES)

    @task(2)
    def lifecycle(self):
        with _lock:
            number = TO_HANDLE.popleft() if TO_HANDLE else None
        if number is None:
            return
        if self.as_user(DISPATCHER, "dispatchCase", DISPATCH, {"number": number, "unit": HANDLER_UNIT},
                        "dispatchCase") is None:
            return
        if self.as_user(HANDLER, "signCase", SIGN, {"number": number}, "signCase") is None:
            return
        self.as_user(HANDLER, "replyCase", REPLY, {"number": number}, "replyCase")
