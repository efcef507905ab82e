"""The public API: signed head, entries, proofs; bad arguments are 4xx, never 500."""

import base64
from typing import Any

import pytest

from gotong.territory.models import Kelurahan
from gotong.transparency import merkle
from gotong.transparency.canonical import canonical_bytes, tree_head_signature_valid
from gotong.transparency.services import entries_append, tree_head_publish

pytestmark = pytest.mark.django_db
BASE = "/api/v1/k/taman/transparency"


@pytest.fixture
def log(kelurahan: Kelurahan) -> Kelurahan:
    entries_append(
        kelurahan=kelurahan,
        entries=[
            {"type": "test.event", "at": "t", "actor": "system", "subject": f"test:{i}", "data": {}}
            for i in range(21)
        ],
    )
    tree_head_publish(kelurahan=kelurahan)
    return kelurahan


def test_the_signed_head_verifies_with_its_public_key(client: Any, log: Kelurahan) -> None:
    sth = client.get(f"{BASE}/sth").json()
    assert set(sth) == {"tree_size", "root_hash", "timestamp", "signature", "public_key"}
    assert tree_head_signature_valid(
        public_key=base64.b64decode(sth["public_key"]),
        signature=base64.b64decode(sth["signature"]),
        tree_size=sth["tree_size"],
        root_hash=bytes.fromhex(sth["root_hash"]),
        timestamp=sth["timestamp"],
    )


def test_entries_hash_to_their_leaves_and_are_included(client: Any, log: Kelurahan) -> None:
    sth = client.get(f"{BASE}/sth").json()
    page = client.get(f"{BASE}/entries?start=3&end=6").json()["entries"]
    assert [e["index"] for e in page] == [3, 4, 5]
    for item in page:
        leaf = merkle.leaf_hash(canonical_bytes(item["entry"]))
        assert leaf.hex() == item["leaf_hash"]
        proof = client.get(
            f"{BASE}/proof/inclusion?index={item['index']}&tree_size={sth['tree_size']}"
        ).json()
        assert merkle.verify_inclusion(
            index=item["index"],
            size=sth["tree_size"],
            leaf=leaf,
            proof=[bytes.fromhex(p) for p in proof["audit_path"]],
            root=bytes.fromhex(sth["root_hash"]),
        )


def test_consistency_between_two_heads(client: Any, log: Kelurahan) -> None:
    old = client.get(f"{BASE}/sth").json()
    entries_append(
        kelurahan=log,
        entries=[{"type": "t", "at": "t", "actor": "system", "subject": "test:x", "data": {}}] * 10,
    )
    tree_head_publish(kelurahan=log)
    new = client.get(f"{BASE}/sth").json()
    proof = client.get(
        f"{BASE}/proof/consistency?first={old['tree_size']}&second={new['tree_size']}"
    ).json()
    assert merkle.verify_consistency(
        first=old["tree_size"],
        second=new["tree_size"],
        first_root=bytes.fromhex(old["root_hash"]),
        second_root=bytes.fromhex(new["root_hash"]),
        proof=[bytes.fromhex(p) for p in proof["consistency"]],
    )


def test_entries_are_capped_at_1000_and_clamped_to_the_log(client: Any, log: Kelurahan) -> None:
    assert len(client.get(f"{BASE}/entries?start=0&end=5000").json()["entries"]) == 21


@pytest.mark.parametrize(
    "url",
    [
        "/entries?start=21&end=30",
        "/entries?start=5&end=5",
        "/entries?start=-1&end=3",
        "/entries?start=a&end=3",
        "/entries",
        "/proof/inclusion?index=21&tree_size=21",
        "/proof/inclusion?index=0&tree_size=22",
        "/proof/inclusion?index=0&tree_size=0",
        "/proof/inclusion?index=-1&tree_size=5",
        "/proof/consistency?first=0&second=5",
        "/proof/consistency?first=6&second=5",
        "/proof/consistency?first=1&second=99",
    ],
)
def test_out_of_range_arguments_are_client_errors_with_a_message(
    client: Any, log: Kelurahan, url: str
) -> None:
    response = client.get(BASE + url)
    assert 400 <= response.status_code < 500
    assert response.json()["message"]


def test_no_head_yet_is_a_404_with_a_message(client: Any, kelurahan: Kelurahan) -> None:
    response = client.get(f"{BASE}/sth")
    assert response.status_code == 404 and response.json()["message"]


def test_another_kelurahan_sees_its_own_log(
    client: Any, log: Kelurahan, other_kelurahan: Kelurahan
) -> None:
    response = client.get(f"/api/v1/k/{other_kelurahan.slug}/transparency/entries?start=0&end=5")
    assert response.status_code == 422
