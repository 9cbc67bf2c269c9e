'use strict';
// The web chat page: the SDK's global `echatim` (from <script src="echatim-sdk.js">), logged in with
// an auid and token, chatting P2P. Where to connect comes from /demo/config.json (the devserver that
// serves this page). The login is kept in sessionStorage so that a reload signs in again; messages
// sent while offline wait in the SDK's outbox (localStorage) and go out after a reload too.
(function () {
  var $ = function (id) { return document.getElementById(id); };
  var sdk = window.echatim;
  var session = null;  // {auid, token}
  var outgoing = [];   // [{text, li}] shown, not yet seen back from the server

  function show(m, mine, cls) {
    var li = document.createElement('li');
    li.className = (mine ? 'mine ' : '') + (cls || '');
    li.textContent = (mine ? '' : m.formUser + ': ') + (m.body && m.body.text !== undefined ? m.body.text : '[' + m.type + ']');
    $('messages').appendChild(li);
    return li;
  }

  function setState(s) {
    $('state').textContent = s;
    $('state').dataset.state = s;
  }

  function start(cfg, auid, token) {
    session = { auid: auid, token: token };
    sessionStorage.setItem('echat-web-demo', JSON.stringify(session));
    $('login').hidden = true;
    $('chat').hidden = false;
    $('me').textContent = auid;
    $('peer').value = $('peer').value || sessionStorage.getItem('echat-web-demo-peer') || '';
    sdk.im.on('state', function (e) { setState(e.state); });
    sdk.im.on('message', function (m) {
      if (m.formUser === auid && m.body) {
        // our own message coming back: the line shown when it was sent, if this page sent it
        for (var i = 0; i < outgoing.length; i++) {
          if (outgoing[i].text === m.body.text) {
            outgoing[i].li.className = 'mine';
            outgoing.splice(i, 1);
            return;
          }
        }
      }
      show(m, m.formUser === auid);
    });
    sdk.im.on('error', function (err) {
      if (err.fatal) setState('failed: ' + err.code + ' ' + err.msg);
    });
    sdk.im.init({
      host: cfg.host, httpPort: cfg.httpPort, socketPort: cfg.socketPort, key: cfg.key, secret: '',
      apiTransport: 'HTTP', loginAuid: auid, loginToken: token,
      fileServerConfig: { use: 'local', client: 'plupload', baseUrl: 'http://' + cfg.host + ':' + cfg.httpPort, version: 'v1' },
    });
  }

  $('login').addEventListener('submit', function (ev) {
    ev.preventDefault();
    loadConfig().then(function (cfg) { start(cfg, $('auid').value.trim(), $('token').value); });
  });

  $('logout').addEventListener('click', function () {
    sessionStorage.removeItem('echat-web-demo');
    sdk.im.close();
    location.reload();
  });

  $('compose').addEventListener('submit', function (ev) {
    ev.preventDefault();
    var text = $('text').value;
    var to = $('peer').value.trim();
    if (!text || !to) return;
    sessionStorage.setItem('echat-web-demo-peer', to);
    $('text').value = '';
    var li = show({ body: { text: text } }, true, 'sending');
    outgoing.push({ text: text, li: li });
    // wx-style callbacks (a Promise works too: .then(...))
    sdk.apis.message.send({
      toTarget: to, way: 'P2P', type: 'TEXT', body: { text: text },
      success: function () { li.className = 'mine'; },
      fail: function (err) { li.className = 'mine failed'; li.title = err.code + ' ' + err.msg; },
    });
  });

  var configPromise = null;
  function loadConfig() {
    if (!configPromise) {
      configPromise = fetch('config.json').then(function (r) { return r.json(); });
    }
    return configPromise;
  }

  var saved = sessionStorage.getItem('echat-web-demo');
  if (saved) {
    var s = JSON.parse(saved);
    loadConfig().then(function (cfg) { start(cfg, s.auid, s.token); });
  }
})();
