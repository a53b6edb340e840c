"""One error family with stable codes; the texts are in ``core/messages/error.yaml``.

Library code raises :class:`KatachiError` with a code and named parameters; the CLI and the UI call
:meth:`KatachiError.message` in the language of whoever reads it. Error text never goes into graph state.
"""

from __future__ import annotations

from katachi.core.i18n import has, t


class KatachiError(Exception):
    """The one error type the product raises on purpose. ``code`` is stable; params fill the message."""

    def __init__(self, code: str, **params: object) -> None:
        if not has(f"error.{code}"):
            raise ValueError(f"unknown error code {code!r}")
        self.code = code
        self.params = params
        super().__init__(self.message("en"))

    def message(self, lang: str = "en") -> str:
        return t(f"error.{self.code}", lang, **self.params)

    def __str__(self) -> str:
        return f"[{self.code}] {self.message('en')}"
