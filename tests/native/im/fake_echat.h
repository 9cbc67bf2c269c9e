// A scripted E聊 server for whole-session tests of im::Client, built on the in-memory Socket.IO peer
// (tests/native/support/sio_server_peer.h) for the socket and a direct call for HTTP. It implements the
// part of docs/protocol.md the session needs: login (socket and HTTP), JWT expiry (419) and bad JWTs
// (401), message/send with clientMsgId dedup, per-user gap-free seqs, pushes with ack requests, offline
// push at login, message/sync (which acks <= fromSeq), user/get, friend/add (not idempotent), kicks.
// Knobs let a test force answers (codes), lose answers after executing, hold or fail HTTP, cut the link.
#pragma once

#include <catch2/catch.hpp>

#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "im/client.h"
#include "support/fake_clock.h"
#include "support/host_delivery.h"
#include "support/sio_server_peer.h"

namespace echat::testing {

using nlohmann::json;

inline json parse(const std::string& s) { return json::parse(s, nullptr, false); }

struct FakeEchat {
  std::string app_key = "TSDKTEST00001";
  std::map<std::string, std::string> tokens{{"alice", "pw-a"}, {"bob", "pw-b"}, {"carol", "pw-c"}};
  std::map<std::string, std::string> jwt_user;  // issued JWT -> auid
  std::set<std::string> expired;                // JWTs the test declared expired
  std::map<std::string, std::vector<json>> timeline;         // auid -> deliveries, index seq-1
  std::map<std::string, std::set<std::uint64_t>> acked;      // auid -> acknowledged seqs
  std::map<std::string, std::map<std::string, json>> sends;  // sender -> clientMsgId -> answer data
  std::uint64_t next_mid = 1;
  int jwt_no = 0;
  std::int64_t now = 0;

  // Knobs.
  std::deque<int> forced_codes;  // the next API calls (not logins) answer these codes, not executed
  int lose_answers = 0;          // the next API calls run but their answer is lost
  bool reject_jwts = false;      // every JWT answers 401 (logins still succeed)
  bool defer_sync = false;       // message/sync answers are held until the test releases them
  std::deque<int> login_codes;   // the next logins answer these codes
  std::string jwt_tag;           // appended to every JWT issued
  std::string last_jwt;          // the JWT of the last API call that carried one
  std::vector<std::string> calls;  // "socket message/send", "http user/get", "login socket alice", ...
  std::vector<json> socket_requests;  // the request object of each socket API call, in order

  json r(int code, const std::string& msg, json data = nullptr) { return json{{"code", code}, {"msg", msg}, {"data", data}}; }

  std::string issue(const std::string& auid) {
    std::string jwt = "jwt-" + auid + "-" + std::to_string(++jwt_no) + jwt_tag;
    jwt_user[jwt] = auid;
    return jwt;
  }

  json login(const json& in) {
    if (!login_codes.empty()) {
      int code = login_codes.front();
      login_codes.pop_front();
      return r(code, code == 401 ? "invalid auid or token" : "forced");
    }
    const std::string key = in.value("appKey", "");
    const std::string auid = in.value("auid", "");
    const std::string token = in.value("token", "");
    if (key != app_key) return r(401, "unknown appKey '" + key + "'");
    auto it = tokens.find(auid);
    if (it == tokens.end() || it->second != token) return r(401, "invalid auid or token");
    return r(0, "ok", issue(auid));
  }

  // Stores a message; returns the deliveries (recipient, message with the recipient's seq).
  std::vector<std::pair<std::string, json>> store(const std::string& from, const json& in, json& answer) {
    const std::string cmid = in.value("clientMsgId", "srv-" + std::to_string(next_mid));
    auto& mine = sends[from];
    if (mine.count(cmid)) {
      answer = mine[cmid];
      answer["duplicate"] = true;
      return {};
    }
    json msg = {{"mid", next_mid++}, {"clientMsgId", cmid}, {"formUser", from},
                {"toTarget", in.value("toTarget", "")}, {"way", in.value("way", "P2P")},
                {"type", in.value("type", "TEXT")}, {"body", in.contains("body") ? in["body"] : json()},
                {"msgOption", json::object()}, {"at_users", json::array()}, {"createTime", now},
                {"recalled", false}, {"recallTime", nullptr}};
    std::vector<std::string> to{from};
    if (msg["toTarget"] != from) to.push_back(msg["toTarget"].get<std::string>());
    std::vector<std::pair<std::string, json>> out;
    for (const auto& who : to) {
      json d = msg;
      d["seq"] = timeline[who].size() + 1;
      timeline[who].push_back(d);
      out.emplace_back(who, d);
      if (who == from) answer = {{"mid", msg["mid"]}, {"seq", d["seq"]}, {"createTime", now}, {"clientMsgId", cmid}};
    }
    mine[cmid] = answer;
    answer["duplicate"] = false;
    return out;
  }

