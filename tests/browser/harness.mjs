// Shared by the browser tests and the benchmark: finds the built playground and the native
// `rapport` program, serves the playground with `rapport serve` on 127.0.0.1, and starts the
// system's headless Chromium through playwright-core (which never downloads a browser).
import { spawn, execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before } from 'node:test';
import { inflateSync } from 'node:zlib';
import { chromium } from 'playwright-core';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

function firstExisting(label, envName, candidates, probe) {
  const given = process.env[envName];
  if (given) {
    if (!existsSync(probe(given))) throw new Error(`${envName}=${given} has no ${label}`);
    return given;
  }
  for (const c of candidates) if (existsSync(probe(resolve(repoRoot, c)))) return resolve(repoRoot, c);
  throw new Error(`no ${label} found (looked in ${candidates.join(', ')}); build it or set ${envName}`);
}

// The WebAssembly build's web folder (cmake --preset wasm && cmake --build --preset wasm).
export function webDir() {
  return firstExisting('built playground', 'RAPPORT_WEB_DIR', ['build/wasm/web', 'build/web/web'],
    (d) => resolve(d, 'rapport_playground.wasm'));
}

// The native CLI (cmake --preset release && cmake --build --preset release).
export function rapportCli() {
  return firstExisting('rapport program', 'RAPPORT_CLI',
    ['build/release/native/rapport', 'build/web-native/native/rapport'], (p) => p);
}

// Starts `rapport serve --port 0` and resolves once it prints its address.
export function serve(dir = webDir()) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(rapportCli(), ['serve', '--dir', dir, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const timer = setTimeout(() => reject(new Error('rapport serve did not start: ' + out)), 10000);
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const m = out.match(/http:\/\/127\.0\.0\.1:(\d+)\//);
      if (m) {
        clearTimeout(timer);
        resolvePromise({ url: m[0], stop: () => child.kill('SIGTERM') });
      }
    });
    child.stderr.on('data', (chunk) => { out += chunk; });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`rapport serve exited (${code}): ${out}`)); });
  });
}

// Runs the native `rapport` with arguments; resolves {code, out}.
export function runCli(args) {
  return new Promise((resolvePromise) => {
    execFile(rapportCli(), args, { maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
      resolvePromise({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, out: stdout + stderr });
    });
  });
}

export const chromiumArgs = [
  '--no-sandbox', '--use-gl=swiftshader', '--enable-unsafe-swiftshader', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

export async function launchBrowser() {
  // playwright-core makes its own fresh profile folder (--user-data-dir) for every launch.
  return chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true, args: chromiumArgs });
}

// The served playground and the browser the tests of one file share (each file runs in a process
// of its own): started before its first test, closed after its last.
export let server;
export let browser;
export function sharePlayground() {
  before(async () => {
    server = await serve();
    browser = await launchBrowser();
  });
  after(async () => {
    if (browser) await browser.close();
    if (server) server.stop();
  });
}

// A page that records console errors and uncaught exceptions.
export async function openPage(browser, url, { viewport = { width: 1400, height: 860 }, init } = {}) {
  const context = await browser.newContext({ viewport });
  if (init) await context.addInitScript(init);
  const page = await context.newPage();
  const problems = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push('console: ' + m.text()); });
  page.on('pageerror', (e) => problems.push('page error: ' + e.message));
  if (url) await page.goto(url);
  return { page, context, problems };
}

export async function waitFirstFrame(page, timeout = 30000) {
  await page.waitForFunction(() => window.rapport && window.rapport.firstFrame === true, null, { timeout });
}

export async function appState(page) {
  return page.evaluate(() => window.rapport.state());
}

// Decodes an 8-bit RGB(A) PNG (what Chromium's screenshots are) and counts its distinct colours:
// a blank or failed rendering has one or two.
export function pngColourCount(buffer) {
  let at = 8;
  let width = 0, height = 0, channels = 0;
  const idat = [];
  while (at < buffer.length) {
    const length = buffer.readUInt32BE(at);
    const type = buffer.toString('ascii', at + 4, at + 8);
    const data = buffer.subarray(at + 8, at + 8 + length);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      if (data[8] !== 8 || data[12] !== 0) throw new Error('unexpected PNG format');
      channels = { 2: 3, 6: 4 }[data[9]];
      if (!channels) throw new Error('unexpected PNG colour type ' + data[9]);
    } else if (type === 'IDAT') {
      idat.push(data);
    }
    at += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const prev = new Uint8Array(stride), line = new Uint8Array(stride);
  const colours = new Set();
  for (let y = 0; y < height; ++y) {
    const filter = raw[y * (stride + 1)];
    const src = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let x = 0; x < stride; ++x) {
      const a = x >= channels ? line[x - channels] : 0, b = prev[x], c = x >= channels ? prev[x - channels] : 0;
      let v = src[x];
      if (filter === 1) v += a;
      else if (filter === 2) v += b;
      else if (filter === 3) v += (a + b) >> 1;
      else if (filter === 4) {
        const p = a + b - c, pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
        v += pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      }
      line[x] = v & 255;
    }
    for (let x = 0; x < stride; x += channels) colours.add((line[x] << 16) | (line[x + 1] << 8) | line[x + 2]);
    prev.set(line);
  }
  return colours.size;
}

// Polls the app's state until `predicate` holds; fails with the last state seen.
export async function waitState(page, predicate, what, timeout = 20000) {
  const start = Date.now();
  let state;
  while (Date.now() - start < timeout) {
    state = await appState(page);
    if (predicate(state)) return state;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}; last state: ${JSON.stringify(state).slice(0, 600)}`);
}

// The accessible mirror's text: what the app shows, as page text.
export async function mirrorText(page) {
  return page.evaluate(() => document.getElementById('mirror').innerText);
}

// A fake OpenAI-compatible server (CORS allowed). `answer(request, index)` returns
// {choice, content} for a tool call, or a promise of one (to hold the call pending).
export async function fakeModel(answer) {
  const { createServer } = await import('node:http');
  let calls = 0;
  const server = createServer((req, res) => {
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('Access-Control-Allow-Headers', 'content-type, authorization');
    if (req.method === 'OPTIONS') return res.end();
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', async () => {
      const index = calls++;
      let move;
      try { move = await answer(JSON.parse(body), index); } catch (e) { move = null; }
      if (res.destroyed) return;
      if (!move) { res.statusCode = 500; return res.end('{"error":{"message":"the fake model failed"}}'); }
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({
        id: 'x', object: 'chat.completion', model: 'fake',
        choices: [{ index: 0, finish_reason: 'tool_calls', message: {
          role: 'assistant', content: '',
          tool_calls: [{ id: 'call_' + index, type: 'function',
            function: { name: 'interact_with_env', arguments: JSON.stringify(move) } }] } }],
        usage: { prompt_tokens: 10, completion_tokens: 5 },
      }));
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { server, baseUrl: `http://127.0.0.1:${server.address().port}/v1`, calls: () => calls, close: () => server.close() };
}
