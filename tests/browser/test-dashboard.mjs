// The dashboard (GET /) in Debian's headless Chromium, driven by
// puppeteer-core, against a real claimd with a temporary database and an
// API token: the queue lists the conflict with both claims in their
// sentences, the highlighted speaker, cue and content are the right words
// (also after characters beyond the BMP), confirming asks for the token and
// persists across a reload, a new conflict appears without a reload, the
// keyboard works, the events view lists the event.  Screenshots go to
// OUTDIR.  Prints TAP.
//
// Usage: node test-dashboard.mjs BUILD/daemon/claimd OUTDIR
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const [claimdPath, outDir] = process.argv.slice(2);
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const TOKEN = 'browser-test-token-4242';

let n = 0, failed = 0;
function ok(cond, what, detail) {
  n++;
  console.log(`${cond ? 'ok' : 'not ok'} ${n} - ${what}`);
  if (!cond) {
    failed++;
    if (detail !== undefined) for (const l of String(detail).split('\n')) console.log('# ' + l);
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); });
    s.on('error', reject);
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
// code points [a, b) of s, as the API counts them (independent of app.js)
const cps = (s, a, b) => Array.from(s).slice(a, b).join('');

async function main() {
  if (!existsSync(CHROMIUM)) {
    console.log(`1..0 # SKIP no browser at ${CHROMIUM} (tests/install-deps.sh --test installs Debian's chromium)`);
    return 0;
  }
  let puppeteer;
  try {
    puppeteer = (await import('puppeteer-core')).default;
  } catch (e) {
    console.log('1..0 # SKIP puppeteer-core is not installed in tests/browser (npm ci there): ' + e.message);
    return 0;
  }
  mkdirSync(outDir, { recursive: true });
  const tmp = mkdtempSync(join(tmpdir(), 'claimd-browser-'));
  writeFileSync(join(tmp, 'token'), TOKEN + '\n');
  writeFileSync(join(tmp, 'claimd.conf'), `[security]\ntoken_file = ${join(tmp, 'token')}\n`);
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const daemon = spawn(claimdPath, ['--config', join(tmp, 'claimd.conf'), '--db', join(tmp, 'claimd.db'),
    '--listen', `127.0.0.1:${port}`, '--log-target', 'stderr'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  daemon.stderr.on('data', (d) => { log += d; });
  let browser = null;
  try {
    for (let i = 0; i < 300; i++) {
      try { if ((await fetch(base + '/healthz')).ok) break; } catch (e) { /* not yet */ }
      await sleep(50);
    }
    const post = async (doc) => {
      const r = await fetch(base + '/v1/articles', {
        method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: 'Bearer ' + TOKEN },
        body: JSON.stringify(doc) });
      return r.json();
    };
    // Articles written for this test; the second has characters beyond the
    // BMP before and inside its claims.
    const A = await post({ source: 'south.test', url: 'https://south.test/dam/1', title: 'Dam budget dispute',
      published_at: '2026-10-01T10:00:00Z', text: 'The governor said the dam cost 90 million dollars. Treasurer Bo Kim denied that the dam cost 90 million dollars.' });
    const astral = '\u{1F30A}\u{1F30A} Storm week in Alden \u{1D518}\u{1D518}. The mayor said the bridge \u{1D518} cost 40 million euros. ' +
      'Budget chief Ann Lee denied that the bridge \u{1D518} cost 40 million euros.';
    const B = await post({ source: 'north.test', url: 'https://north.test/bridge', title: 'Bridge \u{1F309} costs',
      published_at: '2026-11-20T10:00:00Z', text: astral });
    ok(A.conflicts && A.conflicts.length === 1 && B.conflicts && B.conflicts.length === 1,
      'the two articles raise one conflict each', JSON.stringify([A, B]));
    const cB = await (await fetch(base + '/v1/conflicts/' + B.conflicts[0])).json();

    browser = await puppeteer.launch({
      executablePath: CHROMIUM,
      headless: true,
      userDataDir: join(tmp, 'profile'),
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    const page = await browser.newPage();
    await page.setViewport({ width: 1366, height: 860 });
    const outside = [];
    const cspErrors = [];
    page.on('request', (r) => { if (!r.url().startsWith(base) && !r.url().startsWith('data:')) outside.push(r.url()); });
    // the 401 before the token prompt is expected; anything else is a fault
    page.on('console', (m) => { if (m.type() === 'error' && !/status of 401/.test(m.text())) cspErrors.push(m.text()); });
    page.on('pageerror', (e) => cspErrors.push(String(e)));
    const resp = await page.goto(base + '/', { waitUntil: 'networkidle2' });
    ok(resp.status() === 200, 'GET / answers 200');
    // a token is configured: the page asks for it at once; go on without it
    let asked = true;
    try { await page.waitForSelector('#token-dialog[open]', { timeout: 5000 }); } catch (e) { asked = false; }
    ok(asked, 'the page asks for the token at once');
    await page.screenshot({ path: join(outDir, 'dashboard-token.png') });
    if (asked) await page.click('#token-form button[value="cancel"]');
    const csp = resp.headers()['content-security-policy'] || '';
    ok(/default-src 'none'/.test(csp) && /script-src 'self'/.test(csp) && !/unsafe/.test(csp),
      'a strict Content-Security-Policy', csp);

    await page.waitForSelector(`.conflict[data-id="${B.conflicts[0]}"] .hl-speaker`, { timeout: 15000 });
    const ids = await page.$$eval('#queue .conflict', (els) => els.map((e) => Number(e.dataset.id)));
    ok(ids.length === 2 && ids[0] === B.conflicts[0] && ids[1] === A.conflicts[0],
      'the queue lists both conflicts, newest first', JSON.stringify(ids));

    // The highlights of both sides of the astral conflict, against the
    // API's code point offsets into the article text.
    const card = `.conflict[data-id="${B.conflicts[0]}"]`;
    const got = await page.$$eval(`${card} .side`, (sides) => sides.map((s) => ({
      speaker: Array.from(s.querySelectorAll('.hl-speaker')).map((x) => x.textContent).join(''),
      cue: Array.from(s.querySelectorAll('.hl-cue')).map((x) => x.textContent).join(''),
      content: Array.from(s.querySelectorAll('.hl-content')).map((x) => x.textContent).join(''),
      sentence: s.querySelector('.sentence').textContent,
      name: s.querySelector('.speaker-name').textContent,
    })));
    for (let i = 0; i < 2; i++) {
      const cl = cB.claims[i];
      const want = {
        speaker: cl.speaker ? cps(astral, ...cl.speaker.span) : '',
        cue: cl.cue ? cps(astral, ...cl.cue.span) : '',
        content: cl.content_span ? cps(astral, ...cl.content_span) : '',
      };
      ok(got[i] && got[i].speaker === want.speaker && got[i].cue === want.cue && got[i].content === want.content,
        `side ${i + 1}: speaker, cue and content highlights are the API's spans`, JSON.stringify({ got: got[i], want }));
      ok(got[i] && got[i].sentence.includes(cps(astral, ...cl.span)), `side ${i + 1}: the claim stands in its sentence`,
        JSON.stringify(got[i]));
    }
    ok(got[0] && got[0].speaker === 'The mayor' && got[0].cue === 'said' &&
       got[0].content === 'the bridge \u{1D518} cost 40 million euros', 'the first side highlights "The mayor", "said" and the content',
       JSON.stringify(got[0]));
    ok(got[1] && got[1].speaker.startsWith('Budget chief Ann Lee') && got[1].cue.startsWith('denied'),
       'the second side highlights the denying speaker and cue', JSON.stringify(got[1]));
    const text = await page.$eval(card, (e) => e.textContent);
    ok(text.includes('north.test') && text.includes(cB.kind) && text.includes(cB.score.toFixed(2)) &&
       text.includes(cB.explanation), 'the card shows source, kind, score and explanation');
    const links = await page.$$eval(`${card} .links a`, (as) => as.map((a) => a.getAttribute('href')));
    ok(links.includes('https://north.test/bridge') && links.includes('/v1/articles/' + B.id),
      'links to the article and its stored text', JSON.stringify(links));
    await page.screenshot({ path: join(outDir, 'dashboard-queue.png') });

    // Confirm with a note: the write asks for the token first.
    const cardA = `.conflict[data-id="${A.conflicts[0]}"]`;
    await page.type(`${cardA} .note`, 'both quotes checked against the recording');
    await page.click(`${cardA} .confirm`);
    await page.waitForSelector('#token-dialog[open]', { timeout: 5000 });
    await page.type('#token-input', TOKEN);
    await page.click('#token-form button[value="save"]');
    await page.waitForFunction((sel) => document.querySelector(sel + ' .status').textContent === 'confirmed',
      { timeout: 10000 }, cardA);
    const api = await (await fetch(base + '/v1/conflicts/' + A.conflicts[0])).json();
    ok(api.status === 'confirmed' && api.review && api.review.note === 'both quotes checked against the recording',
      'the confirmation and its note are stored', JSON.stringify(api.review));
    await page.reload({ waitUntil: 'networkidle2' });
    await page.select('#f-status', '');
    await page.waitForFunction((sel) => {
      const e = document.querySelector(sel + ' .status');
      return e && e.textContent === 'confirmed';
    }, { timeout: 10000 }, cardA);
    const review = await page.$eval(`${cardA} .last-review`, (e) => e.textContent);
    ok(review.includes('both quotes checked'), 'after a reload the conflict is still confirmed, with its note', review);
    const order = await page.$$eval('#queue .conflict', (els) => els.map((e) => Number(e.dataset.id)));
    ok(order[0] === B.conflicts[0] && order[order.length - 1] === A.conflicts[0], 'open ones first', JSON.stringify(order));

    // A new conflict arrives from the stream without a reload.
    await page.select('#f-status', 'open');
    await page.waitForFunction(() => document.querySelectorAll('#queue .conflict').length === 1, { timeout: 5000 });
    await page.waitForFunction(() => document.querySelector('#live').classList.contains('on'), { timeout: 10000 });
    const C = await post({ source: 'west.test', url: 'https://west.test/tunnel', title: 'Tunnel',
      published_at: '2026-12-01T10:00:00Z', text: 'The minister said the tunnel cost 70 million dollars. Auditor Eva Holm denied that the tunnel cost 70 million dollars.' });
    let fresh = true;
    try {
      await page.waitForSelector(`.conflict.fresh[data-id="${C.conflicts[0]}"]`, { timeout: 10000 });
    } catch (e) { fresh = false; }
    ok(fresh, 'a new conflict appears without a reload', JSON.stringify(C));
    const first = await page.$eval('#queue .conflict', (e) => Number(e.dataset.id));
    ok(first === C.conflicts[0], 'the new conflict is on top', String(first));
    await sleep(300);
    await page.screenshot({ path: join(outDir, 'dashboard-live.png') });

    // The keyboard: j focuses the first conflict, d dismisses it.
    await page.focus('body');
    await page.keyboard.press('j');
    const focused = await page.evaluate(() => document.activeElement && document.activeElement.dataset.id);
    ok(Number(focused) === C.conflicts[0], 'j moves the focus to the first conflict', String(focused));
    await page.keyboard.press('d');
    await page.waitForFunction((id) => {
      const e = document.querySelector(`.conflict[data-id="${id}"] .status`);
      return e && e.textContent === 'dismissed';
    }, { timeout: 10000 }, C.conflicts[0]);
    const dc = await (await fetch(base + '/v1/conflicts/' + C.conflicts[0])).json();
    ok(dc.status === 'dismissed', 'd dismisses the conflict in focus', dc.status);

    // The events view.
    await page.click('#tab-events');
    await page.waitForSelector('#events .event', { timeout: 10000 });
    const evs = await page.$$eval('#events .event', (els) => els.map((e) => e.textContent));
    ok(evs.length >= 1 && evs.some((t) => /conflict/.test(t) && /source/.test(t)), 'the events view lists events with counts',
      JSON.stringify(evs).slice(0, 500));
    await page.click('#events .event details summary');
    await page.waitForFunction(() => /Sources: /.test(document.querySelector('#events .event details').textContent),
      { timeout: 10000 });
    await page.screenshot({ path: join(outDir, 'dashboard-events.png') });

    ok(outside.length === 0, 'nothing is loaded from another host', outside.join('\n'));
    ok(cspErrors.length === 0, 'no script errors or policy violations', cspErrors.join('\n'));
  } catch (e) {
    ok(false, 'the browser run completed', (e && e.stack) || String(e));
    if (log) ok(false, 'claimd log', log.slice(-3000));
  } finally {
    if (browser) await browser.close().catch(() => {});
    daemon.kill('SIGTERM');
    await new Promise((r) => { daemon.on('exit', r); setTimeout(r, 5000); });
    rmSync(tmp, { recursive: true, force: true });
  }
  console.log(`1..${n}`);
  return failed ? 1 : 0;
}

main().then((rc) => process.exit(rc), (e) => { console.log('Bail out! ' + e); process.exit(1); });
