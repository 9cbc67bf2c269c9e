// An in-memory Socket.IO server peer for tests: speaks Engine.IO 3 / Socket.IO protocol 4 and
// Engine.IO 4 / protocol 5 (and, as netty-socketio 1.7.22+ does, protocol 4 over Engine.IO 4) over a fake
// link. It is written independently of src/socketio (its own small parser), so that a test is a
// conversation between two implementations, not one implementation talking to itself.
//
// It has no clock and no I/O: the test harness hands it what the client sent and delivers what it
// answers. Only std and nlohmann are used (this file is linked into every layer's test executable).
//
// Behaviour, per connection (the harness's transport id):
//   accept(url)      refuses (nullopt) an EIO version it does not speak; else the open packet, and for
//                    protocol 4 the implicit root CONNECT "40".
//   CONNECT          known namespace and (when protected) the right token -> accepted
//                    (p5: 40[/nsp,]{"sid":...}; p4: 40[/nsp,]); else 44 with {"message","data"} (p5) or a
//                    string (p4, or string_errors); unknown namespace -> "Invalid namespace".
//   EVENT names      "message" -> event "message-back" with the same arguments (and attachments);
//                    "message-with-ack" -> ACK with the arguments after the name (test-suite.js);
//                    "echo" -> event "echo" with the same arguments; "disconnect-me" -> DISCONNECT;
//                    "ask" -> event ["question",42] with an ack id (answer recorded in client_acks);
//                    anything else is recorded only (and never acked).
//   heartbeat        EIO3: answers the client's "2" with "3"; EIO4: a client "2" is a violation
//                    ("invalid heartbeat direction") that closes the link; ping() makes it send "2".
//   violations       any malformed frame closes the link and is recorded in violations.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace echat::testing {

struct WireFrame {
  bool binary = false;
  std::string data;
  bool operator==(const WireFrame& o) const { return binary == o.binary && data == o.data; }
};

struct ServerPeerOptions {
  bool accept_eio3 = true;
  bool accept_eio4 = true;
  int protocol_on_eio4 = 5;  // 4: a protocol 4 server riding Engine.IO 4 (netty-socketio 1.7.22+)
  std::int64_t ping_interval = 25000;
  std::int64_t ping_timeout = 20000;
  std::optional<std::int64_t> max_payload;
  std::vector<std::string> namespaces{"/", "/admin", "/chat"};
  std::vector<std::string> protected_namespaces;  // need token == required_token
  std::string required_token = "secret";
  bool string_errors = false;  // unknown namespace / refusal answered with a JSON string
  bool eio3_binary_prefix_on_eio4 = false;  // netty: 0x04 before binary attachments even on EIO4
  // socket.io >= 4.6 connectionStateRecovery (protocol 5): CONNECT answers carry a pid; a CONNECT
  // quoting a pid this server issued (since its last restart) gets the same pid back (recovered).
  bool recovery = false;
};

// One Socket.IO packet as the peer parsed it.
struct PeerPacket {
  int type = -1;
  std::string nsp = "/";
  std::string query;
  std::optional<std::uint64_t> id;
  std::string data;
  std::vector<std::string> attachments;
};

class ServerPeer {
 public:
  explicit ServerPeer(ServerPeerOptions options = {}) : options_(std::move(options)) {}

  ServerPeerOptions& options() { return options_; }

  // A WebSocket to `url` arrives on connection `conn`. nullopt = refused (HTTP 400 before upgrade).
  std::optional<std::vector<WireFrame>> accept(std::uint32_t conn, const std::string& url);
  // The client sent `frame` on `conn`; returns the frames the server answers with.
  std::vector<WireFrame> receive(std::uint32_t conn, const WireFrame& frame);
  // The server closed `conn` (after a violation or a close packet): the harness reports it to the client.
  bool closed(std::uint32_t conn) const;
  // The link of `conn` is gone (either side).
  void drop(std::uint32_t conn);
  // Server restart: every connection and sid is forgotten.
  void restart();

  // Server-initiated frames for `conn` (empty if the connection is unknown).
  std::vector<WireFrame> emit(std::uint32_t conn, const std::string& nsp, const std::string& args_json,
                              const std::vector<std::string>& attachments = {},
                              std::optional<std::uint64_t> ack_id = std::nullopt);
  std::vector<WireFrame> disconnect(std::uint32_t conn, const std::string& nsp);
  std::vector<WireFrame> ping(std::uint32_t conn);  // EIO4 heartbeat
  std::vector<WireFrame> raw(std::uint32_t conn, WireFrame frame);  // anything, verbatim

  // What the server saw.
  struct Connection {
    int eio = 4;
    int protocol = 5;
    std::string sid;
    std::map<std::string, std::string> nsps;  // connected namespace -> socket id
    std::optional<PeerPacket> pending;        // binary packet awaiting attachments
    std::size_t awaited = 0;
    bool closed = false;
    int pings = 0, pongs = 0;
  };
  const Connection* connection(std::uint32_t conn) const;
  std::optional<std::uint32_t> last_connection() const;
  std::vector<std::string> received;      // every frame: text as sent, binary as "<bin HEX>", per conn "#n "
  std::vector<PeerPacket> events;         // EVENT/BINARY_EVENT packets from the client
  std::vector<PeerPacket> client_acks;    // ACK/BINARY_ACK packets from the client
  std::vector<PeerPacket> connects;       // CONNECT packets from the client
  std::vector<PeerPacket> disconnects;    // DISCONNECT packets from the client
  std::vector<std::string> violations;    // protocol violations seen (each closed the link)
  int accepted = 0;                       // connections accepted so far

  // Parses a Socket.IO packet text (without the Engine.IO type). nullopt when malformed.
  static std::optional<PeerPacket> parse(const std::string& text);
  static std::string hex(const std::string& bytes);
  static std::string unhex(const std::string& hex);

 private:
  std::vector<WireFrame> on_packet(std::uint32_t conn, Connection& c, PeerPacket p);
  std::vector<WireFrame> message(const Connection& c, const std::string& text) const;
  std::vector<WireFrame> packet_frames(const Connection& c, int type, const std::string& nsp,
                                       std::optional<std::uint64_t> id, const std::string& data,
                                       const std::vector<std::string>& attachments) const;
  std::vector<WireFrame> violation(std::uint32_t conn, Connection& c, std::string what);
  bool known(const std::string& nsp) const;
  bool is_protected(const std::string& nsp) const;

  ServerPeerOptions options_;
  std::map<std::uint32_t, Connection> conns_;
  std::uint64_t next_sid_ = 1;
  std::vector<std::string> pids_;  // recovery ids issued since the last restart
  std::uint32_t last_ = 0;
};

}  // namespace echat::testing
