// libFuzzer target: im::Client driven as a whole session by a script. A small scripted E聊 server in
// this file answers what the client asks (Engine.IO 4 / Socket.IO 5 handshake, the login, API calls over
// the socket or HTTP, message/sync pages) with values the script picks, and pushes what the script says;
// the script also sends raw frames, cuts the link, moves the clock, restarts the app from its storage,
// and makes app calls.
//
// Input: byte 0 = configuration (transport SOCKET/HTTP, outbox per message or single record, a short
// or long request timeout, reconnection attempts, seed); byte 1 = the synced seq found in storage at
// start (0-7). Then commands: one byte `op`, one byte of clock advance (x 16 ms; 0xff = 100 s), then
// the command's arguments (bytes, or length-prefixed strings).
//
// Invariants checked after every command:
//  - no crash, no sanitizer report, no unbounded growth;
//  - outputs well-formed: transports opened with increasing ids and used only while newest; HTTP to the
//    configured base; storage only under this user's keys; JSON payloads are objects/values;
//  - every Response is for a call the script made (or a restored outbox message), exactly once, and
//    after close() or a kick, no call is left without one;
//  - Messages are handed over exactly once, in seq order, without gaps: each seq is the previous + 1
//    (from the position restored from storage), and synced_seq() follows them; an app restart resumes
//    from the last handed seq (the position is persisted before the next input);
//  - a fatal error or a kick leaves the state Disconnected;
//  - after on_timer(now): next_deadline() is empty or later than now.
//
// All calls to im::Client go through ClientAdapter below (one function per kind of input, and one
// conversion of the outputs to FuzzEvent), so that a change of the Client's API is a change there only.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "../native/support/host_delivery.h"
#include "fuzz_input.h"
#include "im/client.h"
#include "im/types.h"

using echat::fuzz::check;
using echat::fuzz::Reader;
namespace im = echat::im;

namespace {

// ---- The adapter: the only code here that knows im::Client's API -----------------------------------

struct FuzzEvent {
  enum Kind { Open, Send, Close, Http, Store, State, Response, Message, Notify, Sync, Kicked, Error, Conv, SendState, ConvList, Ready };
  Kind kind = Open;
  std::uint32_t transport = 0;
  std::uint64_t id = 0;    // Http / Response id; Message seq; Sync from
  std::uint64_t num = 0;   // Message mid; Sync to; State: 1 when Disconnected
  int code = 0;            // Response / Error code; Sync: the messages its run handed over
  bool flag = false;       // Send: binary; Error: fatal; Response: has a clientMsgId
  std::string a;           // Open url, Send data, Http url, Store key, Message/Notify/Conv json, Response data
  std::string b;           // Http body, Store value
};

class ClientAdapter {
 public:
  // lanes: the wasm host's lanes are taken as described at each input below; without, every input goes
  // through the general calls (Twin below runs both).
  ClientAdapter(const im::Config& config, bool lanes) : c_(config), lanes_(lanes) {}

  void load(const std::map<std::string, std::string>& storage) {
    std::vector<std::pair<std::string, std::string>> records(storage.begin(), storage.end());
    c_.load(0, records);
  }
  void start(std::int64_t now) { c_.start(now); }
  // Every other message goes through the send lane as js-shim/core-driver.js sends it (the form's text
  // kept here; the record and frames written from the core's texts), when the form is plain.
  std::optional<std::uint64_t> send(std::int64_t now, std::string_view form) {
    if (lanes_ && send_turn_++ % 2 == 1) {
      if (auto taken = send_lane(now, form)) return taken;
    }
    return id(c_.send_message(now, form));
  }
  std::optional<std::uint64_t> request(std::int64_t now, std::string_view module, std::string_view method,
                                       std::string_view form, int transport) {
    std::optional<im::Transport> t;
    if (transport == 1) t = im::Transport::Http;
    if (transport == 2) t = im::Transport::Socket;
    return id(c_.request(now, module, method, form, t));
  }
  std::optional<std::uint64_t> mark_read(std::int64_t now, const std::string& way, const std::string& to) {
    return id(c_.mark_read(now, way, to));
  }
  void close(std::int64_t now) { c_.close(now); }
  void wake(std::int64_t now) { c_.wake(now); }
  void set_online(std::int64_t now, bool online) { c_.set_online(now, online); }
  void transport_open(std::int64_t now, std::uint32_t t) { c_.on_transport_open(now, t); }
  // Two of three topic.message pushes go through the delivery lane as js-shim/core-driver.js sends them,
  // the object kept here under a handle and its facts read from it: one through on_message_external,
  // one through deliver_fast (whose Handover becomes the outputs it stands for); the rest, and whatever
  // the lane does not take, whole through on_frame.
  void frame(std::int64_t now, std::uint32_t t, bool binary, std::string data) {
    const std::size_t k = data.find('[');
    if (!lanes_) {
      c_.on_frame(now, t, echat::engineio::Frame{binary, std::move(data)});
      return;
    }
    // Every other answer with code 0 through the answer lane, as core-driver.js's answered().
    if (!binary && k >= 3 && k <= 22 && data.compare(0, 2, "43") == 0 && ack_turn_++ % 2 == 0 &&
        answer_lane(now, t, data, k)) {
      return;
    }
    const unsigned turn = lane_turn_++ % 3;
    if (!binary && turn != 0) {
      if (auto p = echat::testing::read_push(data)) {
        const std::uint32_t ref = next_ref_++;
        kept_[ref] = p->object;
        echat::socketio::ExternalArgs a;
        a.ext = ref;
        a.size = data.size() - p->head_size;
        a.shape.root = echat::socketio::JsonKind::Array;
        a.shape.first = echat::socketio::JsonKind::String;
        const std::string_view head = std::string_view(data).substr(0, p->head_size);
        if (turn == 1) {
          if (c_.on_message_external(now, t, head, a, std::move(p->m))) return;
        } else if (p->parse_int) {  // (parseInt: NaN, refused)
          im::Client::Handover h;
          const auto lane = c_.deliver_fast(now, t, p->delivery(), a, h);
          if (lane == im::Client::Lane::Handed) return handed(h, head);
          if (lane == im::Client::Lane::Batch) return;
        }
        kept_.erase(ref);
      }
    }
    c_.on_frame(now, t, echat::engineio::Frame{binary, std::move(data)});
  }
  void transport_close(std::int64_t now, std::uint32_t t) { c_.on_transport_close(now, t, 1006, "gone"); }
  void transport_error(std::int64_t now, std::uint32_t t) { c_.on_transport_error(now, t, "connect ECONNREFUSED"); }
  void http_response(std::int64_t now, std::uint64_t id, int status, std::string_view body) {
    c_.on_http_response(now, id, status, body);
  }
  void http_error(std::int64_t now, std::uint64_t id) { c_.on_http_error(now, id, "request:fail"); }
  void timer(std::int64_t now) { c_.on_timer(now); }
  std::optional<std::int64_t> deadline() const { return c_.next_deadline(); }
  std::uint64_t synced_seq() const { return c_.synced_seq(); }
  std::size_t pending_calls() const { return c_.pending_calls(); }
  bool disconnected() const { return c_.state() == im::State::Disconnected; }
  std::string conversations() const { return shown(c_.conversations_json()); }
  std::string http_base() const { return c_.http_base(); }
  std::string upload_url() const { return c_.upload_url(); }

