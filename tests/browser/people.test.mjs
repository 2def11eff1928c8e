// The playground as people use it, with a real mouse and keyboard in headless Chromium: the
// wheel, high-DPI screens and phones, text in any script, taking over a conversation, selecting
// and copying text, layouts with nothing clipped, rounded numbers, the address bar as the app's
// state, model calls pending or failed, honest clipboard claims, and an idle page that draws
// nothing. Screenshots of each layout go to build/screenshots/.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { test } from 'node:test';
import {
  appState, browser, fakeModel, mirrorText, openPage, pngColourCount, repoRoot, server, sharePlayground, waitFirstFrame, waitState,
} from './harness.mjs';

sharePlayground();

const screenshots = resolve(repoRoot, 'build', 'screenshots');

async function screenshot(page, name) {
  mkdirSync(screenshots, { recursive: true });
  await page.waitForTimeout(150);
  const png = await page.screenshot();
  writeFileSync(resolve(screenshots, name + '.png'), png);
  assert.ok(pngColourCount(png) > 20, name + ': the canvas shows a rendered UI');
}

// Where a widget is drawn now (its rectangle's centre), once it is.
async function at(page, name) {
  const s = await waitState(page, (st) => st.rects && st.rects[name], 'the widget ' + name);
  const [x0, y0, x1, y1] = s.rects[name];
  return [(x0 + x1) / 2, (y0 + y1) / 2];
}

async function click(page, name) {
  await page.mouse.click(...(await at(page, name)));
}

function record(state) { return JSON.parse(state.record); }

async function startLive(page, spec, seed = 0) {
  assert.ok(await page.evaluate(([s, n]) => window.rapport.newEpisode(s, n), [spec, seed]));
  return waitState(page, (s) => s.awaiting_move && s.rects.composer, 'a live episode');
}

test('one wheel notch scrolls the transcript a few lines, in the direction turned', async () => {
  const { page, context, problems } = await openPage(browser, server.url);
  await waitFirstFrame(page);
  await page.evaluate(() => window.rapport.playScripted('travel', 1));
  let state = await waitState(page, (s) => s.scroll.transcript && s.scroll.transcript[1] > 400 &&
    s.scroll.transcript[0] === s.scroll.transcript[1], 'the transcript scrolled to its end');
  // Laid out for good (tables and wrapped text settle over a few frames).
  for (let settled = 0; settled < 3;) {
    await page.waitForTimeout(200);
    const again = await appState(page);
    settled = JSON.stringify(again.scroll.transcript) === JSON.stringify(state.scroll.transcript) ? settled + 1 : 0;
    state = again;
  }
  const [end] = state.scroll.transcript;
  assert.equal(end, state.scroll.transcript[1], 'the newest message is in view');
  const [x0, y0, x1, y1] = state.rects.transcript;
  await page.mouse.move(x0 + 30, (y0 + y1) / 2);  // over the transcript's labels, beside any table
  await page.mouse.wheel(0, -100);  // one notch up
  state = await waitState(page, (s) => s.scroll.transcript[0] !== end, 'the wheel to scroll');
  const up = end - state.scroll.transcript[0];
  assert.ok(up > 30 && up < 200, `one notch up scrolls a few lines towards the start (${up} px)`);
  await page.mouse.wheel(0, 100);  // and back down
  state = await waitState(page, (s) => s.scroll.transcript[0] === end, 'the wheel to scroll back');
  assert.deepEqual(problems, []);
  await context.close();
});

test('high-DPI screens get a sharp canvas and glyphs rasterised for their pixels', async () => {
  const hidpi = await browser.newContext({ viewport: { width: 1400, height: 860 }, deviceScaleFactor: 2 });
  const p = await hidpi.newPage();
  const problems = [];
  p.on('pageerror', (e) => problems.push(e.message));
  await p.goto(server.url);
  await waitFirstFrame(p);
  await startLive(p, 'travel', 2);
  await p.evaluate(() => window.rapport.move('search', 'flights'));
  const state = await waitState(p, (s) => s.font_scale === 2, 'an atlas at 2x');
  const canvas = await p.evaluate(() => [document.getElementById('canvas').width, document.getElementById('canvas').clientWidth]);
  assert.deepEqual(canvas, [2800, 1400], 'the canvas has a backing pixel per device pixel');
  // Layout stays in CSS pixels: the composer is where a 1x screen has it.
  assert.ok(state.rects.send[2] <= 1400);
  await click(p, 'composer');
  await p.keyboard.type('hi');
  await waitState(p, (s) => s.text_input, 'the composer to take text');
  await screenshot(p, 'hidpi-2x');
  assert.deepEqual(problems, []);
  await hidpi.close();
});