  // One API call. `session` is the auid of the socket's login, if any. Deliveries to push go to `pushes`.
  json call(const std::string& module, const std::string& method, const json& in,
            const std::optional<std::string>& session, std::vector<std::pair<std::string, json>>& pushes) {
    if (!forced_codes.empty()) {
      int code = forced_codes.front();
      forced_codes.pop_front();
      return r(code, "forced " + std::to_string(code));
    }
    std::string caller;
    if (in.contains("jwt") && in["jwt"].is_string()) {
      const std::string jwt = in["jwt"];
      last_jwt = jwt;
      if (reject_jwts) return r(401, "invalid signature");
      if (expired.count(jwt)) return r(419, "token expired");
      auto it = jwt_user.find(jwt);
      if (it == jwt_user.end()) return r(401, "invalid token");
      caller = it->second;
    } else if (session) {
      caller = *session;
    } else {
      return r(401, "missing jwt");
    }
    const std::string name = module + "/" + method;
    if (name == "user/get") {
      if (!in.contains("auid")) return r(400, "invalid argument 'auid': required", {{"field", "auid"}});
      return r(0, "ok", {{"auid", in["auid"]}});
    }
    if (name == "friend/add") return r(0, "ok", {{"auid", in.value("friendAuid", "")}});
    if (name == "message/send") {
      if (in.value("formUser", caller) != caller) return r(403, "'formUser' must be the logged-in user");
      if (!in.contains("toTarget")) return r(400, "invalid argument 'toTarget': required", {{"field", "toTarget"}});
      json answer;
      auto d = store(caller, in, answer);
      pushes.insert(pushes.end(), d.begin(), d.end());
      return r(0, "ok", answer);
    }
    if (name == "message/sync") {
      const std::uint64_t from = in.value("fromSeq", 0ull);
      const std::uint64_t limit = in.value("limit", 100ull);
      auto& tl = timeline[caller];
      for (std::uint64_t s = 1; s <= from && s <= tl.size(); ++s) acked[caller].insert(s);
      json list = json::array();
      for (std::uint64_t s = from + 1; s <= tl.size() && list.size() < limit; ++s) list.push_back(tl[s - 1]);
      const bool more = from + list.size() < tl.size();
      return r(0, "ok", {{"messages", list}, {"maxSeq", tl.size()}, {"hasMore", more}});
    }
    if (name == "conversation/list") return r(0, "ok", conversation_list);
    if (name == "conversation/read") return r(0, "ok", {{"way", in.value("way", "")}, {"toTarget", in.value("toTarget", "")}, {"unread", 0}});
    return r(405, "unknown method '" + name + "'");
  }
  json conversation_list = json::array();  // what conversation/list answers (the test sets it)
};

// An im::Client wired to the FakeEchat over the in-memory socket.io peer, with a fake clock.
struct ImHarness {
  static im::Config base_config(im::Transport t = im::Transport::Socket) {
    im::Config c;
    c.host = "127.0.0.1";
    c.http_port = 58082;
    c.socket_port = 59092;
    c.app_key = "TSDKTEST00001";
    c.auid = "alice";
    c.token = "pw-a";
    c.api_transport = t;
    c.protocol = 4;
    c.seed = 7;
    return c;
  }

  explicit ImHarness(im::Config config = base_config()) : client(config), config(config) {}

  im::Client client;
  im::Config config;
  ServerPeer server;
  FakeEchat echat;
  FakeClock clock;

