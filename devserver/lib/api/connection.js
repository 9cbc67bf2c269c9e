'use strict';
// connection/authority/request: log in with {appKey, auid, token}; data is the JWT string.
// Over the socket this also makes the socket the user's session (see ../socket.js).

function authorityRequest(ctx, caller, input) {
  return ctx.auth.login(input).jwt;
}

module.exports = { authorityRequest };