  std::vector<FuzzEvent> take() {
    std::vector<FuzzEvent> out;
    out.swap(handed_);
    for (auto& o : c_.take_outputs()) {
      FuzzEvent e;
      if (event_of(o, e)) out.push_back(std::move(e));
    }
    return out;
  }

 private:
  // An output as the event this target checks; false for what the host consumes itself (a Release).
  bool event_of(im::Output& o, FuzzEvent& e) {
    {
      if (auto* x = std::get_if<im::OpenTransport>(&o)) {
        e = {FuzzEvent::Open, x->transport, 0, 0, 0, false, std::move(x->url), {}};
      } else if (auto* x = std::get_if<im::SendFrame>(&o)) {
        if (x->frame.ext != 0) {  // a form kept here follows the core's text (send_lane)
          check(kept_.count(x->frame.ext) == 1);
          x->frame.data += kept_[x->frame.ext];
        }
        e = {FuzzEvent::Send, x->transport, 0, 0, 0, x->frame.binary, std::move(x->frame.data), {}};
      } else if (auto* x = std::get_if<im::CloseTransport>(&o)) {
        e = {FuzzEvent::Close, x->transport, 0, 0, 0, false, {}, {}};
      } else if (auto* x = std::get_if<im::HttpRequest>(&o)) {
        e = {FuzzEvent::Http, 0, x->id, 0, 0, false, std::move(x->url), std::move(x->body)};
      } else if (auto* x = std::get_if<im::StorageSet>(&o)) {
        e = {FuzzEvent::Store, 0, 0, 0, 0, false, std::move(x->key), std::move(x->value_json)};
      } else if (auto* x = std::get_if<im::StateChanged>(&o)) {
        e = {FuzzEvent::State, 0, 0, x->state == im::State::Disconnected ? 1u : 0u, 0, false, {}, {}};
      } else if (auto* x = std::get_if<im::Response>(&o)) {
        e = {FuzzEvent::Response, 0, x->id, 0, x->code, !x->client_msg_id.empty(), std::move(x->data_json), {}};
      } else if (auto* x = std::get_if<im::Message>(&o)) {
        if (x->ref != 0) {  // a kept object, not released yet
          check(x->json.empty() && kept_.count(x->ref) == 1);
          x->json = kept_[x->ref];
        }
        e = {FuzzEvent::Message, 0, x->seq, x->mid, 0, false, std::move(x->json), {}};
      } else if (auto* x = std::get_if<im::Release>(&o)) {
        check(kept_.erase(x->ref) == 1);  // released once, and only what was kept
        return false;
      } else if (auto* x = std::get_if<im::Notify>(&o)) {
        e = {FuzzEvent::Notify, 0, 0, 0, 0, false, std::move(x->json), {}};
      } else if (auto* x = std::get_if<im::Sync>(&o)) {
        e = {FuzzEvent::Sync, 0, x->from, x->to, static_cast<int>(x->count), false, {}, {}};
      } else if (std::holds_alternative<im::Kicked>(o)) {
        e = {FuzzEvent::Kicked, 0, 0, 0, 0, false, {}, {}};
      } else if (auto* x = std::get_if<im::ErrorEvent>(&o)) {
        e = {FuzzEvent::Error, 0, 0, 0, x->code, x->fatal, std::move(x->message), {}};
      } else if (auto* x = std::get_if<im::ConversationChanged>(&o)) {
        const im::json conv = im::parse_json(x->json);
        if (const im::json* r = conv.find("lastRef")) check(kept_.count(static_cast<std::uint32_t>(r->get_uint())) == 1);
        e = {FuzzEvent::Conv, 0, 0, 0, 0, false, shown(x->json), {}};
      } else if (auto* x = std::get_if<im::SendState>(&o)) {
        const std::string_view st = x->state ? x->state : "";
        check(st == "queued" || st == "sending" || st == "sent" || st == "failed");
        e = {FuzzEvent::SendState, 0, x->id, 0, 0, st == "failed", std::move(x->client_msg_id), std::move(x->reason)};
      } else if (auto* x = std::get_if<im::ConversationsLoaded>(&o)) {
        e = {FuzzEvent::ConvList, 0, 0, 0, 0, false, shown(x->json), {}};
      } else if (std::holds_alternative<im::Ready>(o)) {
        e = {FuzzEvent::Ready, 0, 0, 0, 0, false, {}, {}};
      } else {
        check(false);  // an output kind this target does not know: extend the adapter
      }
      return true;
    }
  }

