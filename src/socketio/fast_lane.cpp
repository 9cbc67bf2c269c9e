// socketio::Manager's fast lane (manager.h, "The fast lane of the wasm hot path"): the general path's
// decision for its common case, taken without packets or outputs; each function returns kGeneral,
// changing nothing, whenever the general path could decide otherwise.
//
// Why a file of its own: WeChat on iOS interprets wasm (no JIT), and there every call costs about as
// much as a short function body, so the lanes' callees stay here or inline in a header, where the
// -Oz + LTO inliner can fold them in (toolchain/emscripten-flags.cmake: -finline-functions). Until
// 2026-12-06 this file was compiled apart, -O2 without LTO, for the same reason; measured with
// --profiling-funcs and `jsc --sample` (docs/benchmarks.md).
#include <algorithm>
#include <cassert>

#include "core/json.h"  // format_uint
#include "socketio/manager.h"

namespace echat::socketio {

namespace {

void put_header(Manager::Header& h, char type, std::optional<std::uint64_t> id) {
  h.text[0] = '4';
  h.text[1] = type;
  h.size = 2;
  h.id = id.value_or(0);
  if (id) h.size += core::format_uint(h.text + h.size, *id);
}

bool is_root(std::string_view nsp) { return nsp.size() == 1 && nsp[0] == '/'; }

}  // namespace

Manager::Socket* Manager::root_socket() {
  for (auto& s : sockets_) {
    if (is_root(s.nsp)) return &s;
  }
  return nullptr;
}

void Manager::note_server_ack(Socket& socket, std::uint64_t id) {
  if (socket.server_acks.size() >= kMaxServerAcks) socket.server_acks.erase(socket.server_acks.begin());
  socket.server_acks.push_back(id);
}

Millis Manager::earliest_ack() const {
  Millis earliest = core::kNever;
  for (const auto& s : sockets_) {
    for (const auto& a : s.acks) {
      if (a.deadline && *a.deadline < earliest) earliest = *a.deadline;
    }
  }
  return earliest;
}

void Manager::rearm_ack_timer() {
  const Millis earliest = earliest_ack();
  if (earliest != core::kNever) {
    timers_.set(Timer::AckTimeout, earliest);
  } else {
    timers_.clear(Timer::AckTimeout);
  }
}

// The earliest deadline when a lane may run at `now` (open, nothing waiting to be reported, no
// deadline due); nullopt otherwise.
std::optional<Millis> Manager::lane_deadline(Millis now) const {
  if (fatal_ || !session_ || state_ != ManagerState::Open || probe_ == Probe::Confirming || !outputs_.empty() ||
      decoder_.awaiting_attachments()) {
    return std::nullopt;
  }
  const Millis due = std::min(timers_.earliest(), session_->open_deadline());
  // An open session always has its liveness deadline armed; without one the general path decides.
  if (due <= now || due == core::kNever) return std::nullopt;
  return due;
}

Manager::Fast Manager::on_event_fast(Millis now, std::uint32_t transport, std::string_view head,
                                     const ExternalArgs& payload) {
  if (head.size() < 2 || head.size() > 21 || head[0] != '4' || (head[1] != '2' && head[1] != '3')) return {};
  std::optional<std::uint64_t> id;
  if (head.size() > 2) {
    std::uint64_t v = 0;
    for (std::size_t i = 2; i < head.size(); ++i) {
      if (head[i] < '0' || head[i] > '9') return {};
      v = v * 10 + static_cast<std::uint64_t>(head[i] - '0');
    }
    id = v;
  }
  return root_fast(now, transport, head[1] == '2', head.size(), id, payload, 0, nullptr);
}

Manager::Fast Manager::ack_in_fast(Millis now, std::uint32_t transport, std::size_t head_size, std::uint64_t ack_id,
                                   const ExternalArgs& payload) {
  if (head_size != 2 + core::decimal_digits(ack_id)) return {};  // (event_ack_fast's check of a head)
  return root_fast(now, transport, false, head_size, ack_id, payload, 0, nullptr);
}

Manager::Fast Manager::event_ack_fast(Millis now, std::uint32_t transport, std::size_t head_size,
                                      std::optional<std::uint64_t> ack_id, const ExternalArgs& payload,
                                      std::size_t args_size, Header* header) {
  // The head's size must be that of "42" and the id's digits; the ack's head "43<id>" is as long (its
  // size in `header`, where root_fast's ack finds it; its text is the caller's to write).
  if (head_size > 21 || head_size != 2 + (ack_id ? core::decimal_digits(*ack_id) : 0)) return {};
  if (header) header->size = head_size;
  return root_fast(now, transport, true, head_size, ack_id, payload, args_size, header);
}

Manager::Fast Manager::root_fast(Millis now, std::uint32_t transport, bool event, std::size_t head_size,
                                 std::optional<std::uint64_t> id, const ExternalArgs& payload, std::size_t args_size,
                                 Header* header) {
  if (transport == 0 || transport != transport_ || payload.ext == 0) return {};
  const auto due = lane_deadline(now);
  if (!due) return {};
  if (event ? !is_event_shape(payload.shape) : (payload.shape.root != JsonKind::Array || !id)) return {};
  Socket* s = root_socket();
  if (!s || s->state != SocketState::Connected) return {};
  if (!event && !s->queue.empty()) return {};  // a retry queue's try may be answered: the general path decides
  if (!session_->on_message_fast(now, session_transport_, head_size + payload.size)) return {};
  if (event) {
    if (!id) return {kEvent, -1, *due};
    // With `header` (the ack's head's size, from event_ack_fast): ack_root_fast's decision after the ack
    // id was kept, on_message_fast having only moved the liveness deadline later (the lane's checks still
    // hold; the id would be the one just kept).
    if (header) {
      if (session_->can_send_fast(now, header->size + args_size)) {
        if (!s->server_acks.empty()) {  // kept and taken back as those two would (the oldest of a full list goes)
          note_server_ack(*s, *id);
          s->server_acks.erase(std::find(s->server_acks.begin(), s->server_acks.end(), *id));
        }
        return {kSend, static_cast<double>(*id), *due};
      }
    }
    note_server_ack(*s, *id);
    return {kEvent, static_cast<double>(*id), *due};
  }
  auto it = std::find_if(s->acks.begin(), s->acks.end(), [&](const PendingAck& a) { return a.sent && a.wire_id == *id; });
  if (it == s->acks.end()) return {kNothing, -1, *due};
  const double emit_id = static_cast<double>(it->emit_id);
  s->acks.erase(it);
  // The ack timer stays where it is: an answer can only make the earliest deadline left later, so the
  // timer may fire early, when check_ack_timeouts finds nothing due and re-arms it at the earliest
  // (a burst's every answer walked every ack in flight here: ~380 wasm instructions per message).
  return {kAck, emit_id, *due};
}

std::optional<std::uint64_t> Manager::awaiting_ack(std::uint64_t wire_id) const {
  for (const auto& s : sockets_) {
    if (!is_root(s.nsp)) continue;
    for (const auto& a : s.acks) {
      if (a.sent && a.wire_id == wire_id) return a.emit_id;
    }
  }
  return std::nullopt;
}

Manager::Fast Manager::emit_fast(Millis now, std::string_view nsp, const ExternalArgs& payload, EmitOptions options,
                                 Header& header) {
  if (!is_root(nsp) || payload.ext == 0 || !is_event_shape(payload.shape)) return {};
  if ((options.ack_timeout && *options.ack_timeout < 0) || (options.retries > 0 && !options.is_volatile)) return {};
  const auto due = lane_deadline(now);
  if (!due) return {};
  Socket* s = root_socket();
  if (!s || !connected(*s) || !s->send_buffer.empty()) return {};
  std::optional<std::uint64_t> wire_id;
  if (options.want_ack) wire_id = s->next_wire_id;
  put_header(header, '2', wire_id);
  if (!session_->can_send_fast(now, header.size + payload.size)) return {};
  const std::uint64_t emit_id = next_emit_id_++;
  Millis deadline = *due;
  if (wire_id) {
    ++s->next_wire_id;
    PendingAck a;
    a.wire_id = *wire_id;
    a.emit_id = emit_id;
    if (options.ack_timeout) {
      a.deadline = core::add_ms(now, *options.ack_timeout);
      deadline = std::min(deadline, *a.deadline);
    }
    a.sent = true;
    s->acks.push_back(a);
    // The timer is at the earliest ack deadline or before it (root_fast's answers leave it): one more
    // ack can only move it earlier (no walk of every ack).
    if (a.deadline && *a.deadline < timers_.deadline(Timer::AckTimeout).value_or(core::kNever)) {
      timers_.set(Timer::AckTimeout, *a.deadline);
    }
    assert(timers_.deadline(Timer::AckTimeout).value_or(core::kNever) <= earliest_ack());
  }
  return {kSend, static_cast<double>(emit_id), deadline};
}

Manager::Fast Manager::ack_fast(Millis now, std::string_view nsp, std::uint64_t ack_id, const ExternalArgs& payload,
                                Header& header) {
  if (!is_root(nsp) || payload.ext == 0 || payload.shape.root != JsonKind::Array) return {};
  return ack_root_fast(now, ack_id, payload.size, header);
}

Manager::Fast Manager::ack_root_fast(Millis now, std::uint64_t ack_id, std::size_t size, Header& header) {
  const auto due = lane_deadline(now);
  if (!due) return {};
  Socket* s = root_socket();
  if (!s || !connected(*s)) return {};
  auto it = std::find(s->server_acks.begin(), s->server_acks.end(), ack_id);
  if (it == s->server_acks.end()) return {};
  put_header(header, '3', ack_id);
  if (!session_->can_send_fast(now, header.size + size)) return {};
  s->server_acks.erase(it);
  return {kSend, -1, *due};
}

bool Manager::ack_text_fast(Millis now, std::uint64_t ack_id, std::string_view args_json) {
  Header header;
  if (ack_root_fast(now, ack_id, args_json.size(), header).code != kSend) return false;
  std::string text(header.text, header.size);
  text += args_json;
  outputs_.push_back(engineio::SendFrame{transport_, engineio::Frame{false, std::move(text)}});
  return true;
}

}  // namespace echat::socketio
