#include "host/im_batch.h"

#include "core/json.h"
#include "core/overloaded.h"

namespace echat::host {

using core::overloaded;

void ImBatchWriter::add(const im::Output& output) {
  core::visit(
      output, overloaded{
          [&](const im::OpenTransport& x) { transport(x); },
          [&](const im::SendFrame& x) { transport(x); },
          [&](const im::CloseTransport& x) { transport(x); },
          [&](const im::HttpRequest& x) {
            open_output("http");
            num("id", static_cast<long long>(x.id));
            str("url", x.url);
            str("body", x.body);
            close_output();
          },
          [&](const im::StorageSet& x) {
            open_output("store");
            str("key", x.key);
            str("value", x.value_json);
            close_output();
          },
          [&](const im::StateChanged& x) {
            open_output("state");
            str("state", im::to_string(x.state));
            str("reason", x.reason);
            close_output();
          },
          [&](const im::Response& x) {
            open_output("resp");
            num("id", static_cast<long long>(x.id));
            num("code", x.code);
            str("msg", x.msg);
            raw("data", x.data_json);
            str("requestId", x.request_id);
            str("clientMsgId", x.client_msg_id);
            close_output();
          },
          [&](const im::Message& x) {
            open_output("msg");
            num("seq", static_cast<long long>(x.seq));
            num("mid", static_cast<long long>(x.mid));
            if (x.ref != 0) num("ref", x.ref);
            else raw("message", x.json);
            boolean("history", x.history);
            close_output();
          },
          [&](const im::Release& x) { open_output("drop"); num("ref", x.ref); close_output(); },
          [&](const im::SendState& x) {
            open_output("sendstate");
            num("id", static_cast<long long>(x.id));
            str("clientMsgId", x.client_msg_id);
            str("state", x.state);
            str("reason", x.reason);
            close_output();
          },
          [&](const im::ConversationsLoaded& x) { open_output("convs"); raw("list", x.json); close_output(); },
          [&](const im::Ready&) { open_output("ready"); close_output(); },
          [&](const im::Notify& x) {
            open_output("notify");
            str("type", x.type);
            raw("data", x.json);
            close_output();
          },
          [&](const im::Sync& x) {
            open_output("sync");
            num("from", static_cast<long long>(x.from));
            num("to", static_cast<long long>(x.to));
            num("count", static_cast<long long>(x.count));
            close_output();
          },
          [&](const im::Kicked& x) { open_output("kicked"); str("reason", x.reason); close_output(); },
          [&](const im::ConversationChanged& x) { open_output("conv"); raw("conv", x.json); close_output(); },
          [&](const im::ErrorEvent& x) {
            open_output("error");
            num("code", x.code);
            str("message", x.message);
            boolean("fatal", x.fatal);
            close_output();
          },
      });
}

std::vector<std::pair<std::string, std::string>> records_from_json(std::string_view text) {
  std::vector<std::pair<std::string, std::string>> out;
  const core::Json j = core::Json::parse(text);
  for (std::size_t i = 0; j.is_object() && i < j.size(); ++i) {
    if (j.values()[i].is_string()) out.emplace_back(j.keys()[i], j.values()[i].get_string());
  }
  return out;
}

}  // namespace echat::host