  static std::optional<std::uint64_t> id(const echat::core::Result<std::uint64_t>& r) {
    if (!r.ok()) {
      check(!r.error().message.empty());
      return std::nullopt;
    }
    return r.value();
  }
  std::optional<std::uint64_t> send_lane(std::int64_t now, std::string_view text) {
    const im::json form = im::parse_json(text);
    const auto is_str = [&](const char* k) { const im::json* v = im::field(form, k); return v && v->is_string(); };
    if (!form.is_object() || !is_str("toTarget") || !is_str("way") || !is_str("type") || !im::field(form, "body") ||
        (im::field(form, "formUser") && !is_str("formUser")) || (im::field(form, "clientMsgId") && !is_str("clientMsgId"))) {
      return std::nullopt;
    }
    for (const char* k : im::Client::kSetByCore) {
      if (im::field(form, k)) return std::nullopt;
    }
    const std::string t = im::dump(form);
    const std::string to = im::string_field(form, "toTarget"), way = im::string_field(form, "way");
    const std::string from = im::string_field(form, "formUser"), cmid = im::string_field(form, "clientMsgId");
    im::Client::SendFacts f;
    f.to_target = to;
    f.way = way;
    if (im::field(form, "formUser")) f.form_user = from;
    if (im::field(form, "clientMsgId")) f.client_msg_id = cmid;
    f.size = t.size();
    f.ext = next_ref_++;
    f.room = 1024;
    im::Client::Accepted a;
    const auto lane = c_.send_fast(now, f, a);
    if (lane == im::Client::Lane::Refused) {  // nothing changed, and the general path refuses it too
      check(c_.take_outputs().empty() && a.error.rfind("invalid argument 'body': ", 0) == 0);
      const auto r = c_.send_message(now, t);
      check(!r.ok() && r.error().code == "400");
      return std::nullopt;
    }
    if (lane == im::Client::Lane::NotTaken) return std::nullopt;
    const std::string cmid_text = c_.lane_cmid(a);
    check(cmid_text == c_.outbox_cmid(c_.outbox_size() - 1));  // the core's id of the entry it made
    const std::string body = t.substr(1, t.size() - 2) + c_.lane_fields(a) + "}";
    check(im::parse_json("{" + body).is_object());
    kept_[f.ext] = body + "]";
    handed_.push_back({FuzzEvent::Store, 0, 0, 0, 0, false, c_.outbox_prefix() + cmid_text,
                       "{\"n\":" + std::to_string(a.n) + ",\"c\":\"" + cmid_text + "\",\"f\":{" + body + "}"});
    if (a.marker) handed_.push_back({FuzzEvent::Store, 0, 0, 0, 0, false, c_.outbox_key(), c_.outbox_marker()});
    handed_.push_back({FuzzEvent::SendState, 0, a.id, 0, 0, false, cmid_text, {}});
    if (lane == im::Client::Lane::Handed) {
      const auto d = c_.next_deadline();
      check(c_.take_outputs().empty() && (!d || (a.deadline && *a.deadline <= *d)));
      if (a.sent) {
        handed_.push_back({FuzzEvent::Send, a.transport, 0, 0, 0, false, framed(a.wire) + body + "]", {}});
        handed_.push_back({FuzzEvent::SendState, 0, a.id, 0, 0, false, cmid_text, {}});
      }
    }
    return a.id;
  }

  bool answer_lane(std::int64_t now, std::uint32_t t, const std::string& data, std::size_t k) {
    const im::json args = im::parse_json(std::string_view(data).substr(k));
    if (!args.is_array() || args.size() == 0 || !args[0].is_object()) return false;
    const im::json* wrapped = im::field(args[0], "response");
    const im::json& r = wrapped ? *wrapped : args[0];
    const im::json* code = im::field(r, "code");
    if (!r.is_object() || !code || !code->is_number_integer() || code->get_int() != 0) return false;
    echat::socketio::ExternalArgs a;
    a.ext = next_ref_++;
    a.size = data.size() - k;
    a.shape.root = echat::socketio::JsonKind::Array;
    a.shape.first = echat::socketio::JsonKind::Object;
    im::Client::Answered out;
    const auto ack_id = im::Client::lane_ack_id(data, k);
    if (!ack_id) return false;
    const auto lane = c_.answer_fast(now, t, k, *ack_id, a, 1024, out);
    if (lane == im::Client::Lane::NotTaken) return false;
    const std::string cmid = c_.lane_cmid(out.boot, out.msg_no, out.client_msg_id);
    if (out.outbox) {
      handed_.push_back({FuzzEvent::Store, 0, 0, 0, 0, false, c_.outbox_prefix() + cmid, {}});
      if (out.marker) handed_.push_back({FuzzEvent::Store, 0, 0, 0, 0, false, c_.outbox_key(), {}});
    }
    if (out.next_id != 0) {
      check(kept_.count(out.next_ext) == 1);
      handed_.push_back({FuzzEvent::Send, out.transport, 0, 0, 0, false, framed(out.wire) + kept_[out.next_ext], {}});
    }
    if (out.released != 0) check(kept_.erase(out.released) == 1);
    if (out.outbox) handed_.push_back({FuzzEvent::SendState, 0, out.id, 0, 0, false, cmid, {}});
    const im::json* data_field = im::field(r, "data");
    handed_.push_back({FuzzEvent::Response, 0, out.id, 0, 0, !cmid.empty(),
                       data_field ? im::dump(*data_field) : "null", {}});
    if (out.next_id != 0) handed_.push_back({FuzzEvent::SendState, 0, out.next_id, 0, 0, false,
                                    c_.lane_cmid(out.boot, out.next_msg_no, out.next_client_msg_id), {}});
    if (lane == im::Client::Lane::Handed) {
      const auto d = c_.next_deadline();
      check(c_.take_outputs().empty() && (!d || (out.deadline && *out.deadline <= *d)));
    }
    return true;
  }

