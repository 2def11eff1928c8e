// The page side of the Rapport playground: the emscripten Module configuration, the bridge the
// C++ app calls (web/bridge.cpp: model calls with fetch, localStorage, share links compressed with
// deflate-raw in the URL fragment, files, clipboard), and window.rapport, the hook tests drive.
'use strict';

(function () {
  const statusBox = document.getElementById('status');
  const canvas = document.getElementById('canvas');
  const kMaxEnvelopeBytes = 32 << 20;  // as core/share_link.h: inflating stops here
  const kFetchTimeoutMs = 180000;
  const controllers = new Map();
  let readyResolve;
  const ready = new Promise((resolve) => { readyResolve = resolve; });

  function showStatus(text, isError) {
    statusBox.textContent = text;
    statusBox.className = isError ? 'error' : (text ? '' : 'hidden');
  }

  function fitCanvas() {
    // The GLFW window follows the canvas' CSS size (main.cpp reads it each frame).
    canvas.width = window.innerWidth;
    canvas.height = window.innerHeight;
  }
  window.addEventListener('resize', fitCanvas);
  fitCanvas();

  // --- Passing strings and bytes to C++ without the small emscripten stack ---------------------
  function withString(text, fn) {
    const size = Module.lengthBytesUTF8(text) + 1;
    const ptr = Module._malloc(size);
    Module.stringToUTF8(text, ptr, size);
    try { return fn(ptr); } finally { Module._free(ptr); }
  }
  function call(name, ...texts) {
    // Calls an exported C function whose arguments are all strings and which returns a string.
    const ptrs = texts.map((t) => {
      const size = Module.lengthBytesUTF8(t) + 1;
      const p = Module._malloc(size);
      Module.stringToUTF8(t, p, size);
      return p;
    });
    try {
      const result = Module['_' + name](...ptrs);
      return typeof result === 'number' ? Module.UTF8ToString(result) : result;
    } finally {
      ptrs.forEach((p) => Module._free(p));
    }
  }

  // --- Compression (the browser's own deflate-raw streams) -------------------------------------
  async function deflate(text) {
    const stream = new Blob([new TextEncoder().encode(text)]).stream().pipeThrough(new CompressionStream('deflate-raw'));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  }
  async function inflate(bytes) {
    const reader = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('deflate-raw')).getReader();
    const chunks = [];
    let total = 0;
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        total += value.length;
        if (total > kMaxEnvelopeBytes) {
          reader.cancel().catch(() => {});
          throw new Error('the link is damaged or hostile: its episode inflates beyond ' + kMaxEnvelopeBytes + ' bytes');
        }
        chunks.push(value);
      }
    } catch (e) {
      if (e instanceof Error && e.message.startsWith('the link')) throw e;
      throw new Error('the link is damaged: its data does not decompress (it may have been cut short)');
    }
    const out = new Uint8Array(total);
    let at = 0;
    for (const c of chunks) { out.set(c, at); at += c.length; }
    return new TextDecoder('utf-8', { fatal: false }).decode(out);
  }

  function pageUrl() { return location.href.split('#')[0]; }

  async function shareLink() {
    await ready;
    const envelope = call('rapport_envelope');
    if (!envelope) throw new Error('there is no episode to share');
    const compressed = await deflate(envelope);
    const ptr = Module._malloc(compressed.length);
    Module.HEAPU8.set(compressed, ptr);
    let fragment;
    try {
      fragment = withString(envelope, (e) => Module.UTF8ToString(Module._rapport_fragment(ptr, compressed.length, e)));
    } finally {
      Module._free(ptr);
    }
    const url = pageUrl() + '#' + fragment;
    lastLink = fragment;
    history.replaceState(null, '', '#' + fragment);
    call('rapport_link_ready', url);
    return url;
  }

  let lastLink = '';
  async function openLink(link) {
    await ready;
    const size = withString(link, (p) => Module._rapport_link_begin(p));
    if (size < 0) return { ok: false, error: Module.UTF8ToString(Module._rapport_error()) };
    const ptr = Module._rapport_link_data();
    const bytes = Module.HEAPU8.slice(ptr, ptr + size);
    let envelope;
    try {
      envelope = await inflate(bytes);
    } catch (e) {
      call('rapport_link_failed', e.message);
      return { ok: false, error: Module.UTF8ToString(Module._rapport_error()) };
    }
    return JSON.parse(call('rapport_link_finish', envelope));
  }

  // --- Model calls ------------------------------------------------------------------------------
  function explainFetchError(url, error) {
    if (error && error.name === 'AbortError') return 'Cancelled. Retry the call, or give it up.';
    if (error && error.name === 'TimeoutError') return 'The model did not answer in time (' + kFetchTimeoutMs / 1000 + ' s). Retry, or give the call up.';
    return 'Could not reach ' + url + ': the server is not running, the address is wrong, or it does not ' +
      'allow requests from this page (CORS; e.g. start vLLM with --allowed-origins \'["*"]\'). ' +
      'Browser message: ' + (error && error.message ? error.message : String(error));
  }

  function fetchStart(id, url, body, key, timeoutMs) {
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => { timedOut = true; controller.abort(); }, timeoutMs || kFetchTimeoutMs);
    controllers.set(id, controller);
    const headers = { 'Content-Type': 'application/json' };
    if (key) headers.Authorization = 'Bearer ' + key;
    fetch(url, { method: 'POST', headers, body, signal: controller.signal })
      .then(async (response) => {
        const text = await response.text();
        finishFetch(id, response.status, text, '');
      })
      .catch((error) => {
        const e = timedOut ? { name: 'TimeoutError' } : error;
        finishFetch(id, 0, '', explainFetchError(url, e));
      })
      .finally(() => clearTimeout(timer));
  }
  function finishFetch(id, status, body, error) {
    controllers.delete(id);
    withString(body, (b) => withString(error, (e) => Module._rapport_fetch_done(id, status, b, e)));
  }

  // --- Files ----------------------------------------------------------------------------------
  function download(name, text) {
    const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = name;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }
  function pickFile(kind) {
    const input = document.createElement('input');
    input.type = 'file';
    input.accept = '.json,.jsonl,.txt';
    input.onchange = async () => {
      const file = input.files && input.files[0];
      if (!file) return;
      const text = await file.text();
      withString(file.name, (n) => withString(text, (t) => Module._rapport_file(kind, n, t)));
    };
    input.click();
  }

  window.rapportPage = {
    fetchStart,
    fetchCancel(id) { const c = controllers.get(id); if (c) c.abort(); },
    storageGet(key) { try { return localStorage.getItem(key) || ''; } catch (e) { return ''; } },
    storageSet(key, value) { try { localStorage.setItem(key, value); } catch (e) { /* storage disabled */ } },
    shareFromApp() {
      shareLink().then((url) => navigator.clipboard && navigator.clipboard.writeText(url).catch(() => {}))
        .catch((e) => console.warn('share link:', e.message));
    },
    openFromApp(link) { openLink(link).catch((e) => console.warn('open link:', e.message)); },
    download,
    pickFile,
    copy(text) { if (navigator.clipboard) navigator.clipboard.writeText(text).catch(() => {}); },
    firstFrame() {
      window.rapport.firstFrame = true;
      window.rapport.firstFrameMs = performance.now();
      showStatus('', false);
    },
    canvasWidth() { return canvas.clientWidth || window.innerWidth; },
    canvasHeight() { return canvas.clientHeight || window.innerHeight; },
  };

  // The hook tests (and curious people) use: no pixel clicking needed.
  window.rapport = {
    ready,
    firstFrame: false,
    firstFrameMs: null,
    async playScripted(spec, seed) {
      await ready;
      return JSON.parse(call('rapport_play_scripted', spec, String(seed || 0)));
    },
    async newEpisode(spec, seed = 0, { taskIndex = 0, llmUser = false, maxTurns = 30 } = {}) {
      await ready;
      const ok = withString(spec, (s) => withString(String(seed), (sd) => withString(String(taskIndex),
        (ti) => Module._rapport_new_episode(s, sd, ti, llmUser ? 1 : 0, maxTurns))));
      return ok === 1;
    },
    async move(choice, content) {
      await ready;
      return withString(choice, (c) => withString(content, (t) => Module._rapport_move(c, t))) === 1;
    },
    async autopilot(mover, toEnd = false) {
      await ready;
      return withString(mover, (m) => Module._rapport_autopilot(m, toEnd ? 1 : 0)) === 1;
    },
    async fork(turns) { await ready; return Module._rapport_fork(turns) === 1; },
    async useSettings({ baseUrl = '', model = '', userModel = '', apiKey = '' } = {}) {
      await ready;
      call('rapport_use_settings', baseUrl, model, userModel, apiKey);
    },
    async exportFile() { await ready; Module._rapport_export(); },
    async importText(text) { await ready; return JSON.parse(call('rapport_import', text)); },
    shareLink,
    openLink,
    async state() { await ready; return JSON.parse(call('rapport_state')); },
  };

  window.Module = {
    canvas,
    print: (text) => console.log(text),
    printErr: (text) => console.warn(text),
    setStatus: (text) => { if (text) showStatus(text, false); },
    onAbort: (what) => showStatus('The playground stopped: ' + what + '. Reload the page to start again.', true),
    onRuntimeInitialized() {
      readyResolve();
      // A link in the address bar opens once the app runs; so does one pasted later.
      if (location.hash.length > 1) openLink(location.href);
      // Emscripten's GLFW has no clipboard: hand the browser's paste to ImGui (Ctrl+V pastes it).
      document.addEventListener('paste', (e) => {
        const text = e.clipboardData ? e.clipboardData.getData('text') : '';
        if (text) withString(text, (p) => Module._rapport_paste(p));
      });
      window.addEventListener('hashchange', () => {
        if (location.hash.length > 1 && location.hash.slice(1) !== lastLink) openLink(location.href);
      });
    },
  };

  if (typeof WebAssembly !== 'object') showStatus('This browser has no WebAssembly: the playground cannot run.', true);
})();
