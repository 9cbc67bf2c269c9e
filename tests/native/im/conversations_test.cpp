// Conversations kept locally: seeded by conversation/list, updated by handed-over messages.
#include <catch2/catch.hpp>

#include <algorithm>
#include <vector>

#include "fake_echat.h"
#include "im/conversations.h"

using namespace echat::testing;  // NOLINT
using echat::im::Conversation;

namespace {

// The fake server's nlohmann values in, the core's core::Json values out.
json nl(const echat::im::json& j) { return parse(j.dump()); }
echat::im::json core_json(const json& j) { return echat::im::parse_json(j.dump()); }

struct Conversations : echat::im::Conversations {
  using echat::im::Conversations::Conversations;
  const Conversation* on_message(const json& m) {
    echat::im::Message x = echat::im::message_of(core_json(m));
    x.json = m.dump();
    return echat::im::Conversations::on_message(x);
  }
  // The same message, kept by the host as `ref`.
  const Conversation* on_kept(const json& m, std::uint32_t ref) {
    echat::im::Message x = echat::im::message_of(core_json(m));
    x.ref = ref;
    return echat::im::Conversations::on_message(x);
  }
  const Conversation* on_recalled(const json& d) { return echat::im::Conversations::on_recalled(core_json(d)); }
  void replace(const json& list) { echat::im::Conversations::replace(core_json(list)); }
};

json msg(std::uint64_t seq, const std::string& from, const std::string& to, const std::string& way = "P2P") {
  return json{{"mid", 100 + seq}, {"seq", seq}, {"formUser", from}, {"toTarget", to}, {"way", way},
              {"type", "TEXT"}, {"body", {{"text", "t"}}}, {"createTime", 1000 + seq}, {"recalled", false}};
}

}  // namespace

TEST_CASE("conversations: keyed by peer or room, unread counts others' messages", "[im][conversations]") {
  Conversations cs("alice");
  CHECK(cs.on_message(msg(1, "bob", "alice")));
  CHECK(cs.on_message(msg(2, "alice", "bob")));
  CHECK(cs.on_message(msg(3, "bob", "alice")));
  CHECK(cs.on_message(msg(4, "carol", "12", "P2R")));
  CHECK_FALSE(cs.on_message(json{{"way", "X"}}));
  const json list = parse(cs.to_json());
  REQUIRE(list.size() == 2);
  CHECK(list[0]["way"] == "P2R");  // most recent first
  CHECK(list[0]["toTarget"] == "12");
  CHECK(list[1]["toTarget"] == "bob");
  CHECK(list[1]["unread"] == 2);
  CHECK(list[1]["lastSeq"] == 3);
  CHECK(list[1]["lastMessage"]["seq"] == 3);
  CHECK(cs.mark_read("P2P", "bob"));
  CHECK(cs.mark_read("P2P", "bob") == nullptr);  // already read: nothing changed (no event)
  CHECK_FALSE(cs.mark_read("P2P", "nobody"));
  CHECK(parse(cs.to_json())[1]["unread"] == 0);
  CHECK(parse(cs.to_json())[1]["readSeq"] == 3);
  cs.on_message(msg(5, "bob", "alice"));
  CHECK(parse(cs.to_json())[0]["unread"] == 1);
}

TEST_CASE("conversations: the server list replaces; older messages do not count again", "[im][conversations]") {
  Conversations cs("alice");
  cs.replace(parse(R"([{"way":"P2P","toTarget":"bob","unread":2,"readSeq":1,"lastSeq":3,"updateTime":5,"lastMessage":null},
                       {"way":"P2R","toTarget":12,"unread":0,"readSeq":4,"lastSeq":4,"updateTime":4}])"));
  REQUIRE(cs.entries().size() == 2);
  CHECK(cs.entries()[1].to_target == "12");
  cs.on_message(msg(2, "bob", "alice"));  // already counted by the server
  CHECK(cs.entries()[0].unread == 2);
  cs.on_message(msg(6, "bob", "alice"));
  CHECK(cs.entries()[0].unread == 3);
  cs.replace(json::object());  // not a list: ignored
  CHECK(cs.entries().size() == 2);
}

