"""``false`` is not an integer and 2**70 is not a row id, in any API request body."""

import typing
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.test import Client
from ninja.params.models import BodyModel
from pydantic import BaseModel, ValidationError

from config.api import api
from gotong.accounts.models import Role, User
from gotong.territory.models import RT

HUGE = 2**70


def _body_schemas() -> Iterator[type[BaseModel]]:
    """Every schema a JSON request body is read with, nested ones included."""
    seen: set[type[BaseModel]] = set()
    pending: list[Any] = []
    for _prefix, router in api._routers:
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                for model in operation.models:
                    if issubclass(model, BodyModel):
                        pending += [f.annotation for f in model.model_fields.values()]
    while pending:
        annotation = pending.pop()
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            if annotation not in seen:
                seen.add(annotation)
                pending += [f.annotation for f in annotation.model_fields.values()]
        else:
            pending += list(typing.get_args(annotation))
    yield from sorted(seen, key=lambda model: f"{model.__module__}.{model.__qualname__}")


def _integer_fields() -> list[tuple[type[BaseModel], str, bool]]:
    """(schema, field, is a list) for every integer field of a request body schema."""
    found = []
    for model in _body_schemas():
        for name, prop in model.model_json_schema().get("properties", {}).items():
            kinds = [prop, *prop.get("anyOf", [])]
            if any(kind.get("type") == "integer" for kind in kinds):
                found.append((model, name, False))
            elif any(kind.get("items", {}).get("type") == "integer" for kind in kinds):
                found.append((model, name, True))
    return found


INTEGER_FIELDS = _integer_fields()


def test_the_walk_finds_the_integer_fields_of_every_app() -> None:
    apps = {model.__module__.split(".")[1] for model, _name, _is_list in INTEGER_FIELDS}
    assert {"funds", "market", "registry", "activities", "matching", "needs"} <= apps
    assert len(INTEGER_FIELDS) > 50


@pytest.mark.parametrize("bad", [False, True, 1.0, "1", HUGE, -HUGE], ids=repr)
@pytest.mark.parametrize(
    ("model", "name", "is_list"),
    INTEGER_FIELDS,
    ids=[f"{model.__qualname__}.{name}" for model, name, _ in INTEGER_FIELDS],
)
def test_every_integer_of_a_request_body_refuses_what_is_not_a_bounded_integer(
    model: type[BaseModel], name: str, is_list: bool, bad: Any
) -> None:
    with pytest.raises(ValidationError) as refused:
        model.model_validate({name: [bad] if is_list else bad})
    assert any(error["loc"][0] == name for error in refused.value.errors())


ROUTES = [
    # (method, path, a body valid but for the integer field, the field)
    ("post", "/funds/donations", {"amount": 10_000, "channel": "qris"}, "amount"),
    ("post", "/activities", {"rt_id": 1, "title": "Kerja bakti"}, "rt_id"),
    ("post", "/conflicts", {"activity_id": 1, "person_id": 1}, "person_id"),
    ("put", "/matching/policy", {"fairness_days": 30}, "fairness_days"),
    ("post", "/rt", {"rw_number": 1, "number": 9}, "number"),
    ("post", "/activity-policy", {"verifiers_required": 3}, "verifiers_required"),
]


@pytest.mark.django_db
@pytest.mark.parametrize("bad", [False, HUGE], ids=["false", "2**70"])
@pytest.mark.parametrize(("method", "path", "body", "field"), ROUTES, ids=[r[1] for r in ROUTES])
def test_an_officer_sending_a_non_integer_gets_a_422_naming_the_field(
    rt: RT,
    make_member: Callable[..., User],
    login: Callable[..., Client],
    method: str,
    path: str,
    body: dict[str, Any],
    field: str,
    bad: Any,
) -> None:
    client = login(make_member(Role.OPERATOR, rt.kelurahan))
    send = getattr(client, method)
    response = send(
        f"/api/v1/k/{rt.kelurahan.slug}{path}",
        {**body, field: bad},
        content_type="application/json",
    )
    assert response.status_code == 422, response.content[:300]
    answer = response.json()
    assert set(answer) == {"message", "extra"}
    assert field in {error["loc"][-1] for error in answer["extra"]["errors"]}