test('on a 412 px phone every panel is reachable and Send is on screen', async () => {
  const { page, context, problems } = await openPage(browser, server.url, { viewport: { width: 412, height: 860 } });
  await waitFirstFrame(page);
  await click(page, 'new_episode');
  // The new episode shows the conversation, with the composer and Send in view.
  let state = await waitState(page, (s) => s.awaiting_move && s.rects.send, 'the conversation tab');
  assert.ok(state.rects.send[2] <= 412 && state.rects.send[3] <= 860, 'Send is on screen: ' + state.rects.send);
  await click(page, 'composer');
  await page.keyboard.type('1 2 3 4');
  await click(page, 'send');
  state = await waitState(page, (s) => s.turns === 1, 'the move sent with Send');
  assert.equal(record(state).turns[0].action, '[action] 1 2 3 4');
  await screenshot(page, 'phone-conversation');
  await click(page, 'Results');
  state = await waitState(page, (s) => s.rects.share_link, 'the results tab');
  assert.ok(state.rects.import_file[2] <= 412, 'Import is on screen');
  await click(page, 'Setup');
  await waitState(page, (s) => s.rects.new_episode, 'the setup tab');
  assert.deepEqual(problems, []);
  await context.close();
});

test('text in any script is typed, pasted, stored, linked and drawn intact', async () => {
  const { page, context, problems } = await openPage(browser, server.url);
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await waitFirstFrame(page);
  await startLive(page, 'intention', 1);
  const typed = 'café Привет Γειά 你好 👋';
  await click(page, 'composer');
  await page.keyboard.type(typed);
  await page.keyboard.press('Enter');
  let state = await waitState(page, (s) => s.turns === 1, 'the typed move');
  assert.equal(record(state).turns[0].content, typed);
  // Pasted with Ctrl+V, through the browser's clipboard.
  const pasted = '日本語のテキスト 中文 😀';
  await page.evaluate((t) => navigator.clipboard.writeText(t), pasted);
  await click(page, 'composer');
  await page.keyboard.press('Control+V');
  await page.keyboard.press('Enter');
  state = await waitState(page, (s) => s.turns === 2, 'the pasted move');
  assert.equal(record(state).turns[1].content, pasted);
  // Drawn: the CJK font came when needed, and only the emoji lack a glyph.
  state = await waitState(page, (s) => s.cjk_font_loaded && s.glyphs_missing?.every((c) => c >= 0x1F000),
    'glyphs for every script but emoji');
  assert.ok(state.glyphs_missing.includes(0x1F44B), 'the emoji draws as the fallback glyph');
  // Linked: the link carries the text whole.
  const link = await page.evaluate(() => window.rapport.shareLink());
  const viewer = await openPage(browser, link);
  await waitFirstFrame(viewer.page);
  const seen = await waitState(viewer.page, (s) => s.replay_identical !== undefined, 'the link to open');
  assert.equal(seen.replay_identical, true, seen.replay_difference);
  assert.equal(record(seen).turns[0].content, typed);
  assert.equal(record(seen).turns[1].content, pasted);
  assert.match(await mirrorText(viewer.page), /café Привет Γειά 你好 👋/);
  await viewer.context.close();
  assert.deepEqual(problems, []);
  await context.close();
});

test('Korean is typed, pasted, stored and drawn with the Hangul font', async () => {
  const { page, context, problems } = await openPage(browser, server.url);
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await waitFirstFrame(page);
  await startLive(page, 'intention', 1);
  const typed = '안녕하세요, 여행 계획을 도와주세요';
  await click(page, 'composer');
  await page.keyboard.type(typed);
  await page.keyboard.press('Enter');
  let state = await waitState(page, (s) => s.turns === 1, 'the typed move');
  assert.equal(record(state).turns[0].content, typed);
  // Syllables and compatibility jamo, pasted with Ctrl+V.
  const pasted = '한국어 텍스트 ㅎㅎ 뷁';
  await page.evaluate((t) => navigator.clipboard.writeText(t), pasted);
  // Pasted in the frame of the click that activates the composer, as a quick hand does.
  const composer = await at(page, 'composer');
  await Promise.all([page.mouse.click(...composer), page.keyboard.press('Control+V')]);
  await page.keyboard.press('Enter');
  state = await waitState(page, (s) => s.turns === 2, 'the pasted move');
  assert.equal(record(state).turns[1].content, pasted);
  // Drawn: every Hangul character has its glyph, from the Hangul font alone.
  state = await waitState(page, (s) => s.hangul_font_loaded && s.glyphs_missing?.length === 0, 'glyphs for Hangul');
  assert.equal(state.cjk_font_requested, false, 'Hangul needs no CJK font');
  assert.match(await mirrorText(page), /안녕하세요, 여행 계획을 도와주세요/);
  assert.deepEqual(problems, []);
  await context.close();
});

