#include "host/im_batch.h"

#include <nlohmann/json.hpp>

#include <cmath>

#include "host/batch.h"  // append_json_string

namespace echat::host {

namespace {

template <class... Ts>
struct overloaded : Ts... { using Ts::operator()...; };
template <class... Ts>
overloaded(Ts...) -> overloaded<Ts...>;

}  // namespace

void ImBatchWriter::begin() {
  text_.assign("{\"o\":[");
  arena_.clear();
  result_ = "null";
  error_ = "null";
  first_ = true;
}

void ImBatchWriter::set_error(const core::Error& e) {
  error_.assign("{\"kind\":");
  append_json_string(error_, core::to_string(e.kind));
  error_ += ",\"code\":";
  append_json_string(error_, e.code);
  error_ += ",\"message\":";
  append_json_string(error_, e.message);
  error_ += '}';
}

void ImBatchWriter::open_output(std::string_view kind) {
  if (!first_) text_ += ',';
  first_ = false;
  text_ += '[';
  append_json_string(text_, kind);
}

void ImBatchWriter::str(std::string_view s) {
  text_ += ',';
  append_json_string(text_, s);
}

void ImBatchWriter::num(double n) {
  text_ += ',';
  if (std::floor(n) == n && std::fabs(n) < 9007199254740992.0) {
    text_ += std::to_string(static_cast<long long>(n));
  } else {
    // Not printf: the wasm build's snprintf is integer-only (src/core/small_printf.h). nlohmann's
    // serializer writes the shortest round-tripping form (and null for NaN/Infinity, as JSON.stringify).
    text_ += nlohmann::json(n).dump();
  }
}

void ImBatchWriter::raw(std::string_view json) {
  text_ += ',';
  if (json.empty()) text_ += "null";
  else text_.append(json.data(), json.size());
}

void ImBatchWriter::add(const im::Output& output) {
  std::visit(
      overloaded{
          [&](const im::OpenTransport& x) { open_output("open"); num(x.transport); str(x.url); },
          [&](const im::SendFrame& x) {
            if (x.frame.binary) {
              open_output("sendb");
              num(x.transport);
              num(static_cast<double>(arena_.size()));
              num(static_cast<double>(x.frame.data.size()));
              arena_ += x.frame.data;
            } else {
              open_output("send");
              num(x.transport);
              str(x.frame.data);
            }
          },
          [&](const im::CloseTransport& x) { open_output("close"); num(x.transport); num(x.code); str(x.reason); },
          [&](const im::HttpRequest& x) { open_output("http"); num(static_cast<double>(x.id)); str(x.url); str(x.body); },
          [&](const im::StorageSet& x) { open_output("store"); str(x.key); str(x.value_json); },
          [&](const im::StateChanged& x) { open_output("state"); str(im::to_string(x.state)); str(x.reason); },
          [&](const im::Response& x) {
            open_output("resp");
            num(static_cast<double>(x.id));
            num(x.code);
            str(x.msg);
            raw(x.data_json);
            str(x.request_id);
            str(x.client_msg_id);
          },
          [&](const im::Message& x) {
            open_output("msg");
            num(static_cast<double>(x.seq));
            num(static_cast<double>(x.mid));
            raw(x.json);
          },
          [&](const im::Notify& x) { open_output("notify"); str(x.type); raw(x.json); },
          [&](const im::Sync& x) {
            open_output("sync");
            num(static_cast<double>(x.from));
            num(static_cast<double>(x.to));
            num(static_cast<double>(x.count));
          },
          [&](const im::Kicked& x) { open_output("kicked"); str(x.reason); },
          [&](const im::ConversationChanged& x) { open_output("conv"); raw(x.json); },
          [&](const im::ErrorEvent& x) {
            open_output("error");
            num(x.code);
            str(x.message);
            text_ += x.fatal ? ",true" : ",false";
          },
      },
      output);
  text_ += ']';
}

const std::string& ImBatchWriter::finish(std::optional<core::Millis> deadline) {
  text_ += "],\"r\":";
  text_ += result_;
  text_ += ",\"x\":";
  text_ += error_;
  text_ += ",\"t\":";
  text_ += deadline ? std::to_string(*deadline) : std::string("-1");
  text_ += '}';
  return text_;
}

std::vector<std::pair<std::string, std::string>> records_from_json(std::string_view text) {
  std::vector<std::pair<std::string, std::string>> out;
  const auto j = nlohmann::json::parse(text.begin(), text.end(), nullptr, false);
  if (!j.is_object()) return out;
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (it.value().is_string()) out.emplace_back(it.key(), it.value().get<std::string>());
  }
  return out;
}

}  // namespace echat::host