  // A delivery deliver_fast handed over: the events its Handover stands for, in its order (client.h);
  // `head` the delivery's ("42<id>": the ack's is "43<id>", the id's digits as they were).
  void handed(const im::Client::Handover& h, std::string_view head) {
    const auto d = c_.next_deadline();  // the host's timer may fire early, never late
    check(c_.take_outputs().empty() && kept_.count(h.ref) == 1 && (!d || (h.deadline && *h.deadline <= *d)));
    if (h.conversation) check(h.conversation->last_ref == h.ref && !h.dropped);
    for (auto& o : echat::testing::handover_outputs(c_, h, head)) {
      FuzzEvent e;
      if (event_of(o, e)) handed_.push_back(std::move(e));
    }
  }

  // A conversation (or a list of them) as the app sees it: a last message the host keeps (lastRef, with
  // the fields the core changed since in lastPatch) written in, as core-driver.js shown() does.
  std::string shown(const std::string& text) const {
    nlohmann::json v = nlohmann::json::parse(text, nullptr, false);
    if (v.is_discarded()) return text;
    auto one = [&](nlohmann::json& c) {
      if (!c.is_object() || !c.contains("lastRef")) return;
      const auto ref = c["lastRef"].get<std::uint32_t>();
      check(kept_.count(ref) == 1);
      nlohmann::json m = nlohmann::json::parse(kept_.at(ref));
      if (c.contains("lastPatch")) m.update(c["lastPatch"]);
      c["lastMessage"] = m;
      c.erase("lastRef");
      c.erase("lastPatch");
    };
    if (v.is_array()) {
      for (auto& c : v) one(c);
    } else {
      one(v);
    }
    return v.dump();
  }

  // A lane-sent message's frame text before its wire text, as the host (js-shim/core-driver.js framed())
  // writes it: the JWT's text kept from the first frame of each JWT.
  std::string framed(const im::Client::Sent& w) {
    if (w.jwt.empty()) {
      check(!jwt_text_.empty());
    } else {
      jwt_text_ = std::string(w.jwt);
    }
    return c_.lane_frame_head(w, jwt_text_);
  }

  im::Client c_;
  const bool lanes_;
  std::vector<FuzzEvent> handed_;
  std::map<std::uint32_t, std::string> kept_;  // the host-kept objects the core has not released
  std::string jwt_text_;  // the JWT text the host keeps (framed())
  std::uint32_t next_ref_ = 1;
  unsigned lane_turn_ = 0;
  unsigned send_turn_ = 0;
  unsigned ack_turn_ = 0;
};

// The session's client twice: once with the host's lanes, once through the general calls only. Every
// input goes to both; their answers and outputs must be the same (a lane may leave the next deadline
// earlier, never later). JSON texts are compared as values: the general path writes a form's or a
// record's keys in its own order, the host the app's. The script goes on from the general side's.
class Twin {
 public:
  explicit Twin(const im::Config& config) : lanes_(config, true), general_(config, false) {}

  void load(const std::map<std::string, std::string>& storage) { both([&](ClientAdapter& c) { c.load(storage); return 0; }); }
  void start(std::int64_t now) { both([&](ClientAdapter& c) { c.start(now); return 0; }); }
  std::optional<std::uint64_t> send(std::int64_t now, std::string_view form) {
    return both([&](ClientAdapter& c) { return c.send(now, form); });
  }
  std::optional<std::uint64_t> request(std::int64_t now, std::string_view module, std::string_view method,
                                       std::string_view form, int transport) {
    return both([&](ClientAdapter& c) { return c.request(now, module, method, form, transport); });
  }
  std::optional<std::uint64_t> mark_read(std::int64_t now, const std::string& way, const std::string& to) {
    return both([&](ClientAdapter& c) { return c.mark_read(now, way, to); });
  }
  void close(std::int64_t now) { both([&](ClientAdapter& c) { c.close(now); return 0; }); }
  void wake(std::int64_t now) { both([&](ClientAdapter& c) { c.wake(now); return 0; }); }
  void set_online(std::int64_t now, bool online) { both([&](ClientAdapter& c) { c.set_online(now, online); return 0; }); }
  void transport_open(std::int64_t now, std::uint32_t t) { both([&](ClientAdapter& c) { c.transport_open(now, t); return 0; }); }
  void frame(std::int64_t now, std::uint32_t t, bool binary, const std::string& data) {
    both([&](ClientAdapter& c) { c.frame(now, t, binary, data); return 0; });
  }
  void transport_close(std::int64_t now, std::uint32_t t) { both([&](ClientAdapter& c) { c.transport_close(now, t); return 0; }); }
  void transport_error(std::int64_t now, std::uint32_t t) { both([&](ClientAdapter& c) { c.transport_error(now, t); return 0; }); }
  void http_response(std::int64_t now, std::uint64_t id, int status, std::string_view body) {
    both([&](ClientAdapter& c) { c.http_response(now, id, status, body); return 0; });
  }
  void http_error(std::int64_t now, std::uint64_t id) { both([&](ClientAdapter& c) { c.http_error(now, id); return 0; }); }
  void timer(std::int64_t now) { both([&](ClientAdapter& c) { c.timer(now); return 0; }); }
  std::optional<std::int64_t> deadline() const {
    const auto d = general_.deadline();
    const auto l = lanes_.deadline();
    check(!d == !l && (!d || *l <= *d));
    return d;
  }
  std::uint64_t synced_seq() const { return same(&ClientAdapter::synced_seq); }
  std::size_t pending_calls() const { return same(&ClientAdapter::pending_calls); }
  bool disconnected() const { return same(&ClientAdapter::disconnected); }
  std::string conversations() const {
    check(value(lanes_.conversations()) == value(general_.conversations()));
    return general_.conversations();
  }
  std::string http_base() const { return same(&ClientAdapter::http_base); }
  std::string upload_url() const { return same(&ClientAdapter::upload_url); }
  std::vector<FuzzEvent> take() {
    std::vector<FuzzEvent> events = general_.take();
    const std::vector<FuzzEvent> other = lanes_.take();
    // In order within each of two streams: what goes to the network and to storage (a record is written
    // before the frame that depends on it), and what the app is told. Between them the order may differ:
    // the lane puts a message on the wire at once, before the app hears "queued" and "sending".
    bool equal = other.size() == events.size();
    for (const bool io : {true, false}) {
      std::size_t j = 0;
      for (std::size_t i = 0; equal && i < events.size(); ++i) {
        const FuzzEvent& x = events[i];
        if (is_io(x) != io) continue;
        while (j < other.size() && is_io(other[j]) != io) ++j;
        if (j == other.size()) {
          equal = false;
          break;
        }
        const FuzzEvent& y = other[j++];
        equal = x.kind == y.kind && x.transport == y.transport && x.id == y.id && x.num == y.num && x.code == y.code &&
                x.flag == y.flag && value(x.a) == value(y.a) && value(x.b) == value(y.b);
      }
    }
    if (!equal) {  // (what differs, before the abort)
      for (const std::vector<FuzzEvent>* side : {static_cast<const std::vector<FuzzEvent>*>(&events), &other}) {
        std::fprintf(stderr, side == &events ? "general:\n" : "lanes:\n");
        for (const auto& e : *side) {
          std::fprintf(stderr, "  %d t%u id%llu num%llu code%d %d %s | %s\n", e.kind, e.transport,
                       static_cast<unsigned long long>(e.id), static_cast<unsigned long long>(e.num), e.code, e.flag,
                       e.a.c_str(), e.b.c_str());
        }
      }
    }
    check(equal);
    return events;
  }