test('"scripted: to the end" after a person\'s move continues from the conversation as it stands', async () => {
  const { page, context, problems } = await openPage(browser, server.url);
  await waitFirstFrame(page);
  const baseline = await page.evaluate(() => window.rapport.playScripted('travel', 3));
  assert.equal(baseline.turns[0].choice, 'search');
  await startLive(page, 'travel', 3);
  // The person makes the first move (Tab turns the choice from action to search).
  await click(page, 'composer');
  await page.keyboard.press('Tab');
  await page.keyboard.type(baseline.turns[0].content);
  await page.keyboard.press('Enter');
  await waitState(page, (s) => s.turns === 1 && s.awaiting_move, 'the person\'s search');
  await click(page, 'scripted_to_end');
  const state = await waitState(page, (s) => s.finished, 'the baseline to finish');
  const mine = record(state);
  assert.equal(mine.turns[0].action, baseline.turns[0].action);
  assert.deepEqual(state.movers.slice(0, 2), ['person', 'scripted']);
  // The baseline used what the person's search found: no repeated search, the same moves on.
  assert.deepEqual(mine.turns.map((t) => t.action), baseline.turns.map((t) => t.action));
  assert.ok(mine.turns.some((t) => t.choice === 'answer'), 'it recommends an option');
  assert.deepEqual(problems, []);
  await context.close();
});

test('conversation text can be selected and copied; the accessibility tree has the transcript', async () => {
  const { page, context, problems } = await openPage(browser, server.url);
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await waitFirstFrame(page);
  await page.evaluate(() => window.rapport.playScripted('function', 3));
  const state = await waitState(page, (s) => s.finished && s.rects.select_text, 'a finished episode');
  const observation = record(state).turns[0].observation;
  // Screen readers get the transcript.
  const cdp = await context.newCDPSession(page);
  const { nodes } = await cdp.send('Accessibility.getFullAXTree');
  const names = nodes.map((n) => (n.name && n.name.value) || '').join('\n');
  assert.ok(names.includes(observation.slice(0, 30)), 'the accessibility tree holds the conversation');
  // "select text" lays the transcript out as page text; a triple click selects a message.
  await click(page, 'select_text');
  await page.waitForFunction(() => document.getElementById('mirror').className === 'shown');
  const box = await page.locator('#mirror p', { hasText: observation.slice(0, 20) }).first().boundingBox();
  await page.mouse.click(box.x + 40, box.y + box.height / 2, { clickCount: 3 });
  await page.keyboard.press('Control+C');
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  assert.ok(copied.includes(observation.slice(0, 30)), 'the selected message was copied: ' + copied.slice(0, 80));
  assert.deepEqual(problems, []);
  await context.close();
});

test('Escape stops the autopilot and cancels its model call; Retry resumes it to the end', async () => {
  const moves = [{ choice: 'search', content: 'test' }, { choice: 'action', content: '2 3 5 7' },
    { choice: 'answer', content: '0' }, { choice: 'finish', content: '' }];
  let hold = true;
  let release = null;
  const fake = await fakeModel(async (request) => {
    const done = request.messages.filter((m) => m.role === 'tool').length;
    if (done === 1 && hold) await new Promise((r) => { release = r; });
    return moves[Math.min(done, moves.length - 1)];
  });
  try {
    const { page, context, problems } = await openPage(browser, server.url);
    await waitFirstFrame(page);
    await page.evaluate((b) => window.rapport.useSettings({ baseUrl: b, model: 'fake' }), fake.baseUrl);
    await startLive(page, 'function', 7);
    await click(page, 'model_to_end');
    // Pending: the half turn is neither drawn nor counted, the Stop button is in view.
    let state = await waitState(page, (s) => s.calling_model && s.turns === 2 && s.rects.stop, 'the held call');
    assert.equal(state.complete_turns, 1);
    const text = await mirrorText(page);
    assert.equal((text.match(/^Agent \d+:/gm) || []).length, 1, 'no half turn drawn');
    assert.equal((text.match(/Reward of turn/g) || []).length, 1, 'one turn in the rewards table');
    await page.keyboard.press('Escape');
    state = await waitState(page, (s) => !s.calling_model && s.model_error !== '', 'the cancelled call');
    assert.match(state.model_error, /Cancelled/);
    assert.equal(state.autorun, false);
    hold = false;
    if (release) release();
    await click(page, 'retry');
    state = await waitState(page, (s) => s.finished, 'the autopilot to carry on to the end');
    assert.equal(record(state).turns.length, 4);
    assert.deepEqual(problems, []);
    await context.close();
  } finally {
    fake.close();
  }
});

