'use strict';
// The type tests the shim makes in many places, one function each (in the bundle, a short name in place
// of the `typeof x === '...'` text at every place).

const isFunction = (v) => typeof v === 'function';
const isString = (v) => typeof v === 'string';
const isNumber = (v) => typeof v === 'number';
// An object or an array; not null.
const isObject = (v) => v !== null && typeof v === 'object';
// An object that is not an array (nor null).
const isRecord = (v) => isObject(v) && !Array.isArray(v);

module.exports = { isFunction, isString, isNumber, isObject, isRecord };
