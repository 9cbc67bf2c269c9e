// Host-kept payloads (the wasm hot path): the core sees a frame's header, a handle and the Shape the
// host's JSON parser reported, and decides exactly as for the whole text.
#include <catch2/catch.hpp>

#include "harness.h"

using namespace echat::testing;  // NOLINT
using echat::core::Millis;
using echat::socketio::AckResult;
using echat::socketio::is_external_header;
using echat::socketio::JsonKind;
using echat::socketio::Manager;
using echat::socketio::ManagerOptions;
using echat::socketio::Packet;
using echat::socketio::Shape;
using Strings = std::vector<std::string>;

namespace {

ManagerOptions opts(int protocol) {
  ManagerOptions o = Harness::base_options();
  o.protocol = protocol;
  return o;
}

Packet payload(std::uint32_t ref, std::size_t size, JsonKind root, JsonKind first = JsonKind::String,
               bool reserved = false) {
  Packet p;
  p.ext = ref;
  p.ext_size = size;
  p.shape = Shape{root, first, reserved};
  return p;
}

// Connects "/" and reads the log: the lanes' starting point. Returns the transport id to quote.
std::uint32_t connect_root(Harness& h) {
  h.connect("/");
  h.take_log();
  return h.conn();
}

// The same payload as the fast lanes take it.
ExternalArgs args(std::uint32_t ref, std::size_t size, JsonKind root, JsonKind first = JsonKind::String,
                  bool reserved = false) {
  return ExternalArgs{ref, size, Shape{root, first, reserved}};
}

// The manager's outputs, without performing them (a frame with a host-kept payload is not for the
// in-memory server, which sees only bytes).
Strings take(Manager& m, std::vector<Output>* keep = nullptr) {
  Strings out;
  for (auto& o : m.take_outputs()) {
    std::string d = describe(o);
    if (auto* f = std::get_if<SendFrame>(&o); f && f->frame.ext) d += " +ext" + std::to_string(f->frame.ext);
    out.push_back(d);
    if (keep) keep->push_back(o);
  }
  return out;
}

}  // namespace

TEST_CASE("external: which cuts are complete EVENT/ACK headers", "[socketio][external]") {
  CHECK(is_external_header("2"));
  CHECK(is_external_header("3"));
  CHECK(is_external_header("212"));
  CHECK(is_external_header("2/admin,"));
  CHECK(is_external_header("3/admin,7"));
  CHECK_FALSE(is_external_header(""));
  CHECK_FALSE(is_external_header("0"));      // CONNECT: the core reads its payload
  CHECK_FALSE(is_external_header("4"));
  CHECK_FALSE(is_external_header("51-"));    // binary: placeholders are checked on the text
  CHECK_FALSE(is_external_header("2/a"));    // the '[' was inside the namespace: "42/a[b,[...]"
  CHECK_FALSE(is_external_header("2x"));
}

