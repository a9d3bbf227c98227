/*
 * Imuran (azathioprine) patient chat widget for the clinic's Rasa assistant.
 * Vanilla JS, no build step, no requests anywhere but the assistant's own server.
 *
 * Embed:  <script src="https://assistant.example.org/webhooks/widget/widget.js" defer></script>
 * Options on that tag: data-server="https://..." (API at <server>/webhooks/widget/),
 *                      data-title="..." (default "Imuran questions"), data-open="true".
 * Any element with a data-imw-open attribute opens the chat when clicked (no inline JS needed).
 * Server text is only ever inserted with textContent / text nodes, never as HTML.
 */
(function () {
  'use strict';
  if (window.ImuranWidget) return; // embedded twice: the first copy wins

  // document.currentScript is only set while this file first runs, so read it now.
  var script = document.currentScript ||
    document.querySelector('script[src*="widget.js"]');
  var scriptSrc = (script && script.src) || location.href;
  var attr = function (name) { return script ? script.getAttribute(name) : null; };

  var base = new URL('.', scriptSrc).href; // the API lives next to the script
  if (attr('data-server')) {
    try {
      base = new URL(attr('data-server').replace(/\/+$/, '') + '/webhooks/widget/', location.href).href;
    } catch (e) { /* malformed attribute: keep the script's own server */ }
  }
  var TITLE = attr('data-title') || 'Imuran questions';
  var TIMEOUT_MS = 15000;
  var KEEP = 100; // messages cached on this device
  var SENDER_RE = /^[A-Za-z0-9_-]{16,128}$/;
  var OFFLINE_TEXT = "I can't reach the assistant right now. Please try again in a minute. " +
    'If you have signs of infection, like a fever over 38 °C (100 °F), chills or a sore throat, ' +
    'call your doctor right away. In an emergency, call 911.';
  var INTRO_TEXT = 'Hello! I answer questions about Imuran (azathioprine) from the patient ' +
    'leaflet. I cannot see your medical records. In an emergency, call 911.';
  var ICONS = {
    chat: 'M20 2H4a2 2 0 0 0-2 2v18l4-4h14a2 2 0 0 0 2-2V4a2 2 0 0 0-2-2z',
    close: 'M19 6.41 17.59 5 12 10.59 6.41 5 5 6.41 10.59 12 5 17.59 6.41 19 12 13.41 17.59 19 19 17.59 13.41 12z',
    warn: 'M1 21h22L12 2 1 21zm12-3h-2v-2h2v2zm0-4h-2v-4h2v4z',
    phone: 'M6.62 10.79a15.05 15.05 0 0 0 6.59 6.59l2.2-2.2a1 1 0 0 1 1.02-.24c1.12.37 2.33.57 3.57.57a1 1 0 0 1 1 1V20a1 1 0 0 1-1 1A17 17 0 0 1 3 4a1 1 0 0 1 1-1h3.5a1 1 0 0 1 1 1c0 1.25.2 2.45.57 3.57a1 1 0 0 1-.25 1.02l-2.2 2.2z'
  };

  // ---- storage: private browsing or a full quota must never break the chat ----
  var store = {
    get: function (k) { try { return localStorage.getItem('imuranWidget.' + k); } catch (e) { return null; } },
    set: function (k, v) { try { localStorage.setItem('imuranWidget.' + k, v); } catch (e) { /* forget */ } }
  };

  function newSenderId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID(); // secure contexts only
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ('0' + b.toString(16)).slice(-2); }).join('');
  }
  var sender = store.get('sender');
  if (!sender || !SENDER_RE.test(sender)) {
    sender = newSenderId();
    store.set('sender', sender);
  }

  // ---- tiny DOM helpers ----
  function el(tag, attrs) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === 'text') node.textContent = attrs[k];
      else node.setAttribute(k, attrs[k]);
    });
    for (var i = 2; i < arguments.length; i++) node.append(arguments[i]);
    return node;
  }
  function icon(name, cls) {
    var ns = 'http://www.w3.org/2000/svg';
    var svg = document.createElementNS(ns, 'svg');
    svg.setAttribute('viewBox', '0 0 24 24');
    svg.setAttribute('aria-hidden', 'true');
    svg.setAttribute('focusable', 'false');
    svg.setAttribute('class', 'imw-svg ' + (cls || ''));
    var path = document.createElementNS(ns, 'path');
    path.setAttribute('d', ICONS[name]);
    svg.appendChild(path);
    return svg;
  }

  // ---- text rendering: line breaks, "- " lists, http(s) links, phone numbers ----
  var TOKEN = /(https?:\/\/[^\s<>"']+)|(\b1-\d{3}-\d{3}-\d{4}\b|\(\d{3}\) ?\d{3}-\d{4}\b|\b\d{3}-\d{3}-\d{4}\b|\b911\b)/g;
  function renderInline(parent, line) {
    var last = 0, m;
    TOKEN.lastIndex = 0;
    while ((m = TOKEN.exec(line))) {
      var token = m[0], trail = '';
      if (m[1]) { // "see https://x.org." - the full stop is not part of the link
        var t = token.match(/[.,;:!?'"\]]+$|\)+$/);
        if (t && !(t[0][0] === ')' && token.indexOf('(') >= 0)) trail = t[0];
        token = token.slice(0, token.length - trail.length);
      }
      parent.append(line.slice(last, m.index));
      var a = el('a', { text: token });
      if (m[1]) {
        a.href = token;
        a.target = '_blank';
        a.rel = 'noopener noreferrer';
        a.append(el('span', { 'class': 'imw-sr-only', text: ' (opens in a new tab)' }));
      } else {
        a.href = 'tel:' + token.replace(/[^\d+]/g, '');
      }
      parent.append(a, trail);
      last = m.index + m[0].length;
    }
    parent.append(line.slice(last));
  }
  function renderText(container, text) {
    var p = null, ul = null;
    String(text).split(/\r?\n/).forEach(function (line) {
      var item = /^\s*[-•]\s+/.exec(line);
      if (item) {
        p = null;
        if (!ul) container.append(ul = el('ul'));
        var li = el('li');
        renderInline(li, line.slice(item[0].length));
        ul.append(li);
        return;
      }
      ul = null;
      if (!line.trim()) { p = null; return; } // blank line: new paragraph
      if (p) p.append(el('br')); else container.append(p = el('p'));
      renderInline(p, line);
    });
  }

  // ---- build the widget ----
  var root = el('div', { id: 'imuran-widget', lang: 'en', dir: 'ltr', hidden: '' });
  var launcher = el('button', { id: 'imw-launcher', 'class': 'imw-launcher', type: 'button',
    'aria-expanded': 'false', 'aria-controls': 'imw-panel' },
  icon('chat'), el('span', { text: 'Questions about Imuran?' }));
  var closeBtn = el('button', { 'class': 'imw-close', type: 'button', 'aria-label': 'Close chat' }, icon('close'));
  var nurseBar = el('div', { 'class': 'imw-nurse', role: 'status' });
  var intro = el('div', { 'class': 'imw-intro' });
  renderText(intro, INTRO_TEXT);
  var log = el('div', { id: 'imw-log', 'class': 'imw-log', role: 'log', 'aria-live': 'polite',
    'aria-label': 'Conversation' });
  var dot = function () { return el('span', { 'class': 'imw-dot', 'aria-hidden': 'true' }); };
  var typing = el('div', { 'class': 'imw-typing', role: 'status', hidden: '' }, dot(), dot(), dot(),
    el('span', { 'class': 'imw-sr-only', text: 'The assistant is typing…' }));
  var notices = el('div', { 'class': 'imw-notices' });
  var scroller = el('div', { 'class': 'imw-body' }, intro, log, typing, notices);
  var input = el('textarea', { id: 'imw-input', 'class': 'imw-input', rows: '1',
    placeholder: 'Type your question…', enterkeyhint: 'send', autocomplete: 'off',
    'aria-describedby': 'imw-hint' });
  var sendBtn = el('button', { id: 'imw-send', 'class': 'imw-send', type: 'submit', text: 'Send' });
  var form = el('form', { 'class': 'imw-composer', novalidate: '' },
    el('label', { 'for': 'imw-input', 'class': 'imw-sr-only', text: 'Your message' }), input, sendBtn);
  var hint = el('p', { id: 'imw-hint', 'class': 'imw-hint', 'aria-live': 'polite' });
  var footer = el('p', { 'class': 'imw-footer' });
  renderInline(footer, 'Not for emergencies. In an emergency, call 911.');
  var panel = el('div', { id: 'imw-panel', 'class': 'imw-panel', role: 'dialog', 'aria-label': TITLE, hidden: '' },
    el('div', { 'class': 'imw-header' }, el('h2', { 'class': 'imw-title', text: TITLE }), closeBtn),
    nurseBar, scroller, form, hint, footer);
  root.append(panel, launcher);

  // ---- state ----
  var convo = [];      // messages the server has (or had, when offline), in order
  var busy = false;    // one message in flight at a time keeps the order simple
  var sendSeq = 0;     // lets a history poll notice that a send happened meanwhile
  var pending = null;  // the message to resend with Retry
  var needFullSync = false, paused = false, isOpen = false, pollTimer = null;

  function save() { store.set('history', JSON.stringify(convo.slice(-KEEP))); }

  function clean(m) { // keep only what we render, whatever the server adds
    if (!m || typeof m !== 'object') return null;
    var buttons = Array.isArray(m.buttons) ? m.buttons.filter(function (b) {
      return b && typeof b.title === 'string';
    }).map(function (b) {
      return { title: b.title, payload: typeof b.payload === 'string' ? b.payload : b.title };
    }) : [];
    if (typeof m.text !== 'string' && !buttons.length) return null;
    var out = { from: m.from === 'user' ? 'user' : 'bot', text: m.text || '', kind: m.kind };
    if (buttons.length) out.buttons = buttons;
    return out;
  }

  // ---- rendering messages ----
  function scrollTo(node) {
    // A long answer is scrolled so its first line shows; otherwise the browser clamps to the end.
    scroller.scrollTop = node ? node.offsetTop - 12 : scroller.scrollHeight;
  }

  function addMessage(m) {
    var from = m.from === 'user' ? 'user' : 'bot';
    if (from === 'user') m = { from: 'user', text: buttonTitle(m.text), kind: m.kind };
    var kind = typeof m.kind === 'string' && /^[a-z_-]{1,24}$/.test(m.kind) ? m.kind
      : (from === 'user' ? 'user' : 'answer');
    var msg = el('div', { 'class': 'imw-msg imw-' + kind, 'data-from': from, 'data-kind': kind });
    var alarming = from === 'bot' && (kind === 'urgent' || kind === 'emergency');
    if (alarming) {
      msg.setAttribute('role', 'alert');
      msg.append(icon('warn', 'imw-icon'));
    }
    var text = el('div', { 'class': 'imw-text' });
    // Our icon replaces a leading warning emoji; the emoji stays in the text, just not shown twice.
    var lead = alarming && /^\s*(?:\u26A0\uFE0F?|\uD83D\uDEA8)\s*/.exec(m.text);
    if (lead) text.append(el('span', { 'class': 'imw-dup', 'aria-hidden': 'true', text: lead[0] }));
    renderText(text, lead ? m.text.slice(lead[0].length) : m.text);
    msg.append(text);

    var last = log.lastElementChild;
    if (kind === 'citation' && from === 'bot' && last && last.getAttribute('data-from') === 'bot') {
      // The citation belongs to the answer above it: same group, before any reply buttons.
      last.insertBefore(msg, last.querySelector('.imw-buttons'));
      return last;
    }
    var group = el('div', { 'class': 'imw-group' + (alarming ? ' imw-group-alert' : ''), 'data-from': from }, msg);
    if (from === 'user') {
      // Any reply makes earlier suggestion buttons stale; remember them in case the send fails.
      group.imwDisabled = Array.prototype.filter.call(log.querySelectorAll('.imw-button'), function (b) {
        return !b.disabled;
      });
      group.imwDisabled.forEach(function (b) { b.disabled = true; });
    }
    if (kind === 'emergency' && /\b911\b/.test(m.text)) {
      // One big tap target on a phone, in addition to the linked number in the text.
      group.append(el('a', { 'class': 'imw-call', href: 'tel:911' }, icon('phone'), 'Call 911'));
    }
    if (m.buttons && m.buttons.length) {
      var wrap = el('div', { 'class': 'imw-buttons', role: 'group', 'aria-label': 'Suggested replies' });
      m.buttons.forEach(function (b) {
        var btn = el('button', { type: 'button', 'class': 'imw-button', text: b.title });
        btn.imwPayload = b.payload;
        btn.addEventListener('click', function () {
          if (busy) return;
          btn.classList.add('imw-chosen');
          input.focus(); // the clicked button is about to be disabled; keep focus somewhere useful
          send(b.payload, b.title, false);
        });
        wrap.append(btn);
      });
      group.append(wrap);
    }
    log.append(group);
    return group;
  }

  // History stores a button click as its payload ("/affirm"); show the title the user clicked.
  function buttonTitle(text) {
    var groups = log.querySelectorAll('.imw-buttons');
    var last = groups[groups.length - 1];
    var hit = last && Array.prototype.find.call(last.children, function (b) {
      return b.imwPayload === text || b.imwPayload.replace(/^\/+/, '') === text;
    });
    return hit ? hit.textContent : text;
  }

  function renderAll(messages) {
    log.replaceChildren();
    convo = [];
    messages.forEach(function (m) { addMessage(m); convo.push(m); });
    scrollTo();
  }

  function setPaused(on) {
    if (on === paused) return; // unchanged text is not re-announced
    paused = on;
    nurseBar.textContent = on ? 'A nurse has joined this conversation' : '';
    schedulePoll();
  }

  function setTyping(on) {
    typing.hidden = !on;
    if (on) scrollTo();
  }

  function showNotice(cls, text, onRetry) {
    var box = el('div', { 'class': 'imw-notice-box ' + cls, role: 'alert' });
    var p = el('p');
    box.append(p);
    renderInline(p, text);
    if (onRetry) {
      var retry = el('button', { type: 'button', 'class': 'imw-retry', text: 'Retry' });
      retry.addEventListener('click', function () { input.focus(); onRetry(); });
      box.append(retry);
    }
    notices.replaceChildren(box);
    scrollTo();
  }

  function clearFailures() {
    notices.replaceChildren();
    Array.prototype.forEach.call(log.querySelectorAll('.imw-failed, .imw-local'), function (n) { n.remove(); });
  }

  // ---- network ----
  function request(method, path, payload) {
    var ctrl = new AbortController();
    var timer = setTimeout(function () { ctrl.abort(); }, TIMEOUT_MS);
    return fetch(base + path, {
      method: method,
      signal: ctrl.signal,
      credentials: 'omit',
      cache: 'no-store',
      headers: payload ? { 'Content-Type': 'application/json' } : {},
      body: payload ? JSON.stringify(payload) : undefined
    }).then(function (res) {
      return res.json().catch(function () { return null; }).then(function (data) {
        return { status: res.status, data: data };
      });
    }).finally(function () { clearTimeout(timer); });
  }

  // Sends one message. `shown` is what the user's bubble says (a button's title);
  // `typed` says the text came from the input box, which is cleared only once the server has it.
  function send(message, shown, typed) {
    if (busy) return;
    busy = true;
    sendSeq++;
    clearFailures();
    hint.textContent = '';
    sendBtn.setAttribute('aria-disabled', 'true');
    var userMsg = { from: 'user', text: shown, kind: 'user' };
    var group = addMessage(userMsg);
    scrollTo();
    setTyping(true);
    request('POST', 'webhook', { sender: sender, message: message })
      .catch(function () { return null; }) // network error or 15 s timeout
      .then(function (res) {
        busy = false;
        sendBtn.removeAttribute('aria-disabled');
        setTyping(false);
        if (res && res.status === 200 && Array.isArray(res.data)) {
          pending = null;
          if (typed && input.value.trim() === message) { input.value = ''; resizeInput(); }
          convo.push(userMsg);
          var first = null;
          res.data.map(clean).filter(Boolean).forEach(function (m) {
            m.from = 'bot';
            var g = addMessage(m);
            first = first || g;
            convo.push(m);
          });
          save();
          scrollTo(first);
          if (needFullSync) { needFullSync = false; sync(true); }
          return;
        }
        // Not accepted: the text stays in the box (or the button can be pressed again).
        group.classList.add('imw-failed');
        group.append(el('span', { 'class': 'imw-failed-note', text: 'Not sent' }));
        (group.imwDisabled || []).forEach(function (b) { b.disabled = false; b.classList.remove('imw-chosen'); });
        pending = { message: message, shown: shown, typed: typed };
        var data = res && res.data && typeof res.data === 'object' ? res.data : {};
        if (res && res.status === 413) {
          var g = addMessage({ from: 'bot', kind: 'notice', text: typeof data.text === 'string' ? data.text
            : 'That message is too long for me. Please send a shorter question.' });
          g.classList.add('imw-local');
          scrollTo();
        } else if (res && res.status === 400) {
          showNotice('imw-error', 'Sorry, I could not send that message. ' +
            (typeof data.error === 'string' ? data.error : 'Please change it a little and try again.'));
        } else {
          showNotice('imw-offline', OFFLINE_TEXT, retry);
        }
      });
  }

  function retry() {
    if (!pending) return;
    if (pending.typed) submitInput();
    else send(pending.message, pending.shown, false);
  }

  function submitInput() {
    var text = input.value.trim();
    if (!text) {
      hint.textContent = 'Please type your question first.';
      input.focus();
      return;
    }
    if (busy) {
      hint.textContent = 'One moment – I am still answering your last message.';
      return;
    }
    send(text, text, true);
  }

  // History: a full sync replaces what is shown; a poll only appends what is new
  // (e.g. a nurse's reply). If the two disagree, the server's copy wins.
  function sync(full) {
    var seq = sendSeq;
    return request('GET', 'history?sender=' + encodeURIComponent(sender))
      .catch(function () { return null; })
      .then(function (res) {
        if (busy || seq !== sendSeq) { if (full) needFullSync = true; return; }
        if (!res || (res.status !== 200 && res.status !== 404)) return; // offline: keep the cached copy
        var data = res.status === 200 && res.data && typeof res.data === 'object' ? res.data : {};
        var msgs = (Array.isArray(data.messages) ? data.messages : []).map(clean).filter(Boolean);
        setPaused(data.paused === true);
        var n = convo.length;
        var lastOk = n === 0 || (msgs.length >= n && msgs[n - 1].from === convo[n - 1].from &&
          (convo[n - 1].from === 'user' || msgs[n - 1].text === convo[n - 1].text));
        if (full || !lastOk) {
          renderAll(msgs);
        } else if (msgs.length > n) {
          var first = null;
          msgs.slice(n).forEach(function (m) { var g = addMessage(m); first = first || g; convo.push(m); });
          scrollTo(first);
        } else return; // nothing new
        save();
      });
  }

  function schedulePoll() {
    clearTimeout(pollTimer);
    if (!isOpen) return;
    // Faster while a nurse is in the conversation: their replies arrive only through history.
    pollTimer = setTimeout(function () {
      var p = (document.hidden || busy) ? Promise.resolve() : sync(false);
      p.then(schedulePoll);
    }, paused ? 4000 : 15000);
  }

  // ---- open / close ----
  function open(focusInput) {
    if (!isOpen) {
      isOpen = true;
      panel.hidden = false;
      launcher.setAttribute('aria-expanded', 'true');
      document.documentElement.classList.add('imw-lock'); // stops the page scrolling under a full-screen panel
      store.set('open', 'true');
      scrollTo();
      schedulePoll();
    }
    if (focusInput !== false) input.focus();
  }
  function close(returnFocus) {
    if (!isOpen) return;
    isOpen = false;
    panel.hidden = true;
    launcher.setAttribute('aria-expanded', 'false');
    document.documentElement.classList.remove('imw-lock');
    store.set('open', 'false');
    clearTimeout(pollTimer);
    if (returnFocus !== false) launcher.focus();
  }

  function resizeInput() {
    input.style.height = 'auto';
    var h = input.scrollHeight + 4; // + the 2px borders (border-box sizing)
    input.style.height = Math.min(h, 140) + 'px';
    input.style.overflowY = h > 140 ? 'auto' : 'hidden'; // no scrollbar until it is needed
  }

  // ---- events ----
  launcher.addEventListener('click', function () {
    if (isOpen) close(); else { open(); sync(false); }
  });
  closeBtn.addEventListener('click', function () { close(); });
  form.addEventListener('submit', function (e) { e.preventDefault(); submitInput(); });
  input.addEventListener('keydown', function (e) {
    // Enter sends, Shift+Enter is a newline; never interrupt an IME composition.
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing && e.keyCode !== 229) {
      e.preventDefault();
      submitInput();
    }
  });
  input.addEventListener('input', function () {
    if (input.value.trim()) hint.textContent = '';
    resizeInput();
  });
  root.addEventListener('keydown', function (e) {
    if (e.key === 'Escape' && isOpen && !e.isComposing) { e.preventDefault(); close(); return; }
    // Full-screen on a phone the panel covers the page, so Tab stays inside it.
    if (e.key === 'Tab' && isOpen && window.matchMedia('(max-width: 479.98px)').matches) {
      var items = Array.prototype.filter.call(panel.querySelectorAll('button, a[href], textarea'), function (n) {
        return !n.disabled && n.offsetParent !== null;
      });
      var first = items[0], last = items[items.length - 1];
      if (e.shiftKey && document.activeElement === first) { e.preventDefault(); last.focus(); }
      else if (!e.shiftKey && document.activeElement === last) { e.preventDefault(); first.focus(); }
    }
  });
  document.addEventListener('click', function (e) {
    var t = e.target && e.target.closest && e.target.closest('[data-imw-open]');
    if (t && !root.contains(t)) { e.preventDefault(); open(); sync(false); }
  });
  document.addEventListener('visibilitychange', function () {
    if (!document.hidden && isOpen && !busy) sync(false);
  });

  // ---- start ----
  function start() {
    // Stylesheet from the script's own directory; the widget stays hidden until it applies,
    // so the page never shows unstyled controls (shown anyway if the CSS cannot load).
    var reveal = function () { root.hidden = false; };
    var css = el('link', { rel: 'stylesheet', href: new URL('widget.css', scriptSrc).href });
    css.addEventListener('load', reveal);
    css.addEventListener('error', reveal);
    setTimeout(reveal, 4000);
    document.head.append(css);
    document.body.append(root);

    // The cached copy shows at once; the server's history then replaces it when it answers.
    var cached = [];
    try { cached = JSON.parse(store.get('history') || '[]'); } catch (e) { /* corrupt: ignore */ }
    renderAll((Array.isArray(cached) ? cached : []).map(clean).filter(Boolean));
    var saved = store.get('open');
    if (saved === 'true' || (saved === null && attr('data-open') === 'true')) open(false);
    sync(true);
  }

  window.ImuranWidget = {
    open: function () { open(); sync(false); },
    close: function () { close(); }
  };
  if (document.body) start(); else document.addEventListener('DOMContentLoaded', start);
})();
