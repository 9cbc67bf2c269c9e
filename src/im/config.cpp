// sdk.im.init's configuration: parsing and checking. Errors name the field as the application wrote it.
#include <cmath>
#include <string>

#include "im/json_util.h"
#include "im/types.h"

namespace echat::im {

core::Error invalid_argument(const std::string& field, const std::string& why) {
  return core::Error::caller("400", "invalid argument '" + field + "': " + why);
}

namespace {

constexpr std::size_t kMaxHosts = 16;

// The config's reader: each read_* returns false after noting the first field at fault (field_, why_),
// and config_from_json makes the one error of them. One error-building site, not one per field.
class Reader {
 public:
  bool bad(std::string field, std::string why) {
    field_ = std::move(field);
    why_ = std::move(why);
    return false;
  }
  // The same for a literal name and reason: no strings built at the call.
  bool bad(const char* field, const char* why) {
    field_ = field;
    why_ = why;
    return false;
  }
  core::Error error() const { return invalid_argument(field_, why_); }

  // An optional integer field in [lo, hi]; numeric strings ("58082") are accepted, as E聊 apps often
  // keep ports as strings. `out` is left as it was when the field is absent.
  template <class T>
  bool read_int(const json& obj, const char* name, long long lo, long long hi, T& out) {
    long long v = static_cast<long long>(out);
    if (!int_value(obj, name, lo, hi, v)) return false;
    out = static_cast<T>(v);
    return true;
  }

  bool int_value(const json& obj, const char* name, long long lo, long long hi, long long& out) {
    const json* f = field(obj, name);
    if (!f) return true;
    long long v = 0;
    if (f->is_number_integer()) {
      v = f->get<long long>();
    } else if (f->is_number_float()) {
      double d = f->get<double>();
      if (std::floor(d) != d || std::isnan(d)) return bad(name, "must be an integer");
      // Range first: converting a double beyond long long (1e300, Infinity) is undefined behaviour.
      if (d < static_cast<double>(lo) || d > static_cast<double>(hi)) return out_of_range(name, lo, hi);
      v = static_cast<long long>(d);
    } else if (f->is_string()) {
      const std::string& s = f->get_string();
      if (s.empty() || s.size() > 12 || s.find_first_not_of("0123456789") != std::string::npos) {
        return bad(name, "must be an integer");
      }
      for (char c : s) v = v * 10 + (c - '0');  // at most 12 digits: no overflow (std::stoll would pull in its throw paths)
    } else {
      return bad(name, "must be an integer");
    }
    if (v < lo || v > hi) return out_of_range(name, lo, hi);
    out = v;
    return true;
  }

  bool read_string(const json& obj, const char* name, bool required, std::size_t max, std::string& out) {
    const json* f = field(obj, name);
    if (!f) return !required || bad(name, "required");
    if (!f->is_string()) return bad(name, "must be a string");
    const std::string& s = f->get_string();
    if (required && s.empty()) return bad(name, "required");
    if (s.size() > max) return bad(name, "longer than " + core::decimal(max) + " characters");
    out = s;
    return true;
  }

  bool read_bool(const json& obj, const char* name, bool& out) {
    const json* f = field(obj, name);
    if (!f) return true;
    if (!f->is_boolean()) return bad(name, "must be a boolean");
    out = f->get<bool>();
    return true;
  }

  // A field of hosts[i] (`entry`: "hosts[i]"): one site builds its name.
  bool bad_in(const std::string& entry, const char* field, const char* why) { return bad(entry + field, why); }

 private:
  bool out_of_range(const char* name, long long lo, long long hi) {
    return bad(name, "must be between " + core::decimal(lo) + " and " + core::decimal(hi));
  }