TEST_CASE("external: events and acks with host-kept payloads, both protocols", "[socketio][external]") {
  const int protocol = GENERATE(3, 4);
  Harness h(opts(protocol));
  h.connect("/");
  h.take_log();
  const std::uint32_t t = h.conn();

  // An event without an ack id: delivered with the handle, no text.
  REQUIRE(h.m.on_frame_external(h.now(), t, "42", payload(7, 13, JsonKind::Array)));
  std::vector<Output> outs;
  CHECK(take(h.m, &outs) == Strings{"event / "});
  const auto& e = std::get<SocketEvent>(outs.at(0));
  CHECK(e.ext == 7);
  CHECK(e.args_json.empty());
  CHECK_FALSE(e.ack_id);

  // An event asking for an ack, answered with a host-kept payload: the frame is the header plus it.
  REQUIRE(h.m.on_frame_external(h.now(), t, "4212", payload(8, 5, JsonKind::Array, JsonKind::Number)));
  outs.clear();
  CHECK(take(h.m, &outs) == Strings{"event /  ack=12"});
  CHECK(std::get<SocketEvent>(outs.at(0)).ext == 8);
  REQUIRE(h.m.ack_external(h.now(), "/", 12, payload(9, 4, JsonKind::Array, JsonKind::None)).ok());
  CHECK(take(h.m) == Strings{"send #" + std::to_string(t) + " 4312 +ext9"});
  // Answered once only.
  CHECK(h.m.ack_external(h.now(), "/", 12, payload(10, 4, JsonKind::Array)).error().code == "sio.unknown_ack_id");

  // An emit with an ack, and the server's ACK with a host-kept payload.
  Manager::EmitOptions o;
  o.want_ack = true;
  auto id = h.m.emit_external(h.now(), "/", payload(11, 9, JsonKind::Array), o);
  REQUIRE(id.ok());
  CHECK(take(h.m) == Strings{"send #" + std::to_string(t) + " 420 +ext11"});
  REQUIRE(h.m.on_frame_external(h.now(), t, "430", payload(12, 6, JsonKind::Array, JsonKind::Number)));
  outs.clear();
  CHECK(take(h.m, &outs) == Strings{"ack / #" + std::to_string(id.value()) + " ok "});
  CHECK(std::get<AckResult>(outs.at(0)).ext == 12);
}

TEST_CASE("external: the core refuses cuts it cannot decide on", "[socketio][external]") {
  Harness h(opts(4));
  h.connect("/");
  h.take_log();
  const std::uint32_t t = h.conn();
  CHECK_FALSE(h.m.on_frame_external(h.now(), t, "42/a", payload(1, 9, JsonKind::Invalid)));
  CHECK_FALSE(h.m.on_frame_external(h.now(), t, "40", payload(2, 9, JsonKind::Object)));
  CHECK_FALSE(h.m.on_frame_external(h.now(), t, "451-", payload(3, 9, JsonKind::Array)));
  CHECK_FALSE(h.m.on_frame_external(h.now(), t, "2", payload(4, 9, JsonKind::Array)));
  CHECK(h.m.take_outputs().empty());
  CHECK(h.m.state() == echat::socketio::ManagerState::Open);
}

TEST_CASE("external: a payload JSON.parse refused, or a wrong shape, goes back whole (its error quotes it)",
          "[socketio][external]") {
  const Shape shape = GENERATE(Shape{JsonKind::Invalid, JsonKind::None, false}, Shape{JsonKind::Object, JsonKind::None, false},
                               Shape{JsonKind::Array, JsonKind::None, false}, Shape{JsonKind::Array, JsonKind::Bool, false},
                               Shape{JsonKind::Array, JsonKind::String, true});
  Harness h(opts(4));
  h.connect("/");
  h.take_log();
  Packet p = payload(5, 20, JsonKind::None);
  p.shape = shape;
  CHECK_FALSE(h.m.on_frame_external(h.now(), h.conn(), "4217", p));
  CHECK(h.m.on_event_fast(h.now(), h.conn(), "4217", ExternalArgs{p.ext, p.ext_size, p.shape}).code == Manager::kGeneral);
  CHECK(h.m.take_outputs().empty());
  CHECK(h.m.state() == echat::socketio::ManagerState::Open);
  // An ACK without an id, too.
  CHECK_FALSE(h.m.on_frame_external(h.now(), h.conn(), "43", payload(6, 2, JsonKind::Array)));
}