test('a failed model call is drawn as an error and leaves no half turn', async () => {
  const fake = await fakeModel(async () => null);  // every call fails with HTTP 500
  try {
    const { page, context, problems } = await openPage(browser, server.url);
    await waitFirstFrame(page);
    await page.evaluate((b) => window.rapport.useSettings({ baseUrl: b, model: 'fake' }), fake.baseUrl);
    await startLive(page, 'function', 7);
    await page.evaluate(() => window.rapport.move('search', 'test'));
    await click(page, 'model_step');
    const state = await waitState(page, (s) => s.model_error !== '' && !s.calling_model, 'the failed call');
    assert.equal(state.complete_turns, 1);
    const text = await mirrorText(page);
    assert.match(text, /Status: model call failed/);
    assert.match(text, /Error: HTTP 500/);
    assert.equal((text.match(/^Agent \d+:/gm) || []).length, 1, 'no half turn drawn');
    assert.equal((text.match(/Reward of turn/g) || []).length, 1);
    // The address bar never holds the half turn either.
    await page.waitForTimeout(600);
    const link = await page.evaluate(() => location.href);
    const viewer = await openPage(browser, link);
    await waitFirstFrame(viewer.page);
    const seen = await waitState(viewer.page, (s) => s.replay_identical !== undefined, 'the address bar link');
    assert.equal(seen.turns, 1);
    await viewer.context.close();
    assert.deepEqual(problems.filter((p) => !/Failed to load resource/.test(p)), []);
    await context.close();
  } finally {
    fake.close();
  }
});

test('nothing is clipped or overlapping, from 1920 px to a phone; screenshots of each', async () => {
  const wide = ['new_episode', 'share_link', 'export_file', 'import_file', 'composer', 'send', 'model_step',
    'model_to_end', 'scripted_step', 'scripted_to_end', 'select_text'];
  const sizes = [['wide', 1920, 1080], ['laptop', 1400, 860], ['small-laptop', 1280, 800], ['phone', 412, 860]];
  for (const [name, width, height] of sizes) {
    const { page, context, problems } = await openPage(browser, server.url, { viewport: { width, height } });
    await waitFirstFrame(page);
    await startLive(page, 'travel', 1);
    await page.evaluate(() => window.rapport.move('search', 'flights'));
    const check = async (names) => {
      const state = await waitState(page, (s) => s.turns === 1 && names.every((n) => s.rects[n]), name + ' widgets');
      for (const n of names) {
        const [x0, y0, x1, y1, cx0, cy0, cx1, cy1] = state.rects[n];
        assert.ok(x0 >= 0 && y0 >= 0 && x1 <= width && y1 <= height, `${name}: ${n} inside the window ${state.rects[n]}`);
        assert.ok(x0 >= cx0 - 1 && y0 >= cy0 - 1 && x1 <= cx1 + 1 && y1 <= cy1 + 1,
          `${name}: ${n} not clipped by its panel ${state.rects[n]}`);
      }
      for (const a of names) {
        for (const b of names) {
          if (a >= b) continue;
          const [a0, a1, a2, a3] = state.rects[a], [b0, b1, b2, b3] = state.rects[b];
          const overlap = Math.max(0, Math.min(a2, b2) - Math.max(a0, b0)) * Math.max(0, Math.min(a3, b3) - Math.max(a1, b1));
          assert.ok(overlap < 1, `${name}: ${a} and ${b} overlap`);
        }
      }
    };
    if (width >= 900) {
      await check(wide);
      await screenshot(page, name);
    } else {
      await waitState(page, (s) => s.rects.composer, 'the conversation tab');
      await check(['composer', 'send', 'model_step', 'model_to_end', 'scripted_step', 'scripted_to_end', 'select_text']);
      await screenshot(page, name);
      await click(page, 'Results');
      await check(['share_link', 'export_file', 'import_file']);
      await screenshot(page, name + '-results');
      await click(page, 'Setup');
      await check(['new_episode']);
      await screenshot(page, name + '-setup');
    }
    assert.deepEqual(problems, []);
    await context.close();
  }
});

