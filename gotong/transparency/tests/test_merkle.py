"""RFC 6962 hashing and proofs: published test vectors, rejection of bad proofs, and
property tests against a naive reference implementation written here from the RFC."""

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gotong.transparency import merkle

# The certificate-transparency reference tests' 8 leaves and roots for sizes 1..8.
LEAVES = [
    bytes.fromhex(h)
    for h in [
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    ]
]
ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
INCLUSION_0_OF_8 = [
    "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
    "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
]
INCLUSION_5_OF_8 = [
    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
    "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
]
CONSISTENCY = {
    (1, 8): INCLUSION_0_OF_8,
    (6, 8): [
        "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    ],
    (2, 5): [
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
    ],
}


# --- naive reference, straight from RFC 6962 2.1 ------------------------------------
def ref_mth(leaves: list[bytes]) -> bytes:
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return hashlib.sha256(b"\x00" + leaves[0]).digest()
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return hashlib.sha256(b"\x01" + ref_mth(leaves[:k]) + ref_mth(leaves[k:])).digest()


def ref_path(m: int, leaves: list[bytes]) -> list[bytes]:
    n = len(leaves)
    if n == 1:
        return []
    k = 1
    while k * 2 < n:
        k *= 2
    if m < k:
        return ref_path(m, leaves[:k]) + [ref_mth(leaves[k:])]
    return ref_path(m - k, leaves[k:]) + [ref_mth(leaves[:k])]


def ref_subproof(m: int, leaves: list[bytes], complete: bool) -> list[bytes]:
    n = len(leaves)
    if m == n:
        return [] if complete else [ref_mth(leaves)]
    k = 1
    while k * 2 < n:
        k *= 2
    if m <= k:
        return ref_subproof(m, leaves[:k], complete) + [ref_mth(leaves[k:])]
    return ref_subproof(m - k, leaves[k:], False) + [ref_mth(leaves[:k])]


# --- a tree built with the production append path -----------------------------------
def build(leaves: list[bytes]) -> merkle.NodeFetcher:
    nodes: dict[merkle.Node, bytes] = {}
    for size, data in enumerate(leaves):
        for node, digest in merkle.new_nodes_after_append(size, merkle.leaf_hash(data), nodes):
            nodes[node] = digest
    return lambda wanted: {node: nodes[node] for node in wanted}


FETCH8 = build(LEAVES)
hexes = lambda hashes: [h.hex() for h in hashes]  # noqa: E731


def test_empty_tree_root() -> None:
    assert merkle.EMPTY_ROOT.hex() == (
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    )
    assert merkle.root_from_nodes(0, FETCH8) == merkle.EMPTY_ROOT
    assert merkle.root_from_leaf_hashes([]) == (0, merkle.EMPTY_ROOT)


@pytest.mark.parametrize("size", range(1, 9))
def test_reference_roots_for_sizes_1_to_8(size: int) -> None:
    assert merkle.root_from_nodes(size, FETCH8).hex() == ROOTS[size - 1]
    hashes = [merkle.leaf_hash(x) for x in LEAVES[:size]]
    assert merkle.root_from_leaf_hashes(hashes)[1].hex() == ROOTS[size - 1]


def test_reference_inclusion_proofs() -> None:
    assert hexes(merkle.inclusion_proof(0, 8, FETCH8)) == INCLUSION_0_OF_8
    assert hexes(merkle.inclusion_proof(5, 8, FETCH8)) == INCLUSION_5_OF_8


@pytest.mark.parametrize(("first", "second"), list(CONSISTENCY))
def test_reference_consistency_proofs(first: int, second: int) -> None:
    assert hexes(merkle.consistency_proof(first, second, FETCH8)) == CONSISTENCY[(first, second)]


def good_inclusion(index: int = 5, size: int = 8) -> dict[str, object]:
    return {
        "index": index,
        "size": size,
        "leaf": merkle.leaf_hash(LEAVES[index]),
        "proof": merkle.inclusion_proof(index, size, FETCH8),
        "root": bytes.fromhex(ROOTS[size - 1]),
    }


def test_a_good_inclusion_proof_verifies() -> None:
    assert merkle.verify_inclusion(**good_inclusion())


@pytest.mark.parametrize(
    "tamper",
    [
        lambda p: {**p, "proof": [b"\x00" * 32, *p["proof"][1:]]},  # one changed hash
        lambda p: {**p, "index": 4},  # wrong index
        lambda p: {**p, "size": 6},  # wrong size (a size with another tree shape)
        lambda p: {**p, "size": 9},
        lambda p: {**p, "proof": [*p["proof"], p["proof"][0]]},  # extra hash
        lambda p: {**p, "proof": p["proof"][:-1]},  # missing hash
        lambda p: {**p, "leaf": merkle.leaf_hash(b"other")},
        lambda p: {**p, "index": 8},  # out of range
    ],
)
# A claimed size that gives the same tree shape (7 for leaf 5 of 8) is not caught by the
# proof alone; the signed tree head binds the size to the root, and verifiers use both.
def test_bad_inclusion_proofs_are_rejected(tamper) -> None:
    assert not merkle.verify_inclusion(**tamper(good_inclusion()))


def good_consistency(first: int = 6, second: int = 8) -> dict[str, object]:
    return {
        "first": first,
        "second": second,
        "first_root": bytes.fromhex(ROOTS[first - 1]),
        "second_root": bytes.fromhex(ROOTS[second - 1]),
        "proof": merkle.consistency_proof(first, second, FETCH8),
    }


def test_a_good_consistency_proof_verifies() -> None:
    assert merkle.verify_consistency(**good_consistency())


@pytest.mark.parametrize(
    "tamper",
    [
        lambda p: {**p, "proof": [b"\x01" * 32, *p["proof"][1:]]},
        lambda p: {**p, "first": 5},
        lambda p: {**p, "second": 9},
        lambda p: {**p, "proof": [*p["proof"], p["proof"][0]]},
        lambda p: {**p, "proof": p["proof"][:-1]},
        lambda p: {**p, "first_root": bytes.fromhex(ROOTS[4])},
        lambda p: {**p, "proof": []},
        lambda p: {**p, "first": 0},
    ],
)
def test_bad_consistency_proofs_are_rejected(tamper) -> None:
    assert not merkle.verify_consistency(**tamper(good_consistency()))


@settings(max_examples=150, deadline=None)
@given(size=st.integers(min_value=1, max_value=300), data=st.data())
def test_inclusion_proofs_match_the_reference_and_verify(size: int, data: st.DataObject) -> None:
    leaves = [f"entry-{i}".encode() for i in range(size)]
    fetch = build(leaves)
    index = data.draw(st.integers(min_value=0, max_value=size - 1))
    proof = merkle.inclusion_proof(index, size, fetch)
    root = ref_mth(leaves)
    assert proof == ref_path(index, leaves)
    assert merkle.root_from_nodes(size, fetch) == root
    assert merkle.verify_inclusion(
        index=index, size=size, leaf=merkle.leaf_hash(leaves[index]), proof=proof, root=root
    )


@settings(max_examples=150, deadline=None)
@given(second=st.integers(min_value=1, max_value=300), data=st.data())
def test_consistency_proofs_match_the_reference_and_verify(
    second: int, data: st.DataObject
) -> None:
    leaves = [f"entry-{i}".encode() for i in range(second)]
    fetch = build(leaves)
    first = data.draw(st.integers(min_value=1, max_value=second))
    proof = merkle.consistency_proof(first, second, fetch)
    assert proof == (ref_subproof(first, leaves, True) if first < second else [])
    assert merkle.verify_consistency(
        first=first,
        second=second,
        first_root=ref_mth(leaves[:first]),
        second_root=ref_mth(leaves),
        proof=proof,
    )