TEST_CASE("external: an error quoting a frame whose payload the host keeps counts the whole frame",
          "[socketio][external]") {
  ManagerOptions o = opts(4);
  o.max_incoming_bytes = 200;  // (the handshake's frames are within it)
  Harness h(o);
  h.connect("/");
  h.take_log();
  // (found by fuzz_manager's twin: the quote said "(2 bytes)", the general path's "(302 bytes)")
  REQUIRE(h.m.state() == echat::socketio::ManagerState::Open);
  REQUIRE(h.m.on_frame_external(h.now(), h.conn(), "42", payload(7, 300, JsonKind::Array)));
  std::string message;
  for (const auto& out : h.m.take_outputs()) {
    if (const auto* e = std::get_if<echat::socketio::ManagerError>(&out)) message = e->error.message;
  }
  CHECK(message.find("frame of 302 bytes exceeds max_incoming_bytes 200") != std::string::npos);
  CHECK(message.find("text \"42\" (302 bytes)") != std::string::npos);
}

TEST_CASE("external: the core holds handles of buffered payloads, then sends or drops them", "[socketio][external]") {
  Harness h(opts(4));
  h.hold_open = true;  // the connection is not up yet
  REQUIRE(h.m.connect_socket(h.now(), "/", "").ok());
  h.pump();
  CHECK(h.m.oldest_external() == 0);
  REQUIRE(h.m.emit_external(h.now(), "/", payload(21, 5, JsonKind::Array), {}).ok());
  REQUIRE(h.m.emit_external(h.now(), "/", payload(22, 5, JsonKind::Array), {}).ok());
  CHECK(h.m.oldest_external() == 21);
  // A reserved name is refused before anything is held.
  auto bad = h.m.emit_external(h.now(), "/", payload(23, 5, JsonKind::Array, JsonKind::String, true), {});
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().code == "arg.invalid");
  CHECK(h.m.oldest_external() == 21);
  h.m.close(h.now());
  h.pump();
  CHECK(h.m.oldest_external() == 0);  // dropped with the send buffer
}

TEST_CASE("external: the fast lane decides the common case as the general path does", "[socketio][external]") {
  const int protocol = GENERATE(3, 4);
  Harness h(opts(protocol));
  const std::uint32_t t = connect_root(h);
  Manager::Header header;

  // Inbound event with and without an ack id; the ack request is registered like the general path's.
  auto v = h.m.on_event_fast(h.now(), t, "42", args(1, 9, JsonKind::Array));
  CHECK(v.code == Manager::kEvent);
  CHECK(v.value == -1);
  v = h.m.on_event_fast(h.now(), t, "4231", args(2, 9, JsonKind::Array, JsonKind::Number));
  CHECK(v.code == Manager::kEvent);
  CHECK(v.value == 31);
  CHECK(h.m.take_outputs().empty());
  v = h.m.ack_fast(h.now(), "/", 31, args(3, 2, JsonKind::Array, JsonKind::None), header);
  REQUIRE(v.code == Manager::kSend);
  CHECK(std::string(header.text, header.size) == "4331");
  CHECK(h.m.ack_fast(h.now(), "/", 31, args(4, 2, JsonKind::Array), header).code == Manager::kGeneral);
  CHECK(h.m.ack_external(h.now(), "/", 31, payload(4, 2, JsonKind::Array)).error().code == "sio.unknown_ack_id");

  // Emit with an ack: header "42<id>", then the server's ACK settles it; a second ACK is ignored.
  Manager::EmitOptions o;
  o.want_ack = true;
  v = h.m.emit_fast(h.now(), "/", args(5, 9, JsonKind::Array), o, header);
  REQUIRE(v.code == Manager::kSend);
  CHECK(std::string(header.text, header.size) == "420");
  const double emit_id = v.value;
  v = h.m.on_event_fast(h.now(), t, "430", args(6, 4, JsonKind::Array));
  CHECK(v.code == Manager::kAck);
  CHECK(v.value == emit_id);
  CHECK(h.m.on_event_fast(h.now(), t, "430", args(7, 4, JsonKind::Array)).code == Manager::kNothing);
  // The next emit uses the next wire id, as the general path would.
  v = h.m.emit_fast(h.now(), "/", args(8, 9, JsonKind::Array), o, header);
  CHECK(std::string(header.text, header.size) == "421");

  // Everything else goes to the general path, unchanged.
  CHECK(h.m.on_event_fast(h.now(), t, "42", args(9, 9, JsonKind::Invalid)).code == Manager::kGeneral);
  CHECK(h.m.on_event_fast(h.now(), t, "42", args(9, 9, JsonKind::Array, JsonKind::String, true)).code ==
        Manager::kGeneral);
  CHECK(h.m.on_event_fast(h.now(), t, "42/admin,", args(9, 9, JsonKind::Array)).code == Manager::kGeneral);
  CHECK(h.m.on_event_fast(h.now(), t + 1, "42", args(9, 9, JsonKind::Array)).code == Manager::kGeneral);
  CHECK(h.m.on_event_fast(h.now(), t, "43", args(9, 9, JsonKind::Array)).code == Manager::kGeneral);
  // An ack id of more digits than a 64-bit integer always holds (a hostile server; on_event_fast takes a
  // head of at most 21 bytes): the general path reads it (and refuses one past 2^64, sio.bad_ack_id), the
  // lane never takes a wrapped-around id. 19 digits still go the lane.
  CHECK(h.m.on_event_fast(h.now(), t, "4218446744073709551617", args(9, 9, JsonKind::Array)).code == Manager::kGeneral);
  CHECK(h.m.on_event_fast(h.now(), t, "421234567890123456789012345", args(9, 9, JsonKind::Array)).code ==
        Manager::kGeneral);
  v = h.m.on_event_fast(h.now(), t, "421000000000000000000", args(9, 9, JsonKind::Array));
  CHECK(v.code == Manager::kEvent);
  CHECK(h.m.emit_fast(h.now(), "/admin", args(9, 9, JsonKind::Array), {}, header).code == Manager::kGeneral);
  // A deadline that has passed (the heartbeat) must be acted on first: general path.
  const auto d = h.m.next_deadline();
  REQUIRE(d);
  CHECK(h.m.on_event_fast(*d, t, "42", args(9, 9, JsonKind::Array)).code == Manager::kGeneral);
  CHECK(h.m.emit_fast(*d, "/", args(9, 9, JsonKind::Array), {}, header).code == Manager::kGeneral);
  CHECK(h.m.take_outputs().empty());
}

