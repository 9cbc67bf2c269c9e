#include "host/batch.h"

#include "core/json.h"
#include "core/overloaded.h"

#include <type_traits>

namespace echat::host {

namespace {

using core::overloaded;

void append_int(std::string& out, long long n) { out += core::decimal(n); }

void write_error(std::string& out, const core::Error& e) {
  out += "{\"kind\":";
  append_json_string(out, core::to_string(e.kind));
  out += ",\"code\":";
  append_json_string(out, e.code);
  out += ",\"message\":";
  append_json_string(out, e.message);
  out += '}';
}

}  // namespace

void append_json_string(std::string& out, std::string_view s) { core::append_json_string(out, s); }

void BatchText::begin() {
  text_.assign("{\"o\":[");
  arena_.clear();
  result_ = "null";
  error_ = "null";
  first_output_ = true;
}

void BatchText::set_error(const core::Error& error) {
  error_.clear();
  write_error(error_, error);
}

void BatchText::open_output(std::string_view kind) {
  if (!first_output_) text_ += ',';
  first_output_ = false;
  text_ += "{\"k\":";
  append_json_string(text_, kind);
}

void BatchText::key(const char* name) {
  text_ += ",\"";
  text_ += name;
  text_ += "\":";
}

void BatchText::str(const char* name, std::string_view s) {
  key(name);
  append_json_string(text_, s);
}

void BatchText::raw(const char* name, std::string_view json) {
  key(name);
  if (json.empty()) {
    text_ += "null";
  } else {
    text_.append(json.data(), json.size());
  }
}

void BatchText::num(const char* name, long long n) {
  key(name);
  append_int(text_, n);
}

void BatchText::error(const char* name, const core::Error& e) {
  key(name);
  write_error(text_, e);
}

void BatchText::ranges(const char* name, const std::vector<std::string>& parts) {
  key(name);
  text_ += '[';
  bool first = true;
  for (const auto& p : parts) {
    if (!first) text_ += ',';
    first = false;
    append_int(text_, static_cast<long long>(arena_.size()));
    text_ += ',';
    append_int(text_, static_cast<long long>(p.size()));
    arena_ += p;
  }
  text_ += ']';
}

void BatchText::transport(const engineio::OpenTransport& o) {
  open_output("open");
  num("tid", o.transport);
  str("url", o.url);
  close_output();
}

void BatchText::transport(const engineio::SendFrame& o) {
  // sendb: tid, off, len; sendx (the header text, then the host-kept payload `ref`): tid, text, ref;
  // send: tid, text.
  open_output(o.frame.binary ? "sendb" : o.frame.ext ? "sendx" : "send");
  num("tid", o.transport);
  if (o.frame.binary) {
    num("off", static_cast<long long>(arena_.size()));
    num("len", static_cast<long long>(o.frame.data.size()));
    arena_ += o.frame.data;
  } else {
    str("text", o.frame.data);
    if (o.frame.ext) num("ref", o.frame.ext);
  }
  close_output();
}

void BatchText::transport(const engineio::CloseTransport& o) {
  open_output("close");
  num("tid", o.transport);
  num("code", o.code);
  str("reason", o.reason);
  close_output();
}

void BatchText::transport(const engineio::HttpRequest& o) {
  open_output("poll");
  num("tid", o.transport);
  num("req", o.request);
  boolean("post", o.post);
  str("url", o.url);
  key("texts");
  text_ += '[';
  for (std::size_t i = 0; i < o.body.size(); ++i) {
    if (i) text_ += ',';
    append_json_string(text_, o.body[i].data);
  }
  text_ += ']';
  key("refs");
  text_ += '[';
  for (std::size_t i = 0; i < o.body.size(); ++i) {
    if (i) text_ += ',';
    append_int(text_, static_cast<long long>(o.body[i].ext));
  }
  text_ += ']';
  close_output();
}

const std::string& BatchText::finish(std::optional<core::Millis> deadline) {
  text_ += "],\"r\":";
  text_ += result_;
  text_ += ",\"x\":";
  text_ += error_;
  text_ += ",\"t\":";
  append_int(text_, deadline ? static_cast<long long>(*deadline) : -1);
  text_ += '}';
  return text_;
}

void BatchWriter::add(const socketio::Output& output) {
  using namespace socketio;
  core::visit(
      output, overloaded{
          [&](const OpenTransport& o) { transport(o); },
          [&](const SendFrame& o) { transport(o); },
          [&](const CloseTransport& o) { transport(o); },
          [&](const HttpRequest& o) { transport(o); },
          [&](const ManagerOpen& o) {
            open_output("m.open");
            str("sid", o.sid);
            boolean("polling", o.polling);
            close_output();
          },
          [&](const ManagerClose& o) { open_output("m.close"); str("reason", o.reason); close_output(); },
          [&](const ManagerError& o) { open_output("m.error"); error("err", o.error); close_output(); },
          [&](const ReconnectAttempt& o) { open_output("m.attempt"); num("n", o.attempt); close_output(); },
          [&](const Reconnect& o) { open_output("m.reconnect"); num("n", o.attempt); close_output(); },
          [&](const ReconnectError& o) { open_output("m.rerror"); error("err", o.error); close_output(); },
          [&](const ReconnectFailed&) { open_output("m.failed"); close_output(); },
          [&](const TransportUpgraded&) { open_output("m.upgrade"); close_output(); },
          [&](const SocketConnect& o) {
            open_output("s.connect");
            str("nsp", o.nsp);
            str("sid", o.sid);
            if (o.pid) str("pid", *o.pid);
            else raw("pid", "");
            close_output();
          },
          [&](const SocketConnectError& o) {
            open_output("s.cerror");
            str("nsp", o.nsp);
            raw("data", o.data_json);
            str("message", o.message);
            boolean("active", o.active);
            close_output();
          },
          [&](const SocketDisconnect& o) {
            open_output("s.disconnect");
            str("nsp", o.nsp);
            str("reason", o.reason);
            close_output();
          },
          [&](const SocketEvent& o) {
            open_output("s.event");
            str("nsp", o.nsp);
            raw("args", o.args_json);
            num("ackId", o.ack_id ? static_cast<long long>(*o.ack_id) : -1);
            ranges("bin", o.attachments);
            num("ref", o.ext);
            close_output();
          },
          [&](const AckResult& o) {
            open_output("s.ack");
            str("nsp", o.nsp);
            num("emitId", static_cast<long long>(o.emit_id));
            boolean("ok", o.ok);
            raw("args", o.ok ? std::string_view(o.args_json) : std::string_view());
            if (o.error) str("error", *o.error);
            else raw("error", "");
            ranges("bin", o.attachments);
            num("ref", o.ext);
            close_output();
          },
      });
}

core::Result<std::vector<std::string>> split_blob(std::string_view blob) {
  std::vector<std::string> parts;
  std::size_t at = 0;
  while (at < blob.size()) {
    if (blob.size() - at < 4) {
      return core::Error::caller("arg.attachments", "attachment " + core::decimal(parts.size()) +
                                                        ": truncated length prefix");
    }
    const auto* p = reinterpret_cast<const unsigned char*>(blob.data() + at);
    const std::size_t n = std::size_t(p[0]) | std::size_t(p[1]) << 8 | std::size_t(p[2]) << 16 |
                          std::size_t(p[3]) << 24;
    at += 4;
    if (blob.size() - at < n) {
      return core::Error::caller("arg.attachments", "attachment " + core::decimal(parts.size()) +
                                                        ": " + core::decimal(n) + " bytes announced, " +
                                                        core::decimal(blob.size() - at) + " present");
    }
    parts.emplace_back(blob.substr(at, n));
    at += n;
  }
  return parts;
}

core::Result<socketio::ManagerOptions> manager_options_from_json(std::string_view text) {
  using core::Json;
  const Json j = Json::parse(text);
  if (j.is_discarded() || !j.is_object()) {
    return core::Error::caller("arg.options", "options: must be a JSON object");
  }
  socketio::ManagerOptions o;
  std::optional<core::Error> bad;
  auto fail = [&](const char* key, const char* want) {
    if (!bad) bad = core::Error::caller("arg.options", std::string(key) + ": must be " + want);
  };
  auto str = [&](const char* key, std::string& out) {
    const Json* it = j.find(key);
    if (!it || it->is_null()) return;
    if (!it->is_string()) return fail(key, "a string");
    out = it->get_string();
  };
  // A number in [min, max], converted to the type of `out` by num() (the reading is one function, not
  // one per option type).
  auto number = [&](const char* key, double min, double max) -> std::optional<double> {
    const Json* it = j.find(key);
    if (!it || it->is_null()) return std::nullopt;
    if (!it->is_number()) return fail(key, "a number"), std::nullopt;
    const double v = it->get_double();
    if (!(v >= min && v <= max)) return fail(key, "a number in range"), std::nullopt;
    return v;
  };
  auto num = [&](const char* key, auto& out, double min, double max) {
    if (const auto v = number(key, min, max)) out = static_cast<std::remove_reference_t<decltype(out)>>(*v);
  };
  auto boolean = [&](const char* key, bool& out) {
    const Json* it = j.find(key);
    if (!it || it->is_null()) return;
    if (!it->is_boolean()) return fail(key, "true or false");
    out = it->get_bool();
  };
  str("url", o.url);
  str("path", o.path);
  str("query", o.query);
  boolean("reconnection", o.reconnection);
  boolean("stripBinaryPrefix", o.strip_v4_binary_prefix);
  boolean("websocket", o.websocket);
  boolean("polling", o.polling);
  boolean("pollingFirst", o.polling_first);
  num("reconnectionAttempts", o.reconnection_attempts, 0, 4294967295.0);
  num("reconnectionDelay", o.reconnection_delay, 0, 9007199254740991.0);
  num("reconnectionDelayMax", o.reconnection_delay_max, 0, 9007199254740991.0);
  num("randomizationFactor", o.randomization_factor, 0, 1);
  num("timeout", o.timeout, 0, 9007199254740991.0);
  num("protocol", o.protocol, 0, 4);
  num("maxIncomingBytes", o.max_incoming_bytes, 1, 4294967295.0);
  num("maxAttachments", o.max_attachments, 0, 4294967295.0);
  num("seed", o.seed, 0, 9007199254740991.0);
  if (bad) return *bad;
  return socketio::Manager::validate(std::move(o));
}

}  // namespace echat::host
