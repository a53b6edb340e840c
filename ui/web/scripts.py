"""The page's own scripts: what the browser does without asking the server.

Each is handed to the workshop app through its supported doors — ``head=``, an event's ``js=``, or a
``gr.HTML``'s ``js_on_load`` (which gets the component's ``element`` and ``trigger``/``watch`` for its
own events). The comments say why each exists.
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

# The room's board (js_on_load). It asks the server once a second whether the room changed (a short
# string per workshop and person) and fires the board's ``refresh`` only then (a redraw every second
# cost an idle tab ~16 % of a core: benchmarks/idle_tab_cpu.py); a new gate fires ``fill``; the dot
# buttons on the cards fire ``vote``. While the server cannot be reached the page says so in its own
# words, its counters stop and nothing can be pressed; a server that restarted reloads the page (the
# session is Katachi's cookie: the same person, the same seat). Timers count down here.
ROOM_POLL_MS = 1000
ROOM_JS = """
const board = () => element.querySelector('.k-room');
let boot = null, fails = 0, gate = null, points = null;
const offline = (on) => {
  document.body.classList.toggle('k-offline', on);
  const note = document.getElementById('k-offline-note');
  const text = board() && board().dataset.offline;
  if (on && !note && text) {
    const n = document.createElement('div');
    n.id = 'k-offline-note'; n.setAttribute('role', 'status'); n.textContent = text;
    document.body.appendChild(n);
  } else if (!on && note) { note.remove(); }
};
const restarted = () => {
  const last = Number(sessionStorage.getItem('k-reloaded') || 0);
  if (Date.now() - last < 30000) return;  // at most once in 30 s, whatever the servers say
  sessionStorage.setItem('k-reloaded', String(Date.now()));
  location.reload();
};
const ask = async () => {
  if (!element.isConnected) { clearInterval(asking); clearInterval(counting); return; }
  const b = board();
  if (document.hidden || !b || !b.dataset.workshop) return;
  try {
    const r = await fetch('/k/version?w=' + encodeURIComponent(b.dataset.workshop),
                          {cache: 'no-store', credentials: 'same-origin'});
    if (r.status === 401) { location.href = '/login'; return; }
    if (!r.ok) throw new Error(String(r.status));
    const j = await r.json();
    if (fails >= 2) offline(false);
    fails = 0;
    if (boot && j.b && j.b !== boot) { restarted(); return; }
    boot = j.b || boot;
    if (j.v && j.v !== b.dataset.version) trigger('refresh');
  } catch (e) {
    if (++fails === 2) offline(true);
  }
};
const drawn = () => {
  const b = board();
  if (!b) return;
  if (b.dataset.gate !== undefined && b.dataset.gate !== gate) { gate = b.dataset.gate; trigger('fill'); }
  if (b.dataset.points && b.dataset.points !== points) { points = b.dataset.points; trigger('points'); }
};
const two = (n) => String(n).padStart(2, '0');
const count = () => {
  const now = performance.now() / 1000;
  for (const c of element.querySelectorAll('.k-clock[data-left], .k-since[data-secs], .k-timer[data-over]')) {
    if (!c.dataset.seen) c.dataset.seen = now;
    const gone = Math.round(now - c.dataset.seen);
    if (c.classList.contains('k-timer')) {
      const left = Number(c.querySelector('.k-clock')?.dataset.left ?? 0) - gone;
      if (left <= 0) c.classList.add('k-over');
      if (left + Number(c.dataset.over) <= 0) c.dataset.state = 'off';
    } else if (c.dataset.left !== undefined) {
      const left = Math.max(0, c.dataset.left - gone);
      c.textContent = two(Math.floor(left / 60)) + ':' + two(left % 60);
    } else if (fails < 2) {  // the seconds a job has run stop while the server cannot be reached
      c.textContent = Number(c.dataset.secs) + gone;
    } else {
      c.dataset.secs = Number(c.textContent); c.dataset.seen = now;
    }
  }
};
element.addEventListener('click', (ev) => {
  const v = ev.target.closest('.k-vote');
  if (!v || !element.contains(v)) return;
  ev.preventDefault();
  trigger('vote', {index: Number(v.dataset.index), delta: Number(v.dataset.delta)});
});
// The workshop app's own toast for a broken connection is in English whatever the page's language (its
// text is fixed in the app's frontend): it is kept off the screen, and the page's own notice says it.
const englishAlarm = new MutationObserver(() => {
  if (!element.isConnected) { englishAlarm.disconnect(); return; }
  for (const t of document.querySelectorAll('[data-testid="toast-body"]')) {
    if (t.style.display !== 'none' && /connection/i.test(t.textContent || '')) {
      t.style.display = 'none';
      fails = Math.max(fails, 2);
      offline(true);
    }
  }
});
englishAlarm.observe(document.body, {childList: true, subtree: true});
document.addEventListener('visibilitychange', ask);
const asking = setInterval(ask, POLL_MS);
const counting = setInterval(count, 1000);
watch('value', drawn);
drawn();
""".replace("POLL_MS", str(ROOM_POLL_MS))

# The page's language (the handlers' first input) and, with the text already taken into the request,
# an empty box at once: the next pain point can be typed while this one is saved.
SEND_JS = """(...args) => {
  args[0] = document.documentElement.lang || navigator.language || 'ja';
  const box = document.querySelector('#k-pain textarea, #k-pain input');
  if (box) { box.value = ''; box.dispatchEvent(new Event('input', {bubbles: true})); }
  return args;
}"""

# After a send: a refused pain point comes back into the box it was typed in (unless something new was
# typed there since), so the reason can be read and the text fixed.
RESTORE_JS = """() => {
  const note = document.querySelector('#k-room-notice [data-restore]');
  const box = document.querySelector('#k-pain textarea, #k-pain input');
  if (note && box && !box.value) {
    box.value = note.dataset.restore;
    box.dispatchEvent(new Event('input', {bubbles: true}));
    note.removeAttribute('data-restore');
  }
  return [];
}"""

# The language switch in the header: saved with the person on the server (the switch's own event), then
# the page loads again in it (RELOAD: the workshop app takes its locale as it loads; see
# ui.web.routes.LANG_FIRST).
LANG_SWITCH = """
element.addEventListener('click', (ev) => {
  const b = ev.target.closest('button[data-lang]');
  if (!b || !element.contains(b)) return;
  document.cookie = 'katachi_lang=' + b.dataset.lang + '; path=/; max-age=2592000; samesite=lax';
  trigger('choose', {lang: b.dataset.lang});
});
"""
RELOAD = "() => { location.reload(); return []; }"
