#include "host/im_batch.h"

#include "core/json.h"
#include "core/overloaded.h"

namespace echat::host {

using core::overloaded;

void ImBatchWriter::add(const im::Output& output) {
  std::visit(
      overloaded{
          [&](const im::OpenTransport& x) { transport(x); },
          [&](const im::SendFrame& x) { transport(x); },
          [&](const im::CloseTransport& x) { transport(x); },
          [&](const im::HttpRequest& x) {
            open_output("http");
            num(static_cast<double>(x.id));
            str(x.url);
            str(x.body);
            close_output();
          },
          [&](const im::StorageSet& x) { open_output("store"); str(x.key); str(x.value_json); close_output(); },
          [&](const im::StateChanged& x) {
            open_output("state");
            str(im::to_string(x.state));
            str(x.reason);
            close_output();
          },
          [&](const im::Response& x) {
            open_output("resp");
            num(static_cast<double>(x.id));
            num(x.code);
            str(x.msg);
            raw(x.data_json);
            str(x.request_id);
            str(x.client_msg_id);
            close_output();
          },
          [&](const im::Message& x) {
            open_output("msg");
            num(static_cast<double>(x.seq));
            num(static_cast<double>(x.mid));
            raw(x.json);
            boolean(x.history);
            close_output();
          },
          [&](const im::SendState& x) {
            open_output("sendstate");
            num(static_cast<double>(x.id));
            str(x.client_msg_id);
            str(x.state);
            str(x.reason);
            close_output();
          },
          [&](const im::ConversationsLoaded& x) { open_output("convs"); raw(x.json); close_output(); },
          [&](const im::Notify& x) { open_output("notify"); str(x.type); raw(x.json); close_output(); },
          [&](const im::Sync& x) {
            open_output("sync");
            num(static_cast<double>(x.from));
            num(static_cast<double>(x.to));
            num(static_cast<double>(x.count));
            close_output();
          },
          [&](const im::Kicked& x) { open_output("kicked"); str(x.reason); close_output(); },
          [&](const im::ConversationChanged& x) { open_output("conv"); raw(x.json); close_output(); },
          [&](const im::ErrorEvent& x) {
            open_output("error");
            num(x.code);
            str(x.message);
            boolean(x.fatal);
            close_output();
          },
      },
      output);
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
