// Runs the IM session transcripts in tests/native/data/im/sessions.txt: scripted inputs to an
// im::Client (the frames a server sends, HTTP answers, the app's calls, timers) and the exact outputs
// expected after each one, in the format of the Engine.IO transcripts (tests/native/data/engineio/
// sessions.txt). The format is described at the top of the data file. Each script runs twice; the
// second run must give the identical transcript (determinism: same inputs and seed, same outputs). The
// second run also takes the delivery lane (Client::deliver_fast) for `kept` deliveries: the same
// transcript proves it decides as the general path does.
//
// ECHAT_TRANSCRIPT_PRINT=1 prints every script's transcript as it ran (to write a new script: write its
// inputs, run, read the outputs critically, then paste them under their inputs).
#include <catch2/catch.hpp>

#include <cstdlib>
#include <iostream>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/overloaded.h"
#include "im/client.h"
#include "support/transcript.h"

namespace im = echat::im;
using echat::core::Millis;
using echat::testing::next_word;

namespace {

constexpr const char* kDefaultConfig =
    R"({"host":"127.0.0.1","httpPort":8080,"socketPort":3000,"key":"K1","loginAuid":"alice","loginToken":"pa","apiTransport":"SOCKET","protocol":4,"seed":1})";

std::string output_line(const im::Output& o) {
  using echat::core::overloaded;
  return std::visit(
      overloaded{
          [](const im::OpenTransport& x) { return "open#" + std::to_string(x.transport) + " " + x.url; },
          [](const im::SendFrame& x) {
            return "send#" + std::to_string(x.transport) + " " + (x.frame.binary ? "bin:" : "") + x.frame.data;
          },
          [](const im::CloseTransport& x) {
            return "close#" + std::to_string(x.transport) + " " + std::to_string(x.code) + " " + x.reason;
          },
          [](const im::HttpRequest& x) { return "http#" + std::to_string(x.id) + " " + x.url + " " + x.body; },
          [](const im::StorageSet& x) { return "store " + x.key + " " + (x.value_json.empty() ? "-" : x.value_json); },
          [](const im::StateChanged& x) { return std::string("state ") + im::to_string(x.state) + " " + x.reason; },
          [](const im::Response& x) {
            return "resp#" + std::to_string(x.id) + " " + std::to_string(x.code) + " " + (x.msg.empty() ? "-" : x.msg) +
                   " " + x.data_json + (x.client_msg_id.empty() ? "" : " cmid=" + x.client_msg_id);
          },
          [](const im::Message& x) {
            return "msg " + std::to_string(x.seq) + " " + std::to_string(x.mid) + " " +
                   (x.ref != 0 ? "ref=" + std::to_string(x.ref) : x.json) + (x.history ? " history" : "");
          },
          [](const im::Release& x) { return "drop " + std::to_string(x.ref); },
          [](const im::SendState& x) {
            return "sendstate#" + std::to_string(x.id) + " " + x.client_msg_id + " " + x.state +
                   (x.reason.empty() ? "" : " " + x.reason);
          },
          [](const im::ConversationsLoaded& x) { return "convs " + x.json; },
          [](const im::Ready&) { return std::string("ready"); },
          [](const im::Notify& x) { return "notify " + x.type + " " + x.json; },
          [](const im::Sync& x) {
            return "sync " + std::to_string(x.from) + " " + std::to_string(x.to) + " " + std::to_string(x.count);
          },
          [](const im::Kicked& x) { return "kicked " + x.reason; },
          [](const im::ConversationChanged& x) { return "conv " + x.json; },
          [](const im::ErrorEvent& x) {
            return "error " + std::to_string(x.code) + " " + x.message + (x.fatal ? " fatal" : "");
          },
      },
      o);
}

struct Session {
  std::optional<im::Client> client;
  std::string config = kDefaultConfig;
  std::vector<std::pair<std::string, std::string>> storage;
  std::uint32_t last_open = 0;  // the transport inputs go to by default
  bool fast = false;            // `kept` takes Client::deliver_fast (the second run)
  int handed = 0;               // deliveries it handed over at once
  // The binding's facts (bindings/im_lane.cpp): the texts rewritten, and the writes counted
  // (Client::Delivery::texts), only when a message's differ from the last (js-shim/core-driver.js).
  im::MessageFacts facts;
  std::uint64_t texts = 0;

