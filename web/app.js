// claimd dashboard: the conflict queue, reviews, live updates from the
// event stream and the events, all from claimd's own API (the page's
// Content-Security-Policy allows nothing else).  Text is put into the page
// with textContent only, never as HTML.
'use strict';

(() => {
  const PAGE = 1000;          // the API's largest page
  const MAX_PAGES = 20;       // the queue shows at most this many pages
  const EVENT_ARTICLES = 40;  // articles listed per opened event
  const RETRY_MS = 2000;

  const $ = (sel, root = document) => root.querySelector(sel);
  const $$ = (sel, root = document) => Array.from(root.querySelectorAll(sel));

  const state = {
    token: sessionStorage.getItem('claimd-token') || '',
    conflicts: new Map(),   // id -> conflict, as the API returns it
    articles: new Map(),    // id -> Promise of the article
    lastEventId: '',
    loadGen: 0,
    gPressed: false,
  };

  // ---- the API -----------------------------------------------------------

  class ApiError extends Error {
    constructor(status, body) {
      const e = body && body.error;
      super(e && e.message ? e.message : 'HTTP ' + status);
      this.status = status;
      this.code = e && e.code;
      this.field = e && e.field;
    }
  }

  function authHeaders(h = {}) {
    if (state.token) h.Authorization = 'Bearer ' + state.token;
    return h;
  }

  async function api(method, path, body) {
    const headers = authHeaders({ Accept: 'application/json' });
    const init = { method, headers, cache: 'no-store' };
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    const r = await fetch(path, init);
    let j = null;
    try { j = await r.json(); } catch (e) { /* not JSON */ }
    if (r.status === 401 && await askToken(j && j.error ? j.error.message : '')) return api(method, path, body);
    if (!r.ok) throw new ApiError(r.status, j);
    return j;
  }

  // Resolves true when the user gave a (new) token.
  function askToken(why) {
    const dlg = $('#token-dialog');
    $('#token-why').textContent = why || 'Enter the API token of this claimd.';
    $('#token-input').value = state.token;
    return new Promise((resolve) => {
      dlg.addEventListener('close', () => {
        const v = dlg.returnValue;
        if (v === 'save' && $('#token-input').value.trim()) {
          state.token = $('#token-input').value.trim();
          sessionStorage.setItem('claimd-token', state.token);
          resolve(true);
        } else {
          if (v === 'forget') {
            state.token = '';
            sessionStorage.removeItem('claimd-token');
          }
          resolve(false);
        }
      }, { once: true });
      if (!dlg.open) dlg.showModal();
      $('#token-input').focus();
    });
  }

  function article(id) {
    if (!state.articles.has(id)) {
      const p = api('GET', '/v1/articles/' + id);
      p.catch(() => state.articles.delete(id));
      state.articles.set(id, p);
    }
    return state.articles.get(id);
  }

  // ---- text: API offsets are code points, JavaScript strings UTF-16 ------

  // The last few maps by text (strings cannot be WeakMap keys).
  const cpCache = new Map();

  // Returns a function from a code point offset in text to its UTF-16 offset.
  function cpToUtf16(text) {
    if (!/[\uD800-\uDFFF]/.test(text)) return (cp) => Math.max(0, Math.min(cp, text.length));
    let map = cpCache.get(text);
    if (!map) {
      map = [];
      let u = 0;
      for (const ch of text) { map.push(u); u += ch.length; }
      map.push(u);
      cpCache.set(text, map);
      if (cpCache.size > 64) cpCache.delete(cpCache.keys().next().value);
    }
    return (cp) => map[Math.max(0, Math.min(cp, map.length - 1))];
  }

  // Fills el with text[lo, hi) (UTF-16 offsets), each mark {cls, start, end}
  // wrapped in a <span class="...">; marks may nest or overlap.
  function renderMarked(el, text, lo, hi, marks) {
    const cuts = new Set([lo, hi]);
    for (const m of marks) {
      if (m.end <= lo || m.start >= hi) continue;
      cuts.add(Math.max(lo, m.start));
      cuts.add(Math.min(hi, m.end));
    }
    const points = Array.from(cuts).sort((a, b) => a - b);
    for (let i = 0; i + 1 < points.length; i++) {
      const a = points[i], b = points[i + 1];
      const classes = marks.filter((m) => m.start <= a && m.end >= b).map((m) => m.cls);
      const part = text.slice(a, b);
      if (!classes.length) el.append(document.createTextNode(part));
      else {
        const s = document.createElement('span');
        s.className = classes.join(' ');
        s.textContent = part;
        el.append(s);
      }
    }
  }

  // The claim in its sentence, speaker, cue and content highlighted.
  function renderSentence(el, claim, art) {
    const field = claim.field === 'title' ? art.title : art.text;
    if (typeof field !== 'string' || !Array.isArray(claim.span)) {
      el.textContent = claim.text || '';
      return;
    }
    const at = cpToUtf16(field);
    const marks = [];
    const add = (cls, span, label) => {
      if (Array.isArray(span) && span.length === 2 && span[1] > span[0])
        marks.push({ cls, start: at(span[0]), end: at(span[1]), label });
    };
    add('hl-content', claim.content_span, 'content');
    if (claim.speaker) add('hl-speaker', claim.speaker.span, 'speaker');
    if (claim.cue) add('hl-cue', claim.cue.span, 'cue');
    let lo = at(claim.span[0]), hi = at(claim.span[1]);
    // a speaker named just before the sentence (or a cue after it) is shown too
    for (const m of marks) {
      if (m.start < lo && lo - m.start < 400) lo = m.start;
      if (m.end > hi && m.end - hi < 400) hi = m.end;
    }
    el.textContent = '';
    if (lo > 0) el.append(ellipsis('… '));
    renderMarked(el, field, lo, hi, marks);
    if (hi < field.length) el.append(ellipsis(' …'));
    if (!claim.content_span && claim.text) {
      const p = document.createElement('span');
      p.className = 'hl-content';
      p.textContent = claim.text;
      el.append(document.createElement('br'), 'Claim: ', p);
    }
  }

  function ellipsis(text) {
    const s = document.createElement('span');
    s.className = 'ellipsis';
    s.textContent = text;
    return s;
  }

  // ---- the queue ---------------------------------------------------------

  function filters() {
    return {
      status: $('#f-status').value,
      kind: $('#f-kind').value,
      source: $('#f-source').value.trim(),
      min_score: parseFloat($('#f-score').value) || 0,
      event: $('#f-event').value,
    };
  }

  function matches(c, f = filters()) {
    if (f.status && c.status !== f.status) return false;
    if (f.kind && c.kind !== f.kind) return false;
    if (f.min_score && !(c.score >= f.min_score)) return false;
    if (f.event && String(c.event_id) !== f.event) return false;
    if (f.source && !(c.claims || []).some((x) => x.source === f.source)) return false;
    return true;
  }

  // open first, then newest first
  function queueOrder(a, b) {
    const oa = a.status === 'open' ? 0 : 1, ob = b.status === 'open' ? 0 : 1;
    return oa !== ob ? oa - ob : b.id - a.id;
  }

  async function loadQueue() {
    const gen = ++state.loadGen;
    const f = filters();
    const q = new URLSearchParams();
    for (const k of ['status', 'kind', 'source', 'event']) if (f[k]) q.set(k, f[k]);
    if (f.min_score > 0) q.set('min_score', String(f.min_score));
    q.set('limit', String(PAGE));
    $('#queue-summary').textContent = 'Loading…';
    const all = [];
    // newest first (before=), page by page back in time
    let before = '9223372036854775807', more = false;
    try {
      for (let page = 0; page < MAX_PAGES; page++) {
        q.set('before', before);
        const j = await api('GET', '/v1/conflicts?' + q);
        if (gen !== state.loadGen) return;
        all.push(...j.conflicts);
        more = j.conflicts.length === PAGE;
        if (!more) break;
        before = String(j.next);
      }
    } catch (e) {
      if (gen === state.loadGen) $('#queue-summary').textContent = 'Cannot load the conflicts: ' + e.message;
      return;
    }
    all.sort(queueOrder);
    state.conflicts.clear();
    const list = $('#queue');
    list.textContent = '';
    for (const c of all) {
      state.conflicts.set(c.id, c);
      list.append(conflictItem(c));
    }
    summarize(more);
  }

  function summarize(more) {
    const n = state.conflicts.size;
    const open = Array.from(state.conflicts.values()).filter((c) => c.status === 'open').length;
    $('#queue-summary').textContent = n === 0 ? 'No conflicts match these filters.'
      : `${n} conflict${n === 1 ? '' : 's'}${more ? ' (the newest ' + n + '; older ones not shown: narrow the filters)' : ''}, ${open} open.`;
  }

  function fmtTime(s) {
    if (!s) return '';
    const d = new Date(s);
    return isNaN(d) ? s : d.toLocaleString();
  }

  function conflictItem(c) {
    const li = $('#conflict-template').content.firstElementChild.cloneNode(true);
    li.dataset.id = String(c.id);
    li.setAttribute('aria-label', `Conflict ${c.id}, ${c.kind}, ${c.status}`);
    fillConflict(li, c);
    $('.confirm', li).addEventListener('click', () => review(li, 'confirmed'));
    $('.dismiss', li).addEventListener('click', () => review(li, 'dismissed'));
    $('.reopen', li).addEventListener('click', () => review(li, 'open'));
    const sides = [$('.side-a', li), $('.side-b', li)];
    (c.claims || []).slice(0, 2).forEach((cl, i) => fillSide(sides[i], cl));
    return li;
  }

  function fillConflict(li, c) {
    $('.cid', li).textContent = '#' + c.id;
    $('.kind', li).textContent = c.kind;
    $('.score', li).textContent = typeof c.score === 'number' ? c.score.toFixed(2) : '';
    const st = $('.status', li);
    st.textContent = c.status;
    st.className = 'status badge ' + c.status;
    $('.meta', li).textContent = `detected ${fmtTime(c.detected_at)}` + (c.event_id ? ` · event ${c.event_id}` : '');
    $('.explanation', li).textContent = c.explanation || '';
    const r = c.review;
    $('.last-review', li).textContent = r ? `${r.status} ${r.reviewer ? 'by ' + r.reviewer + ' ' : ''}` +
      `on ${fmtTime(r.reviewed_at)}${r.note ? ': “' + r.note + '”' : ''}` : '';
    $('.confirm', li).disabled = c.status === 'confirmed';
    $('.dismiss', li).disabled = c.status === 'dismissed';
    $('.reopen', li).disabled = c.status === 'open';
  }

  function fillSide(el, claim) {
    el.append($('#side-template').content.cloneNode(true));
    $('.speaker-name', el).textContent = claim.speaker && claim.speaker.name ? claim.speaker.name : claim.source;
    $('.via', el).textContent = (claim.speaker ? 'in ' + claim.source : '(the outlet itself)') +
      (claim.stance && claim.stance !== 'asserts' ? ' · ' + claim.stance : '') +
      (claim.negated ? ' · negated' : '') + (claim.hedged ? ' · hedged' : '');
    const sentence = $('.sentence', el);
    sentence.textContent = claim.text || '';
    // the article (for the sentence and its highlights) is fetched when the
    // card comes near the screen: a long queue does not fetch them all
    pendingSentences.set(sentence, claim);
    sentenceObserver.observe(sentence);
    const links = $('.links', el);
    if (claim.url && /^https?:\/\//i.test(claim.url)) {
      const a = document.createElement('a');
      a.href = claim.url;
      a.rel = 'noopener noreferrer';
      a.target = '_blank';
      a.textContent = claim.title ? claim.title : 'the article';
      links.append(a);
    } else if (claim.title) links.append(claim.title + ' ');
    const stored = document.createElement('a');
    stored.href = '/v1/articles/' + claim.article_id;
    stored.target = '_blank';
    stored.rel = 'noopener';
    stored.textContent = 'stored text (article ' + claim.article_id + ')';
    links.append(stored);
  }

  const pendingSentences = new WeakMap();
  const sentenceObserver = new IntersectionObserver((entries) => {
    for (const e of entries) {
      if (!e.isIntersecting) continue;
      const el = e.target, claim = pendingSentences.get(el);
      sentenceObserver.unobserve(el);
      if (!claim) continue;
      article(claim.article_id).then((a) => renderSentence(el, claim, a))
        .catch(() => { /* the claim's own text stays */ });
    }
  }, { rootMargin: '600px 0px' });

  async function review(li, status) {
    const id = Number(li.dataset.id);
    const body = { status };
    const note = $('.note', li).value.trim();
    const who = $('#reviewer').value.trim();
    if (note) body.note = note;
    if (who) body.reviewer = who;
    const err = $('.error', li);
    err.textContent = '';
    $$('button', li).forEach((b) => { b.disabled = true; });
    try {
      const c = await api('PATCH', '/v1/conflicts/' + id, body);
      state.conflicts.set(c.id, c);
      fillConflict(li, c);
      $('.note', li).value = '';
      const stays = matches(c);
      li.classList.toggle('gone', !stays);
      if (!stays) focusMove(li, 1);
    } catch (e) {
      err.textContent = 'Not saved: ' + e.message;
      fillConflict(li, state.conflicts.get(id));
    }
  }

  // ---- live updates ------------------------------------------------------

  function setLive(on, text) {
    const el = $('#live');
    el.className = 'live ' + (on ? 'on' : 'off');
    el.textContent = text;
  }

  function onConflict(c) {
    if (state.conflicts.has(c.id) || !matches(c)) return;
    state.conflicts.set(c.id, c);
    const li = conflictItem(c);
    li.classList.add('fresh');
    const list = $('#queue');
    // newest first within its group: before the first item it sorts before
    const next = $$('.conflict', list).find((x) => {
      const o = state.conflicts.get(Number(x.dataset.id));
      return o && queueOrder(c, o) < 0;
    });
    list.insertBefore(li, next || null);
    summarize(false);
    $('#queue-summary').textContent += ' New: #' + c.id + '.';
  }

  function onReview(c) {
    const li = $(`.conflict[data-id="${c.id}"]`);
    if (!li) return;
    state.conflicts.set(c.id, c);
    fillConflict(li, c);
    li.classList.toggle('gone', !matches(c));
  }

  function handleBlock(block) {
    let event = 'message', id = null;
    const data = [];
    for (const line of block.split(/\r\n|\r|\n/)) {
      if (!line || line.startsWith(':')) continue;
      const i = line.indexOf(':');
      const k = i < 0 ? line : line.slice(0, i);
      let v = i < 0 ? '' : line.slice(i + 1);
      if (v.startsWith(' ')) v = v.slice(1);
      if (k === 'event') event = v;
      else if (k === 'data') data.push(v);
      else if (k === 'id') id = v;
    }
    if (id !== null) state.lastEventId = id;
    if (!data.length) return;
    let obj;
    try { obj = JSON.parse(data.join('\n')); } catch (e) { return; }
    if (event === 'conflict') onConflict(obj);
    else if (event === 'review') onReview(obj);
  }

  // The stream through fetch() (EventSource cannot send the token),
  // reconnecting with Last-Event-ID; the queue is reloaded after a gap.
  async function stream() {
    for (let first = true; ; first = false) {
      try {
        const headers = authHeaders({ Accept: 'text/event-stream' });
        if (state.lastEventId) headers['Last-Event-ID'] = state.lastEventId;
        const r = await fetch('/v1/conflicts/stream', { headers, cache: 'no-store' });
        if (r.status === 401) {
          setLive(false, 'live updates need the token');
          if (!await askToken('live updates need the API token')) return;
          continue;
        }
        if (!r.ok || !r.body) throw new Error('HTTP ' + r.status);
        setLive(true, 'live');
        if (!first) loadQueue();
        const reader = r.body.getReader();
        const dec = new TextDecoder();
        let buf = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buf += dec.decode(value, { stream: true });
          let m;
          while ((m = /\r\n\r\n|\n\n|\r\r/.exec(buf))) {
            handleBlock(buf.slice(0, m.index));
            buf = buf.slice(m.index + m[0].length);
          }
        }
      } catch (e) { /* reconnect below */ }
      setLive(false, 'reconnecting…');
      await new Promise((res) => setTimeout(res, RETRY_MS));
    }
  }

  // ---- events ------------------------------------------------------------

  async function loadEvents() {
    $('#events-summary').textContent = 'Loading…';
    const all = [];
    let since = 0;
    try {
      for (let page = 0; page < MAX_PAGES; page++) {
        const j = await api('GET', `/v1/events?since=${since}&limit=${PAGE}`);
        all.push(...j.events);
        if (j.events.length < PAGE) break;
        since = j.next;
      }
    } catch (e) {
      $('#events-summary').textContent = 'Cannot load the events: ' + e.message;
      return;
    }
    all.sort((a, b) => (b.last_seen || '').localeCompare(a.last_seen || '') || b.id - a.id);
    const list = $('#events');
    list.textContent = '';
    for (const ev of all) list.append(eventItem(ev));
    $('#events-summary').textContent = `${all.length} event${all.length === 1 ? '' : 's'}, most recently seen first.`;
  }

  function eventItem(ev) {
    const li = document.createElement('li');
    li.className = 'event';
    const h = document.createElement('h2');
    h.textContent = ev.label || 'event ' + ev.id;
    const counts = document.createElement('p');
    counts.className = 'counts';
    const sources = typeof ev.independent_sources === 'number' && ev.independent_sources !== ev.sources
      ? `${ev.sources} sources (${ev.independent_sources} independent)` : `${ev.sources} source${ev.sources === 1 ? '' : 's'}`;
    counts.textContent = `event ${ev.id} · ${ev.articles} article${ev.articles === 1 ? '' : 's'} · ${sources} · ` +
      `${ev.conflicts} conflict${ev.conflicts === 1 ? '' : 's'} · ${fmtTime(ev.first_seen)} – ${fmtTime(ev.last_seen)}`;
    const det = document.createElement('details');
    const sum = document.createElement('summary');
    sum.textContent = 'Articles, sources and conflicts';
    det.append(sum);
    det.addEventListener('toggle', () => { if (det.open && !det.dataset.loaded) fillEvent(det, ev.id); });
    li.append(h, counts, det);
    return li;
  }

  async function fillEvent(det, id) {
    det.dataset.loaded = '1';
    let ev;
    try { ev = await api('GET', '/v1/events/' + id); } catch (e) {
      det.append('Cannot load the event: ' + e.message);
      return;
    }
    const arts = document.createElement('ul');
    const ids = ev.article_ids || [];
    const sources = new Set();
    for (const aid of ids.slice(0, EVENT_ARTICLES)) {
      const item = document.createElement('li');
      item.textContent = 'article ' + aid;
      arts.append(item);
      article(aid).then((a) => {
        sources.add(a.source);
        item.textContent = '';
        const b = document.createElement('b');
        b.textContent = a.source;
        item.append(b, ' — ');
        const link = document.createElement('a');
        link.href = a.url && /^https?:\/\//i.test(a.url) ? a.url : '/v1/articles/' + aid;
        link.rel = 'noopener noreferrer';
        link.target = '_blank';
        link.textContent = a.title || a.url || 'article ' + aid;
        item.append(link, ' · ' + fmtTime(a.published_at) + (a.copy_of ? ` · copy of article ${a.copy_of}` : ''));
        srcLine.textContent = 'Sources: ' + Array.from(sources).sort().join(', ') +
          (ids.length > EVENT_ARTICLES ? ` (of the first ${EVENT_ARTICLES} articles)` : '');
      }).catch(() => {});
    }
    const srcLine = document.createElement('p');
    const conf = document.createElement('p');
    const cids = ev.conflict_ids || [];
    conf.append(cids.length ? 'Conflicts: ' : 'No conflicts.');
    for (const cid of cids) {
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'plain';
      b.textContent = '#' + cid;
      b.addEventListener('click', () => showEventConflicts(id));
      conf.append(b, ' ');
    }
    det.append(srcLine, arts, conf);
  }

  function showEventConflicts(eventId) {
    $('#f-event').value = String(eventId);
    $('#f-event-label').hidden = false;
    $('#f-status').value = '';
    show('queue');
    loadQueue();
  }

  // ---- views and keys ----------------------------------------------------

  function show(view) {
    $('#queue-view').hidden = view !== 'queue';
    $('#events-view').hidden = view !== 'events';
    $('#tab-queue').setAttribute('aria-pressed', String(view === 'queue'));
    $('#tab-events').setAttribute('aria-pressed', String(view === 'events'));
    if (view === 'events') loadEvents();
  }

  function focusMove(from, delta) {
    const items = $$('#queue .conflict');
    if (!items.length) return;
    let i = from ? items.indexOf(from) : -1;
    i = Math.max(0, Math.min(items.length - 1, i + delta));
    items[i].focus();
  }

  function onKey(e) {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const t = e.target;
    const typing = t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.tagName === 'SELECT');
    if (typing) {
      if (e.key === 'Escape' && t.classList.contains('note')) t.closest('.conflict').focus();
      return;
    }
    if (document.querySelector('dialog[open]')) return;
    const card = t && t.closest ? t.closest('.conflict') : null;
    if (state.gPressed) {
      state.gPressed = false;
      if (e.key === 'q') { show('queue'); e.preventDefault(); return; }
      if (e.key === 'e') { show('events'); e.preventDefault(); return; }
    }
    switch (e.key) {
      case 'j': focusMove(card, card ? 1 : 0); break;
      case 'k': focusMove(card, -1); break;
      case 'c': if (card) review(card, 'confirmed'); break;
      case 'd': if (card) review(card, 'dismissed'); break;
      case 'o': if (card) review(card, 'open'); break;
      case 'n': if (card) $('.note', card).focus(); break;
      case '/': $('#f-source').focus(); break;
      case 'g': state.gPressed = true; break;
      case '?': $('#help-dialog').showModal(); break;
      default: return;
    }
    e.preventDefault();
  }

  function init() {
    $('#filters').addEventListener('submit', (e) => { e.preventDefault(); loadQueue(); });
    for (const id of ['#f-status', '#f-kind']) $(id).addEventListener('change', loadQueue);
    $('#f-event-clear').addEventListener('click', () => {
      $('#f-event').value = '';
      $('#f-event-label').hidden = true;
      loadQueue();
    });
    $('#tab-queue').addEventListener('click', () => show('queue'));
    $('#tab-events').addEventListener('click', () => show('events'));
    $('#token-button').addEventListener('click', () => askToken('').then((ok) => { if (ok) loadQueue(); }));
    $('#help-button').addEventListener('click', () => $('#help-dialog').showModal());
    const who = $('#reviewer');
    who.value = localStorage.getItem('claimd-reviewer') || '';
    who.addEventListener('change', () => localStorage.setItem('claimd-reviewer', who.value.trim()));
    document.addEventListener('keydown', onKey);
    start();
  }

  // Asks for the token first when this claimd needs one (reviews always
  // do then; reads too with require_token_for_reads), then loads.
  async function start() {
    try {
      const r = await fetch('/healthz', { cache: 'no-store' });
      const h = await r.json();
      const need = h && h.token_required;
      if (need && (need.writes || need.reads) && !state.token)
        await askToken(need.reads ? 'This claimd needs its API token for everything.'
          : 'Reviews need this claimd\'s API token (reading works without it).');
    } catch (e) { /* the queue's own errors say what is wrong */ }
    loadQueue();
    stream();
  }

  init();
})();
