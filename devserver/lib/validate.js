'use strict';
// Field validators for request input. Each takes the input object and a field name, returns the
// normalised value (or the default when the field is absent) and throws INVALID_ARGUMENT naming
// the field otherwise. `null` counts as absent so that clients may send explicit nulls.

const { invalid, tooLarge } = require('./errors');

const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;
const MAX_ID_LENGTH = 64;

function present(input, field) {
  return input[field] !== undefined && input[field] !== null;
}

/** A string of `min`..`max` characters; `id: true` also forbids control characters. */
function string(input, field, { required = false, def, min = 0, max = 256, id = false } = {}) {
  if (!present(input, field)) {
    if (required) throw invalid(field, 'required');
    return def;
  }
  const value = input[field];
  if (typeof value !== 'string') throw invalid(field, 'must be a string');
  if (value.length < min) throw invalid(field, min === 1 ? 'must not be empty' : `must have at least ${min} characters`);
  if (value.length > max) throw invalid(field, `must have at most ${max} characters`);
  if (id && CONTROL_CHARS.test(value)) throw invalid(field, 'must not contain control characters');
  return value;
}

/** A user id (auid): 1..64 characters, no control characters. */
function auid(input, field, { required = true, def } = {}) {
  return string(input, field, { required, def, min: 1, max: MAX_ID_LENGTH, id: true });
}

/** An integer in [min, max]; decimal strings are accepted (ids may travel as strings). */
function int(input, field, { required = false, def, min = 0, max = Number.MAX_SAFE_INTEGER } = {}) {
  if (!present(input, field)) {
    if (required) throw invalid(field, 'required');
    return def;
  }
  let value = input[field];
  if (typeof value === 'string' && /^-?\d{1,16}$/.test(value)) value = Number(value);
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw invalid(field, 'must be an integer');
  if (value < min) throw invalid(field, `must be >= ${min}`);
  if (value > max) throw invalid(field, `must be <= ${max}`);
  return value;
}

/** One of a fixed set of strings. */
function oneOf(input, field, values, { required = false, def } = {}) {
  const value = string(input, field, { required, def });
  if (value !== undefined && !values.includes(value)) throw invalid(field, `must be one of ${values.join(', ')}`);
  return value;
}

/** An array of distinct auids, 0..max entries. */
function auidList(input, field, { required = false, def, max = 500, min = 0 } = {}) {
  if (!present(input, field)) {
    if (required) throw invalid(field, 'required');
    return def;
  }
  const value = input[field];
  if (!Array.isArray(value)) throw invalid(field, 'must be an array of user ids');
  if (value.length < min) throw invalid(field, `must have at least ${min} entries`);
  if (value.length > max) throw invalid(field, `must have at most ${max} entries`);
  for (const item of value) {
    if (typeof item !== 'string' || item.length < 1 || item.length > MAX_ID_LENGTH || CONTROL_CHARS.test(item)) {
      throw invalid(field, 'entries must be user ids (1..64 characters)');
    }
  }
  return [...new Set(value)];
}

/**
 * Any JSON value, returned serialised. `object: true` requires a plain object. Oversized values are
 * PAYLOAD_TOO_LARGE, not INVALID_ARGUMENT, so clients can tell "too big" from "wrong".
 */
function json(input, field, { required = false, def, maxBytes = 4096, object = false } = {}) {
  if (!present(input, field)) {
    if (required) throw invalid(field, 'required');
    return def;
  }
  const value = input[field];
  if (object && (typeof value !== 'object' || Array.isArray(value))) throw invalid(field, 'must be an object');
  let text;
  try {
    text = JSON.stringify(value);
  } catch {
    throw invalid(field, 'must be plain JSON');
  }
  if (text === undefined) throw invalid(field, 'must be plain JSON');
  if (Buffer.byteLength(text) > maxBytes) throw tooLarge(`'${field}' exceeds ${maxBytes} bytes`);
  return text;
}

module.exports = { string, auid, int, oneOf, auidList, json };