TEST_CASE("external: event_ack_fast takes the header's length and ack id, and acks with the event",
          "[socketio][external]") {
  const int protocol = GENERATE(3, 4);
  Harness h(opts(protocol));
  const std::uint32_t t = connect_root(h);
  Manager::Header header;
  // The length must be that of "42" and the id's digits: "42007" (a leading zero), "421e2" or "42 12" as the
  // host's parseInt reads them (7, 1, 12) go to the general path, nothing changed.
  CHECK(h.m.event_ack_fast(h.now(), t, 5, 7, args(1, 9, JsonKind::Array), 0, nullptr).code == Manager::kGeneral);
  CHECK(h.m.event_ack_fast(h.now(), t, 5, 1, args(1, 9, JsonKind::Array), 0, nullptr).code == Manager::kGeneral);
  CHECK(h.m.event_ack_fast(h.now(), t, 5, 12, args(1, 9, JsonKind::Array), 0, nullptr).code == Manager::kGeneral);
  CHECK(h.m.event_ack_fast(h.now(), t, 3, std::nullopt, args(1, 9, JsonKind::Array), 0, nullptr).code ==
        Manager::kGeneral);
  CHECK(h.m.event_ack_fast(h.now(), t, 2, 0, args(1, 9, JsonKind::Array), 0, nullptr).code == Manager::kGeneral);
  CHECK(h.m.ack_fast(h.now(), "/", 7, args(2, 2, JsonKind::Array), header).code == Manager::kGeneral);  // not kept
  // No ack id; an ack id kept for ack() (no header), as on_event_fast.
  auto v = h.m.event_ack_fast(h.now(), t, 2, std::nullopt, args(3, 9, JsonKind::Array), 0, nullptr);
  CHECK((v.code == Manager::kEvent && v.value == -1));
  v = h.m.event_ack_fast(h.now(), t, 4, 31, args(4, 9, JsonKind::Array), 0, nullptr);
  CHECK((v.code == Manager::kEvent && v.value == 31));
  // With a header: the ack goes at once (its head "4332", written by the caller: its size given), nothing
  // kept (a later ack of 32 is unknown); the one kept before stays answerable.
  v = h.m.event_ack_fast(h.now(), t, 4, 32, args(5, 9, JsonKind::Array), 11, &header);
  REQUIRE(v.code == Manager::kSend);
  CHECK(v.value == 32);
  CHECK(header.size == 4);
  CHECK(h.m.ack_fast(h.now(), "/", 32, args(6, 2, JsonKind::Array), header).code == Manager::kGeneral);
  CHECK(h.m.ack_fast(h.now(), "/", 31, args(7, 2, JsonKind::Array), header).code == Manager::kSend);
  CHECK(h.m.take_outputs().empty());
}