 private:
  static bool is_io(const FuzzEvent& e) {
    return e.kind == FuzzEvent::Open || e.kind == FuzzEvent::Send || e.kind == FuzzEvent::Close ||
           e.kind == FuzzEvent::Http || e.kind == FuzzEvent::Store;
  }
  template <typename F>
  auto both(F&& f) -> decltype(f(std::declval<ClientAdapter&>())) {
    auto r = f(general_);
    check(f(lanes_) == r);
    return r;
  }
  template <typename R>
  R same(R (ClientAdapter::*get)() const) const {
    const R r = (general_.*get)();
    check((lanes_.*get)() == r);
    return r;
  }
  // A text as a JSON value where it is JSON, or where a frame's arguments start ("42[...]"); else itself.
  static std::string value(const std::string& text) {
    const std::size_t k = text.find_first_of("[{");
    if (k == std::string::npos) return text;
    const auto v = nlohmann::json::parse(text.substr(k), nullptr, false);
    return v.is_discarded() ? text : text.substr(0, k) + v.dump();
  }

  ClientAdapter lanes_;
  ClientAdapter general_;
};

im::Config make_config(std::uint8_t b) {
  im::Config c;
  c.host = "127.0.0.1";
  c.app_key = "K";
  c.auid = "a";
  c.token = "t";
  c.protocol = 4;
  c.api_transport = (b & 1) ? im::Transport::Socket : im::Transport::Http;
  c.outbox_per_message = (b & 2) == 0;
  c.request_timeout = (b & 4) ? 300 : 15000;
  c.reconnection_attempts = (b & 8) ? 2 : UINT32_MAX;
  c.reconnection_delay = 100;
  c.reconnection_delay_max = 400;
  c.max_http_requests = (b & 16) ? 1 : 8;
  c.seed = b >> 5;
  return c;
}

// ---- The scripted server and the checks ----------------------------------------------------------

const char* const kModules[][2] = {{"user", "get"},          {"friend", "add"},     {"conversation", "list"},
                                   {"message", "sync"},      {"message", "recall"}, {"room", "list"},
                                   {"", ""},                 {"user", ""}};
const char* const kForms[] = {"", "{\"auid\":\"b\"}", "{\"fromSeq\":1,\"limit\":2}", "[1]", "{\"jwt\":\"x\",\"requestId\":1}",
                              "{\"secret\":\"s\"}"};
const char* const kSendForms[] = {
    "{\"toTarget\":\"b\",\"way\":\"P2P\",\"type\":\"TEXT\",\"body\":{\"text\":\"hi\"}}",
    "{\"toTarget\":\"r1\",\"way\":\"ROOM\",\"type\":\"TEXT\",\"body\":{\"text\":\"x\"},\"clientMsgId\":\"c1\"}",
    "{\"toTarget\":\"b\",\"way\":\"P2P\",\"type\":\"IMAGE\",\"body\":{\"url\":\"u\"}}",
    "{\"way\":\"P2P\"}",
    "{}",
    "nope"};
const int kCodes[] = {0, 0, 0, 401, 419, 429, 503, 500, 400, 403, -1};
const int kStatuses[] = {200, 200, 200, 401, 429, 500, 503, 0, 404};

struct Pending {
  std::uint64_t id = 0;   // ack id (socket) or HTTP id
  std::string event;      // "topic.connection", "topic.message", ... or the HTTP URL
  std::string request_id;
  std::uint64_t from_seq = 0;
  std::string client_msg_id;
};

// A field's raw text after `"name":` (up to ',' or '}'), without quotes; "" when absent. Enough for the
// client's own envelopes, which this server reads.
std::string raw_field(const std::string& s, std::string_view name) {
  const std::string key = "\"" + std::string(name) + "\":";
  const std::size_t at = s.find(key);
  if (at == std::string::npos) return {};
  std::size_t i = at + key.size();
  if (i < s.size() && s[i] == '"') {
    const std::size_t end = s.find('"', i + 1);
    return end == std::string::npos ? std::string() : s.substr(i + 1, end - i - 1);
  }
  const std::size_t end = s.find_first_of(",}]", i);
  return s.substr(i, end == std::string::npos ? std::string::npos : end - i);
}

std::uint64_t to_u64(const std::string& s) {
  std::uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9' || v > (UINT64_MAX / 10 - 10)) return 0;
    v = v * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return v;
}

// variant: 0 from b to a (P2P), 1 our own message from another device, 2 a room post, 3 a room post
// with a numeric toTarget.
std::string message_json(std::uint64_t seq, std::uint64_t mid, int variant = 0) {
  static const char* const kRoutes[] = {"\"formUser\":\"b\",\"toTarget\":\"a\",\"way\":\"P2P\"",
                                        "\"formUser\":\"a\",\"toTarget\":\"b\",\"way\":\"P2P\"",
                                        "\"formUser\":\"b\",\"toTarget\":\"r1\",\"way\":\"ROOM\"",
                                        "\"formUser\":\"b\",\"toTarget\":7,\"way\":\"ROOM\""};
  return "{\"seq\":" + std::to_string(seq) + ",\"mid\":" + std::to_string(mid) + "," + kRoutes[variant & 3] +
         ",\"type\":\"TEXT\",\"body\":{\"text\":\"m\"},"
         "\"createTime\":" + std::to_string(seq) + ",\"clientMsgId\":\"b-" + std::to_string(mid) + "\"}";
}

class Session {
 public:
  explicit Session(Reader& in) : in_(in) {
    const std::uint8_t cfg = in_.byte();
    config_ = make_config(cfg);
    const std::uint8_t synced = in_.byte() & 7;
    if (synced) storage_[own_ + "synced"] = "{\"seq\":" + std::to_string(synced) + ",\"boot\":1}";
    boot();
  }

