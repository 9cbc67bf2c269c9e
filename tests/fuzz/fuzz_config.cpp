// libFuzzer target: the parsers that read application- or storage-supplied JSON text at start-up.
//
// Byte 0 picks the parser (% 4: config, manager options, storage with per-message records, storage
// with the single-record outbox); the rest of the input is the text given to it:
//  - im::config_from_json (sdk.im.init's config): an error is a Caller error "invalid argument
//    '<field>': ..." naming a field the config has (or 'config'); an accepted Config is within its
//    documented bounds (host without "/ ?#@", ports 1-65535, required strings non-empty, delays and
//    timeouts in range, reconnectionDelayMax >= reconnectionDelay, baseUrl http(s) without a trailing
//    '/'), and an im::Client built from it starts: it opens a transport to its host or reports a fatal
//    error, never crashes;
//  - host::manager_options_from_json (io(url, options)): an error is a Caller error
//    "<key>: must be ..."; accepted options build a socketio::Manager (valid or with a sticky error);
//  - host::records_from_json + im::Client::load (what storage held at start): whatever the records,
//    the client restores at most its outbox bound, rewrites only its own keys, and starts.
// (One parser per input keeps an execution small: the long run needs millions of them.)
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "fuzz_input.h"
#include "host/batch.h"
#include "host/im_batch.h"
#include "im/client.h"
#include "im/types.h"

using echat::fuzz::check;
namespace im = echat::im;
namespace host = echat::host;

namespace {

bool starts_with(const std::string& s, std::string_view p) { return s.compare(0, p.size(), p) == 0; }

const char* const kConfigFields[] = {"config", "host", "httpPort", "socketPort", "key", "secret", "loginAuid",
                                     "loginToken", "apiTransport", "secure", "protocol", "fileServerConfig",
                                     "fileServerConfig.baseUrl", "fileServerConfig.version", "reconnection",
                                     "reconnectionAttempts", "reconnectionDelay", "reconnectionDelayMax",
                                     "outboxPerMessageRecords", "maxHttpRequests", "requestTimeout", "seed",
                                     "sendWindow", "sendTimeout", "historyOnFreshInstall", "hosts"};

// What an options error may name: a key of io(url, options), or the part of the URL / option that
// Manager::validate refused.
const char* const kOptionKeys[] = {"options", "url", "url scheme", "url host", "url port", "url path", "url query",
                                   "path", "query", "reconnection", "stripBinaryPrefix", "reconnectionAttempts",
                                   "reconnectionDelay", "reconnectionDelayMax", "randomizationFactor", "timeout",
                                   "protocol", "maxIncomingBytes", "maxAttachments", "seed", "reconnection_delay",
                                   "reconnection_delay_max", "randomization_factor", "max_incoming_bytes",
                                   "websocket", "polling", "pollingFirst", "transports"};

// Starts a client and checks its first outputs: one transport opened (to its own host) or a fatal error.
void start_client(im::Client& client, const std::vector<std::pair<std::string, std::string>>& records) {
  client.load(0, records);
  check(client.outbox_size() <= 200);
  client.start(0);
  const std::string own = "echatim:" + client.config().app_key + ":" + client.config().auid + ":";
  bool opened = false, fatal = false;
  for (const auto& out : client.take_outputs()) {
    if (auto* s = std::get_if<im::StorageSet>(&out)) check(starts_with(s->key, own));
    if (auto* o = std::get_if<im::OpenTransport>(&out)) {
      opened = true;
      check(starts_with(o->url, client.config().secure ? "wss://" : "ws://"));
    }
    if (auto* e = std::get_if<im::ErrorEvent>(&out)) fatal = fatal || e->fatal;
    check(!std::holds_alternative<im::Message>(out) && !std::holds_alternative<im::Response>(out) &&
          !std::holds_alternative<im::SendFrame>(out));
  }
  check(opened != fatal);
  if (auto d = client.next_deadline()) check(*d > 0);
  check(starts_with(client.http_base(), client.config().secure ? "https://" : "http://"));
  check(starts_with(client.upload_url(), "http"));
}

void check_config(const std::string& text) {
  auto r = im::config_from_json(text);
  if (!r.ok()) {
    check(r.error().kind == echat::core::ErrorKind::Caller);
    const std::string& m = r.error().message;
    bool named = false;
    for (const char* f : kConfigFields) named = named || starts_with(m, std::string("invalid argument '") + f + "': ");
    named = named || starts_with(m, "invalid argument 'hosts[");  // an entry of hosts: 'hosts[1].host'
    check(named);
    return;
  }
  const im::Config& c = r.value();
  check(!c.host.empty() && c.host.size() <= 255 && c.host.find_first_of("/ ?#@") == std::string::npos);
  check(c.http_port >= 1 && c.http_port <= 65535 && c.socket_port >= 1 && c.socket_port <= 65535);
  check(!c.app_key.empty() && c.app_key.size() <= 64 && !c.auid.empty() && c.auid.size() <= 64);
  check(!c.token.empty() && c.token.size() <= 256 && c.secret.size() <= 256);
  check(c.protocol == 0 || c.protocol == 3 || c.protocol == 4);
  check(c.file_base_url.empty() || starts_with(c.file_base_url, "http://") || starts_with(c.file_base_url, "https://"));
  check(c.file_base_url.empty() || c.file_base_url.back() != '/');
  check(!c.file_version.empty());
  check(c.reconnection_delay >= 1 && c.reconnection_delay <= 3600000);
  check(c.reconnection_delay_max >= c.reconnection_delay && c.reconnection_delay_max <= 3600000);
  check(c.request_timeout >= 1 && c.request_timeout <= 3600000);
  check(c.max_http_requests >= 1 && c.max_http_requests <= 10);
  im::Client client(c);
  start_client(client, {});
}

void check_manager_options(const std::string& text) {
  auto r = host::manager_options_from_json(text);
  if (!r.ok()) {
    check(r.error().kind == echat::core::ErrorKind::Caller);
    const std::string& m = r.error().message;
    const std::string key = m.substr(0, m.find(':'));
    bool named = false;
    for (const char* k : kOptionKeys) named = named || key == k;
    check(named && m.size() > key.size() + 2);
    return;
  }
  // Accepted options are valid ones (manager_options_from_json ends with Manager::validate).
  echat::socketio::Manager m(r.value());
  check(!m.error());
  check(m.connect_socket(0, "/", "").ok());
  for (const auto& out : m.take_outputs()) {
    if (auto* o = std::get_if<echat::socketio::OpenTransport>(&out)) check(starts_with(o->url, "ws"));
  }
}

im::Config storage_config(bool per_message) {
  im::Config c;
  c.host = "127.0.0.1";
  c.app_key = "K";
  c.auid = "a";
  c.token = "t";
  c.protocol = 4;
  c.outbox_per_message = per_message;
  return c;
}

void check_storage(const std::string& text, bool per_message) {
  im::Client client(storage_config(per_message));
  start_client(client, host::records_from_json(text));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 4) {
    case 0: check_config(text); break;
    case 1: check_manager_options(text); break;
    case 2: check_storage(text, true); break;
    default: check_storage(text, false); break;
  }
  return 0;
}
