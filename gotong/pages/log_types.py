"""Entry types of the policy pages (imported from ``PagesConfig.ready``): which page
changed and the hash of its new text, never the text."""

from gotong.transparency.log_schema import TEXT_HASH, entry_types_declare, enum

from .models import PolicyKind

entry_types_declare({"policy.updated": {"kind": enum(PolicyKind), "text": TEXT_HASH}})
