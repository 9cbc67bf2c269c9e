// Small display helpers shared by the pages.

function pad(n) {
  return n < 10 ? `0${n}` : String(n);
}

// "14:05" today, "Yesterday", "11/23" this year, "2025/11/23" before.
function formatTime(ms, now) {
  if (!ms) return '';
  const d = new Date(ms);
  const today = new Date(now || Date.now());
  const sameDay = (a, b) => a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate();
  if (sameDay(d, today)) return `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  const yesterday = new Date(today.getFullYear(), today.getMonth(), today.getDate() - 1);
  if (sameDay(d, yesterday)) return 'Yesterday';
  if (d.getFullYear() === today.getFullYear()) return `${d.getMonth() + 1}/${d.getDate()}`;
  return `${d.getFullYear()}/${d.getMonth() + 1}/${d.getDate()}`;
}

// What a conversation row shows of its last message.
function preview(message) {
  if (!message) return '';
  if (message.recalled) return '[recalled]';
  const body = message.body || {};
  switch (message.type) {
    case 'TEXT': return String(body.text == null ? '' : body.text);
    case 'IMAGE': return '[Image]';
    case 'AUDIO': return '[Voice]';
    case 'VIDEO': return '[Video]';
    case 'FILE': return `[File] ${body.name || ''}`.trim();
    case 'POSITION': return `[Location] ${body.title || ''}`.trim();
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