TEST_CASE("conversations: the session seeds and updates them", "[im][conversations][session]") {
  ImHarness h;
  h.echat.conversation_list = parse(R"([{"way":"P2P","toTarget":"carol","unread":1,"readSeq":0,"lastSeq":0,"updateTime":1}])");
  h.start();
  h.advance(100);  // the message's createTime is after carol's conversation
  h.send_as("bob", "alice", "hello");
  const json list = parse(h.client.conversations_json());
  REQUIRE(list.size() == 2);
  CHECK(list[0]["toTarget"] == "bob");
  CHECK(list[0]["unread"] == 1);
  CHECK(list[1]["toTarget"] == "carol");
  auto id = h.client.mark_read(h.now(), "P2P", "bob");
  REQUIRE(id.ok());
  h.pump();
  REQUIRE(h.responses.count(id.value()));
  CHECK(h.responses[id.value()].code == 0);
  CHECK(parse(h.client.conversations_json())[0]["unread"] == 0);
  auto bad = h.client.mark_read(h.now(), "XX", "bob");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().message == "invalid argument 'way': must be one of P2P, P2R");
}

TEST_CASE("conversations: a recall shows in the last message; changes are outputs", "[im][conversations][session]") {
  Conversations cs("alice");
  cs.on_message(msg(1, "bob", "alice"));
  CHECK(cs.on_recalled(json{{"mid", 999}}) == nullptr);
  const auto* c = cs.on_recalled(json{{"mid", 101}, {"recallTime", 77}});
  REQUIRE(c);
  CHECK(nl(c->last_message)["recalled"] == true);
  CHECK(nl(c->last_message)["body"].is_null());
  CHECK(nl(c->last_message)["recallTime"] == 77);
  CHECK(cs.on_message(msg(1, "bob", "alice")) == nullptr);  // not newer: nothing changed

  ImHarness h;
  h.start();
  h.send_as("bob", "alice", "hello");
  std::vector<json> changes;
  for (const auto& o : h.outputs) {
    if (auto* x = std::get_if<echat::im::ConversationChanged>(&o)) changes.push_back(parse(x->json));
  }
  REQUIRE(changes.size() == 1);
  CHECK(changes[0]["toTarget"] == "bob");
  CHECK(changes[0]["unread"] == 1);
  const auto t = h.conn();
  const std::uint64_t mid = h.messages.back().mid;
  h.deliver(t, h.server.emit(t, "/", json::array({"topic.notify", {{"type", "message.recalled"}, {"data", {{"mid", mid}, {"way", "P2P"}, {"formUser", "bob"}, {"toTarget", "alice"}, {"recallTime", 5}}}, {"createTime", 5}}}).dump()));
  h.pump();
  const auto& last = h.outputs.back();
  REQUIRE(std::holds_alternative<echat::im::ConversationChanged>(last));
  CHECK(parse(std::get<echat::im::ConversationChanged>(last).json)["lastMessage"]["recalled"] == true);
}

TEST_CASE("conversations: a recalled unread message no longer counts as unread", "[im][conversations]") {
  Conversations cs("bob");
  cs.on_message(msg(1, "alice", "bob"));  // mid 101
  cs.on_message(msg(2, "alice", "bob"));  // mid 102
  cs.on_message(msg(3, "alice", "bob"));  // mid 103
  CHECK(parse(cs.to_json())[0]["unread"] == 3);
  // The last message recalled: one fewer unread, and it shows recalled.
  const auto* c = cs.on_recalled(json{{"mid", 103}});
  REQUIRE(c);
  CHECK(c->unread == 2);
  CHECK(nl(c->last_message)["recalled"] == true);
  // An earlier unread one: counted out too; the last message is unchanged.
  c = cs.on_recalled(json{{"mid", 101}});
  REQUIRE(c);
  CHECK(c->unread == 1);
  CHECK(nl(c->last_message)["mid"] == 103);
  // Recalled twice, or unknown: nothing changes.
  CHECK(cs.on_recalled(json{{"mid", 101}}) == nullptr);
  CHECK(parse(cs.to_json())[0]["unread"] == 1);
  // Read messages recalled later do not go below zero.
  CHECK(cs.mark_read("P2P", "alice"));
  cs.on_recalled(json{{"mid", 102}});
  CHECK(parse(cs.to_json())[0]["unread"] == 0);
  // Own messages never counted.
  cs.on_message(msg(4, "bob", "alice"));
  CHECK(cs.on_recalled(json{{"mid", 104}}) != nullptr);  // the last message shows recalled
  CHECK(parse(cs.to_json())[0]["unread"] == 0);
}

