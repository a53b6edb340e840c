"""The documents tab: upload a company's documents, watch the ingest, read the per-file report."""

from __future__ import annotations

from html import escape as e

import gradio as gr

from katachi.core.errors import KatachiError
from katachi.core.i18n import t
from katachi.ui import policy
from katachi.ui.web.common import LANG_JS, notice, tr, ui_lang
from katachi.ui.web.documents.handlers import add_library_file, company_patterns, ingest_uploads


class DocsTab:
    def __init__(self, ctx, t, lang) -> None:
        self.ctx, self.lang = ctx, lang
        self.note = gr.HTML(elem_id="k-docs-notice")
        with gr.Group(visible=False) as self.group:
            with gr.Row():
                self.company = gr.Dropdown(
                    label=t("company"), choices=[], allow_custom_value=True, elem_id="k-docs-company"
                )
                self.dept = gr.Textbox(label=t("dept_override"), elem_id="k-docs-dept")
            self.files = gr.File(label=t("upload"), file_count="multiple", elem_id="k-upload")
            self.ingest_btn = gr.Button(t("ingest"), variant="primary", elem_id="k-ingest")
            self.stats = gr.HTML(elem_id="k-docs-stats")
            self.report = gr.Dataframe(interactive=False, elem_id="k-ingest-report", wrap=True)
        with gr.Group(visible=False) as self.lib_group:
            gr.Markdown(f"### {t('library_heading')}\n{t('library_hint')}")
            self.lib_company = gr.Dropdown(
                label=t("company"), choices=[], allow_custom_value=True, elem_id="k-lib-company"
            )
            self.lib_file = gr.File(label=t("library_file"), file_types=[".yaml", ".yml"], elem_id="k-lib-file")
            self.lib_btn = gr.Button(t("library_add"), elem_id="k-lib-add")
            self.lib_note = gr.HTML(elem_id="k-lib-notice")
            self.lib_list = gr.HTML(elem_id="k-lib-list")

    def load(self, lang, request: gr.Request):
        try:
            user = self.ctx.rooms.user(request.username)
        except KatachiError:
            return gr.update(visible=False), gr.skip(), gr.update(visible=False), gr.skip(), gr.skip()
        allowed = policy.allowed(user, "company.documents_tab")
        companies = user.companies
        if policy.allowed(user, "company.list_all"):
            from katachi.knowledge.store import list_companies

            companies = sorted(set(list_companies(self.ctx.settings)) | set(companies))
        first = companies[0] if companies else None
        mine = [c for c in companies if policy.allowed(user, "company.library", company=c)]
        return (
            gr.update(visible=allowed),
            gr.update(choices=companies, value=first),
            gr.update(visible=bool(mine)),
            gr.update(choices=mine, value=mine[0] if mine else None),
            self.library_html(lang, mine[0], user) if mine else "",
        )

    def library_html(self, lang, company, user) -> str:
        lg = ui_lang(lang)
        try:
            own, total = company_patterns(self.ctx, user, company)
        except KatachiError as err:
            return notice(lg, err)
        if not own:
            return f"<p>{e(tr('library_empty', lg, n=total))}</p>"
        origin = {"company": t("cli.origin_company", lg), "proven": t("cli.origin_proven", lg)}
        return (
            "<ul>"
            + "".join(
                f'<li data-pattern="{e(p.id)}"><b>{e(p.text(lg).title)}</b> <code>{e(p.id)}</code> '
                f"[{e(origin.get(p.origin, p.origin))}] — {e(p.source)}</li>"
                for p in own
            )
            + "</ul>"
        )

    def show_library(self, lang, company, request: gr.Request):
        try:
            user = self.ctx.rooms.user(request.username)
        except KatachiError as err:
            return notice(ui_lang(lang), err)
        return self.library_html(lang, company, user) if company else ""

    def add_library(self, lang, company, file, request: gr.Request):
        lg = ui_lang(lang)
        try:
            user = self.ctx.rooms.user(request.username)
            path = file if isinstance(file, str) or file is None else getattr(file, "name", str(file))
            added = add_library_file(self.ctx, user, company, path)
        except KatachiError as err:
            return notice(lg, err), gr.skip(), gr.skip()  # the file stays in the box to fix and retry
        return notice(lg, ok=tr("library_added", lg, n=len(added))), self.library_html(lang, company, user), None

    def ingest(self, lang, company, files, dept, request: gr.Request, progress=gr.Progress(track_tqdm=True)):
        lg = ui_lang(lang)
        try:
            user = self.ctx.rooms.user(request.username)
            paths = [f if isinstance(f, str) else getattr(f, "name", str(f)) for f in (files or [])]
            report, store, renamed = ingest_uploads(self.ctx, user, company, paths, dept)
        except KatachiError as err:
            return notice(lg, err), gr.skip(), gr.skip()  # the uploaded files stay in the box
        names = [t(f"ingest.{c}", lg) for c in ("col_file", "col_status", "col_added", "col_reason")]

        def reason(f) -> str:
            if f.error:
                return f.error.message(lg)
            original = renamed.get(f.path.rsplit("/", 1)[-1])
            return t("ingest.kept_both", lg, name=original) if original else ""

        rows = [[f.path, t(f"ingest.{f.status}", lg), f.chunks_added, reason(f)] for f in report.files]
        summary = tr(
            "ingest_done", lg, ok=len(report.ingested), skipped=len(report.skipped), chunks=report.chunks_added
        )
        stats = store.stats()
        note = (
            notice(lg, ok=summary)
            if report.ingested
            else notice(lg, KatachiError("nothing_ingested", skipped=len(report.skipped)))
        )
        return (note, tr("store_stats", lg, company=company, **stats), gr.update(value=rows, headers=list(names)))

    def wire(self) -> None:

        self.ingest_btn.click(
            self.ingest,
            [self.lang, self.company, self.files, self.dept],
            [self.note, self.stats, self.report],
            js=LANG_JS,
            concurrency_id="ingest",
            concurrency_limit=1,
        )
        self.lib_btn.click(
            self.add_library,
            [self.lang, self.lib_company, self.lib_file],
            [self.lib_note, self.lib_list, self.lib_file],
            js=LANG_JS,
        )
        self.lib_company.change(self.show_library, [self.lang, self.lib_company], [self.lib_list], js=LANG_JS)

    def on_load(self, demo) -> None:

        demo.load(
            self.load,
            [self.lang],
            [self.group, self.company, self.lib_group, self.lib_company, self.lib_list],
            js=LANG_JS,
        )
