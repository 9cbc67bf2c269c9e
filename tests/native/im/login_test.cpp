// im::Login, the session's login state (src/im/login.h): every row of its transition table. The Client's
// use of it (when it asks, what it does with an answer) is in the transcripts (transcript_test.cpp:
// login, renewal, refused login) and the session tests.
#include <catch2/catch.hpp>

#include "im/login.h"

using echat::im::Login;
using Socket = Login::Socket;

TEST_CASE("login: the socket leg's transitions", "[im][login]") {
  Login l;
  REQUIRE(l.socket() == Socket::Out);
  REQUIRE(!l.in());
  REQUIRE(!l.ever_in());
  REQUIRE(!l.asking());
  REQUIRE(!l.has_jwt());

  l.asked(5);  // Out -> Asking
  REQUIRE(l.socket() == Socket::Asking);
  REQUIRE(l.asking(5));
  REQUIRE(!l.asking(6));
  REQUIRE(!l.in());

  l.failed();  // Asking -> Out
  REQUIRE(l.socket() == Socket::Out);
  REQUIRE(!l.asking(5));  // the emit id is forgotten with the state

  l.asked(7);
  l.answered("jwt-1");  // Asking -> In
  REQUIRE(l.socket() == Socket::In);
  REQUIRE(l.in());
  REQUIRE(l.ever_in());
  REQUIRE(l.jwt() == "jwt-1");

  l.forget_jwt();  // a 419: the JWT goes, the connection stays logged in
  REQUIRE(!l.has_jwt());
  REQUIRE(l.in());
  l.asked(9);  // In -> Renewing
  REQUIRE(l.socket() == Socket::Renewing);
  REQUIRE(l.in());
  REQUIRE(l.asking(9));
  l.failed();  // Renewing -> In (asked again after Relogin)
  REQUIRE(l.socket() == Socket::In);
  REQUIRE(!l.asking());
  l.asked(10);
  l.answered("jwt-2");  // Renewing -> In
  REQUIRE(l.socket() == Socket::In);
  REQUIRE(l.jwt() == "jwt-2");

  l.disconnected();  // any -> Out; the JWT stays (HTTP calls use it)
  REQUIRE(l.socket() == Socket::Out);
  REQUIRE(!l.in());
  REQUIRE(l.ever_in());
  REQUIRE(l.jwt() == "jwt-2");
  l.asked(11);
  l.connected();  // a new connection: anything asked on the old one is forgotten
  REQUIRE(l.socket() == Socket::Out);
  REQUIRE(!l.asking(11));
}

TEST_CASE("login: the HTTP leg gives the JWT without logging the socket in", "[im][login]") {
  Login l;
  l.http_asked(3, 1);
  REQUIRE(l.http_asking());
  REQUIRE(l.http_asking(3));
  REQUIRE(!l.http_asking(4));
  REQUIRE(l.http_host() == 1);
  l.http_answered("");  // refused or failed: no JWT
  REQUIRE(!l.http_asking());
  REQUIRE(!l.has_jwt());
  l.http_asked(4, 0);
  l.http_over();  // its timer, or a transport error
  REQUIRE(!l.http_asking(4));
  l.http_asked(5, 0);
  l.http_answered("jwt-h");
  REQUIRE(l.jwt() == "jwt-h");
  REQUIRE(!l.in());
  REQUIRE(l.socket() == Socket::Out);
  REQUIRE(!l.ever_in());
  // Both legs at once: each keeps its own.
  l.asked(8);
  l.http_asked(6, 0);
  REQUIRE(l.asking(8));
  REQUIRE(l.http_asking(6));
  l.answered("jwt-s");
  REQUIRE(l.http_asking(6));
  REQUIRE(l.jwt() == "jwt-s");
}