  bool reachable = true;
  std::set<std::string> dead;            // "host:port" of servers that refuse connections (socket and HTTP)
  std::vector<std::string> opened_urls;  // every socket connection attempt's url, in order
  std::vector<std::string> sent_frames;  // every frame the client sent on an open socket, its wire text
  std::vector<std::string> http_urls;    // every HTTP request's url, in order
  bool is_dead(const std::string& url) const {
    for (const auto& d : dead) {
      if (url.find("//" + d + "/") != std::string::npos) return true;
    }
    return false;
  }
  bool http_up = true;
  bool hold_http = false;
  bool server_heartbeat = true;
  std::set<std::uint32_t> open;
  std::map<std::uint32_t, std::string> session;  // conn -> logged-in auid
  std::map<std::uint32_t, std::int64_t> next_ping;
  std::size_t seen_events = 0, seen_acks = 0;
  std::uint64_t next_ack_id = 1000;
  std::map<std::uint64_t, std::pair<std::string, std::uint64_t>> push_acks;  // ack id -> (auid, seq)
  std::deque<im::HttpRequest> held;
  std::vector<std::pair<std::uint32_t, WireFrame>> deferred;  // held sync answers
  void release_syncs() {
    auto list = std::move(deferred);
    deferred.clear();
    for (auto& [t, f] : list) deliver(t, server.raw(t, f));
    pump();
  }
  std::map<std::string, std::string> storage;

  // Non-transport outputs.
  std::vector<im::Output> outputs;
  std::vector<im::Message> messages;
  std::map<std::uint64_t, im::Response> responses;
  std::vector<std::string> states;
  std::vector<im::Sync> syncs;
  std::vector<im::ErrorEvent> errors;
  std::vector<im::Notify> notifies;
  std::vector<std::string> kicked;
  int http_requests = 0;

  std::int64_t now() const { return clock.now; }
  std::uint32_t conn() const { return open.empty() ? 0 : *open.rbegin(); }

  void deliver(std::uint32_t t, const std::vector<WireFrame>& frames) {
    if ((lanes || socket_order) && pumping) {  // as a socket: after the outputs being handled (see `lanes`)
      if (!frames.empty()) inbound.emplace_back(t, frames);
      return;
    }
    for (const auto& f : frames) {
      if (!open.count(t)) return;
      if (lanes && !f.binary && (answer_lane(t, f.data) || delivery_lane(t, f.data))) continue;
      client.on_frame(clock.now, t, engineio::Frame{f.binary, f.data});
    }
  }

  // ---- The wasm host's lanes (Client::send_fast, Client::answer_fast), taken as js-shim/core-driver.js
  // takes them: a send's form and an answer's data stay here; the core's texts make the records and
  // frames. Frames from the server then arrive after the outputs being handled, as a socket's do (a
  // lane's answer is performed at once, so an answer handled in the middle of the outputs of the input
  // that sent its call would overtake them).
  bool lanes = false;
  // Frames from the server after the outputs being handled without the lanes too (the order the lanes
  // have: a twin without them sees the same).
  bool socket_order = false;
  bool pumping = false;
  std::deque<std::pair<std::uint32_t, std::vector<WireFrame>>> inbound;
  std::map<std::uint32_t, std::string> kept;  // handle -> the wire text of a form the host keeps
  std::map<std::uint32_t, std::string> objects;  // handle -> a delivered message object the host keeps
  std::uint32_t next_ref = 1;
  int lane_sends = 0, lane_answers = 0, lane_next = 0, lane_refusals = 0, lane_deliveries = 0;
  int lane_sent = 0;  // of lane_sends, sent at once by the lane
  // The JWT text the host keeps from the lane's frames (js-shim/core-driver.js framed()); lane_jwt_kept:
  // the lane's frames that left it to the host.
  std::string host_jwt_text;
  int lane_jwt_kept = 0;

  // A lane-sent message's frame text before its wire text, as the host writes it (the JWT's text kept
  // from the first frame of each JWT).
  std::string framed(const im::Client::Sent& w) {
    if (w.jwt.empty()) {
      CHECK(!host_jwt_text.empty());
      ++lane_jwt_kept;
    } else {
      host_jwt_text = std::string(w.jwt);
    }
    return client.lane_frame_head(w, host_jwt_text);
  }

  core::Result<std::uint64_t> send_message(const std::string& text) {
    if (lanes) {
      if (auto id = send_lane(text)) return *id;
    }
    auto r = client.send_message(clock.now, text);
    pump();
    return r;
  }

