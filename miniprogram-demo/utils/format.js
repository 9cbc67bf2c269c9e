// Small display helpers shared by the pages (words from i18n.js).
const i18n = require('./i18n.js');

function pad(n) {
  return n < 10 ? `0${n}` : String(n);
}

// "14:05" today, "Yesterday" (昨天), "11/23" this year, "2025/11/23" before.
function formatTime(ms, now) {
  if (!ms) return '';
  const d = new Date(ms);
  const today = new Date(now || Date.now());
  const sameDay = (a, b) => a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate();
  if (sameDay(d, today)) return `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  const yesterday = new Date(today.getFullYear(), today.getMonth(), today.getDate() - 1);
  if (sameDay(d, yesterday)) return i18n.t('yesterday');
  if (d.getFullYear() === today.getFullYear()) return `${d.getMonth() + 1}/${d.getDate()}`;
  return `${d.getFullYear()}/${d.getMonth() + 1}/${d.getDate()}`;
}

// What a conversation row shows of its last message.
function preview(message) {
  if (!message) return '';
  const t = i18n.t;
  if (message.recalled) return t('recalledPreview');
  const body = message.body || {};
  switch (message.type) {
    case 'TEXT': return String(body.text == null ? '' : body.text);
    case 'IMAGE': return t('image');
    case 'AUDIO': return t('voice');
    case 'VIDEO': return t('video');
    case 'FILE': return `${t('file')} ${body.name || ''}`.trim();
    case 'POSITION': return `${t('position')} ${body.title || ''}`.trim();
    default: return `[${message.type}]`;
  }
}

// The letter in a contact's round avatar.
function initial(name) {
  const s = String(name || '?').trim();
  return s ? s.charAt(0).toUpperCase() : '?';
}

// A stable colour per name, for avatars.
const COLOURS = ['#5b8ff9', '#61c47c', '#f6903d', '#e8684a', '#9270ca', '#36b3c3', '#d6a31a', '#ff86b7'];
function colour(name) {
  let h = 0;
  const s = String(name || '');
  for (let i = 0; i < s.length; i++) h = (h * 31 + s.charCodeAt(i)) >>> 0;
  return COLOURS[h % COLOURS.length];
}

function badge(unread) {
  if (!unread) return '';
  return unread > 99 ? '99+' : String(unread);
}

module.exports = { formatTime, preview, initial, colour, badge };
