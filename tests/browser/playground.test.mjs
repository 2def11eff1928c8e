// The playground in a real browser (headless Chromium): it loads cleanly and draws with ImGui,
// plays scripted FunctionGym and TravelGym episodes, lets a model play through fetch (a fake
// OpenAI-compatible server on 127.0.0.1), round-trips share links to the identical transcript
// (checked again by the native `rapport replay`), and survives damaged links.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { resolve } from 'node:path';
import { test } from 'node:test';
import {
  appState, browser, openPage, pngColourCount, repoRoot, runCli, server, sharePlayground, waitFirstFrame, waitState,
} from './harness.mjs';

sharePlayground();

test('the page loads without console errors and ImGui draws frames', async () => {
  const { page, context, problems } = await openPage(browser, server.url);
  await waitFirstFrame(page);
  const state = await waitState(page, (s) => s.frames >= 3, 'a few frames');
  assert.ok(state.environments.includes('function'), 'FunctionGym is registered: ' + state.environments);
  assert.equal(state.has_episode, false);
  assert.deepEqual(problems, []);
  await context.close();
});

test('scripted FunctionGym and TravelGym episodes play through the test hook', async () => {
  const { page, context, problems } = await openPage(browser, server.url);
  await waitFirstFrame(page);
  const record = await page.evaluate(() => window.rapport.playScripted('function', 3));
  assert.equal(record.env, 'function');
  assert.equal(record.agent, 'scripted');
  assert.equal(record.stop_reason, 'terminated');
  assert.equal(record.metrics.success, true);
  assert.ok(record.turns.length >= 3);
  assert.match(record.turns[0].observation, /^Test case: \[/);

  const { environments } = await appState(page);
  if (environments.includes('travel')) {
    const travel = await page.evaluate(() => window.rapport.playScripted('travel', 1));
    assert.equal(travel.error, undefined, travel.error);
    assert.match(travel.env, /^travel/);
    assert.ok(travel.turns.length >= 2, 'TravelGym played some turns');
    assert.ok(travel.stop_reason.length > 0);
  } else {
    console.log('# TravelGym is not registered in this build; only FunctionGym was played');
  }
  // Every registered environment at least starts and ends under its scripted players.
  for (const env of environments) {
    const r = await page.evaluate((e) => window.rapport.playScripted(e, 2), env);
    assert.equal(r.error, undefined, `${env}: ${r.error}`);
    assert.ok(r.stop_reason.length > 0, `${env} ended`);
  }
  assert.deepEqual(problems, []);
  await context.close();
});

test('a person plays moves with the composer and forks from a turn', async () => {
  const { page, context, problems } = await openPage(browser, server.url);
  await waitFirstFrame(page);
  assert.ok(await page.evaluate(() => window.rapport.newEpisode('function(difficulty=easy)', 5)));
  let state = await waitState(page, (s) => s.awaiting_move, 'the first move');
  assert.ok(await page.evaluate(() => window.rapport.move('search', 'test')));
  assert.ok(await page.evaluate(() => window.rapport.move('action', '1 2 3 4')));
  state = await waitState(page, (s) => s.turns === 2 && s.awaiting_move, 'two turns');
  const record = JSON.parse(state.record);
  assert.equal(record.agent, 'playground');
  assert.match(record.turns[0].observation, /^Test case: /);
  assert.match(record.turns[1].observation, /^For numbers \[1\.0, 2\.0, 3\.0, 4\.0\], the function gives /);
  // The scripted baseline takes over and finishes.
  assert.ok(await page.evaluate(() => window.rapport.autopilot('scripted', true)));
  state = await waitState(page, (s) => s.finished, 'the autopilot to finish');
  assert.equal(state.stop_reason, 'terminated');
  // Fork after the first turn: the record's first turn is kept, the rest is open again.
  assert.ok(await page.evaluate(() => window.rapport.fork(1)));
  state = await waitState(page, (s) => s.live && s.awaiting_move, 'the fork');
  assert.equal(state.turns, 1);
  assert.equal(JSON.parse(state.record).turns[0].observation, record.turns[0].observation);
  assert.deepEqual(problems, []);
  await context.close();
});

test('the drawn UI answers a real mouse and keyboard', async () => {
  const { page, context, problems } = await openPage(browser, server.url);
  await waitFirstFrame(page);
  // ImGui reports where it drew the widgets; the clicks and keys go through the canvas as a
  // person's would (emscripten's GLFW to ImGui).
  const centre = ([x0, y0, x1, y1]) => [(x0 + x1) / 2, (y0 + y1) / 2];
  let state = await waitState(page, (s) => s.rects.new_episode, 'the New episode button');
  await page.mouse.click(...centre(state.rects.new_episode));
  // Clicked where the composer is first drawn: it stays there (its height is known before it is
  // drawn), so the click lands on it.
  state = await waitState(page, (s) => s.awaiting_move && s.rects.composer, 'a new episode');
  assert.equal(state.turns, 0);
  const first = state.rects.composer;
  await page.mouse.click(...centre(first));
  state = await waitState(page, (s) => s.text_input, 'the composer to take text', 5000);
  assert.deepEqual(state.rects.composer, first, 'the composer did not move after it appeared');
  await page.keyboard.type('1 2 3 4', { delay: 20 });
  await page.keyboard.press('Enter');
  state = await waitState(page, (s) => s.turns === 1, 'the typed move', 5000);
  const turn = JSON.parse(state.record).turns[0];
  assert.equal(turn.action, '[action] 1 2 3 4');
  assert.match(turn.observation, /^For numbers \[1\.0, 2\.0, 3\.0, 4\.0\], the function gives /);
  assert.deepEqual(problems, []);
  await context.close();
});

test('a share link replays to the identical transcript, in the browser and natively', async () => {
  const author = await openPage(browser, server.url);
  await waitFirstFrame(author.page);
  const record = await author.page.evaluate(() => window.rapport.playScripted('function(difficulty=hard)', 11));
  const original = (await appState(author.page)).record;
  const link = await author.page.evaluate(() => window.rapport.shareLink());
  assert.match(link, /#e3\.[0-9a-f]{16}\.[A-Za-z0-9_-]+$/);
  assert.ok(link.startsWith(server.url));
  assert.ok(!link.includes('sk-'), 'no secret in the link');
  await author.context.close();

  // A new visitor, with no settings and no key, opens the link.
  const viewer = await openPage(browser, link);
  await waitFirstFrame(viewer.page);
  const state = await waitState(viewer.page, (s) => s.replay_identical !== undefined, 'the link to open');
  assert.equal(state.error, '');
  assert.equal(state.replay_identical, true, state.replay_difference);
  assert.equal(state.record, original, 'byte-identical transcript');
  assert.equal(JSON.parse(state.record).turns.length, record.turns.length);
  assert.deepEqual(viewer.problems, []);
  await viewer.context.close();

  // The native runner replays the same link byte for byte: the logic is shared.
  const native = await runCli(['replay', link]);
  assert.equal(native.code, 0, native.out);
  assert.match(native.out, /byte-identical/);
});

test('a model plays through fetch; its answers travel in the link and replay without a key', async () => {
  // A fake OpenAI-compatible server with CORS: probes, asks for the test case, answers, finishes.
  const moves = [['search', 'test'], ['action', '2 3 5 7'], ['answer', '0'], ['finish', '']];
  let calls = 0;
  let sawKey = false;
  const fake = createServer((req, res) => {
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('Access-Control-Allow-Headers', 'content-type, authorization');
    if (req.method === 'OPTIONS') return res.end();
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      sawKey = sawKey || req.headers.authorization === 'Bearer sk-test-secret';
      const request = JSON.parse(body);
      const [choice, content] = moves[Math.min(calls++, moves.length - 1)];
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({
        id: 'x', object: 'chat.completion', model: request.model,
        choices: [{ index: 0, finish_reason: 'tool_calls', message: {
          role: 'assistant', content: '', reasoning_content: 'step ' + calls,
          tool_calls: [{ id: 'call_' + calls, type: 'function',
            function: { name: 'interact_with_env', arguments: JSON.stringify({ choice, content }) } }] } }],
        usage: { prompt_tokens: 10, completion_tokens: 5 },
      }));
    });
  });
  await new Promise((r) => fake.listen(0, '127.0.0.1', r));
  const baseUrl = `http://127.0.0.1:${fake.address().port}/v1`;
  try {
    const { page, context, problems } = await openPage(browser, server.url);
    await waitFirstFrame(page);
    await page.evaluate((b) => window.rapport.useSettings({ baseUrl: b, model: 'fake-model', apiKey: 'sk-test-secret' }), baseUrl);
    assert.ok(await page.evaluate(() => window.rapport.newEpisode('function', 7)));
    await waitState(page, (s) => s.awaiting_move, 'the first move');
    assert.ok(await page.evaluate(() => window.rapport.autopilot('model', true)));
    const state = await waitState(page, (s) => s.finished, 'the model to finish');
    const record = JSON.parse(state.record);
    assert.equal(record.turns.length, 4);
    assert.equal(record.turns[0].choice, 'search');
    assert.equal(record.turns[0].agent_calls.length, 1);
    assert.equal(record.turns[0].reasoning, 'step 1');
    assert.ok(sawKey, 'the key was sent to the model server');
    const link = await page.evaluate(() => window.rapport.shareLink());
    const envelope = await page.evaluate(() => window.rapport.state());
    assert.ok(!envelope.record.includes('sk-test-secret'));
    await context.close();

    // The viewer has no key and no server: the recorded answers replay the episode.
    fake.close();
    const viewer = await openPage(browser, link);
    await waitFirstFrame(viewer.page);
    const seen = await waitState(viewer.page, (s) => s.replay_identical !== undefined, 'the link to open');
    assert.equal(seen.replay_identical, true, seen.replay_difference);
    assert.equal(seen.record, state.record);
    assert.deepEqual(viewer.problems, []);
    await viewer.context.close();
    const native = await runCli(['replay', link]);
    assert.equal(native.code, 0, native.out);
    assert.deepEqual(problems, []);
  } finally {
    fake.close();
  }
});

