'use strict';
// connection/authority/request: log in with {appKey, auid, token}; data is the JWT string.
// Over the socket this also makes the socket the user's session (see ../socket.js).
// connection/logout: revoke the caller's JWT (the one sent, or the socket session's); a live socket
// using it is disconnected (session.kicked, reason 'logged out').

async function authorityRequest(ctx, caller, input) {
  return (await ctx.auth.login(input)).jwt;
}

async function logout(ctx, caller) {
  const revoked = await ctx.auth.revoke(caller.appKey, caller.auid, { jti: caller.jti });
  await ctx.hub.endRevoked(caller.appKey, caller.auid, revoked, 'logged out');
  return { auid: caller.auid, revoked: revoked.length };
}

module.exports = { authorityRequest, logout };