  std::optional<std::uint64_t> send_lane(const std::string& text) {
    const json form = parse(text);
    const auto is_str = [&](const char* k) { return form.contains(k) && form[k].is_string(); };
    if (!form.is_object() || !is_str("toTarget") || !is_str("way") || !is_str("type") || !form.contains("body") ||
        (form.contains("formUser") && !is_str("formUser")) || (form.contains("clientMsgId") && !is_str("clientMsgId"))) {
      return std::nullopt;
    }
    for (const char* k : im::Client::kSetByCore) {
      if (form.contains(k)) return std::nullopt;
    }
    const std::string t = form.dump();  // JSON.stringify's text (keys sorted here)
    const std::string to = form["toTarget"], way = form["way"];
    const std::string from = form.value("formUser", ""), cmid = form.value("clientMsgId", "");
    im::Client::SendFacts f;
    f.to_target = to;
    f.way = way;
    if (form.contains("formUser")) f.form_user = from;
    if (form.contains("clientMsgId")) f.client_msg_id = cmid;
    f.size = t.size();
    f.ext = next_ref++;
    f.room = 1024;
    im::Client::Accepted a;
    const auto lane = client.send_fast(clock.now, f, a);
    if (lane == im::Client::Lane::Refused) {  // refused for good: as the general path would
      ++lane_refusals;
      const std::size_t before = client.outbox_size();
      const auto r = client.send_message(clock.now, t);
      CHECK(!r.ok());
      if (!r.ok()) CHECK(r.error().code == "400");
      CHECK(a.error.rfind("invalid argument 'body': ", 0) == 0);
      CHECK(client.outbox_size() == before);
      return std::nullopt;  // the caller's send_message() reports the general path's refusal
    }
    if (lane == im::Client::Lane::NotTaken) return std::nullopt;
    ++lane_sends;
    const std::string cmid_text = client.lane_cmid(a);
    CHECK(cmid_text == client.outbox_cmid(client.outbox_size() - 1));  // the core's id of the entry it made
    const std::string body = t.substr(1, t.size() - 2) + client.lane_fields(a) + "}";
    CHECK(parse("{" + body)["clientMsgId"] == cmid_text);
    kept[f.ext] = body + "]";
    // The record as the host writes it, the clientMsgId between quotes as it is (it needs no escapes).
    CHECK(json(cmid_text).dump() == "\"" + cmid_text + "\"");
    const std::string rec = "{\"n\":" + std::to_string(a.n) + ",\"c\":\"" + cmid_text + "\",\"f\":{" + body + "}";
    storage[client.outbox_prefix() + cmid_text] = rec;
    if (a.marker) storage[client.outbox_key()] = client.outbox_marker();
    outputs.push_back(im::SendState{a.id, cmid_text, "queued", ""});
    if (lane == im::Client::Lane::Handed && a.sent) {
      ++lane_sent;
      outputs.push_back(im::SendState{a.id, cmid_text, "sending", ""});
      const auto d = client.next_deadline();  // the host's timer may fire early, never late
      CHECK((!d || (a.deadline && *a.deadline <= *d)));
      im::Output frame = im::SendFrame{a.transport, engineio::Frame{false, framed(a.wire) + body + "]"}};
      handle(frame);
    }
    pump();
    return a.id;
  }

  // A delivery `42<id>["topic.message", {...}]` through Client::deliver_fast, as core-driver.js
  // delivery() takes it (support/host_delivery.h): Handed, the outputs the Handover stands for; Batch,
  // the outputs. False when the lane does not take it (the frame then goes whole to on_frame).
  bool delivery_lane(std::uint32_t t, const std::string& data) {
    const auto p = read_push(data);
    if (!p || !p->parse_int) return false;
    const std::uint32_t ref = next_ref++;
    objects[ref] = p->object;
    const socketio::ExternalArgs a{ref, data.size() - p->head_size,
                                   socketio::Shape{socketio::JsonKind::Array, socketio::JsonKind::String}};
    im::Client::Handover h;
    const auto lane = client.deliver_fast(clock.now, t, p->delivery(), a, h);
    if (lane == im::Client::Lane::Batch) {
      ++lane_deliveries;
      return true;
    }
    if (lane != im::Client::Lane::Handed) {
      objects.erase(ref);
      return false;
    }
    ++lane_deliveries;
    CHECK(client.take_outputs().empty());
    const auto next = client.next_deadline();  // the host's timer may fire early, never late
    CHECK((!next || (h.deadline && *h.deadline <= *next)));
    for (auto& o : handover_outputs(client, h, std::string_view(data).substr(0, p->head_size))) handle(o);
    return true;
  }

