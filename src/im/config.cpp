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

core::Error invalid(const std::string& name, const std::string& why) { return invalid_argument(name, why); }

// Reads an optional integer field in [lo, hi]; numeric strings ("58082") are accepted, as E聊 apps
// often keep ports as strings.
std::optional<core::Error> read_int(const json& cfg, const char* name, long long lo, long long hi,
                                    long long& out) {
  const json* f = field(cfg, name);
  if (!f) return std::nullopt;
  long long v = 0;
  if (f->is_number_integer()) {
    v = f->get<long long>();
  } else if (f->is_number_float()) {
    double d = f->get<double>();
    if (std::floor(d) != d || std::isnan(d)) return invalid(name, "must be an integer");
    // Range first: converting a double beyond long long (1e300, Infinity) is undefined behaviour.
    if (d < static_cast<double>(lo) || d > static_cast<double>(hi)) {
      return invalid(name, "must be between " + std::to_string(lo) + " and " + std::to_string(hi));
    }
    v = static_cast<long long>(d);
  } else if (f->is_string()) {
    const std::string s = f->get<std::string>();
    if (s.empty() || s.size() > 12 || s.find_first_not_of("0123456789") != std::string::npos) {
      return invalid(name, "must be an integer");
    }
    for (char c : s) v = v * 10 + (c - '0');  // at most 12 digits: no overflow (std::stoll would pull in its throw paths)
  } else {
    return invalid(name, "must be an integer");
  }
  if (v < lo || v > hi) {
    return invalid(name, "must be between " + std::to_string(lo) + " and " + std::to_string(hi));
  }
  out = v;
  return std::nullopt;
}

std::optional<core::Error> read_string(const json& cfg, const char* name, bool required, std::size_t max,
                                       std::string& out) {
  const json* f = field(cfg, name);
  if (!f) return required ? std::optional<core::Error>(invalid(name, "required")) : std::nullopt;
  if (!f->is_string()) return invalid(name, "must be a string");
  std::string s = f->get<std::string>();
  if (required && s.empty()) return invalid(name, "required");
  if (s.size() > max) return invalid(name, "longer than " + std::to_string(max) + " characters");
  out = std::move(s);
  return std::nullopt;
}