test('numbers on screen are rounded; records keep the exact values', async () => {
  const { page, context, problems } = await openPage(browser, server.url);
  await waitFirstFrame(page);
  const { environments } = await appState(page);
  let previous = await mirrorText(page);
  for (const env of environments) {
    for (const seed of [1, 2, 3]) {
      const r = await page.evaluate(([e, s]) => window.rapport.playScripted(e, s), [env, seed]);
      assert.equal(r.error, undefined);
      await page.waitForFunction(([before, n]) => {
        const t = document.getElementById('mirror').innerText;
        return t !== before && (t.match(/^Agent \d+:/gm) || []).length === n;
      }, [previous, r.turns.length]);
      const text = await mirrorText(page);
      previous = text;
      // What the app computes and shows (rewards, scores, metrics, totals), not what the
      // environment said in its own words.
      const shown = text.split('\n').filter((l) => /^(Reward of turn \d+|Rewards|Metric .*|Group episode \d+|System): /.test(l))
        .map((l) => (l.startsWith('Reward of turn') ? l.slice(l.lastIndexOf(': raw ')) : l));  // not the move's own text
      assert.ok(shown.some((l) => l.startsWith('Rewards: ')), 'the totals are shown');
      const long = shown.join('\n').match(/\d\.\d{6,}/);
      assert.equal(long, null, `${env} seed ${seed} shows an unrounded number: ${long && long[0]}`);
    }
  }
  assert.deepEqual(problems, []);
  await context.close();
});

test('the address bar is the app state: it follows play, reloads, goes Back and Forward, autosaves', async () => {
  const { page, context, problems } = await openPage(browser, server.url);
  await waitFirstFrame(page);
  await click(page, 'new_episode');
  await waitState(page, (s) => s.awaiting_move, 'a new episode');
  await click(page, 'composer');
  await page.keyboard.type('1 2 3 4');
  await page.keyboard.press('Enter');
  const played = await waitState(page, (s) => s.turns === 1, 'the move');
  await page.waitForFunction(() => location.hash.length > 1);
  await page.waitForTimeout(400);  // the address bar catches up with the move
  const link = await page.evaluate(() => location.href);
  const opened = await openPage(browser, link);
  await waitFirstFrame(opened.page);
  const fromLink = await waitState(opened.page, (s) => s.replay_identical !== undefined, 'the address bar link');
  assert.equal(fromLink.record, played.record, 'the address bar holds the episode as played');
  await opened.context.close();
  // A reload shows the episode as it stood.
  await page.reload();
  await waitFirstFrame(page);
  let state = await waitState(page, (s) => s.has_episode, 'the episode after reload');
  assert.equal(state.record, played.record);
  // A new episode is a new history entry; Back returns to the previous one, then to none.
  await click(page, 'new_episode');
  await waitState(page, (s) => s.live && s.turns === 0, 'another episode');
  await page.waitForFunction((l) => location.href !== l, link);
  await page.goBack();
  state = await waitState(page, (s) => s.viewing && s.turns === 1, 'Back to the first episode');
  assert.equal(state.record, played.record);
  await page.goBack();
  state = await waitState(page, (s) => !s.has_episode, 'Back to no episode');
  await page.goForward();
  state = await waitState(page, (s) => s.has_episode && s.turns === 1, 'Forward to the first episode');
  // The picker follows an opened link's environment.
  const travel = await openPage(browser, server.url);
  await waitFirstFrame(travel.page);
  await travel.page.evaluate(() => window.rapport.playScripted('travel', 2));
  const travelLink = await travel.page.evaluate(() => window.rapport.shareLink());
  await travel.context.close();
  await page.goto(travelLink);
  await waitFirstFrame(page);
  state = await waitState(page, (s) => s.env && s.env.startsWith('travel') && s.replay_identical, 'the travel link');
  assert.match(state.spec, /^travel/);
  // Autosave: the page opened without a link restores the last episode.
  await page.goto(server.url);
  await waitFirstFrame(page);
  state = await waitState(page, (s) => s.has_episode, 'the autosaved episode');
  assert.match(state.env, /^travel/);
  assert.deepEqual(problems, []);
  await context.close();
});