  bool answer_lane(std::uint32_t t, const std::string& data) {
    const std::size_t k = data.find('[');
    if (data.rfind("43", 0) != 0 || k == std::string::npos || k < 3) return false;
    const json args = parse(data.substr(k));
    if (!args.is_array() || args.empty() || !args[0].is_object()) return false;
    const json r = args[0].contains("response") ? args[0]["response"] : args[0];
    if (!r.is_object() || !r.contains("code") || !r["code"].is_number_integer() || r["code"] != 0) return false;
    socketio::ExternalArgs x;
    x.ext = next_ref++;
    x.size = data.size() - k;
    x.shape.root = socketio::JsonKind::Array;
    x.shape.first = socketio::JsonKind::Object;
    im::Client::Answered a;
    const auto ack_id = im::Client::lane_ack_id(data, k);
    if (!ack_id) return false;
    const auto lane = client.answer_fast(clock.now, t, k, *ack_id, x, 1024, a);
    if (lane == im::Client::Lane::NotTaken) return false;
    ++lane_answers;
    const std::string cmid = client.lane_cmid(a.boot, a.msg_no, a.client_msg_id);
    if (a.outbox) {
      storage.erase(client.outbox_prefix() + cmid);
      if (a.marker) storage.erase(client.outbox_key());
    }
    std::string next_text;  // the next message went out (the server gets it after the events below)
    if (a.next_id != 0) {
      REQUIRE(kept.count(a.next_ext) == 1);
      ++lane_next;
      next_text = framed(a.wire) + kept[a.next_ext];
    }
    if (a.released != 0) CHECK(kept.erase(a.released) == 1);
    if (a.outbox) outputs.push_back(im::SendState{a.id, cmid, "sent", ""});
    im::Response resp;
    resp.id = a.id;
    resp.msg = r.contains("msg") && r["msg"].is_string() && !r["msg"].get<std::string>().empty() ? r["msg"].get<std::string>() : "ok";
    resp.data_json = r.contains("data") ? r["data"].dump() : "null";
    resp.request_id = client.request_id(a.request_no);
    resp.client_msg_id = cmid;
    im::Output out = resp;
    record(out);
    if (a.next_id != 0) {
      outputs.push_back(im::SendState{a.next_id, client.lane_cmid(a.boot, a.next_msg_no, a.next_client_msg_id), "sending", ""});
      if (open.count(a.transport)) {
        deliver(a.transport, server.receive(a.transport, WireFrame{false, next_text}));
        serve(a.transport);
      }
    }
    if (lane == im::Client::Lane::Handed) {
      const auto d = client.next_deadline();
      CHECK((!d || (a.deadline && *a.deadline <= *d)));
    }
    return true;
  }

  void link_closed(std::uint32_t t, int code = 1000) {
    if (!open.count(t)) return;
    open.erase(t);
    session.erase(t);
    next_ping.erase(t);
    server.drop(t);
    client.on_transport_close(clock.now, t, code, "");
  }

  void push(const std::string& auid, const json& msg) {
    for (const auto& [t, who] : session) {
      if (who != auid || !open.count(t)) continue;
      const std::uint64_t id = next_ack_id++;
      push_acks[id] = {auid, msg["seq"].get<std::uint64_t>()};
      deliver(t, server.emit(t, "/", json::array({"topic.message", msg}).dump(), {}, id));
      return;
    }
  }
  void push_all(const std::vector<std::pair<std::string, json>>& ds) {
    for (const auto& [who, m] : ds) push(who, m);
  }

