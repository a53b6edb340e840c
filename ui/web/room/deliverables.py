"""What the room takes home from the 完了 page: the deck, the one-page summary, the weekly review's
invitation and the playbook, as links the server answers (``/k/files/<workshop>/<format>``).

Each file is made once per playbook version, named after the company and the theme, written aside and
renamed (another tab asking at the same moment never gets half a file). The page lists links only
once the workshop is done: it never shows an empty download box.
"""

from __future__ import annotations

import uuid
from pathlib import Path

from katachi.core.errors import KatachiError
from katachi.exports.exports import FOR_EXECUTIVES

DONE_FILES = FOR_EXECUTIVES  # the 完了 page's downloads


def export_done(values: dict, fmt: str, exports_dir: Path, settings, public_url: str) -> Path:
    from katachi.exports.exports import file_name, write

    if fmt not in DONE_FILES:
        raise KatachiError("export_not_ready", thread_id=values.get("thread_id", ""))
    n = len(values.get("versions") or [])
    path = exports_dir / values["thread_id"] / f"done-v{n}" / file_name(values, fmt)
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        # a name of its own per writer: two tabs asking at once each write their copy and the second
        # rename wins (with one shared name the first rename would leave the second nothing to rename)
        part = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.part")
        try:
            write(values, fmt, part, template=settings.pptx_template, tracker_url=public_url, tz=settings.timezone)
            part.replace(path)
        finally:
            part.unlink(missing_ok=True)
    return path


def links(values: dict, lang: str) -> str:
    """The 完了 page's downloads: one link per file, labelled in the reader's words, named for people."""
    import html

    from katachi.exports.exports import file_name
    from katachi.ui.web.common import tr

    wid = html.escape(values["thread_id"])
    items = "".join(
        f'<li><a class="k-file" href="/k/files/{wid}/{fmt}" download data-format="{fmt}">'
        f"{html.escape(tr('fmt_' + fmt.replace('-', '_'), lang))}</a> "
        f"<small>{html.escape(file_name(values, fmt))}</small></li>"
        for fmt in DONE_FILES
    )
    return f'<div class="k-files"><h4>{html.escape(tr("download", lang))}</h4><ul>{items}</ul></div>'
