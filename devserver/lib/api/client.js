'use strict';
// Module `client`: who is online (has a logged-in socket) in the caller's app.

const v = require('../validate');

/** [{auid, loginTime, eio}] of online users, optionally only those in `auids`. */
async function list(ctx, caller, input) {
  const auids = v.auidList(input, 'auids');
  const online = await ctx.hub.online(caller.appKey);
  return auids ? online.filter((c) => auids.includes(c.auid)) : online;
}

module.exports = { list };
