#include "host/batch.h"

#include <nlohmann/json.hpp>

#include <type_traits>

namespace echat::host {

namespace {

template <class... Ts>
struct overloaded : Ts... { using Ts::operator()...; };
template <class... Ts>
overloaded(Ts...) -> overloaded<Ts...>;

void append_int(std::string& out, long long n) { out += std::to_string(n); }

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

void append_json_string(std::string& out, std::string_view s) {
  static const char* hex = "0123456789abcdef";
  out += '"';
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out += hex[c >> 4];
          out += hex[c & 15];
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
}

void BatchWriter::begin() {
  text_.clear();
  arena_.clear();
  result_ = "null";
  error_ = "null";
  text_ += "{\"o\":[";
  first_output_ = true;
}

void BatchWriter::set_error(const core::Error& error) {
  error_.clear();
  write_error(error_, error);
}

void BatchWriter::open_output(std::string_view kind) {
  if (!first_output_) text_ += ',';
  first_output_ = false;
  text_ += '[';
  append_json_string(text_, kind);
}

void BatchWriter::add_string(std::string_view s) {
  text_ += ',';
  append_json_string(text_, s);
}

void BatchWriter::add_raw_or_null(std::string_view json) {
  text_ += ',';
  if (json.empty()) {
    text_ += "null";
  } else {
    text_.append(json.data(), json.size());
  }
}

void BatchWriter::add_number(double n) {
  text_ += ',';
  append_int(text_, static_cast<long long>(n));
}

void BatchWriter::add_error(const core::Error& e) {
  text_ += ',';
  write_error(text_, e);
}

void BatchWriter::add_ranges(const std::vector<std::string>& parts) {
  text_ += ",[";
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

void BatchWriter::add(const socketio::Output& output) {
  using namespace socketio;
  std::visit(
      overloaded{
          [&](const OpenTransport& o) {
            open_output("open");
            add_number(o.transport);
            add_string(o.url);
          },
          [&](const SendFrame& o) {
            if (o.frame.binary) {
              open_output("sendb");
              add_number(o.transport);
              add_number(static_cast<double>(arena_.size()));
              add_number(static_cast<double>(o.frame.data.size()));
              arena_ += o.frame.data;
            } else {
              open_output("send");
              add_number(o.transport);
              add_string(o.frame.data);
            }
          },
          [&](const CloseTransport& o) {
            open_output("close");
            add_number(o.transport);
            add_number(o.code);
            add_string(o.reason);
          },
          [&](const ManagerOpen&) { open_output("m.open"); },
          [&](const ManagerClose& o) {
            open_output("m.close");
            add_string(o.reason);
          },
          [&](const ManagerError& o) {
            open_output("m.error");
            add_error(o.error);
          },
          [&](const ReconnectAttempt& o) {
            open_output("m.attempt");
            add_number(o.attempt);
          },
          [&](const Reconnect& o) {
            open_output("m.reconnect");
            add_number(o.attempt);
          },
          [&](const ReconnectError& o) {
            open_output("m.rerror");
            add_error(o.error);
          },
          [&](const ReconnectFailed&) { open_output("m.failed"); },
          [&](const SocketConnect& o) {
            open_output("s.connect");
            add_string(o.nsp);
            add_string(o.sid);
            if (o.pid) {
              add_string(*o.pid);
            } else {
              text_ += ",null";
            }
          },
          [&](const SocketConnectError& o) {
            open_output("s.cerror");
            add_string(o.nsp);
            add_raw_or_null(o.data_json);
            add_string(o.message);
            text_ += o.active ? ",true" : ",false";
          },
          [&](const SocketDisconnect& o) {
            open_output("s.disconnect");
            add_string(o.nsp);
            add_string(o.reason);
          },
          [&](const SocketEvent& o) {
            open_output("s.event");
            add_string(o.nsp);
            add_raw_or_null(o.args_json);
            if (o.ack_id) {
              add_number(static_cast<double>(*o.ack_id));
            } else {
              text_ += ",-1";
            }
            add_ranges(o.attachments);
          },
          [&](const AckResult& o) {
            open_output("s.ack");
            add_string(o.nsp);
            add_number(static_cast<double>(o.emit_id));
            text_ += o.ok ? ",true" : ",false";
            add_raw_or_null(o.ok ? std::string_view(o.args_json) : std::string_view());
            if (o.error) {
              add_string(*o.error);
            } else {
              text_ += ",null";
            }
            add_ranges(o.attachments);
          },
      },
      output);
  text_ += ']';
}

const std::string& BatchWriter::finish(std::optional<core::Millis> deadline) {
  text_ += "],\"r\":";
  text_ += result_;
  text_ += ",\"x\":";
  text_ += error_;
  text_ += ",\"t\":";
  append_int(text_, deadline ? static_cast<long long>(*deadline) : -1);
  text_ += '}';
  return text_;
}

core::Result<std::vector<std::string>> split_blob(std::string_view blob) {
  std::vector<std::string> parts;
  std::size_t at = 0;
  while (at < blob.size()) {
    if (blob.size() - at < 4) {
      return core::Error::caller("arg.attachments", "attachment " + std::to_string(parts.size()) +
                                                        ": truncated length prefix");
    }
    const auto* p = reinterpret_cast<const unsigned char*>(blob.data() + at);
    const std::size_t n = std::size_t(p[0]) | std::size_t(p[1]) << 8 | std::size_t(p[2]) << 16 |
                          std::size_t(p[3]) << 24;
    at += 4;
    if (blob.size() - at < n) {
      return core::Error::caller("arg.attachments", "attachment " + std::to_string(parts.size()) +
                                                        ": " + std::to_string(n) + " bytes announced, " +
                                                        std::to_string(blob.size() - at) + " present");
    }
    parts.emplace_back(blob.substr(at, n));
    at += n;
  }
  return parts;
}

core::Result<socketio::ManagerOptions> manager_options_from_json(std::string_view text) {
  using nlohmann::json;
  const json j = json::parse(text.begin(), text.end(), nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return core::Error::caller("arg.options", "options: must be a JSON object");
  }
  socketio::ManagerOptions o;
  std::optional<core::Error> bad;
  auto fail = [&](const char* key, const char* want) {
    if (!bad) bad = core::Error::caller("arg.options", std::string(key) + ": must be " + want);
  };
  auto str = [&](const char* key, std::string& out) {
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) return;
    if (!it->is_string()) return fail(key, "a string");
    out = it->get<std::string>();
  };
  auto num = [&](const char* key, auto& out, double min, double max) {
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) return;
    if (!it->is_number()) return fail(key, "a number");
    const double v = it->get<double>();
    if (!(v >= min && v <= max)) return fail(key, "a number in range");
    out = static_cast<std::remove_reference_t<decltype(out)>>(v);
  };
  auto boolean = [&](const char* key, bool& out) {
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) return;
    if (!it->is_boolean()) return fail(key, "true or false");
    out = it->get<bool>();
  };
  str("url", o.url);
  str("path", o.path);
  str("query", o.query);
  boolean("reconnection", o.reconnection);
  boolean("stripBinaryPrefix", o.strip_v4_binary_prefix);
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