std::optional<core::Error> read_bool(const json& cfg, const char* name, bool& out) {
  const json* f = field(cfg, name);
  if (!f) return std::nullopt;
  if (!f->is_boolean()) return invalid(name, "must be a boolean");
  out = f->get<bool>();
  return std::nullopt;
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
  const json cfg = parse_json(text);
  if (!cfg.is_object()) return invalid("config", "must be an object");
  Config c;
  long long n = 0;
#define ECHAT_CHECK(expr)  \
  if (auto e = (expr)) return *e
  const json* hosts = field(cfg, "hosts");
  ECHAT_CHECK(read_string(cfg, "host", hosts == nullptr, 255, c.host));
  if (c.host.find_first_of("/ ?#@") != std::string::npos) return invalid("host", "must be a host name or address");
  n = c.http_port;
  ECHAT_CHECK(read_int(cfg, "httpPort", 1, 65535, n));
  c.http_port = static_cast<int>(n);
  n = c.socket_port;
  ECHAT_CHECK(read_int(cfg, "socketPort", 1, 65535, n));
  c.socket_port = static_cast<int>(n);
  if (hosts) {
    // [{host, httpPort?, socketPort?}, ...]: ports default to the top-level ones.
    if (!hosts->is_array() || hosts->empty()) return invalid("hosts", "must be a non-empty array of {host, httpPort, socketPort}");
    if (hosts->size() > kMaxHosts) return invalid("hosts", "at most " + std::to_string(kMaxHosts) + " servers");
    for (std::size_t i = 0; i < hosts->size(); ++i) {
      const json& h = (*hosts)[i];
      const std::string name = "hosts[" + std::to_string(i) + "]";
      if (!h.is_object()) return invalid(name, "must be an object {host, httpPort, socketPort}");
      Endpoint e{std::string(), c.http_port, c.socket_port};
      if (auto err = read_string(h, "host", true, 255, e.host)) return invalid(name + ".host", "required, a string");
      if (e.host.find_first_of("/ ?#@") != std::string::npos) return invalid(name + ".host", "must be a host name or address");
      long long p = e.http_port;
      if (auto err = read_int(h, "httpPort", 1, 65535, p)) return invalid(name + ".httpPort", "must be an integer between 1 and 65535");
      e.http_port = static_cast<int>(p);
      p = e.socket_port;
      if (auto err = read_int(h, "socketPort", 1, 65535, p)) return invalid(name + ".socketPort", "must be an integer between 1 and 65535");
      e.socket_port = static_cast<int>(p);
      c.hosts.push_back(std::move(e));
    }
    c.host = c.hosts[0].host;
    c.http_port = c.hosts[0].http_port;
    c.socket_port = c.hosts[0].socket_port;
  } else {
    c.hosts.push_back(Endpoint{c.host, c.http_port, c.socket_port});
  }
  ECHAT_CHECK(read_string(cfg, "key", true, 64, c.app_key));
  ECHAT_CHECK(read_string(cfg, "secret", false, 256, c.secret));
  ECHAT_CHECK(read_string(cfg, "loginAuid", true, 64, c.auid));
  ECHAT_CHECK(read_string(cfg, "loginToken", true, 256, c.token));
  if (const json* t = field(cfg, "apiTransport")) {
    const std::string s = t->is_string() ? t->get<std::string>() : "";
    if (s == "HTTP" || s == "http") c.api_transport = Transport::Http;
    else if (s == "SOCKET" || s == "socket") c.api_transport = Transport::Socket;
    else return invalid("apiTransport", "must be one of HTTP, SOCKET");
  }
  ECHAT_CHECK(read_bool(cfg, "secure", c.secure));
  if (const json* p = field(cfg, "protocol")) {
    if (p->is_string() && p->get<std::string>() == "auto") c.protocol = 0;
    else if (p->is_number_integer() && (p->get<int>() == 3 || p->get<int>() == 4)) c.protocol = p->get<int>();
    else return invalid("protocol", "must be one of 3, 4, 'auto'");
  }
  if (const json* f = field(cfg, "fileServerConfig")) {
    if (!f->is_object()) return invalid("fileServerConfig", "must be an object");
    std::string base;
    if (const json* b = field(*f, "baseUrl")) {
      if (!b->is_string()) return invalid("fileServerConfig.baseUrl", "must be a string");
      base = b->get<std::string>();
      if (!base.empty() && base.rfind("http://", 0) != 0 && base.rfind("https://", 0) != 0) {
        return invalid("fileServerConfig.baseUrl", "must start with http:// or https://");
      }
      while (!base.empty() && base.back() == '/') base.pop_back();
    }
    c.file_base_url = base;
    if (const json* v = field(*f, "version")) {
      if (!v->is_string() || v->get<std::string>().empty()) return invalid("fileServerConfig.version", "must be a string");
      c.file_version = v->get<std::string>();
    }
  }
  ECHAT_CHECK(read_bool(cfg, "reconnection", c.reconnection));
  if (const json* a = field(cfg, "reconnectionAttempts")) {
    if (a->is_number_float() && std::isinf(a->get<double>())) {
      c.reconnection_attempts = UINT32_MAX;
    } else {
      n = 0;
      ECHAT_CHECK(read_int(cfg, "reconnectionAttempts", 0, UINT32_MAX, n));
      c.reconnection_attempts = static_cast<std::uint32_t>(n);
    }
  }
  n = c.reconnection_delay;
  ECHAT_CHECK(read_int(cfg, "reconnectionDelay", 1, 3600000, n));
  c.reconnection_delay = n;
  n = c.reconnection_delay_max;
  ECHAT_CHECK(read_int(cfg, "reconnectionDelayMax", 1, 3600000, n));
  c.reconnection_delay_max = n;
  if (c.reconnection_delay_max < c.reconnection_delay) {
    return invalid("reconnectionDelayMax", "must not be less than reconnectionDelay");
  }
  ECHAT_CHECK(read_bool(cfg, "outboxPerMessageRecords", c.outbox_per_message));
  n = static_cast<long long>(c.max_http_requests);
  ECHAT_CHECK(read_int(cfg, "maxHttpRequests", 1, 10, n));
  c.max_http_requests = static_cast<std::size_t>(n);
  n = c.request_timeout;
  ECHAT_CHECK(read_int(cfg, "requestTimeout", 1, 3600000, n));
  c.request_timeout = n;
  n = static_cast<long long>(c.send_window);
  ECHAT_CHECK(read_int(cfg, "sendWindow", 1, 64, n));
  c.send_window = static_cast<std::size_t>(n);
  n = c.send_timeout;
  ECHAT_CHECK(read_int(cfg, "sendTimeout", 0, 30LL * 24 * 3600000, n));
  c.send_timeout = n;
  if (const json* h = field(cfg, "historyOnFreshInstall")) {
    const std::string s = h->is_string() ? h->get<std::string>() : "";
    if (s == "all") {
      c.history_on_fresh_install = -1;
    } else if (s == "none") {
      c.history_on_fresh_install = 0;
    } else {
      n = 0;
      if (auto e = read_int(cfg, "historyOnFreshInstall", 0, 100000, n)) {
        return invalid("historyOnFreshInstall", "must be 'all', 'none' or a number of messages per conversation");
      }
      c.history_on_fresh_install = n;
    }
  }
  if (const json* s = field(cfg, "seed")) {
    if (!s->is_number()) return invalid("seed", "must be a number");
    c.seed = s->is_number_unsigned() ? s->get<std::uint64_t>()
                                     : static_cast<std::uint64_t>(std::llround(std::fabs(s->get<double>())));
  }
#undef ECHAT_CHECK
  return c;
}

}  // namespace echat::im
