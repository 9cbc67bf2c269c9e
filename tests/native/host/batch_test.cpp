#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <map>
#include <string>

#include "host/batch.h"
#include "host/im_batch.h"

using echat::core::Error;
using echat::host::BatchWriter;
using nlohmann::json;
namespace sio = echat::socketio;

namespace {
json parse(const std::string& s) {
  json j = json::parse(s, nullptr, false);
  REQUIRE_FALSE(j.is_discarded());
  return j;
}
// Every output's members, sorted and joined with ',', are exactly those `members` gives for its kind.
void check_members(const json& outputs, const std::map<std::string, std::string>& members) {
  for (const auto& out : outputs) {
    std::string keys;
    for (const auto& item : out.items()) keys += (keys.empty() ? "" : ",") + item.key();
    INFO(out.dump());
    REQUIRE(members.count(out["k"]));
    CHECK(keys == members.at(out["k"]));
  }
}
}  // namespace

TEST_CASE("batch: every output kind is valid JSON with raw payloads embedded", "[host][batch]") {
  BatchWriter w;
  w.begin();
  w.add(sio::OpenTransport{1, "ws://127.0.0.1:3000/socket.io/?EIO=4&transport=websocket"});
  w.add(sio::SendFrame{1, {false, "42[\"a\",\"q\\\"\"]"}});
  w.add(sio::SendFrame{1, {true, std::string("\x01\x00\x02", 3)}});
  w.add(sio::CloseTransport{1, 1000, "forced close"});
  w.add(sio::ManagerOpen{});
  w.add(sio::ManagerClose{"ping timeout"});
  w.add(sio::ManagerError{Error::peer("eio.bad_open", "open packet: \"sid\" missing\n")});
  w.add(sio::ReconnectAttempt{2});
  w.add(sio::Reconnect{2});
  w.add(sio::ReconnectError{Error::transport("eio.closed", "x")});
  w.add(sio::ReconnectFailed{});
  w.add(sio::SocketConnect{"/", "abc", std::nullopt});
  w.add(sio::SocketConnect{"/admin", "def", std::string("pid1")});
  w.add(sio::SocketConnectError{"/no", "{\"message\":\"auth failed\",\"data\":{\"n\":1}}", "auth failed", false});
  w.add(sio::SocketConnectError{"/", "", "websocket error", true});
  w.add(sio::SocketDisconnect{"/", "io server disconnect"});
  w.add(sio::SocketEvent{"/", "[\"bin\",{\"_placeholder\":true,\"num\":0}]", {"xyz"}, 7});
  w.add(sio::SocketEvent{"/", "[\"plain\",1]", {}, std::nullopt});
  w.add(sio::AckResult{"/", 3, true, "[1,2]", {"ab", "c"}, std::nullopt});
  w.add(sio::AckResult{"/", 4, false, "", {}, std::string("operation has timed out")});
  w.set_result("5");
  const json b = parse(w.finish(12345));

  CHECK(b["r"] == 5);
  CHECK(b["x"].is_null());
  CHECK(b["t"] == 12345);
  const json& o = b["o"];
  REQUIRE(o.size() == 20);
  CHECK(o[0] == json::parse(R"({"k":"open","tid":1,"url":"ws://127.0.0.1:3000/socket.io/?EIO=4&transport=websocket"})"));
  CHECK(o[1]["text"] == "42[\"a\",\"q\\\"\"]");
  CHECK(o[2] == json::parse(R"({"k":"sendb","tid":1,"off":0,"len":3})"));
  CHECK(o[3] == json::parse(R"({"k":"close","tid":1,"code":1000,"reason":"forced close"})"));
  CHECK(o[6]["err"]["kind"] == "peer");
  CHECK(o[6]["err"]["message"] == "open packet: \"sid\" missing\n");
  CHECK(o[12]["pid"] == "pid1");
  CHECK(o[11]["pid"].is_null());
  CHECK(o[13]["data"]["data"]["n"] == 1);  // raw JSON, parsed by the same JSON.parse
  CHECK(o[14]["data"].is_null());
  CHECK(o[14]["active"] == true);
  CHECK(o[16]["args"][1]["_placeholder"] == true);
  CHECK(o[16]["ackId"] == 7);
  CHECK(o[16]["bin"] == json::parse("[3,3]"));  // after the 3 bytes of the binary frame
  CHECK(o[17]["ackId"] == -1);
  CHECK(o[18]["args"] == json::parse("[1,2]"));
  CHECK(o[18]["bin"] == json::parse("[6,2,8,1]"));
  CHECK(o[19]["args"].is_null());
  CHECK(o[19]["error"] == "operation has timed out");
  // Every kind's members, exactly (src/host/batch.h lists them; js-shim reads them by these names).
  const std::map<std::string, std::string> members = {
      {"open", "k,tid,url"}, {"send", "k,text,tid"}, {"sendb", "k,len,off,tid"}, {"close", "code,k,reason,tid"},
      {"m.open", "k,polling,sid"}, {"m.close", "k,reason"}, {"m.error", "err,k"}, {"m.attempt", "k,n"},
      {"m.reconnect", "k,n"}, {"m.rerror", "err,k"}, {"m.failed", "k"}, {"s.connect", "k,nsp,pid,sid"},
      {"s.cerror", "active,data,k,message,nsp"}, {"s.disconnect", "k,nsp,reason"},
      {"s.event", "ackId,args,bin,k,nsp,ref"}, {"s.ack", "args,bin,emitId,error,k,nsp,ok,ref"}};
  check_members(o, members);
  CHECK(w.arena() == std::string("\x01\x00\x02xyzabc", 9));
}

TEST_CASE("batch: error and no deadline; a new batch forgets the last", "[host][batch]") {
  BatchWriter w;
  w.begin();
  w.add(sio::SendFrame{1, {true, "bytes"}});
  w.set_error(Error::caller("sio.reserved_event", "args[0]: \"connect\" is reserved"));
  json b = parse(w.finish(std::nullopt));
  CHECK(b["t"] == -1);
  CHECK(b["x"]["kind"] == "caller");
  CHECK(b["x"]["code"] == "sio.reserved_event");
  w.begin();
  b = parse(w.finish(std::nullopt));
  CHECK(b["x"].is_null());
  CHECK(b["o"].empty());
  CHECK(w.arena().empty());
}

TEST_CASE("batch: control characters are escaped", "[host][batch]") {
  std::string out;
  echat::host::append_json_string(out, std::string("a\x01\x1f\"\\\t\r\n\xe4\xbd\xa0", 11));
  CHECK(out == "\"a\\u0001\\u001f\\\"\\\\\\t\\r\\n\xe4\xbd\xa0\"");
  CHECK(parse(out) == "a\x01\x1f\"\\\t\r\n\xe4\xbd\xa0");
}

TEST_CASE("split_blob: length-prefixed parts; truncation names the part", "[host][blob]") {
  auto ok = echat::host::split_blob(std::string("\x02\0\0\0ab\0\0\0\0\x01\0\0\0z", 15));
  REQUIRE(ok.ok());
  CHECK(ok.value() == std::vector<std::string>{"ab", "", "z"});
  CHECK(echat::host::split_blob("").value().empty());
  auto short_prefix = echat::host::split_blob(std::string("\x02\0", 2));
  REQUIRE_FALSE(short_prefix.ok());
  CHECK(short_prefix.error().message.find("attachment 0") != std::string::npos);
  auto short_body = echat::host::split_blob(std::string("\x01\0\0\0a\x05\0\0\0ab", 11));
  REQUIRE_FALSE(short_body.ok());
  CHECK(short_body.error().message == "attachment 1: 5 bytes announced, 2 present");
}

TEST_CASE("manager options from JSON: defaults, types and ranges name the field", "[host][options]") {
  auto ok = echat::host::manager_options_from_json(
      R"({"url":"http://127.0.0.1:3000","reconnectionDelay":10,"reconnectionDelayMax":20,"protocol":3,"reconnectionAttempts":null,"seed":99,"stripBinaryPrefix":true})");
  REQUIRE(ok.ok());
  CHECK(ok.value().strip_v4_binary_prefix);
  CHECK(ok.value().reconnection_delay == 10);
  CHECK(ok.value().protocol == 3);
  CHECK(ok.value().reconnection_attempts == UINT32_MAX);
  CHECK(ok.value().seed == 99);

  auto not_object = echat::host::manager_options_from_json("[1]");
  REQUIRE_FALSE(not_object.ok());
  CHECK(not_object.error().message == "options: must be a JSON object");
  auto bad_type = echat::host::manager_options_from_json(R"({"url":"http://a","timeout":"5"})");
  REQUIRE_FALSE(bad_type.ok());
  CHECK(bad_type.error().message == "timeout: must be a number");
  auto bad_range = echat::host::manager_options_from_json(R"({"url":"http://a","randomizationFactor":2})");
  REQUIRE_FALSE(bad_range.ok());
  CHECK(bad_range.error().message == "randomizationFactor: must be a number in range");
  auto bad_bool = echat::host::manager_options_from_json(R"({"url":"http://a","reconnection":1})");
  REQUIRE_FALSE(bad_bool.ok());
  CHECK(bad_bool.error().message == "reconnection: must be true or false");
  auto bad_url = echat::host::manager_options_from_json(R"({"url":"ftp://a"})");
  REQUIRE_FALSE(bad_url.ok());
  CHECK(bad_url.error().kind == echat::core::ErrorKind::Caller);
}

TEST_CASE("batch: host-kept payloads travel as handles (sendx, and the ref of s.event / s.ack)", "[host][batch]") {
  BatchWriter w;
  w.begin();
  echat::engineio::Frame f;
  f.data = "4212";
  f.ext = 9;
  f.ext_size = 30;
  w.add(sio::SendFrame{1, f});
  sio::SocketEvent e;
  e.nsp = "/";
  e.ack_id = 4;
  e.ext = 11;
  w.add(e);
  sio::AckResult a;
  a.nsp = "/";
  a.emit_id = 2;
  a.ok = true;
  a.ext = 12;
  w.add(a);
  const json b = parse(w.finish(std::nullopt));
  const json& o = b["o"];
  REQUIRE(o.size() == 3);
  CHECK(o[0] == json::parse(R"({"k":"sendx","tid":1,"text":"4212","ref":9})"));
  CHECK(o[1] == json::parse(R"({"k":"s.event","nsp":"/","args":null,"ackId":4,"bin":[],"ref":11})"));
  CHECK(o[2] == json::parse(R"({"k":"s.ack","nsp":"/","emitId":2,"ok":true,"args":null,"error":null,"bin":[],"ref":12})"));
}

TEST_CASE("IM batch: every output kind, its members by name, payload JSON embedded", "[host][batch][im]") {
  namespace im = echat::im;
  echat::host::ImBatchWriter w;
  w.begin();
  w.add(im::HttpRequest{3, "http://127.0.0.1:8080/v1/auth/login", "{\"a\":1}"});
  w.add(im::StorageSet{"echatim:k:alice:synced", "{\"seq\":4}"});
  w.add(im::StateChanged{im::State::Connected, "logged in"});
  im::Response r;
  r.id = 7;
  r.code = 0;
  r.msg = "ok";
  r.data_json = "{\"mid\":101}";
  r.request_id = "p-1";
  r.client_msg_id = "c-1";
  w.add(r);
  im::Message m;
  m.seq = 4;
  m.mid = 101;
  m.json = "{\"body\":{\"text\":\"hi\"}}";
  m.history = true;
  w.add(m);
  im::SendState st;
  st.id = 7;
  st.client_msg_id = "c-1";
  st.state = "sent";
  w.add(st);
  w.add(im::ConversationsLoaded{"[]"});
  im::Notify n;
  n.type = "recall";
  n.json = "{\"mid\":101}";
  w.add(n);
  w.add(im::Sync{1, 4, 3});
  w.add(im::Kicked{"elsewhere"});
  w.add(im::ConversationChanged{"{\"way\":\"P2P\"}"});
  w.add(im::ErrorEvent{-1006, "unreadable", false});
  w.add(im::Ready{});
  const json b = parse(w.finish(99));
  const json& o = b["o"];
  REQUIRE(o.size() == 13);
  const std::map<std::string, std::string> members = {
      {"http", "body,id,k,url"}, {"store", "k,key,value"}, {"state", "k,reason,state"},
      {"resp", "clientMsgId,code,data,id,k,msg,requestId"}, {"msg", "history,k,message,mid,seq"},
      {"sendstate", "clientMsgId,id,k,reason,state"}, {"convs", "k,list"}, {"notify", "data,k,type"},
      {"sync", "count,from,k,to"}, {"kicked", "k,reason"}, {"conv", "conv,k"}, {"error", "code,fatal,k,message"},
      {"ready", "k"}};
  check_members(o, members);
  CHECK(o[0]["id"] == 3);
  CHECK(o[1]["value"] == "{\"seq\":4}");  // storage values stay text
  CHECK(o[2]["state"] == "connected");
  CHECK(o[3]["data"]["mid"] == 101);  // embedded, parsed once by the shim
  CHECK(o[4]["message"]["body"]["text"] == "hi");
  CHECK(o[4]["history"] == true);
  CHECK(o[6]["list"] == json::array());
  CHECK(o[7]["data"]["mid"] == 101);
  CHECK(o[8] == json::parse(R"({"k":"sync","from":1,"to":4,"count":3})"));
  CHECK(o[11]["fatal"] == false);
  CHECK(b["t"] == 99);
}