  std::string field_, why_;
};

// A host name or address: no path, user, query, fragment or space.
bool is_host(const std::string& host) { return host.find_first_of("/ ?#@") == std::string::npos; }
constexpr const char* kNotHost = "must be a host name or address";

bool read_config(const json& cfg, Config& c, Reader& r) {
  if (!cfg.is_object()) return r.bad("config", "must be an object");
  const json* hosts = field(cfg, "hosts");
  if (!r.read_string(cfg, "host", hosts == nullptr, 255, c.host)) return false;
  if (!is_host(c.host)) return r.bad("host", kNotHost);
  if (!r.read_int(cfg, "httpPort", 1, 65535, c.http_port) || !r.read_int(cfg, "socketPort", 1, 65535, c.socket_port)) {
    return false;
  }
  if (hosts) {
    // [{host, httpPort?, socketPort?}, ...]: ports default to the top-level ones.
    if (!hosts->is_array() || hosts->empty()) return r.bad("hosts", "must be a non-empty array of {host, httpPort, socketPort}");
    if (hosts->size() > kMaxHosts) return r.bad("hosts", "at most " + core::decimal(kMaxHosts) + " servers");
    for (std::size_t i = 0; i < hosts->size(); ++i) {
      const json& h = (*hosts)[i];
      const std::string name = "hosts[" + core::decimal(i) + "]";
      if (!h.is_object()) return r.bad(name, "must be an object {host, httpPort, socketPort}");
      Endpoint e{std::string(), c.http_port, c.socket_port};
      Reader inner;  // an entry's errors say what is wanted of the field, whatever was wrong with it
      if (!inner.read_string(h, "host", true, 255, e.host)) return r.bad_in(name, ".host", "required, a string");
      if (!is_host(e.host)) return r.bad_in(name, ".host", kNotHost);
      if (!inner.read_int(h, "httpPort", 1, 65535, e.http_port)) return r.bad_in(name, ".httpPort", "must be an integer between 1 and 65535");
      if (!inner.read_int(h, "socketPort", 1, 65535, e.socket_port)) return r.bad_in(name, ".socketPort", "must be an integer between 1 and 65535");
      c.hosts.push_back(std::move(e));
    }
    c.host = c.hosts[0].host;
    c.http_port = c.hosts[0].http_port;
    c.socket_port = c.hosts[0].socket_port;
  } else {
    c.hosts.push_back(Endpoint{c.host, c.http_port, c.socket_port});
  }
  if (!r.read_string(cfg, "key", true, 64, c.app_key) || !r.read_string(cfg, "secret", false, 256, c.secret) ||
      !r.read_string(cfg, "loginAuid", true, 64, c.auid) || !r.read_string(cfg, "loginToken", true, 256, c.token)) {
    return false;
  }
  if (const json* t = field(cfg, "apiTransport")) {
    const std::string& s = t->get_string();  // "" when not a string
    if (s == "HTTP" || s == "http") c.api_transport = Transport::Http;
    else if (s == "SOCKET" || s == "socket") c.api_transport = Transport::Socket;
    else return r.bad("apiTransport", "must be one of HTTP, SOCKET");
  }
  if (!r.read_bool(cfg, "secure", c.secure)) return false;
  if (const json* p = field(cfg, "protocol")) {
    if (p->is_string() && p->get_string() == "auto") c.protocol = 0;
    else if (p->is_number_integer() && (p->get_int() == 3 || p->get_int() == 4)) c.protocol = static_cast<int>(p->get_int());
    else return r.bad("protocol", "must be one of 3, 4, 'auto'");
  }
  if (const json* f = field(cfg, "fileServerConfig")) {
    if (!f->is_object()) return r.bad("fileServerConfig", "must be an object");
    std::string base;
    if (const json* b = field(*f, "baseUrl")) {
      if (!b->is_string()) return r.bad("fileServerConfig.baseUrl", "must be a string");
      base = b->get_string();
      if (!base.empty() && base.rfind("http://", 0) != 0 && base.rfind("https://", 0) != 0) {
        return r.bad("fileServerConfig.baseUrl", "must start with http:// or https://");
      }
      while (!base.empty() && base.back() == '/') base.pop_back();
    }
    c.file_base_url = base;
    if (const json* v = field(*f, "version")) {
      if (!v->is_string() || v->get_string().empty()) return r.bad("fileServerConfig.version", "must be a string");
      c.file_version = v->get_string();
    }
  }
  if (!r.read_bool(cfg, "reconnection", c.reconnection)) return false;
  if (const json* a = field(cfg, "reconnectionAttempts")) {
    if (a->is_number_float() && std::isinf(a->get<double>())) {
      c.reconnection_attempts = UINT32_MAX;
    } else {
      c.reconnection_attempts = 0;
      if (!r.read_int(cfg, "reconnectionAttempts", 0, UINT32_MAX, c.reconnection_attempts)) return false;
    }
  }
  if (!r.read_int(cfg, "reconnectionDelay", 1, 3600000, c.reconnection_delay) ||
      !r.read_int(cfg, "reconnectionDelayMax", 1, 3600000, c.reconnection_delay_max)) {
    return false;
  }
  if (c.reconnection_delay_max < c.reconnection_delay) {
    return r.bad("reconnectionDelayMax", "must not be less than reconnectionDelay");
  }
  if (!r.read_bool(cfg, "outboxPerMessageRecords", c.outbox_per_message) ||
      !r.read_int(cfg, "maxHttpRequests", 1, 10, c.max_http_requests) ||
      !r.read_int(cfg, "requestTimeout", 1, 3600000, c.request_timeout) ||
      !r.read_int(cfg, "sendWindow", 1, 64, c.send_window) ||
      !r.read_int(cfg, "sendTimeout", 0, 30LL * 24 * 3600000, c.send_timeout)) {
    return false;
  }
  if (const json* h = field(cfg, "historyOnFreshInstall")) {
    const std::string& s = h->get_string();  // "" when not a string
    if (s == "all") {
      c.history_on_fresh_install = -1;
    } else if (s == "none") {
      c.history_on_fresh_install = 0;
    } else {
      c.history_on_fresh_install = 0;
      Reader inner;
      if (!inner.read_int(cfg, "historyOnFreshInstall", 0, 100000, c.history_on_fresh_install)) {
        return r.bad("historyOnFreshInstall", "must be 'all', 'none' or a number of messages per conversation");
      }
    }
  }
  if (const json* s = field(cfg, "seed")) {
    if (!s->is_number()) return r.bad("seed", "must be a number");
    c.seed = s->is_number_unsigned() ? s->get<std::uint64_t>()
                                     : static_cast<std::uint64_t>(std::llround(std::fabs(s->get<double>())));
  }
  return true;
}

}  // namespace

const char* to_string(State state) {
  switch (state) {
    case State::Idle: return "idle";
    case State::Connecting: return "connecting";
    case State::Connected: return "connected";
    case State::Reconnecting: return "reconnecting";
    case State::Disconnected: return "disconnected";
  }
  return "?";
}

core::Result<Config> config_from_json(std::string_view text) {
  Config c;
  Reader r;
  if (!read_config(parse_json(text), c, r)) return r.error();
  return c;
}

}  // namespace echat::im
