"""Permissions of the transparency app (loaded by rules' autodiscovery)."""

from gotong.accounts.permissions import PUBLIC, permissions_declare

permissions_declare({"transparency.view": PUBLIC})