TEST_CASE("external: the fast lane keeps the Engine.IO 4 heartbeat alive", "[socketio][external]") {
  Harness h(opts(4));
  h.server_heartbeat = false;  // only the client's liveness deadline runs
  h.connect("/");
  h.take_log();
  const std::uint32_t t = h.conn();
  const auto before = h.m.next_deadline();
  REQUIRE(before);
  h.clock.now += 1000;
  CHECK(h.m.on_event_fast(h.now(), t, "42", args(1, 9, JsonKind::Array)).code == Manager::kEvent);
  const auto after = h.m.next_deadline();
  REQUIRE(after);
  CHECK(*after == *before + 1000);  // any packet re-arms pingInterval + pingTimeout
}

TEST_CASE("codec: payload text is checked as JSON.parse would (a lone surrogate escape is accepted)",
          "[socketio][packet]") {
  echat::socketio::Decoder d;
  for (const std::string& ok : {std::string("2[\"x\\ud800\"]"), std::string("2[\"\\udc00y\",1]"),
                               std::string("2[\"\\ud83d\\ude00\",-0.5e+3,true,null,{}]")}) {
    INFO(ok);
    auto r = d.feed_text(ok);
    CHECK(r.ok());
  }
  for (const std::string& bad : {std::string("2[\"a\",]"), std::string("2[01]"), std::string("2[\"\\x\"]"),
                                std::string("2[1.]"), std::string("2[tru]"), std::string("2[\"a\"] x"),
                                std::string("2[\"\\ud80\"]")}) {
    INFO(bad);
    auto r = d.feed_text(bad);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == "sio.bad_payload");
  }
}

TEST_CASE("codec: a number with a non-zero fraction ends (found by fuzz_socketio_decode: it looped)",
          "[socketio][packet]") {
  echat::socketio::Decoder d;
  CHECK_FALSE(d.feed_text("52-[\"message\",{\"_placeholder\":88.888").ok());
  CHECK(d.feed_text("2[\"a\",88.888,0.50]").ok());
  CHECK(d.feed_text("51-[\"a\",{\"_placeholder\":true,\"num\":0.5}]").ok());  // awaits its attachment...
  CHECK_FALSE(d.feed_binary("x").ok());                                     // ...whose placeholder num is bad
}