test('an exported file replays natively and imports back to the identical transcript', async () => {
  const { page, context, problems } = await openPage(browser, server.url);
  await waitFirstFrame(page);
  await page.evaluate(() => window.rapport.playScripted('function(difficulty=easy)', 6));
  const original = (await appState(page)).record;
  const [download] = await Promise.all([page.waitForEvent('download'), page.evaluate(() => window.rapport.exportFile())]);
  const dir = resolve(repoRoot, 'build', 'browser-tests');
  mkdirSync(dir, { recursive: true });
  const file = resolve(dir, download.suggestedFilename());
  await download.saveAs(file);
  const text = readFileSync(file, 'utf8');
  assert.match(text, /^\{"format":"rapport-episode","version":2,/);
  const native = await runCli(['replay', file]);
  assert.equal(native.code, 0, native.out);
  assert.match(native.out, /byte-identical/);

  const viewer = await openPage(browser, server.url);
  await waitFirstFrame(viewer.page);
  const result = await viewer.page.evaluate((t) => window.rapport.importText(t), text);
  assert.equal(result.ok, true, result.error);
  assert.equal(result.identical, true, result.difference);
  assert.equal((await appState(viewer.page)).record, original);
  const bad = await viewer.page.evaluate(() => window.rapport.importText('{"format":"rapport-episode","version":1}'));
  assert.equal(bad.ok, false);
  assert.match(bad.error, /^This file could not be opened: .*no 'record'/);
  assert.deepEqual(problems, []);
  assert.deepEqual(viewer.problems, []);
  await viewer.context.close();
  await context.close();
});

test('an LLM user simulator answers through fetch and its calls replay from the link', async () => {
  // Simulator and judge calls carry no tools; they get text with hidden reasoning.
  let simulatorCalls = 0;
  const fake = createServer((req, res) => {
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('Access-Control-Allow-Headers', 'content-type, authorization');
    if (req.method === 'OPTIONS') return res.end();
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      const request = JSON.parse(body);
      if (!request.tools) simulatorCalls++;
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ choices: [{ index: 0, finish_reason: 'stop', message: {
        role: 'assistant', content: 'Yes', reasoning_content: 'the simulator thinks ' + simulatorCalls } }] }));
    });
  });
  await new Promise((r) => fake.listen(0, '127.0.0.1', r));
  try {
    const { page, context, problems } = await openPage(browser, server.url);
    await waitFirstFrame(page);
    await page.evaluate((b) => window.rapport.useSettings({ baseUrl: b, model: 'fake-user' }),
      `http://127.0.0.1:${fake.address().port}/v1`);
    const { environments } = await appState(page);
    const env = ['turtle', 'persuade', 'intention'].find((e) => environments.includes(e));
    assert.ok(env, 'an environment with an LLM user is registered');
    assert.ok(await page.evaluate((e) => window.rapport.newEpisode(e, 3, { llmUser: true }), env));
    await waitState(page, (s) => s.awaiting_move, 'the first move');
    assert.ok(await page.evaluate(() => window.rapport.move('action', 'Is it about a person?')));
    const state = await waitState(page, (s) => s.turns === 1 && (s.awaiting_move || s.finished), 'the simulated user');
    const record = JSON.parse(state.record);
    assert.equal(record.oracle, 'llm');
    assert.ok(record.turns[0].env_calls.length >= 1, 'the simulator was called');
    assert.ok(simulatorCalls >= 1);
    const link = await page.evaluate(() => window.rapport.shareLink());
    await context.close();
    fake.close();

    const viewer = await openPage(browser, link);
    await waitFirstFrame(viewer.page);
    const seen = await waitState(viewer.page, (s) => s.replay_identical !== undefined, 'the link to open');
    assert.equal(seen.replay_identical, true, seen.replay_difference);
    assert.equal(seen.record, state.record);
    assert.deepEqual(problems, []);
    assert.deepEqual(viewer.problems, []);
    await viewer.context.close();
    const native = await runCli(['replay', link]);
    assert.equal(native.code, 0, native.out);
  } finally {
    fake.close();
  }
});

