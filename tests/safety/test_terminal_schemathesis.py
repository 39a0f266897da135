"""schemathesis against docs/terminal-api.openapi.yaml and the real Django app: no input makes it fail.

Two runs per generation mode (inputs that follow the schema, and inputs that break it):

* as anyone on the internet would send them: unsigned or wrongly signed, so nearly all get a 401;
* signed with a real terminal key, so the body checks and the tap ingestion see every input.

Each response must be a documented status with a JSON body of the documented shape; none may
be a 5xx. Not checked on purpose: schemathesis's "negative data must be rejected" rule, because
one malformed event in a batch is rejected on its own (with a 200) so that it does not block the
rest of a terminal's buffer (docs/terminal-api.md, Response).
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core import NOT_SET
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from safety.models import SeenSignature, Tap
from safety.terminals import sign
from tests.safety.factories import PATH, enrol_child, make_gate

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = schemathesis.openapi.from_path(ROOT / "docs" / "terminal-api.openapi.yaml")
OPERATION = SCHEMA[PATH]["POST"]
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
BOUNDED = hypothesis_settings(
    max_examples=50,
    deadline=None,
    database=None,
    derandomize=True,  # the same inputs on every run: a failure here is never a fluke
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture
def app():
    """The project's WSGI app, sharing the test's database transaction (as Django's test client does)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield get_wsgi_application()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def key():
    enrol_child()  # the generated card IDs will not match, but a valid one may (see the known-card case)
    terminal, key = make_gate(rate_limit=1_000_000)
    return key


def body_bytes(case) -> bytes:
    """The exact bytes sent, so that they can be signed (the app reads them as they are)."""
    if case.body is NOT_SET:
        return b""
    if isinstance(case.body, bytes):
        return case.body
    return json.dumps(case.body).encode()


def signed_call(case, key, app):
    body = body_bytes(case)
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "X-Terminal-Key": key.key_id,
        "X-Timestamp": timestamp,
        "X-Signature": sign(key.secret, "POST", PATH, timestamp, body),
    }
    return case.call(app=app, headers=headers, data=body)


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_unsigned_inputs_never_cause_a_server_error(app, key, mode):
    statuses = []

    @given(case=OPERATION.as_strategy(generation_mode=mode))
    @BOUNDED
    def run(case):
        response = case.call(app=app)
        statuses.append(response.status_code)
        case.validate_response(response, checks=CHECKS)

    run()
    assert statuses and set(statuses) == {401}, "the key, clock and signature are checked before anything else"
    assert not Tap.objects.exists(), "nothing is stored without a valid signature"


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_signed_inputs_never_cause_a_server_error(app, key, mode):
    statuses = []

    @given(case=OPERATION.as_strategy(generation_mode=mode))
    @BOUNDED
    def run(case):
        response = signed_call(case, key, app)
        statuses.append(response.status_code)
        case.validate_response(response, checks=CHECKS)
        # A negative case may also drop one of the signature headers: then it is a 401.
        allowed = {200, 400, 409} if mode == GenerationMode.POSITIVE else {200, 400, 401, 409}
        assert response.status_code in allowed, response.text
        if response.status_code == 200:
            data = response.json()
            assert data["accepted"] + data["duplicate"] + data["rejected"] == len(case.body["events"])

    run()
    assert 200 in statuses, "the body checks were reached and passed at least once"
    if mode == GenerationMode.POSITIVE:
        assert Tap.objects.exists(), "schema-valid events were stored"
    assert SeenSignature.objects.exists()