TEST_CASE("external: a lane reports a deadline no later than the core's next one", "[socketio][external]") {
  const int protocol = GENERATE(3, 4);
  Harness h(opts(protocol));
  const std::uint32_t t = connect_root(h);
  Manager::Header header;
  // A received event re-arms the liveness check (later): the lane reports the deadline as it stood.
  const auto before = h.m.next_deadline();
  REQUIRE(before);
  h.clock.now += 10;
  auto v = h.m.on_event_fast(h.now(), t, "42", args(1, 9, JsonKind::Array));
  REQUIRE(v.code == Manager::kEvent);
  CHECK(v.deadline == *before);
  REQUIRE(h.m.next_deadline());
  CHECK(v.deadline <= *h.m.next_deadline());
  // An emit whose ackTimeout ends before anything else: that deadline is reported.
  Manager::EmitOptions o;
  o.want_ack = true;
  o.ack_timeout = 5;
  v = h.m.emit_fast(h.now(), "/", args(2, 9, JsonKind::Array), o, header);
  REQUIRE(v.code == Manager::kSend);
  CHECK(v.deadline == h.now() + 5);
  CHECK(*h.m.next_deadline() == h.now() + 5);
  // Its ack clears that timeout; the lane reports the deadline it found, and the ack timer stays there
  // (an answer only makes the earliest ack deadline later: the timer may fire early, never late).
  v = h.m.on_event_fast(h.now(), t, "430", args(3, 4, JsonKind::Array));
  REQUIRE(v.code == Manager::kAck);
  CHECK(v.deadline == h.now() + 5);
  CHECK(*h.m.next_deadline() == h.now() + 5);
  // The timer input at that deadline has nothing due (the early wake): nothing changes, and the next
  // deadline is the next real one.
  h.clock.now += 5;
  h.m.on_timer(h.now());
  CHECK(h.m.take_outputs().empty());
  CHECK(h.m.state() == ManagerState::Open);
  REQUIRE(h.m.next_deadline());
  CHECK(*h.m.next_deadline() > h.now());
}

// emit_fast moves the AckTimeout timer by the one ack it adds (no walk of every ack): only ever earlier.
// Acks of ackTimeout 100, 50, 200 and none: the timer is at +50, then fires each in its turn, in order.
TEST_CASE("external: emit_fast arms the ack timeout at the earliest of every ack's", "[socketio][external]") {
  const int protocol = GENERATE(3, 4);
  Harness h(opts(protocol));
  connect_root(h);
  Manager::Header header;
  const auto emit = [&](std::optional<Millis> timeout, std::uint32_t ref) {
    Manager::EmitOptions o;
    o.want_ack = true;
    o.ack_timeout = timeout;
    const auto v = h.m.emit_fast(h.now(), "/", args(ref, 9, JsonKind::Array), o, header);
    REQUIRE(v.code == Manager::kSend);
    CHECK(v.deadline <= *h.m.next_deadline());
    return static_cast<std::uint64_t>(v.value);
  };
  const Millis t0 = h.now();
  REQUIRE(*h.m.next_deadline() > t0 + 200);  // the heartbeat's is later
  const std::uint64_t a = emit(100, 1);
  CHECK(*h.m.next_deadline() == t0 + 100);
  const std::uint64_t b = emit(50, 2);
  CHECK(*h.m.next_deadline() == t0 + 50);  // earlier than every other
  const std::uint64_t c = emit(200, 3);
  emit(std::nullopt, 4);
  CHECK(*h.m.next_deadline() == t0 + 50);
  const auto timed_out = [&] {
    std::vector<std::uint64_t> ids;
    for (auto& out : h.m.take_outputs()) {
      if (const auto* r = std::get_if<AckResult>(&out); r && !r->ok) ids.push_back(r->emit_id);
    }
    return ids;
  };
  h.clock.now = t0 + 50;
  h.m.on_timer(h.now());
  CHECK(timed_out() == std::vector<std::uint64_t>{b});
  CHECK(*h.m.next_deadline() == t0 + 100);
  h.clock.now = t0 + 100;
  h.m.on_timer(h.now());
  CHECK(timed_out() == std::vector<std::uint64_t>{a});
  CHECK(*h.m.next_deadline() == t0 + 200);
  h.clock.now = t0 + 200;
  h.m.on_timer(h.now());
  CHECK(timed_out() == std::vector<std::uint64_t>{c});
}
