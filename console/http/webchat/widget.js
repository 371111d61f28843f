/*
 * The web chat widget: talks to /api/chat (streaming generative answers over SSE), renders buttons,
 * citations as expandable quotes and the 👍/👎 buttons the engine sends, restores the conversation
 * after a reload (the user id lives in localStorage) and polls for staff replies. Every piece of text
 * is inserted as text, never as HTML.
 */
(function () {
  'use strict';
  var KEY = 'shugai.chat.user';
  var POLL_MS = 5000;
  var log = document.getElementById('log');
  var form = document.getElementById('form');
  var input = document.getElementById('input');
  var send = document.getElementById('send');
  var cursor = '0';
  var busy = false;

  function newId() {
    if (window.crypto && crypto.randomUUID) return 'w_' + crypto.randomUUID();
    return 'w_' + Date.now().toString(36) + Math.random().toString(36).slice(2);
  }
  var user = null;
  try { user = localStorage.getItem(KEY); } catch (e) { /* private mode: a session-only id */ }
  if (!user) {
    user = newId();
    try { localStorage.setItem(KEY, user); } catch (e) { /* ignore */ }
  }

  function el(tag, cls, text) {
    var n = document.createElement(tag);
    if (cls) n.className = cls;
    if (text !== undefined) n.textContent = text;
    return n;
  }

  /** **bold** spans become <strong>; everything is inserted as text. */
  function formatted(text) {
    var frag = document.createDocumentFragment();
    String(text).split(/(\*\*[^*\n]+\*\*)/).forEach(function (part) {
      if (/^\*\*[^*\n]+\*\*$/.test(part)) frag.appendChild(el('strong', null, part.slice(2, -2)));
      else if (part) frag.appendChild(document.createTextNode(part));
    });
    return frag;
  }

  function scroll() { log.scrollTop = log.scrollHeight; }

  function addUser(text) {
    var row = el('div', 'msg in');
    row.appendChild(el('div', 'bubble', text));
    log.appendChild(row);
    scroll();
  }

  function renderReply(reply, row) {
    row = row || el('div', 'msg out');
    row.className = 'msg out' + (reply.kind === 'staff' ? ' staff' : '') + (reply.kind === 'error' ? ' error' : '');
    row.textContent = '';
    var bubble = el('div', 'bubble');
    bubble.appendChild(formatted(reply.text || ''));
    var cites = reply.citations || [];
    if (cites.length) {
      var box = el('div', 'cites');
      box.appendChild(el('div', 'cites-title', '依据（点开查看原文）'));
      cites.forEach(function (c) {
        var d = el('details', 'cite');
        d.appendChild(el('summary', null, '《' + c.document + '》' + (c.section ? ' ' + c.section : '')));
        d.appendChild(el('blockquote', null, c.quote));
        box.appendChild(d);
      });
      bubble.appendChild(box);
    }
    var rows = reply.buttons || [];
    if (rows.length) {
      var bar = el('div', 'buttons');
      rows.forEach(function (r) {
        r.forEach(function (b) {
          var btn = el('button', /^(👍|👎)/.test(b.label) ? 'fb' : null, b.label);
          btn.type = 'button';
          btn.addEventListener('click', function () {
            if (/^(👍|👎)/.test(b.label)) Array.prototype.forEach.call(bar.querySelectorAll('button.fb'), function (x) { x.disabled = true; });
            submit({ payload: b.payload }, b.label);
          });
          bar.appendChild(btn);
        });
      });
      bubble.appendChild(bar);
    }
    row.appendChild(bubble);
    if (!row.parentNode) log.appendChild(row);
    scroll();
    return row;
  }

  function setBusy(b) {
    busy = b;
    send.disabled = b;
  }

  /** Reads an SSE response body: calls onEvent(name, data) per event. */
  function readEvents(res, onEvent) {
    var reader = res.body.getReader();
    var decoder = new TextDecoder();
    var buf = '';
    function pump() {
      return reader.read().then(function (r) {
        if (r.done) return;
        buf += decoder.decode(r.value, { stream: true });
        var i;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          var chunk = buf.slice(0, i);
          buf = buf.slice(i + 2);
          var name = 'message', data = '';
          chunk.split('\n').forEach(function (line) {
            if (line.indexOf('event:') === 0) name = line.slice(6).trim();
            else if (line.indexOf('data:') === 0) data += line.slice(5).trim();
          });
          try { onEvent(name, data ? JSON.parse(data) : null); } catch (e) { /* a malformed event is skipped */ }
        }
        return pump();
      });
    }
    return pump();
  }

  function showError(text) {
    renderReply({ text: text, kind: 'error' });
  }

  function submit(body, shownAs) {
    if (busy) return;
    addUser(shownAs);
    setBusy(true);
    body.user = user;
    body.id = newId();
    var typing = el('div', 'msg out typing');
    var typingBubble = el('div', 'bubble', '');
    typing.appendChild(typingBubble);
    log.appendChild(typing);
    scroll();
    var streamed = '';
    var streaming = !!(window.ReadableStream && window.TextDecoder);
    fetch('/api/chat' + (streaming ? '?stream=1' : ''), {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: streaming ? 'text/event-stream' : 'application/json' },
      body: JSON.stringify(body),
    })
      .then(function (res) {
        var type = res.headers.get('content-type') || '';
        if (type.indexOf('text/event-stream') >= 0) {
          var first = true;
          return readEvents(res, function (name, data) {
            if (name === 'delta') {
              streamed += data.text;
              typingBubble.textContent = streamed;
              scroll();
            } else if (name === 'reply') {
              if (first) { typing.classList.remove('typing'); renderReply(data, typing); first = false; }
              else renderReply(data);
            } else if (name === 'error') showError(data.message || '出错了，请稍后再试。');
          }).then(function () { if (first && typing.parentNode) typing.parentNode.removeChild(typing); });
        }
        return res.json().then(function (json) {
          if (typing.parentNode) typing.parentNode.removeChild(typing);
          if (!res.ok) {
            var e = json && json.error;
            showError((e && e.fields && (e.fields.text || e.fields.user)) || (e && e.message) || '出错了，请稍后再试。');
            return;
          }
          (json.replies || []).forEach(function (r) { renderReply(r); });
        });
      })
      .catch(function () {
        if (typing.parentNode) typing.parentNode.removeChild(typing);
        showError('网络连接出了问题，请检查网络后重试。');
      })
      .then(function () { setBusy(false); input.focus(); });
  }

  function restore() {
    return fetch('/api/chat/history?user=' + encodeURIComponent(user))
      .then(function (res) { return res.json(); })
      .then(function (json) {
        var msgs = (json && json.messages) || [];
        msgs.forEach(function (m) {
          if (m.direction === 'in') { if (m.text) addUser(m.text); }
          else renderReply(m);
          cursor = m.id;
        });
        if (!msgs.length) submit({ text: '/start' }, '开始');
      })
      .catch(function () { /* offline: the user can still type */ });
  }

  function poll() {
    fetch('/api/chat/updates?user=' + encodeURIComponent(user) + '&after=' + encodeURIComponent(cursor))
      .then(function (res) { return res.ok ? res.json() : null; })
      .then(function (json) {
        if (!json) return;
        (json.messages || []).forEach(function (m) { renderReply(m); });
        if (json.cursor && Number(json.cursor) > Number(cursor)) cursor = json.cursor;
      })
      .catch(function () { /* try again next time */ })
      .then(function () { setTimeout(poll, POLL_MS); });
  }

  form.addEventListener('submit', function (ev) {
    ev.preventDefault();
    var text = input.value.trim();
    if (!text || busy) return;
    input.value = '';
    input.style.height = '';
    submit({ text: text }, text);
  });
  input.addEventListener('keydown', function (ev) {
    if (ev.key === 'Enter' && !ev.shiftKey && !ev.isComposing) {
      ev.preventDefault();
      form.requestSubmit ? form.requestSubmit() : form.dispatchEvent(new Event('submit'));
    }
  });
  input.addEventListener('input', function () {
    input.style.height = '';
    input.style.height = Math.min(input.scrollHeight, 120) + 'px';
  });
  document.getElementById('menu-btn').addEventListener('click', function () { submit({ text: '/menu' }, '菜单'); });

  restore().then(function () { setTimeout(poll, POLL_MS); });
})();