  // Events the client sent on `t` since last time: answer them like the E聊 server.
  void serve(std::uint32_t t) {
    while (seen_acks < server.client_acks.size()) {
      const auto& a = server.client_acks[seen_acks++];
      if (a.id && push_acks.count(*a.id)) {
        auto [who, seq] = push_acks[*a.id];
        echat.acked[who].insert(seq);
      }
    }
    while (seen_events < server.events.size()) {
      const PeerPacket p = server.events[seen_events++];
      const json args = parse(p.data);
      if (!args.is_array() || args.empty() || !args[0].is_string()) continue;
      const std::string name = args[0];
      const json in = args.size() > 1 ? args[1] : json::object();
      const std::string method = in.value("method", "");
      echat.now = clock.now;
      json answer;
      std::vector<std::pair<std::string, json>> pushes;
      std::vector<json> offline;
      if (name == "topic.connection") {
        echat.calls.push_back("login socket " + in.value("auid", ""));
        answer = echat.login(in);
        if (answer["code"] == 0) {
          const std::string who = in.value("auid", "");
          session[t] = who;
          for (const auto& m : echat.timeline[who]) {
            if (!echat.acked[who].count(m["seq"].get<std::uint64_t>())) offline.push_back(m);
          }
        }
      } else if (name.rfind("topic.", 0) == 0) {
        const std::string module = name.substr(6);
        echat.calls.push_back("socket " + module + "/" + method);
        echat.socket_requests.push_back(in);
        std::optional<std::string> who;
        if (session.count(t)) who = session[t];
        answer = echat.call(module, method, in, who, pushes);
        if (echat.lose_answers > 0) {
          --echat.lose_answers;
          push_all(pushes);
          continue;
        }
      } else {
        continue;
      }
      if (p.id) {
        json ack = json::array({{{"requestId", in.contains("requestId") ? in["requestId"] : json()}, {"response", answer}}});
        WireFrame frame{false, "43" + std::to_string(*p.id) + ack.dump()};
        if (echat.defer_sync && name == "topic.message" && method == "sync") {
          deferred.emplace_back(t, frame);
        } else {
          deliver(t, server.raw(t, frame));
        }
      }
      for (const auto& m : offline) push(session[t], m);
      push_all(pushes);
    }
  }

  void http(const im::HttpRequest& h) {
    ++http_requests;
    http_urls.push_back(h.url);
    if (!http_up || is_dead(h.url)) {
      client.on_http_error(clock.now, h.id, "request:fail");
      return;
    }
    const auto v1 = h.url.find("/v1/");
    REQUIRE(h.url.rfind("http://", 0) == 0);
    REQUIRE(v1 != std::string::npos);
    const std::string path = h.url.substr(v1 + 4);
    const auto slash = path.find('/');
    const std::string module = path.substr(0, slash), method = path.substr(slash + 1);
    const json in = parse(h.body);
    echat.now = clock.now;
    json answer;
    std::vector<std::pair<std::string, json>> pushes;
    if (module == "auth" && method == "login") {
      echat.calls.push_back("login http " + in.value("auid", ""));
      answer = echat.login(in);
    } else {
      echat.calls.push_back("http " + module + "/" + method);
      answer = echat.call(module, method, in, std::nullopt, pushes);
      if (echat.lose_answers > 0) {
        --echat.lose_answers;
        push_all(pushes);
        client.on_http_error(clock.now, h.id, "request:fail timeout");
        return;
      }
    }
    answer["requestId"] = in.contains("requestId") ? in["requestId"] : json();
    const int code = answer["code"];
    client.on_http_response(clock.now, h.id, code == 0 ? 200 : (code == 419 ? 401 : code), answer.dump());
    push_all(pushes);
  }

  void release_http() {
    while (!held.empty()) {
      auto h = held.front();
      held.pop_front();
      http(h);
      pump();
    }
  }

  void pump() {
    const bool outer = !pumping;
    pumping = true;
    for (int guard = 0; guard < 100000; ++guard) {
      auto outs = client.take_outputs();
      if (outs.empty()) {
        if (!outer || inbound.empty()) break;
        auto [t, frames] = std::move(inbound.front());
        inbound.pop_front();
        pumping = false;
        deliver(t, frames);
        pumping = true;
        continue;
      }
      for (auto& o : outs) handle(o);
      if (guard == 99999) FAIL("harness: the client never went quiet");
    }
    if (outer) pumping = false;
  }

