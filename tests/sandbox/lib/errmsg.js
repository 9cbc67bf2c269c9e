'use strict';
// Every errMsg string the sandbox produces, in one place, so tests and the README can refer to them.
// Strings marked "real" have been reported from WeChat clients; the others follow WeChat's
// "<api>:fail <reason>" pattern and are documented as sandbox choices in README.md.

const NET_DOWN = '-106:net::ERR_INTERNET_DISCONNECTED'; // Chromium code, as Android WeChat reports it

const ERR = {
  // connectSocket / SocketTask
  socketOk: 'connectSocket:ok',
  socketInvalidUrl: (url) => `connectSocket:fail invalid url "${url}"`,
  socketDomain: 'connectSocket:fail url not in domain list', // real (urlCheck)
  socketLimit: (n) => `connectSocket:fail createSocketTask:fail exceed max socket connection count ${n}`,
  socketOffline: `connectSocket:fail ${NET_DOWN}`,
  socketTimeout: 'connectSocket:fail timeout',
  sendOk: 'sendSocketMessage:ok',
  sendNotConnected: 'sendSocketMessage:fail WebSocket is not connected', // real
  sendBadType: (t) => `sendSocketMessage:fail parameter error: parameter.data should be String/ArrayBuffer instead of ${t};`,
  closeOk: 'closeSocket:ok',
  closeNotConnected: 'closeSocket:fail WebSocket is not connected',
  closeFail: (why) => `closeSocket:fail ${why}`,

  // request / uploadFile / downloadFile
  ok: (api) => `${api}:ok`,
  invalidUrl: (api, url) => `${api}:fail invalid url "${url}"`,
  domain: (api) => `${api}:fail url not in domain list`, // real (urlCheck)
  offline: (api) => `${api}:fail ${NET_DOWN}`,
  taskLimit: (api, n) => {
    const kind = api === 'request' ? 'Request' : api === 'uploadFile' ? 'Upload' : 'Download';
    // modelled on the real "downloadFile:fail createDownloadTask:fail exceed max download connection count 10"
    return `${api}:fail create${kind}Task:fail exceed max ${kind.toLowerCase()} connection count ${n}`;
  },
  timeout: (api) => `${api}:fail timeout`, // real
  abort: (api) => `${api}:fail abort`, // real
  interrupted: (api) => `${api}:fail interrupted`, // real ("interrupted" per the runtime reference)
  fileNotFound: (api, p) => `${api}:fail file not found ${p}`,
  net: (api, why) => `${api}:fail ${why}`,

  // storage
  storageKeyType: (api, t) => `${api}:fail parameter error: parameter.key should be String instead of ${t};`,
  storageItemTooLarge: (api) => `${api}:fail exceed storage item max length`,
  storageFull: (api) => `${api}:fail exceed storage max size 10MB`,
  storageNotFound: (api) => `${api}:fail data not found`,
  storageNotSerialisable: (api) => `${api}:fail parameter error: data is not JSON-serialisable`,
};

// Node / ws error codes mapped to the Chromium net:: strings Android WeChat shows in errMsg.
function netReason(err) {
  const code = err && err.code;
  switch (code) {
    case 'ECONNREFUSED': return '-102:net::ERR_CONNECTION_REFUSED';
    case 'ECONNRESET': return '-101:net::ERR_CONNECTION_RESET';
    case 'EPIPE':
    case 'ERR_STREAM_PREMATURE_CLOSE': return '-100:net::ERR_CONNECTION_CLOSED';
    case 'ETIMEDOUT': return '-118:net::ERR_CONNECTION_TIMED_OUT';
    case 'ENOTFOUND':
    case 'EAI_AGAIN': return '-105:net::ERR_NAME_NOT_RESOLVED';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH': return '-109:net::ERR_ADDRESS_UNREACHABLE';
    default:
      if (err && /socket hang up/i.test(err.message)) return '-100:net::ERR_CONNECTION_CLOSED';
      return (err && err.message) || String(err);
  }
}

module.exports = { ERR, NET_DOWN, netReason };
