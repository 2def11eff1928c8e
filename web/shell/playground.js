// The page side of the Rapport playground: the emscripten Module configuration, the bridge the
// C++ app calls (web/bridge.cpp: model calls with fetch, localStorage, share links compressed with
// deflate-raw in the URL fragment kept in the address bar as play goes on, files, clipboard,
// fonts), the input ImGui gets from the page (text through a hidden text field, so any script,
// IME and paste work; the wheel in notches), the accessible mirror of the transcript, and
// window.rapport, the hook tests drive.
'use strict';

(function () {
  const statusBox = document.getElementById('status');
  const canvas = document.getElementById('canvas');
  const textField = document.getElementById('text-input');
  const mirrorBox = document.getElementById('mirror');
  const kAutosaveKey = 'rapport.autosave';
  const kMaxEnvelopeBytes = 32 << 20;  // as core/share_link.h: inflating stops here
  const kFetchTimeoutMs = 180000;
  const controllers = new Map();
  let readyResolve;
  const ready = new Promise((resolve) => { readyResolve = resolve; });

  function showStatus(text, isError) {
    statusBox.textContent = text;
    statusBox.className = isError ? 'error' : (text ? '' : 'hidden');
  }

  // --- Fonts: the text font comes with the page (main() waits for it), CJK when first needed ---
  const fonts = {};
  function fetchFont(name) {
    return fetch('font-' + name + '.ttf').then((r) => (r.ok ? r.arrayBuffer() : null)).catch(() => null)
      .then((buffer) => { if (buffer) fonts[name] = new Uint8Array(buffer); return !!buffer; });
  }
  const uiFont = fetchFont('ui');
  // The WebAssembly downloads (and compiles, streaming) from now on, alongside the runtime's
  // script, instead of after that script has loaded and run.
  const kWasm = 'rapport_playground.wasm';
  const wasmResponse = fetch(kWasm, { credentials: 'same-origin' });
  const requestedFonts = new Set();

  // --- Waking the app: it draws only after something happened --------------------------------
  let runtimeReady = false;
  function wake() { if (runtimeReady) Module._rapport_wake(); }
  for (const type of ['pointermove', 'pointerdown', 'pointerup', 'keydown', 'keyup', 'resize', 'focus', 'blur']) {
    window.addEventListener(type, wake, true);
  }
  document.addEventListener('visibilitychange', wake);

  // --- The wheel, in notches (emscripten's GLFW passes raw pixels, the wrong way round) ---------
  canvas.addEventListener('wheel', (e) => {
    e.preventDefault();
    if (!runtimeReady) return;
    const unit = e.deltaMode === 1 ? 3 : e.deltaMode === 2 ? 0.1 : 100;  // lines, pages, pixels
    Module._rapport_wheel(-e.deltaX / unit, -e.deltaY / unit);
  }, { passive: false, capture: true });
  // A finger dragged over the canvas scrolls like a wheel (about 70 CSS pixels a notch).
  let touchY = null;
  canvas.addEventListener('touchstart', (e) => { touchY = e.touches.length === 1 ? e.touches[0].clientY : null; }, { passive: true });
  canvas.addEventListener('touchmove', (e) => {
    if (touchY === null || !runtimeReady || e.touches.length !== 1) return;
    const y = e.touches[0].clientY;
    Module._rapport_wheel(0, (y - touchY) / 70);
    touchY = y;
    e.preventDefault();
  }, { passive: false });

  // --- Text: typed, composed (IME) and pasted text reaches ImGui whole, in any script ----------
  let composing = false;
  let shortcutDown = false;  // Ctrl or Cmd: ImGui pastes itself on Ctrl+V
  function sendText(text) { if (text && runtimeReady) withString(text, (p) => Module._rapport_text(p)); }
  textField.addEventListener('compositionstart', () => { composing = true; });
  textField.addEventListener('compositionend', (e) => {
    composing = false;
    textField.value = '';
    sendText(e.data);
  });
  textField.addEventListener('input', (e) => {
    if (composing || e.isComposing) return;
    const text = textField.value;
    textField.value = '';
    if (e.inputType !== 'insertFromPaste') sendText(text);
  });
  window.addEventListener('keydown', (e) => { shortcutDown = e.ctrlKey || e.metaKey; }, true);
  window.addEventListener('keyup', (e) => { shortcutDown = e.ctrlKey || e.metaKey; }, true);
  function keepFocus() { if (document.activeElement !== textField) textField.focus({ preventScroll: true }); }
  canvas.addEventListener('mousedown', (e) => { e.preventDefault(); keepFocus(); });
  canvas.addEventListener('touchend', keepFocus);

  // --- The accessible mirror: the transcript as page text (screen readers, selecting, copying) --
  let mirrorShown = '';
  function drawMirror(json) {
    const m = JSON.parse(json);
    const [x, y, w, h] = m.rect;
    const text = m.lines.map((l) => l.who + ': ' + l.text).join('\n');
    if (text !== mirrorShown) {
      mirrorShown = text;
      mirrorBox.replaceChildren(...m.lines.map((l) => {
        const p = document.createElement('p');
        const who = document.createElement('b');
        who.textContent = l.who + ': ';
        p.append(who, l.text);
        return p;
      }));
    }
    if (w > 0) {
      mirrorBox.className = 'shown';
      Object.assign(mirrorBox.style, { left: x + 'px', top: y + 'px', width: w + 'px', height: h + 'px' });
    } else {
      mirrorBox.className = '';
      mirrorBox.removeAttribute('style');
    }
  }

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

  // The current episode as a link's fragment.
  async function makeFragment() {
    await ready;
    const envelope = call('rapport_envelope');
    if (!envelope) throw new Error('there is no episode to share');
    const compressed = await deflate(envelope);
    const ptr = Module._malloc(compressed.length);
    Module.HEAPU8.set(compressed, ptr);
    try {
      return withString(envelope, (e) => Module.UTF8ToString(Module._rapport_fragment(ptr, compressed.length, e)));
    } finally {
      Module._free(ptr);
    }
  }

  function showInAddressBar(fragment, newEntry) {
    lastLink = fragment;
    if (newEntry) history.pushState(null, '', '#' + fragment);
    else history.replaceState(null, '', '#' + fragment);
    rapportPage.storageSet(kAutosaveKey, fragment);
  }

  // "Copy share link": the link goes to the address bar, and to the clipboard where the browser
  // allows it; the app says which.
  async function shareLink() {
    const fragment = await makeFragment();
    const url = pageUrl() + '#' + fragment;
    showInAddressBar(fragment, false);
    let copied = false;
    if (navigator.clipboard && navigator.clipboard.writeText) {
      try { await navigator.clipboard.writeText(url); copied = true; } catch (e) { copied = false; }
    }
    withString(url, (u) => Module._rapport_link_ready(u, copied ? 1 : 0));
    return url;
  }

  // The address bar follows play: a new entry per episode (Back returns to the previous one),
  // the same entry as it goes on. One update at a time; a change meanwhile brings another.
  let addressBusy = false;
  let addressAgain = false;
  let addressNewEntry = false;
  function syncAddress(newEntry) {
    addressNewEntry = addressNewEntry || newEntry;
    if (addressBusy) {
      addressAgain = true;
      return;
    }
    addressBusy = true;
    setTimeout(async () => {
      const entry = addressNewEntry;
      addressNewEntry = false;
      try {
        showInAddressBar(await makeFragment(), entry);
      } catch (e) {
        console.warn('address bar:', e.message);
      } finally {
        addressBusy = false;
        if (addressAgain) {
          addressAgain = false;
          syncAddress(false);
        }
      }
    }, 120);
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
    const outcome = JSON.parse(call('rapport_link_finish', envelope));
    if (outcome.ok) rapportPage.storageSet(kAutosaveKey, link.includes('#') ? link.slice(link.indexOf('#') + 1) : link);
    return outcome;
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
    const started = performance.now();
    fetch(url, { method: 'POST', headers, body, signal: controller.signal })
      .then(async (response) => {
        const text = await response.text();
        finishFetch(id, response.status, text, '', performance.now() - started);
      })
      .catch((error) => {
        const e = timedOut ? { name: 'TimeoutError' } : error;
        finishFetch(id, 0, '', explainFetchError(url, e), performance.now() - started);
      })
      .finally(() => clearTimeout(timer));
  }
  function finishFetch(id, status, body, error, ms) {
    controllers.delete(id);
    withString(body, (b) => withString(error, (e) => Module._rapport_fetch_done(id, status, b, e, ms)));
  }

  // "Test connection": lists the server's models, and tells a server that is down from one that
  // is up but does not allow this page (CORS), and a rejected key from a wrong address.
  async function testConnection(base, key) {
    const root = base.replace(/\/+$/, '').replace(/\/chat\/completions$/, '');
    const url = root + '/models';
    const headers = key ? { Authorization: 'Bearer ' + key } : {};
    const started = performance.now();
    let response;
    try {
      response = await fetch(url, { headers, signal: AbortSignal.timeout(15000) });
    } catch (error) {
      let reachable = false;
      try { await fetch(url, { mode: 'no-cors', signal: AbortSignal.timeout(15000) }); reachable = true; } catch (e) { /* down */ }
      if (reachable) {
        return { ok: false, message: 'The server at ' + root + ' answers, but does not allow requests from this page ' +
          '(CORS): allow the origin ' + location.origin + ' (e.g. vLLM --allowed-origins \'["*"]\', ' +
          'llama.cpp server --cors), or use a proxy that adds Access-Control-Allow-Origin.' };
      }
      return { ok: false, message: 'Nothing answers at ' + root + ': the server is not running, or the address ' +
        'or port is wrong. Browser message: ' + (error && error.message ? error.message : String(error)) };
    }
    const ms = Math.round(performance.now() - started);
    const text = await response.text();
    if (response.status === 401 || response.status === 403) {
      return { ok: false, message: 'The server answers, but rejected the API key (HTTP ' + response.status + ')' +
        (key ? ': check it.' : ': it needs one.') };
    }
    if (response.status === 404) {
      return { ok: false, message: 'The server answers, but has no ' + url + ' (HTTP 404): the base URL usually ends in /v1.' };
    }
    if (!response.ok) return { ok: false, message: 'The server answered HTTP ' + response.status + ': ' + text.slice(0, 200) };
    let models = [];
    try { models = (JSON.parse(text).data || []).map((m) => m.id).filter(Boolean); } catch (e) { /* not a list */ }
    return { ok: true, message: 'Connected in ' + ms + ' ms' + (models.length ? ': models ' + models.slice(0, 8).join(', ') : '') + '.' };
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
    shareFromApp() { shareLink().catch((e) => console.warn('share link:', e.message)); },
    openFromApp(link) {
      openLink(link).then((r) => {
        if (r.ok) showInAddressBar(link.includes('#') ? link.slice(link.indexOf('#') + 1) : link, true);
      }).catch((e) => console.warn('open link:', e.message));
    },
    syncAddress,
    testConnection(role, base, key) {
      testConnection(base, key).then((r) => withString(r.message, (m) => Module._rapport_connection_tested(role, r.ok ? 1 : 0, m)));
    },
    origin() { return location.origin; },
    textInput(active) { textField.inputMode = active ? 'text' : 'none'; },
    mirror: drawMirror,
    fontSize(name) { return fonts[name] ? fonts[name].length : 0; },
    fontCopy(name, ptr) { Module.HEAPU8.set(fonts[name], ptr); },
    fontRequest(name) {
      if (requestedFonts.has(name)) return;
      requestedFonts.add(name);
      fetchFont(name).then((ok) => { if (ok) withString(name, (n) => Module._rapport_font_loaded(n)); });
    },
    download,
    pickFile,
    copy(text) { if (navigator.clipboard) navigator.clipboard.writeText(text).catch(() => {}); },
    firstFrame() {
      keepFocus();
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
    // main() starts once the text font is here (or known to be missing).
    preRun: [() => {
      Module.addRunDependency('font-ui');
      uiFont.then(() => Module.removeRunDependency('font-ui'));
    }],
    instantiateWasm(imports, receive) {
      const whole = () => fetch(kWasm, { credentials: 'same-origin' }).then((r) => r.arrayBuffer())
        .then((bytes) => WebAssembly.instantiate(bytes, imports));
      wasmResponse
        .then((response) => {
          if (!response.ok) throw new Error('its code could not be loaded (HTTP ' + response.status + ')');
          // A host that serves .wasm without its MIME type gets the slower whole-file path.
          return WebAssembly.instantiateStreaming ? WebAssembly.instantiateStreaming(response, imports).catch(whole) : whole();
        })
        .then((result) => receive(result.instance))
        .catch((e) => showStatus('The playground could not start: ' + e.message + '. Reload the page to try again.', true));
      return {};
    },
    print: (text) => console.log(text),
    printErr: (text) => console.warn(text),
    setStatus: (text) => { if (text) showStatus(text, false); },
    onAbort: (what) => showStatus('The playground stopped: ' + what + '. Reload the page to start again.', true),
    onRuntimeInitialized() {
      runtimeReady = true;
      readyResolve();
      // A link in the address bar opens once the app runs; without one, the autosaved episode.
      if (location.hash.length > 1) {
        lastLink = location.hash.slice(1);
        openLink(location.href);
      } else {
        const saved = rapportPage.storageGet(kAutosaveKey);
        if (saved) {
          lastLink = saved;
          history.replaceState(null, '', '#' + saved);
          openLink(location.href);
        }
      }
      // Emscripten's GLFW has no clipboard: hand the browser's paste to ImGui. Ctrl+V pastes it
      // there; a paste without the shortcut (a phone's menu) is typed in as text.
      document.addEventListener('paste', (e) => {
        e.preventDefault();
        const text = e.clipboardData ? e.clipboardData.getData('text') : '';
        if (!text) return;
        withString(text, (p) => Module._rapport_paste(p));
        if (!shortcutDown) sendText(text);
      });
      // Back and Forward: the entry's episode, or none before the first one.
      const followAddress = () => {
        const fragment = location.hash.slice(1);
        if (fragment === lastLink) return;
        lastLink = fragment;
        if (fragment) openLink(location.href);
        else Module._rapport_address_cleared();
      };
      window.addEventListener('popstate', followAddress);
      window.addEventListener('hashchange', followAddress);
    },
  };

  if (typeof WebAssembly !== 'object') showStatus('This browser has no WebAssembly: the playground cannot run.', true);
})();