  void run() {
    while (!in_.empty()) {
      const std::uint8_t op = in_.byte();
      const std::uint8_t dt = in_.byte();
      now_ += dt == 0xff ? 100000 : dt * 16;
      if (trace_) std::fprintf(stderr, "op %d at %lld\n", op % 24, static_cast<long long>(now_));
      step(op % 24);
      drain();
    }
  }

 private:
  void boot() {
    client_ = std::make_unique<Twin>(config_);
    client_->load(storage_);
    expected_seq_ = client_->synced_seq() + 1;
    // An app restart resumes where the last run's deliveries ended (persisted before the next input).
    if (last_handed_) check(client_->synced_seq() == *last_handed_);
    newest_ = 0;
    opened_ = false;
    ready_ = false;
    dead_.clear();
    socket_.clear();
    http_.clear();
    push_acks_.clear();
    issued_.clear();
    answered_.clear();
    client_->start(now_);
    drain();
  }

  void step(std::uint8_t op) {
    switch (op) {
      case 0:  // the server accepts the newest transport: EIO open packet
        if (newest_ && !opened_ && !dead_.count(newest_)) {
          opened_ = true;
          client_->transport_open(now_, newest_);
          drain();
          client_->frame(now_, newest_, false,
                         "0{\"sid\":\"s\",\"upgrades\":[],\"pingInterval\":25000,\"pingTimeout\":20000,\"maxPayload\":100000}");
        }
        break;
      case 1:  // Socket.IO connect answer (or a refusal)
        if (live()) client_->frame(now_, newest_, false, (in_.byte() & 7) ? "40{\"sid\":\"x\"}" : "44{\"message\":\"no\"}");
        break;
      case 2:
      case 3:
        answer_socket();
        break;
      case 4:
      case 5:
        push_message();
        break;
      case 6:
        notify();
        break;
      case 7:
      case 8:
        answer_http();
        break;
      case 9:
        if (!http_.empty()) {
          const std::size_t i = in_.byte() % http_.size();
          const std::uint64_t id = http_[i].id;
          http_.erase(http_.begin() + static_cast<std::ptrdiff_t>(i));
          client_->http_error(now_, id);
        }
        break;
      case 10: {
        const std::uint8_t s = in_.byte();
        const std::string form = (s & 0x80) ? in_.bytes() : kSendForms[s % 6];
        if (auto id = client_->send(now_, form)) issue(*id);
        break;
      }
      case 11: {
        const std::uint8_t s = in_.byte();
        const auto& m = kModules[s % 8];
        const std::string form = (s & 0x80) ? in_.bytes() : kForms[(s >> 3) % 6];
        if (auto id = client_->request(now_, m[0], m[1], form, (s >> 6) & 1 ? in_.byte() % 3 : 0)) issue(*id);
        break;
      }
      case 12: {
        const std::uint8_t s = in_.byte();
        if (auto id = client_->mark_read(now_, (s & 1) ? "P2P" : (s & 2) ? "ROOM" : "", (s & 4) ? "b" : "")) issue(*id);
        break;
      }
      case 13:
        client_->close(now_);
        drain();
        check(client_->pending_calls() == 0 && client_->disconnected());
        for (std::uint64_t id : issued_) check(answered_.count(id) == 1);
        break;
      case 14: {
        const std::uint8_t s = in_.byte();
        if (s & 1) client_->wake(now_);
        else client_->set_online(now_, s & 2);
        break;
      }
      case 15: {
        const std::uint8_t s = in_.byte();
        const std::uint32_t t = (s & 4) ? newest_ + (s >> 3) : newest_;
        if (t == 0) break;
        if (s & 1) client_->transport_error(now_, t);
        else client_->transport_close(now_, t);
        drain();
        if (t == newest_) dead_.insert(t);
        break;
      }
      case 16: {  // a raw frame (text or binary), on the newest transport
        const std::uint8_t s = in_.byte();
        std::string data = in_.bytes();
        if (!(s & 1) && (s & 2)) data = "42" + data;
        // A raw EVENT on the root namespace with an ack id asks for an ack like a scripted push: the
        // client acks even an event it cannot read (issue 11: acked and reported, never blocking).
        if (!(s & 1) && data.size() > 2 && data[0] == '4' && data[1] == '2' && data[2] >= '0' && data[2] <= '9') {
          std::uint64_t ack = 0;
          for (std::size_t i = 2; i < data.size() && i < 20 && data[i] >= '0' && data[i] <= '9'; ++i) {
            ack = ack * 10 + static_cast<std::uint64_t>(data[i] - '0');
          }
          push_acks_.insert(ack);
        }
        if (live()) client_->frame(now_, newest_, s & 1, std::move(data));
        break;
      }
      case 17:  // an Engine.IO ping from the server
        if (live()) client_->frame(now_, newest_, false, "2");
        break;
      case 18:
      case 19:
        client_->timer(now_);
        check_deadline();
        break;
      case 20: {  // to the next deadline
        if (auto d = client_->deadline()) {
          if (*d > now_) now_ = *d;
        }
        client_->timer(now_);
        check_deadline();
        break;
      }
      case 21:  // the app restarts (cleanly or not) from what it stored
        if (in_.byte() & 1) {
          client_->close(now_);
          drain();
        }
        boot();
        break;
      case 22:  // the app reads its conversation list
        check(client_->conversations().front() == '[' && client_->conversations().back() == ']');
        break;
      default:
        client_->timer(now_);
        check_deadline();
        break;
    }
  }

