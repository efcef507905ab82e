"""An independent monitor of a kelurahan's transparency log, using only the public API.

    python -m gotong.transparency.monitor http://127.0.0.1:8000 taman --state monitor.json

It checks the signed tree head's Ed25519 signature, that the new head is consistent with
the head seen last time (kept in the state file: a shrinking or forked log is an error),
and the inclusion of a random sample of entries, recomputing each leaf from the entry.
Exit status: 0 intact, 1 a problem with the log, 2 the server could not be read.
No Django needed: only the standard library, ``cryptography`` and the pure merkle code.
"""

import argparse
import base64
import json
import random
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from gotong.transparency import merkle
from gotong.transparency.canonical import canonical_bytes, tree_head_signature_valid


class LogProblem(Exception):
    """The log is not what a trustworthy append-only log would show."""


class Monitor:
    def __init__(self, base_url: str, slug: str, timeout: float = 20.0) -> None:
        self.api = f"{base_url.rstrip('/')}/api/v1/k/{slug}/transparency"
        self.timeout = timeout

    def get(self, path: str) -> Any:
        request = urllib.request.Request(  # noqa: S310 - the monitor is given an http(s) URL
            self.api + path, headers={"Accept": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
            return json.load(response)

    def head(self) -> dict[str, Any]:
        sth = self.get("/sth")
        if not tree_head_signature_valid(
            public_key=base64.b64decode(sth["public_key"]),
            signature=base64.b64decode(sth["signature"]),
            tree_size=sth["tree_size"],
            root_hash=bytes.fromhex(sth["root_hash"]),
            timestamp=sth["timestamp"],
        ):
            raise LogProblem("the signed tree head has an invalid signature")
        return sth

    def check_consistency(self, old: dict[str, Any], new: dict[str, Any]) -> None:
        if old["public_key"] != new["public_key"]:
            raise LogProblem("the log's signing key changed since the last check")
        first, second = old["tree_size"], new["tree_size"]
        if second < first:
            raise LogProblem(f"the log shrank from {first} to {second} entries")
        if first == 0:
            return
        if first == second:
            if old["root_hash"] != new["root_hash"]:
                raise LogProblem(f"fork: two different roots for size {first}")
            return
        proof = self.get(f"/proof/consistency?first={first}&second={second}")["consistency"]
        if not merkle.verify_consistency(
            first=first,
            second=second,
            first_root=bytes.fromhex(old["root_hash"]),
            second_root=bytes.fromhex(new["root_hash"]),
            proof=[bytes.fromhex(p) for p in proof],
        ):
            raise LogProblem(f"the head of size {second} is not consistent with size {first}")

    def check_inclusion(self, sth: dict[str, Any], index: int) -> None:
        size = sth["tree_size"]
        item = self.get(f"/entries?start={index}&end={index + 1}")["entries"][0]
        leaf = merkle.leaf_hash(canonical_bytes(item["entry"]))
        if leaf.hex() != item["leaf_hash"]:
            raise LogProblem(f"entry {index} does not hash to its published leaf hash")
        path = self.get(f"/proof/inclusion?index={index}&tree_size={size}")["audit_path"]
        if not merkle.verify_inclusion(
            index=index,
            size=size,
            leaf=leaf,
            proof=[bytes.fromhex(p) for p in path],
            root=bytes.fromhex(sth["root_hash"]),
        ):
            raise LogProblem(f"entry {index} is not included in the signed head of size {size}")

    def run(self, state_file: Path, samples: int, rng: random.Random) -> dict[str, Any]:
        sth = self.head()
        if state_file.exists():
            self.check_consistency(json.loads(state_file.read_text()), sth)
        size = sth["tree_size"]
        picks = sorted(rng.sample(range(size), min(samples, size))) if size else []
        for index in {*picks, *([size - 1] if size else [])}:
            self.check_inclusion(sth, index)
        state_file.write_text(json.dumps(sth, indent=2))
        return {"tree_size": size, "checked_entries": len(set(picks) | {size - 1}) if size else 0}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("base_url")
    parser.add_argument("slug")
    parser.add_argument("--state", required=True, type=Path, help="file keeping the last head")
    parser.add_argument("--samples", type=int, default=20)
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args(argv)
    monitor = Monitor(args.base_url, args.slug)
    try:
        outcome = monitor.run(args.state, args.samples, random.Random(args.seed))  # noqa: S311
    except LogProblem as exc:
        print(f"PROBLEM: {exc}", file=sys.stderr)
        return 1
    except (urllib.error.URLError, OSError, KeyError, ValueError) as exc:
        print(f"could not read the log: {exc}", file=sys.stderr)
        return 2
    print(f"OK: tree_size={outcome['tree_size']} checked_entries={outcome['checked_entries']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