TEST_CASE("conversations: a last message the host keeps is named by its ref and released when replaced",
          "[im][conversations]") {
  Conversations cs("alice", 2);
  const Conversation* c = cs.on_kept(msg(1, "bob", "alice"), 7);
  REQUIRE(c);
  CHECK(c->last_ref == 7);
  CHECK(c->last_message.is_null());
  json o = parse(Conversations::to_text(*c));
  CHECK(o["lastRef"] == 7);
  CHECK(o["lastMessage"].is_null());
  CHECK_FALSE(o.contains("lastPatch"));
  CHECK(cs.take_released().empty());
  // An older message changes nothing and takes no ref.
  CHECK_FALSE(cs.on_kept(msg(1, "bob", "alice"), 8));
  CHECK(cs.take_released().empty());
  // A newer one replaces it: 7 is released.
  c = cs.on_kept(msg(2, "bob", "alice"), 9);
  REQUIRE(c);
  CHECK(c->last_ref == 9);
  CHECK(cs.take_released() == std::vector<std::uint32_t>{7});
  // A recall of the kept message is a patch over it.
  c = cs.on_recalled(json{{"mid", 102}, {"recallTime", 5000}});
  REQUIRE(c);
  o = parse(Conversations::to_text(*c));
  CHECK(o["lastPatch"] == json{{"recalled", true}, {"body", nullptr}, {"recallTime", 5000}});
  CHECK(o["lastRef"] == 9);
  CHECK(c->unread == 1);
  // A message the core holds (from a sync page) replaces the kept one: 9 is released.
  c = cs.on_message(msg(3, "bob", "alice"));
  REQUIRE(c);
  CHECK(c->last_ref == 0);
  CHECK(nl(c->last_message)["seq"] == 3);
  CHECK(cs.take_released() == std::vector<std::uint32_t>{9});
  // Eviction (at most 2 conversations here) and the server list release what they drop.
  REQUIRE(cs.on_kept(msg(4, "carol", "alice"), 11));
  REQUIRE(cs.on_kept(msg(5, "dave", "alice"), 12));  // bob's (oldest updateTime) goes
  CHECK(cs.take_released().empty());
  REQUIRE(cs.on_kept(msg(6, "erin", "alice"), 13));  // carol's goes: 11
  CHECK(cs.take_released() == std::vector<std::uint32_t>{11});
  cs.replace(json::array());
  auto released = cs.take_released();
  std::sort(released.begin(), released.end());
  CHECK(released == std::vector<std::uint32_t>{12, 13});
}

TEST_CASE("conversations: found by key among many, through evictions and a list with a repeated key",
          "[im][conversations]") {
  Conversations cs("alice", 100);
  std::uint64_t seq = 0;
  std::uint32_t rng = 7;
  for (int i = 0; i < 3000; ++i) {
    rng = rng * 1103515245u + 12345u;
    const std::string peer = "u" + std::to_string((rng >> 8) % 300);
    const bool room = (rng >> 20) % 4 == 0;
    const Conversation* c = room ? cs.on_message(msg(++seq, peer, "r" + peer, "P2R")) : cs.on_message(msg(++seq, peer, "alice"));
    REQUIRE(c != nullptr);
    CHECK(c->way == (room ? "P2R" : "P2P"));
    CHECK(c->to_target == (room ? "r" + peer : peer));
    CHECK(c->last_seq == seq);
    REQUIRE(cs.indexed());
    const auto& all = cs.entries();
    REQUIRE(all.size() <= 100);
    // the one entry of that key
    CHECK(std::count_if(all.begin(), all.end(), [&](const Conversation& x) {
            return x.way == c->way && x.to_target == c->to_target;
          }) == 1);
  }
  // every entry is found again by its key, and an evicted key is not
  for (const Conversation& x : std::vector<Conversation>(cs.entries())) {
    const Conversation* again = cs.mark_read(x.way, x.to_target);
    if (x.unread > 0) {
      REQUIRE(again != nullptr);
      CHECK(again->to_target == x.to_target);
    }
  }
  CHECK_FALSE(cs.mark_read("P2P", "nobody"));

  // A server list naming one conversation twice: the first one is the one updated, as before.
  cs.replace(json::array({json{{"way", "P2P"}, {"toTarget", "bob"}, {"unread", 1}, {"lastSeq", 1}},
                          json{{"way", "P2P"}, {"toTarget", "bob"}, {"unread", 5}, {"lastSeq", 1}}}));
  CHECK(cs.indexed());
  const Conversation* bob = cs.on_message(msg(50, "bob", "alice"));
  REQUIRE(bob != nullptr);
  CHECK(bob == &cs.entries()[0]);
  CHECK(bob->unread == 2);
  CHECK(cs.entries()[1].unread == 5);
}

