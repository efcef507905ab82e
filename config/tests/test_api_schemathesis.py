"""schemathesis over the whole OpenAPI schema: no 5xx, every answer as documented.

Every operation of ``/api/openapi.json`` gets a few seeded, derandomised examples (valid
and invalid bodies and parameters, as schemathesis generates them), sent through the WSGI
app on a small kelurahan built with the project's factories and services, anonymously and
as a resident and an RT head. A response fails when it is a 5xx, has a status the schema
does not document, or a body or content type that does not match its schema.
"""

import time
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import schemathesis
from django.conf import settings as django_settings
from django.test import Client
from django.test.client import ClientHandler
from hypothesis import HealthCheck, Phase, given, seed
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from gotong.accounts.models import Role, User
from gotong.needs.tests.factories import raise_need, resident
from gotong.territory.models import RT

pytestmark = pytest.mark.django_db

# Examples per operation and caller: with ~150 operations and three callers the whole run
# stays within a few minutes on a shared 2-core machine.
MAX_EXAMPLES = 5
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


class _Wsgi:
    """Django's test handler as a WSGI app: the test database connection stays open and
    CSRF is not enforced (the session cookie is set by the test, as after a login)."""

    def __init__(self) -> None:
        self.handler = ClientHandler(enforce_csrf_checks=False)

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        response: Any = self.handler(environ)  # an HttpResponse, typed as a WSGI answer
        headers = [(str(k), str(v)) for k, v in response.items()]
        start_response(f"{response.status_code} {response.reason_phrase}", headers)
        return [response.content]


def _session_cookie(user: User | None) -> dict[str, str]:
    if user is None:
        return {}
    client = Client()
    client.force_login(user)
    name = django_settings.SESSION_COOKIE_NAME
    return {name: client.cookies[name].value}


@pytest.fixture
def schema(settings: Any) -> Iterator[Any]:
    settings.ALLOWED_HOSTS = ["*"]
    yield schemathesis.openapi.from_wsgi("/api/openapi.json", _Wsgi())


@pytest.fixture
def callers(rt: RT, make_member: Callable[..., User]) -> dict[str, User | None]:
    """A kelurahan with a resident who raised a need, and the head of their RT."""
    person = resident(rt)
    raise_need(person)
    return {"anonymous": None, "resident": person.user, "rt_head": make_member(Role.KETUA_RT, rt)}


def _exercise(
    operation: Any, slug: str, who: str, cookies: dict[str, str], seen: Counter[str]
) -> list[str]:
    """Send the operation's seeded examples; the failures, one line each."""
    failures: list[str] = []
    strategy = operation.as_strategy()
    if "slug" in operation.path_parameters:
        strategy = strategy.map(_at_kelurahan(slug))

    @seed(20261207)
    @hypothesis_settings(
        max_examples=MAX_EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.explicit, Phase.generate],
    )
    @given(case=strategy)
    def run(case: Any) -> None:
        response = case.call(cookies=cookies)
        seen[f"{who} {response.status_code // 100}xx"] += 1
        try:
            case.validate_response(response, checks=CHECKS)
        except Exception as failure:  # noqa: BLE001 (every kind of check failure is reported)
            failures.append(
                f"{who} {case.method} {case.formatted_path} -> "
                f"{response.status_code}: {str(failure)[:400]}"
            )

    run()
    return failures


def test_every_operation_answers_as_documented_for_every_caller(
    schema: Any, callers: dict[str, User | None], rt: RT
) -> None:
    operations = [result.ok() for result in schema.get_all_operations()]
    seen: Counter[str] = Counter()
    failures: list[str] = []
    started = time.monotonic()
    for who, user in callers.items():
        for operation in operations:
            # A fresh session per operation: one of them is the logout.
            cookies = _session_cookie(user)
            failures += _exercise(operation, rt.kelurahan.slug, who, cookies, seen)
    elapsed = time.monotonic() - started
    calls = sum(seen.values())
    print(f"schemathesis_operations: {len(operations)}")
    print(f"schemathesis_calls: {calls}")
    print(f"schemathesis_seconds: {elapsed:.1f}")
    print("schemathesis_statuses: " + ", ".join(f"{k}={v}" for k, v in sorted(seen.items())))
    assert calls >= len(operations) * len(callers)
    # The logged-in callers really reach the operations, not only the route gate.
    assert seen["resident 2xx"] > 0 and seen["rt_head 2xx"] > 0
    assert not failures, "\n".join(failures[:40])


def _at_kelurahan(slug: str) -> Callable[[Any], Any]:
    def at(case: Any) -> Any:
        case.path_parameters["slug"] = slug
        return case

    return at