  void handle(im::Output& o) {
    if (auto* x = std::get_if<im::OpenTransport>(&o)) {
      opened_urls.push_back(x->url);
      if (!reachable || is_dead(x->url)) {
        client.on_transport_error(clock.now, x->transport, "connect ECONNREFUSED");
        return;
      }
      auto greeting = server.accept(x->transport, x->url);
      REQUIRE(greeting);
      open.insert(x->transport);
      if (server.connection(x->transport)->eio == 4) next_ping[x->transport] = clock.now + server.options().ping_interval;
      client.on_transport_open(clock.now, x->transport);
      deliver(x->transport, *greeting);
      return;
    }
    if (auto* x = std::get_if<im::SendFrame>(&o)) {
      if (!open.count(x->transport)) return;
      std::string text = x->frame.data;
      if (x->frame.ext != 0) {  // a form the host keeps follows the core's text
        REQUIRE(kept.count(x->frame.ext) == 1);
        text += kept[x->frame.ext];
      }
      sent_frames.push_back(text);
      deliver(x->transport, server.receive(x->transport, WireFrame{x->frame.binary, text}));
      serve(x->transport);
      if (server.closed(x->transport)) link_closed(x->transport);
      return;
    }
    if (auto* x = std::get_if<im::CloseTransport>(&o)) {
      open.erase(x->transport);
      session.erase(x->transport);
      next_ping.erase(x->transport);
      server.drop(x->transport);
      return;
    }
    if (auto* x = std::get_if<im::HttpRequest>(&o)) {
      if (hold_http) held.push_back(*x);
      else http(*x);
      return;
    }
    if (auto* x = std::get_if<im::StorageSet>(&o)) {
      if (x->value_json.empty()) storage.erase(x->key);
      else storage[x->key] = x->value_json;
      return;
    }
    if (auto* x = std::get_if<im::Release>(&o); x && (kept.count(x->ref) || objects.count(x->ref))) {
      kept.erase(x->ref);  // a form the host kept (send_lane)
      objects.erase(x->ref);  // a message object (delivery_lane)
      return;
    }
    if (auto* x = std::get_if<im::Message>(&o); x && x->ref != 0) {  // the object the host keeps
      REQUIRE(objects.count(x->ref) == 1);
      x->json = objects[x->ref];
    }
    record(o);
  }

  void record(im::Output& o) {
    outputs.push_back(o);
    if (auto* x = std::get_if<im::Message>(&o)) messages.push_back(*x);
    if (auto* x = std::get_if<im::Response>(&o)) {
      CHECK(responses.count(x->id) == 0);  // exactly one Response per call
      responses[x->id] = *x;
    }
    if (auto* x = std::get_if<im::StateChanged>(&o)) states.push_back(std::string(im::to_string(x->state)) + ":" + x->reason);
    if (auto* x = std::get_if<im::Sync>(&o)) syncs.push_back(*x);
    if (auto* x = std::get_if<im::ErrorEvent>(&o)) errors.push_back(*x);
    if (auto* x = std::get_if<im::Notify>(&o)) notifies.push_back(*x);
    if (auto* x = std::get_if<im::Kicked>(&o)) kicked.push_back(x->reason);
  }

  void advance(std::int64_t ms) {
    advance_time(clock, ms, client, server_heartbeat, next_ping, server.options().ping_interval, [&] { pump(); },
                 [&](std::uint32_t t) { deliver(t, server.ping(t)); });
  }

  // ---- Conveniences ----
  void start() {
    std::vector<std::pair<std::string, std::string>> recs(storage.begin(), storage.end());
    client.load(clock.now, recs);
    client.start(clock.now);
    pump();
  }
  std::uint64_t request(const std::string& module, const std::string& method, const std::string& form,
                        std::optional<im::Transport> t = std::nullopt) {
    auto r = client.request(clock.now, module, method, form, t);
    REQUIRE(r.ok());
    pump();
    return r.value();
  }
  std::uint64_t send(const std::string& form) {
    auto r = send_message(form);
    REQUIRE(r.ok());
    return r.value();
  }
  // Another user sends `text` to `to` (through the server directly).
  void send_as(const std::string& from, const std::string& to, const std::string& text, bool push_now = true) {
    echat.now = clock.now;
    json answer;
    auto ds = echat.store(from, json{{"toTarget", to}, {"way", "P2P"}, {"type", "TEXT"}, {"body", {{"text", text}}},
                                     {"clientMsgId", from + "-" + std::to_string(echat.next_mid)}},
                          answer);
    if (push_now) push_all(ds);
    pump();
  }
  void server_restart() {
    std::vector<std::uint32_t> ts(open.begin(), open.end());
    server.restart();
    for (auto t : ts) link_closed(t, 1006);
    pump();
  }
  void cut() {  // the link drops (no close frame)
    std::vector<std::uint32_t> ts(open.begin(), open.end());
    for (auto t : ts) link_closed(t, 1006);
    pump();
  }
  std::vector<std::uint64_t> seqs() const {
    std::vector<std::uint64_t> out;
    for (const auto& m : messages) out.push_back(m.seq);
    return out;
  }
  std::vector<std::string> texts() const {
    std::vector<std::string> out;
    for (const auto& m : messages) out.push_back(parse(m.json)["body"].value("text", "?"));
    return out;
  }
};

}  // namespace echat::testing