TEST_CASE("conversations: the delivery lane's memo (a count of writes to the texts) is never stale",
          "[im][conversations]") {
  // The lane's Conversations get the binding's facts, rewritten only when the texts change, and the
  // binding's count of those writes; a second one gets the same messages as the general path does
  // (no count). Conversations alternating, the user's own messages, rooms, evictions (at most 6),
  // server lists that drop or reorder the memo's conversation, general-path messages in between:
  // every answer must be the same entry with the same contents.
  Conversations lane("alice", 6);
  Conversations plain("alice", 6);
  echat::im::MessageFacts facts;  // the binding's
  std::uint64_t texts = 0;        // its count of writes (0: none yet)
  std::uint64_t seq = 0;
  std::uint32_t rng = 11;
  const auto next = [&rng] {
    rng = rng * 1103515245u + 12345u;
    return rng >> 8;
  };
  const auto pick = [&](std::string& way, std::string& from, std::string& to) {
    const std::string peer = "u" + std::to_string(next() % 9);
    switch (next() % 4) {
      case 0: way = "P2P", from = peer, to = "alice"; break;
      case 1: way = "P2P", from = "alice", to = peer; break;
      case 2: way = "P2R", from = peer, to = "r" + std::to_string(next() % 3); break;
      default: way = "P2R", from = "alice", to = "r" + std::to_string(next() % 3);
    }
  };
  int memo_runs = 0;
  for (int i = 0; i < 6000; ++i) {
    const std::uint32_t r = next() % 20;
    if (r == 0) {  // a server list: a few conversations, perhaps without the memo's
      json list = json::array();
      for (std::uint32_t k = next() % 5; k > 0; --k) {
        std::string way, from, to;
        pick(way, from, to);
        list.push_back(json{{"way", way}, {"toTarget", from == "alice" || way == "P2R" ? to : from},
                            {"lastSeq", seq}, {"updateTime", 1000 + seq - next() % 50}});
      }
      lane.replace(list);
      plain.replace(list);
    } else if (r == 1) {  // the general path (no count), between the lane's deliveries
      std::string way, from, to;
      pick(way, from, to);
      const json m = msg(++seq, from, to, way);
      const Conversation* a = lane.on_message(m);
      const Conversation* b = plain.on_message(m);
      REQUIRE((a == nullptr) == (b == nullptr));
      if (a) REQUIRE(a - lane.entries().data() == b - plain.entries().data());
    } else {
      if (next() % 3 != 0 || texts == 0) {  // other texts (the binding writes them), or the same rewritten
        std::string way, from, to;
        pick(way, from, to);
        if (next() % 8 != 0) facts.way = way, facts.form_user = from, facts.to_target = to;
        ++texts;
      } else {
        ++memo_runs;
      }
      ++seq;
      facts.create_time = 1000 + seq;
      facts.recalled = next() % 10 == 0;
      const std::string text = msg(seq, facts.form_user, facts.to_target, facts.way).dump();
      const Conversation* a = static_cast<echat::im::Conversations&>(lane).on_message(seq, 100 + seq, 0, facts, text, texts);
      const bool by_sender = lane.by_sender();
      const Conversation* b = static_cast<echat::im::Conversations&>(plain).on_message(seq, 100 + seq, 0, facts, text);
      REQUIRE((a == nullptr) == (b == nullptr));
      if (a) {
        REQUIRE(a - lane.entries().data() == b - plain.entries().data());
        REQUIRE(by_sender == plain.by_sender());
        REQUIRE(a->to_target == (by_sender ? facts.form_user : facts.to_target));
      }
    }
    REQUIRE(lane.to_json() == plain.to_json());
    REQUIRE(lane.take_released() == plain.take_released());
    REQUIRE(lane.indexed());
  }
  CHECK(memo_runs > 1000);
}