  im::Client& c() {
    if (!client) {
      auto cfg = im::config_from_json(config);
      if (!cfg.ok()) throw std::runtime_error("config: " + cfg.error().message);
      client.emplace(cfg.value());
    }
    return *client;
  }
};

// What the host passes the delivery lane for a frame's head "42<ack id>" and its message (js-shim/
// core-driver.js delivery()): none for another head (the host then takes the general path).
std::optional<im::Client::Delivery> lane_delivery(std::string_view head, const im::Message& m) {
  if (head.size() < 2 || head.substr(0, 2) != "42") return std::nullopt;
  im::Client::Delivery d;
  d.head_size = head.size();
  if (head.size() > 2) {
    std::uint64_t v = 0;
    for (char ch : head.substr(2)) {
      if (ch < '0' || ch > '9') return std::nullopt;
      v = v * 10 + static_cast<std::uint64_t>(ch - '0');
    }
    d.ack_id = v;
  }
  d.seq = m.seq;
  d.mid = m.mid;
  d.facts = &m.facts;
  return d;
}

std::string id_result(const echat::core::Result<std::uint64_t>& r) {
  return r.ok() ? "ok #" + std::to_string(r.value()) : "refused " + r.error().code + " " + r.error().message;
}

// One input line -> the lines it produced (the call's result first, when it has one; then the outputs).
std::vector<std::string> run_input(Session& s, std::string rest) {
  std::vector<std::string> got;
  const std::string cmd = next_word(rest);
  const Millis now = std::stoll(next_word(rest));
  std::uint32_t t = s.last_open;
  if (!rest.empty() && rest[0] == '#') t = static_cast<std::uint32_t>(std::stoul(next_word(rest).substr(1)));
  im::Client& c = s.c();
  if (cmd == "start") {
    c.load(now, s.storage);
    c.start(now);
  } else if (cmd == "close") c.close(now);
  else if (cmd == "timer") c.on_timer(now);
  else if (cmd == "wake") c.wake(now);
  else if (cmd == "online") c.set_online(now, true);
  else if (cmd == "offline") c.set_online(now, false);
  else if (cmd == "topen") c.on_transport_open(now, t);
  else if (cmd == "text") c.on_frame(now, t, echat::engineio::Frame{false, rest});
  else if (cmd == "terror") c.on_transport_error(now, t, rest);
  else if (cmd == "tclose") {
    const int code = std::stoi(next_word(rest));
    c.on_transport_close(now, t, code, rest);
  } else if (cmd == "kept") {
    // A delivery frame whose arguments the host keeps (Client::on_message_external): its head (e.g. 421),
    // the handle, then the message object; the facts are what the host reads from it (message_of).
    const std::string head = next_word(rest);
    echat::socketio::ExternalArgs a;
    a.ext = static_cast<std::uint32_t>(std::stoul(next_word(rest)));
    a.size = rest.size() + 18;  // ["topic.message",…]
    a.shape.root = echat::socketio::JsonKind::Array;
    a.shape.first = echat::socketio::JsonKind::String;
    im::Message m = im::message_of(im::parse_json(rest));
    auto d = lane_delivery(head, m);
    if (!s.fast || !d) {
      got.push_back(c.on_message_external(now, t, head, a, std::move(m)) ? "taken" : "not taken");
    } else {
      // The second run takes the delivery lane (Client::deliver_fast) with what the host reads (the
      // head's length and ack id, the facts as views) and writes its Handover as the outputs it stands
      // for, in their order: the transcript must not change.
      const std::string from = m.facts.form_user;
      const std::string to = m.facts.to_target;
      im::MessageFacts& f = s.facts;
      if (f.way != m.facts.way || f.form_user != from || f.to_target != to) {
        f.way = m.facts.way;
        f.form_user = from;
        f.to_target = to;
        ++s.texts;
      }
      f.create_time = m.facts.create_time;
      f.recalled = m.facts.recalled;
      d->facts = &f;
      d->texts = s.texts;
      im::Client::Handover h;
      const auto lane = c.deliver_fast(now, t, *d, a, h);
      got.push_back(lane == im::Client::Lane::NotTaken ? "not taken" : "taken");
      if (lane == im::Client::Lane::Handed) {
        ++s.handed;
        CHECK(c.take_outputs().empty());
        got.push_back("msg " + std::to_string(h.seq) + " " + std::to_string(h.mid) + " ref=" + std::to_string(h.ref));
        if (h.conversation) {
          CHECK(h.conversation->to_target == (h.target_is_sender ? from : to));
          got.push_back("conv " + im::Conversations::to_text(*h.conversation));
        }
        if (h.dropped) got.push_back("drop " + std::to_string(h.ref));
        // The texts the host writes from the Handover's numbers (js-shim/core-driver.js handed()), as
        // the core says them (put_record, put_ack_args: what the general path writes).
        char text[im::Client::kRecordMax];
        got.push_back("store " + c.synced_key() + " " + std::string(text, im::Client::put_record(text, h.seq, h.boot)));
        if (h.ack) {  // "43" and the id's digits as the head had them after "42"
          got.push_back("send#" + std::to_string(h.transport) + " 43" + std::string(head.substr(2)) +
                        std::string(text, im::Client::put_ack_args(text, h.seq)));
        }
        if (h.released != 0) got.push_back("drop " + std::to_string(h.released));
        const auto d = c.next_deadline();  // the host's timer may fire early, never late
        CHECK((!d || (h.deadline && *h.deadline <= *d)));
      }
    }
  } else if (cmd == "http") {
    const auto id = std::stoull(next_word(rest));
    const int status = std::stoi(next_word(rest));
    c.on_http_response(now, id, status, rest);
  } else if (cmd == "httperr") {
    const auto id = std::stoull(next_word(rest));
    c.on_http_error(now, id, rest);
  } else if (cmd == "call") {
    const std::string module = next_word(rest);
    const std::string method = next_word(rest);
    got.push_back(id_result(c.request(now, module, method, rest)));
  } else if (cmd == "send") {
    got.push_back(id_result(c.send_message(now, rest)));
  } else if (cmd == "read") {
    const std::string way = next_word(rest);
    got.push_back(id_result(c.mark_read(now, way, rest)));
  } else {
    throw std::runtime_error("unknown input " + cmd);
  }
  for (auto& o : c.take_outputs()) {
    if (auto* x = std::get_if<im::OpenTransport>(&o)) s.last_open = x->transport;
    got.push_back(output_line(o));
  }
  return got;
}

std::string check_value(im::Client& c, const std::string& what) {
  if (what == "state") return im::to_string(c.state());
  if (what == "deadline") {
    const auto d = c.next_deadline();
    return d ? std::to_string(*d) : "none";
  }
  if (what == "synced") return std::to_string(c.synced_seq());
  if (what == "outbox") return std::to_string(c.outbox_size());
  if (what == "calls") return std::to_string(c.pending_calls());
  if (what == "jwt") return c.jwt().empty() ? "none" : c.jwt();
  if (what == "logged_in") return c.logged_in() ? "yes" : "no";
  throw std::runtime_error("unknown check " + what);
}

}  // namespace

