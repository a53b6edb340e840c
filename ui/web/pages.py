"""The pages Katachi draws itself, outside the workshop app: the login page and the join page.

Both post to ``/login`` (:mod:`ui.web.login`) and show the reason the server gives, in the reader's
language: a name the room cannot use is said to be the name's fault, a code that does not let anyone
in is the code's (one answer for a wrong, an expired and another company's code), a wait is a wait.

``/join`` is what the QR code opens: a name and the 参加コード (shown, not masked like a password),
the code filled in from the link.
"""

from __future__ import annotations

import html
import json

from katachi.core.i18n import t

STYLE = """
body{font-family:system-ui,"Noto Sans CJK JP",sans-serif;max-width:26rem;margin:2rem auto;padding:0 1rem;color:#222}
h1{font-size:1.4rem} label{display:block;margin:1rem 0 .3rem;font-weight:bold}
input{width:100%;box-sizing:border-box;font-size:1.3rem;padding:.6rem;border:1px solid #bbb;border-radius:.4rem}
#code{letter-spacing:.3rem;text-transform:uppercase}
button{margin-top:1.2rem;width:100%;font-size:1.2rem;padding:.7rem;border:0;border-radius:.4rem;background:#1f6feb;color:#fff}
#msg{color:#c62828;min-height:1.5rem;margin-top:.8rem} .alt{margin-top:1.5rem;font-size:.9rem}
"""

# The form's answer: go on, or show the server's reason (a network failure says so in the page's words).
SUBMIT = """
const M = MESSAGES;
document.getElementById('door').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const f = new FormData(ev.target), msg = document.getElementById('msg');
  if (![...f.values()].every((v) => String(v).trim())) { msg.textContent = M.empty; return; }
  msg.textContent = '';
  let r;
  try { r = await fetch('/login', {method: 'POST', body: new URLSearchParams(f), credentials: 'same-origin'}); }
  catch (e) { msg.textContent = M.offline; return; }
  if (r.ok) { location.href = NEXT; return; }
  let detail = '';
  try { detail = (await r.json()).detail || ''; } catch (e) {}
  msg.textContent = typeof detail === 'string' && detail ? detail : M.refused;
});
"""


def _page(lang: str, title: str, body: str, messages: dict, next_url: str) -> str:
    script = SUBMIT.replace("MESSAGES", json.dumps(messages, ensure_ascii=False)).replace("NEXT", json.dumps(next_url))
    return f"""<!doctype html><html lang="{lang}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Katachi 型 — {html.escape(title)}</title>
<style>{STYLE}</style></head><body>
<h1>Katachi 型 — {html.escape(title)}</h1>{body}<script>{script}</script></body></html>"""


def join_page(lang: str, code: str) -> str:
    w = lambda key, **kw: html.escape(t(f"web.{key}", lang, **kw))  # noqa: E731
    body = f"""<form id="door" autocomplete="on">
<label for="name">{w("join_name")}</label><input id="name" name="username" maxlength="60" required autofocus>
<label for="code">{w("join_code_label")}</label>
<input id="code" name="password" type="text" inputmode="latin" autocapitalize="characters" maxlength="12"
 value="{html.escape(code)}" required>
<button type="submit">{w("join_button")}</button><p id="msg" role="alert"></p></form>
<p class="alt"><a href="/login">{w("join_staff")}</a></p>"""
    return _page(lang, t("web.join_title", lang), body, _messages(lang, "join_refused"), "/")


def login_page(lang: str, next_url: str = "/") -> str:
    w = lambda key, **kw: html.escape(t(f"web.{key}", lang, **kw))  # noqa: E731
    body = f"""<form id="door" autocomplete="on">
<label for="user">{w("login_user")}</label><input id="user" name="username" autocomplete="username" required autofocus>
<label for="password">{w("login_password")}</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">{w("login_button")}</button><p id="msg" role="alert"></p></form>
<p class="alt"><a href="/join">{w("login_join")}</a></p>"""
    return _page(lang, t("web.login_title", lang), body, _messages(lang, "login_refused"), safe_next(next_url))


def _messages(lang: str, refused: str) -> dict:
    return {
        "refused": t(f"error.{refused}", lang),
        "empty": t("web.join_empty", lang),
        "offline": t("web.offline", lang),
    }


def safe_next(url: str | None) -> str:
    """Where to go after logging in: a path on this site only (never another site's address)."""
    url = url or "/"
    return url if url.startswith("/") and not url.startswith("//") and "\\" not in url else "/"