test('"copied" is claimed only when the browser let the page write the clipboard', async () => {
  const denied = await openPage(browser, server.url, {
    init: () => Object.defineProperty(Navigator.prototype, 'clipboard', { get: () => undefined }),
  });
  await waitFirstFrame(denied.page);
  await denied.page.evaluate(() => window.rapport.playScripted('function', 1));
  await click(denied.page, 'share_link');
  let state = await waitState(denied.page, (s) => s.notice.startsWith('Link'), 'the link notice');
  assert.doesNotMatch(state.notice, /copied/);
  assert.match(state.notice, /no clipboard access/);
  await denied.context.close();

  const allowed = await openPage(browser, server.url);
  await allowed.context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await waitFirstFrame(allowed.page);
  await allowed.page.evaluate(() => window.rapport.playScripted('function', 1));
  await click(allowed.page, 'share_link');
  state = await waitState(allowed.page, (s) => s.notice.startsWith('Link'), 'the link notice');
  assert.match(state.notice, /^Link copied/);
  assert.equal(await allowed.page.evaluate(() => navigator.clipboard.readText()), state.link);
  assert.deepEqual(allowed.problems, []);
  await allowed.context.close();
});

test('idle, the page draws nothing; quick key presses are all kept', async () => {
  const { page, context, problems } = await openPage(browser, server.url);
  await waitFirstFrame(page);
  await startLive(page, 'function', 5);
  await page.waitForTimeout(500);
  const before = (await appState(page)).frames_drawn;
  await page.waitForTimeout(1000);
  assert.equal((await appState(page)).frames_drawn, before, 'no frames drawn while idle');
  await click(page, 'composer');
  await page.keyboard.type('1 2 3 45');
  await page.keyboard.press('Backspace');
  await page.keyboard.press('Backspace');
  await page.keyboard.type('4');
  await page.keyboard.press('Enter');
  const state = await waitState(page, (s) => s.turns === 1, 'the typed move');
  assert.equal(record(state).turns[0].action, '[action] 1 2 3 4');
  assert.deepEqual(problems, []);
  await context.close();
});

test('"Test connection" tells a CORS refusal, a rejected key and a working endpoint apart', async () => {
  const { createServer } = await import('node:http');
  const noCors = createServer((req, res) => { res.setHeader('Content-Type', 'application/json'); res.end('{"data":[]}'); });
  const keyed = createServer((req, res) => {
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('Access-Control-Allow-Headers', 'content-type, authorization');
    if (req.method === 'OPTIONS') return res.end();
    res.setHeader('Content-Type', 'application/json');
    if (req.headers.authorization !== 'Bearer sk-right') { res.statusCode = 401; return res.end('{"error":{"message":"bad key"}}'); }
    res.end('{"object":"list","data":[{"id":"tiny-model"}]}');
  });
  await Promise.all([noCors, keyed].map((s) => new Promise((r) => s.listen(0, '127.0.0.1', r))));
  const base = (s) => `http://127.0.0.1:${s.address().port}/v1`;
  try {
    const { page, context, problems } = await openPage(browser, server.url, { viewport: { width: 1400, height: 1400 } });
    await waitFirstFrame(page);
    let last = '';
    const tryIt = async (settings, expected) => {
      await page.evaluate((s) => window.rapport.useSettings(s), settings);
      await click(page, 'test_agent');
      const state = await waitState(page, (s) => s.connection[0][1] && s.connection[0][1] !== 'Testing...' &&
        s.connection[0][1] !== last, 'the diagnosis');
      last = state.connection[0][1];
      assert.match(last, expected);
      return state;
    };
    await tryIt({ baseUrl: base(noCors), model: 'm' }, /does not allow requests from this page \(CORS\)/);
    await tryIt({ baseUrl: base(keyed), model: 'm', apiKey: 'sk-wrong' }, /rejected the API key \(HTTP 401\)/);
    const ok = await tryIt({ baseUrl: base(keyed), model: 'm', apiKey: 'sk-right' }, /^Connected in \d+ ms: models tiny-model/);
    assert.equal(ok.connection[0][0], true);
    await tryIt({ baseUrl: 'http://127.0.0.1:9/v1', model: 'm' }, /Nothing answers at/);
    assert.deepEqual(problems.filter((p) => !/Failed to load resource|CORS policy/.test(p)), []);
    await context.close();
  } finally {
    noCors.close();
    keyed.close();
  }
});