TEST_CASE("IM session transcripts (im/sessions.txt)", "[im][session][script]") {
  const bool print = std::getenv("ECHAT_TRANSCRIPT_PRINT") != nullptr;
  const auto scripts = echat::testing::load_transcripts("im/sessions.txt");
  REQUIRE(scripts.size() >= (std::getenv("ECHAT_TRANSCRIPT_PRINT") ? 1u : 7u));
  int handed = 0;
  for (const auto& sc : scripts) {
    std::vector<std::string> transcripts[2];
    for (int pass = 0; pass < 2; ++pass) {
      Session s;
      s.fast = pass == 1;
      std::vector<std::string> pending;  // outputs of the last input not yet matched by "<" lines
      int pending_line = 0;
      const auto flush = [&](int at) {
        INFO("script '" << sc.name << "': outputs of line " << pending_line << " not listed (checked at line " << at << ")");
        for (const auto& p : pending) INFO("  unlisted: " << p);
        CHECK(pending.empty());
        pending.clear();
      };
      if (print && pass == 0) std::cout << "=== " << sc.name << "\n";
      for (const auto& [n, text] : sc.lines) {
        INFO("script '" << sc.name << "' line " << n << ": " << text);
        if (text.rfind("config ", 0) == 0) {
          s.config = text.substr(7);
        } else if (text.rfind("storage ", 0) == 0) {
          std::string rest = text.substr(8);
          const std::string key = next_word(rest);
          s.storage.emplace_back(key, rest);
        } else if (text.rfind("< ", 0) == 0) {
          if (pending.empty()) FAIL("an output is expected here, and there is none");
          CHECK(pending.front() == text.substr(2));
          pending.erase(pending.begin());
        } else if (text.rfind("> ", 0) == 0) {
          flush(n);
          pending = run_input(s, text.substr(2));
          pending_line = n;
          if (print && pass == 0) {
            std::cout << text << "\n";
            for (const auto& p : pending) std::cout << "< " << p << "\n";
          }
          for (const auto& p : pending) transcripts[pass].push_back(p);
        } else if (text.rfind("? ", 0) == 0) {
          flush(n);
          std::string rest = text.substr(2);
          const std::string what = next_word(rest);
          const std::string got = check_value(s.c(), what);
          if (print && pass == 0) std::cout << "? " << what << " " << got << "\n";
          CHECK(got == rest);
        } else {
          FAIL("bad line");
        }
      }
      flush(0);
      handed += s.handed;
    }
    INFO("script '" << sc.name << "': the second run differs from the first");
    CHECK(transcripts[0] == transcripts[1]);
  }
  CHECK(handed >= 5);  // the lane was taken, not only refused
}
