"""Headings and field names of the playbook documents (the ``doc`` domain of :mod:`core.i18n`)."""

from __future__ import annotations

from katachi.core.i18n import domain


def labels(lang: str) -> dict[str, str]:
    return domain("doc", lang)
