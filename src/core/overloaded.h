// std::visit with a set of lambdas: std::visit(overloaded{[](const A&) {...}, [](const B&) {...}}, v).
#pragma once

namespace echat::core {

template <class... Ts>
struct overloaded : Ts... { using Ts::operator()...; };
template <class... Ts>
overloaded(Ts...) -> overloaded<Ts...>;

}  // namespace echat::core