  bool live() const { return newest_ != 0 && opened_ && !dead_.count(newest_); }

  void check_deadline() {
    drain();
    if (auto d = client_->deadline()) check(*d > now_);
  }

  void issue(std::uint64_t id) { check(issued_.insert(id).second && !answered_.count(id)); }

  // An R envelope the script picks, with data shaped for what was asked.
  std::string r_for(const Pending& p, int code) {
    std::string data = "null";
    if (code == 0) {
      const std::uint8_t d = in_.byte();
      if (p.event.find("connection") != std::string::npos || p.event.find("auth/login") != std::string::npos) {
        data = (d & 1) ? "\"jwt-1\"" : "\"jwt-2\"";
      } else if (p.event.find("sync") != std::string::npos) {
        // A page of messages from fromSeq + 1 (count, a hole, and hasMore picked by the script).
        const std::uint64_t count = d & 3;
        data = "{\"messages\":[";
        for (std::uint64_t k = 0; k < count; ++k) {
          const std::uint64_t seq = p.from_seq + 1 + k + ((d & 4) && k == 1 ? 1 : 0);
          if (k) data += ',';
          data += message_json(seq, 1000 + seq);
        }
        data += "],\"maxSeq\":" + std::to_string(p.from_seq + count + ((d >> 3) & 3)) +
                ",\"hasMore\":" + ((d & 32) ? "true" : "false") + "}";
      } else if (p.event.find("message") != std::string::npos) {
        data = "{\"mid\":" + std::to_string(900 + d) + ",\"seq\":" + std::to_string(d & 15) +
               ",\"createTime\":1,\"clientMsgId\":\"" + p.client_msg_id + "\"}";
      } else if (d & 1) {
        data = "[]";
      } else {
        data = "{}";
      }
    }
    return "{\"code\":" + std::to_string(code) + ",\"msg\":\"m\",\"data\":" + data + "}";
  }

  void answer_socket() {
    if (socket_.empty()) return;
    const std::uint8_t s = in_.byte();
    const std::size_t i = s % socket_.size();
    Pending p = socket_[i];
    socket_.erase(socket_.begin() + static_cast<std::ptrdiff_t>(i));
    const int code = kCodes[(s >> 4) % 11];
    const std::string r = r_for(p, code);
    const std::string rid = (s & 8) ? "\"other\"" : "\"" + p.request_id + "\"";
    const std::string args = (s & 128) ? "[" + r + "]" : "[{\"requestId\":" + rid + ",\"response\":" + r + "}]";
    if (live()) client_->frame(now_, newest_, false, "43" + std::to_string(p.id) + args);
  }

  void answer_http() {
    if (http_.empty()) return;
    const std::uint8_t s = in_.byte();
    const std::size_t i = s % http_.size();
    Pending p = http_[i];
    http_.erase(http_.begin() + static_cast<std::ptrdiff_t>(i));
    const int status = kStatuses[(s >> 4) % 9];
    std::string body;
    if (s & 8) {
      body = in_.bytes();
    } else {
      const int code = status == 200 ? kCodes[(s >> 5) % 3] : status;
      body = r_for(p, code);
      body.insert(1, "\"requestId\":\"" + p.request_id + "\",");
    }
    client_->http_response(now_, p.id, status, body);
  }

  void push_message() {
    if (!live()) return;
    const std::uint8_t s = in_.byte();
    // seq near the next expected one: repeats, gaps and reorders are all likely.
    const std::int64_t base = static_cast<std::int64_t>(expected_seq_) + (s & 7) - 2;
    const std::uint64_t seq = base < 0 ? 0 : static_cast<std::uint64_t>(base);
    // mid 1000 + seq as in sync pages (the same delivery twice), or a stray mid (a server bug)
    const std::uint64_t mid = (s & 8) ? 2000 + (s >> 4) : 1000 + seq;
    std::string frame = "42";
    if (!(s & 128)) {
      const std::uint64_t ack = next_push_ack_++;
      push_acks_.insert(ack);
      frame += std::to_string(ack);
    }
    frame += "[\"topic.message\"," + message_json(seq, mid, (s & 8) ? 0 : s >> 4) + "]";
    client_->frame(now_, newest_, false, std::move(frame));
  }

  void notify() {
    if (!live()) return;
    const std::uint8_t s = in_.byte();
    static const char* const kTypes[] = {"friend.added", "message.recalled", "session.kicked", "room.dismissed"};
    std::string data = (s & 4) ? "{\"mid\":1001,\"seq\":1,\"way\":\"P2P\",\"toTarget\":\"a\",\"formUser\":\"b\"}" : "{}";
    client_->frame(now_, newest_, false,
                   "42[\"topic.notify\",{\"type\":\"" + std::string(kTypes[s % 4]) + "\",\"data\":" + data +
                       ",\"createTime\":1}]");
  }

