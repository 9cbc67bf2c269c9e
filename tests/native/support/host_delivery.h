// How the wasm host (js-shim/core-driver.js delivery(), handed()) reads a topic.message push and acts on
// im::Client::deliver_fast's Handover: one description for the native harness
// (tests/native/im/fake_echat.h) and tests/fuzz/fuzz_im_client.cpp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "im/client.h"
#include "im/conversations.h"
#include "im/json_util.h"

namespace echat::testing {

// A push `42<id>["topic.message", {...}]` as the host reads it: the message's facts, its object's text
// (what the host keeps), the head's length and the ack id its parseInt reads (the leading digits, at
// most 15 of them; the core checks them against the length); `parse_int`: false when the id's first
// character is not a digit (parseInt: NaN, which the host never passes to the lane).
struct HostPush {
  im::Message m;
  std::string object;
  std::size_t head_size = 2;
  std::optional<std::uint64_t> ack_id;
  bool parse_int = true;

  // The Delivery deliver_fast takes (its facts point into `m`).
  im::Client::Delivery delivery() const {
    im::Client::Delivery d;
    d.head_size = head_size;
    d.ack_id = ack_id;
    d.seq = m.seq;
    d.mid = m.mid;
    d.facts = &m.facts;
    return d;
  }
};

// nullopt when the host would not offer the frame to the lane.
inline std::optional<HostPush> read_push(std::string_view data) {
  const std::size_t k = data.find('[');
  if (k == std::string_view::npos || k < 2 || k > 22 || data.substr(0, 2) != "42" ||
      data.substr(k, 17) != "[\"topic.message\",") {
    return std::nullopt;
  }
  const im::json args = im::parse_json(data.substr(k));
  if (!args.is_array() || args.size() != 2 || !args[1].is_object()) return std::nullopt;
  HostPush p;
  p.m = im::message_of(args[1]);
  if (p.m.seq == 0 || p.m.mid == 0) return std::nullopt;
  p.object = args[1].dump();
  p.head_size = k;
  if (k > 2) {
    p.parse_int = data[2] >= '0' && data[2] <= '9';
    std::uint64_t v = 0;
    for (std::size_t i = 2; i < k && i < 17 && data[i] >= '0' && data[i] <= '9'; ++i) {
      v = v * 10 + static_cast<std::uint64_t>(data[i] - '0');
    }
    p.ack_id = v;
  }
  return p;
}

// The outputs a Handover stands for, in its order (client.h), with the texts the host writes from the
// numbers (put_record, put_ack_args; the ack's head "43" and the digits `head` had after "42").
inline std::vector<im::Output> handover_outputs(const im::Client& c, const im::Client::Handover& h,
                                                std::string_view head) {
  std::vector<im::Output> outs;
  im::Message m;
  m.seq = h.seq;
  m.mid = h.mid;
  m.ref = h.ref;
  outs.emplace_back(std::move(m));
  if (h.conversation) outs.emplace_back(im::ConversationChanged{im::Conversations::to_text(*h.conversation)});
  if (h.dropped) outs.emplace_back(im::Release{h.ref});
  char text[im::Client::kRecordMax];
  outs.emplace_back(im::StorageSet{c.synced_key(), std::string(text, im::Client::put_record(text, h.seq, h.boot))});
  if (h.ack) {
    const std::string args(text, im::Client::put_ack_args(text, h.seq));
    outs.emplace_back(im::SendFrame{h.transport, engineio::Frame{false, "43" + std::string(head.substr(2)) + args}});
  }
  if (h.released != 0) outs.emplace_back(im::Release{h.released});
  return outs;
}

}  // namespace echat::testing
