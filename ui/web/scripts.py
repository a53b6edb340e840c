"""The page's own scripts, beside Gradio's: what the browser does without asking the server.

Each is a string handed to Gradio (``head=`` or an event's ``js=``); the comments say why each exists.
"""
from __future__ import annotations

# Gradio's single-line textbox submits on any Enter, even the one that confirms a Japanese IME
# conversion; swallow that Enter (and Safari's late one just after compositionend) before it does.
IME_GUARD = """<script>
(() => {
  let composing = false, endedAt = -1e9;
  addEventListener('compositionstart', () => { composing = true; }, true);
  addEventListener('compositionend', () => { composing = false; endedAt = performance.now(); }, true);
  const guard = (e) => {
    if (e.key !== 'Enter') return;
    if (composing || e.isComposing || e.keyCode === 229 || performance.now() - endedAt < 100) {
      e.stopImmediatePropagation();
    }
  };
  addEventListener('keydown', guard, true);
  addEventListener('keypress', guard, true);
})();
</script>"""

# The room asks the server whether anything changed (a short string per workshop and person) and
# redraws through Gradio only then; the timer and the seconds a job has run count here. A Gradio
# timer redrawing every second cost an idle tab ~16 % of a core (benchmarks/idle_tab_cpu.py).
ROOM_POLL_MS = 1000
ROOM_POLL = """<script>
(() => {
  const ask = async () => {
    if (document.hidden) return;
    const h = document.querySelector('#k-room-title h3[data-workshop]');
    if (!h) return;
    try {
      const r = await fetch('/k/version?w=' + encodeURIComponent(h.dataset.workshop),
                            {cache: 'no-store', credentials: 'same-origin'});
      if (!r.ok) return;
      const j = await r.json();
      if (j.v && j.v !== h.dataset.version) document.querySelector('#k-refresh')?.click();
    } catch (e) { /* the server restarting: ask again next time */ }
  };
  setInterval(ask, POLL_MS);
  // a section clicked in the review overview: handed to the review page through its hidden box
  document.addEventListener('click', (ev) => {
    const li = ev.target.closest('#k-rv-overview .k-sec[data-section]');
    const box = document.querySelector('#k-rv-jump textarea, #k-rv-jump input');
    if (!li || !box) return;
    box.value = li.dataset.section + '|' + Date.now();  // a new value every click: the same section twice
    box.dispatchEvent(new Event('input', {bubbles: true}));
  });
  // the dot buttons on each theme card pick that card and press the shared +/- button
  document.addEventListener('click', (ev) => {
    const b = ev.target.closest('.k-vote');
    if (!b) return;
    const label = document.querySelectorAll('#k-cand label')[Number(b.dataset.index)];
    if (!label) return;
    label.click();
    setTimeout(() => document.querySelector(b.dataset.delta === '-1' ? '#k-dot-remove' : '#k-dot-add')?.click(), 80);
  });
  document.addEventListener('visibilitychange', ask);
  const two = (n) => String(n).padStart(2, '0');
  setInterval(() => {
    const now = performance.now() / 1000;
    for (const c of document.querySelectorAll('.k-clock[data-left], .k-since[data-secs]')) {
      if (!c.dataset.seen) c.dataset.seen = now;
      const gone = Math.round(now - c.dataset.seen);
      if (c.dataset.left !== undefined) {
        const left = Math.max(0, c.dataset.left - gone);
        c.textContent = two(Math.floor(left / 60)) + ':' + two(left % 60);
        c.closest('.k-timer')?.classList.toggle('k-over', left === 0);
      } else {
        c.textContent = Number(c.dataset.secs) + gone;
      }
    }
  }, 1000);
})();
</script>""".replace("POLL_MS", str(ROOM_POLL_MS))


# The page's language: Gradio's own locale (its labels) and <html lang> (what the server's texts
# follow), then a redraw of the room. Gradio keeps the locale in its core module; the module is
# imported again by its URL (the same instance) to set it.
APPLY_LANG = """async (lang) => {
  if (lang !== 'ja' && lang !== 'en') return [lang];
  if ((document.documentElement.lang || '').slice(0, 2) !== lang) {
    const url = performance.getEntriesByType('resource').map((e) => e.name)
      .find((n) => /\/assets\/core-[^/]+\.js$/.test(n));
    if (url) { try { (await import(url)).changeLocale(lang); } catch (e) { console.warn('locale', e); } }
    document.documentElement.lang = lang;
    setTimeout(() => document.querySelector('#k-refresh')?.click(), 300);
  }
  return [lang];
}"""


HIDE_TABS = """() => {
  const who = document.querySelector('#k-who [data-hide]');
  for (const tab of (who ? who.dataset.hide : '').split(' ').filter(Boolean)) document.body.classList.add('k-hide-' + tab);
  if (who) document.body.dataset.kRole = who.dataset.role;
  return [];
}"""