  // Reads a frame the client sent: requests that want an ack, and acks of pushes.
  void server_reads(const std::string& f) {
    if (f.size() < 2 || f[0] != '4') return;
    std::size_t i = 2;
    std::uint64_t id = 0;
    bool has_id = false;
    while (i < f.size() && f[i] >= '0' && f[i] <= '9' && i < 20) {
      id = id * 10 + static_cast<std::uint64_t>(f[i] - '0');
      has_id = true;
      ++i;
    }
    if (f[1] == '3') {  // the client acks a push: only ones that asked for it
      check(has_id && push_acks_.count(id) == 1);
      return;
    }
    if (f[1] != '2' || !has_id) return;
    Pending p;
    p.id = id;
    const std::size_t q = f.find('"', i);
    const std::size_t e = q == std::string::npos ? q : f.find('"', q + 1);
    if (e != std::string::npos) p.event = f.substr(q + 1, e - q - 1);
    p.request_id = raw_field(f, "requestId");
    p.from_seq = to_u64(raw_field(f, "fromSeq"));
    p.client_msg_id = raw_field(f, "clientMsgId");
    if (p.event == "topic.message" && raw_field(f, "method") == "sync") p.event = "topic.message sync";
    if (socket_.size() < 32) socket_.push_back(std::move(p));
  }

  void drain() {
    for (auto& e : client_->take()) {
      if (trace_) std::fprintf(stderr, "  out %d t=%u id=%llu num=%llu code=%d flag=%d %s | %s\n", e.kind, e.transport,
                               static_cast<unsigned long long>(e.id), static_cast<unsigned long long>(e.num), e.code,
                               e.flag, e.a.c_str(), e.b.c_str());
      switch (e.kind) {
        case FuzzEvent::Open:
          check(e.transport > newest_);
          check(e.a.rfind("ws://127.0.0.1:59092/", 0) == 0);
          if (newest_) dead_.insert(newest_);
          newest_ = e.transport;
          opened_ = false;
          socket_.clear();
          break;
        case FuzzEvent::Send:
          check(e.transport == newest_ && opened_ && !dead_.count(e.transport));
          if (!e.flag) server_reads(e.a);
          break;
        case FuzzEvent::Close:
          check(e.transport == newest_ && !dead_.count(e.transport));
          dead_.insert(e.transport);
          break;
        case FuzzEvent::Http: {
          check(e.a.rfind(client_->http_base() + "/v1/", 0) == 0 || e.a == client_->upload_url());
          check(!e.b.empty() && e.b.front() == '{' && e.b.back() == '}');
          for (const auto& p : http_) check(p.id != e.id);
          Pending p;
          p.id = e.id;
          p.event = e.a;
          p.request_id = raw_field(e.b, "requestId");
          p.from_seq = to_u64(raw_field(e.b, "fromSeq"));
          p.client_msg_id = raw_field(e.b, "clientMsgId");
          if (http_.size() < 32) http_.push_back(std::move(p));
          break;
        }
        case FuzzEvent::Store:
          check(e.a.rfind(own_, 0) == 0);
          if (e.b.empty()) storage_.erase(e.a);
          else storage_[e.a] = std::move(e.b);
          break;
        case FuzzEvent::Response:
          check(answered_.insert(e.id).second);  // exactly once
          check(issued_.count(e.id) == 1 || e.flag);  // a call made in this run, or a restored outbox message
          check(!e.a.empty());
          break;
        case FuzzEvent::Message:
          check(e.id == expected_seq_);  // in order, no gap, no repeat
          check(!e.a.empty() && e.a.front() == '{');
          last_handed_ = e.id;
          ++expected_seq_;
          break;
        case FuzzEvent::Sync:
          check(e.id <= e.num);
          break;
        case FuzzEvent::Kicked:
          kicked_ = true;
          break;
        case FuzzEvent::Error:
          check(!e.a.empty());
          if (e.flag) fatal_ = true;
          break;
        case FuzzEvent::Notify:
        case FuzzEvent::Conv:
          check(!e.a.empty() && e.a.front() == '{');
          break;
        case FuzzEvent::SendState:
          check(!e.a.empty());                  // every outbox message has its clientMsgId
          if (e.flag) check(!e.b.empty());      // a failure says why
          break;
        case FuzzEvent::ConvList:
          check(!e.a.empty() && e.a.front() == '[' && e.a.back() == ']');
          break;
        case FuzzEvent::Ready:  // once per client, right after a conversation list, while connected
          check(!ready_ && saw_list_ && !client_->disconnected());
          ready_ = true;
          break;
        case FuzzEvent::State:
          break;
      }
      saw_list_ = e.kind == FuzzEvent::ConvList;
    }
    check(client_->synced_seq() == expected_seq_ - 1);
    if (kicked_ || fatal_) {
      check(client_->disconnected());
      kicked_ = fatal_ = false;
    }
  }

  Reader& in_;
  im::Config config_;
  const std::string own_ = "echatim:K:a:";
  std::unique_ptr<Twin> client_;
  std::map<std::string, std::string> storage_;
  std::int64_t now_ = 1000;
  std::uint32_t newest_ = 0;
  bool opened_ = false;
  bool ready_ = false;     // the client said Ready (once per boot)
  bool saw_list_ = false;  // the event before this one was a ConversationsLoaded
  std::set<std::uint32_t> dead_;
  std::deque<Pending> socket_;  // requests on the socket waiting for an ack
  std::deque<Pending> http_;    // HTTP requests waiting for an answer
  std::set<std::uint64_t> push_acks_;
  std::uint64_t next_push_ack_ = 500;
  std::set<std::uint64_t> issued_;
  std::set<std::uint64_t> answered_;
  std::uint64_t expected_seq_ = 1;
  std::optional<std::uint64_t> last_handed_;
  bool kicked_ = false;
  bool fatal_ = false;
  const bool trace_ = std::getenv("FUZZ_TRACE") != nullptr;  // replaying one input: print the session
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Reader in{data, size};
  Session s(in);
  s.run();
  return 0;
}