test('an unreachable model server is explained and the episode waits', async () => {
  const { page, context } = await openPage(browser, server.url);
  await waitFirstFrame(page);
  await page.evaluate(() => window.rapport.useSettings({ baseUrl: 'http://127.0.0.1:9/v1', model: 'm' }));
  assert.ok(await page.evaluate(() => window.rapport.newEpisode('function', 1)));
  await waitState(page, (s) => s.awaiting_move, 'the first move');
  assert.ok(await page.evaluate(() => window.rapport.autopilot('model', false)));
  const state = await waitState(page, (s) => s.model_error !== '' && !s.calling_model, 'the failed call');
  assert.match(state.model_error, /Could not reach http:\/\/127\.0\.0\.1:9\/v1\/chat\/completions/);
  assert.match(state.model_error, /CORS/);
  assert.equal(state.finished, false, 'the episode is kept, waiting for a retry');
  await context.close();
});

test('damaged and tampered links show a clear error and the app keeps working', async () => {
  const author = await openPage(browser, server.url);
  await waitFirstFrame(author.page);
  await author.page.evaluate(() => window.rapport.playScripted('function', 4));
  const link = await author.page.evaluate(() => window.rapport.shareLink());
  await author.context.close();

  const fragment = link.slice(link.indexOf('#') + 1);
  const [prefix, checksum, data] = fragment.split('.');
  const damaged = [
    [server.url + '#' + fragment.slice(0, fragment.length - 30), /damaged/],
    [server.url + '#' + prefix + '.' + checksum + '.' + data.slice(0, 20) + '!!' + data.slice(22), /cannot occur/],
    [server.url + '#' + prefix + '.' + '0123456789abcdef' + '.' + data, /damaged or was altered/],
    [server.url + '#e9.0123456789abcdef.AAAA', /newer Rapport/],
    [server.url + '#hello', /not a Rapport episode link/],
  ];
  for (const [url, expected] of damaged) {
    const { page, context, problems } = await openPage(browser, url);
    await waitFirstFrame(page);
    const state = await waitState(page, (s) => s.error !== '', 'the error for ' + url.slice(0, 80));
    assert.match(state.error, /^This link could not be opened: /);
    assert.match(state.error, expected);
    // Still alive: frames go on and an episode plays.
    const record = await page.evaluate(() => window.rapport.playScripted('function', 1));
    assert.equal(record.stop_reason, 'terminated');
    const later = await waitState(page, (s) => s.frames > state.frames + 2, 'more frames');
    assert.equal(later.has_episode, true);
    assert.deepEqual(problems, []);
    await context.close();
  }
});

test('a screenshot of the app is saved and shows the rendered UI', async () => {
  const { page, context, problems } = await openPage(browser, server.url, { viewport: { width: 1400, height: 860 } });
  await waitFirstFrame(page);
  await page.evaluate(() => window.rapport.newEpisode('function', 2));
  await page.evaluate(async () => {
    await window.rapport.move('search', 'test');
    await window.rapport.move('action', '1 2 3 4');
    await window.rapport.autopilot('scripted', false);
  });
  await waitState(page, (s) => s.turns === 3, 'three turns');
  await page.waitForTimeout(300);  // a few frames with the new turns
  const png = await page.screenshot();
  const dir = resolve(repoRoot, 'build', 'screenshots');
  mkdirSync(dir, { recursive: true });
  const path = resolve(dir, 'playground.png');
  writeFileSync(path, png);
  console.log('# screenshot: ' + path);
  assert.ok(pngColourCount(png) > 20, 'the canvas shows a rendered UI, not a blank page');
  assert.deepEqual(problems, []);
  await context.close();
});
