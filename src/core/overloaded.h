// std::visit with a set of lambdas: std::visit(overloaded{[](const A&) {...}, [](const B&) {...}}, v),
// or core::visit(v, overloaded{...}) for the same with every alternative's code in one function.
#pragma once

#include <cstddef>
#include <variant>

namespace echat::core {

template <class... Ts>
struct overloaded : Ts... { using Ts::operator()...; };
template <class... Ts>
overloaded(Ts...) -> overloaded<Ts...>;

// Calls f with the alternative `v` holds, through a chain of index tests the optimiser turns into one
// switch: std::visit makes a function per alternative and a table of pointers to them (~1.6 KB of
// code for the 17 kinds of a batch writer's outputs).
template <class F, class... Ts>
void visit(const std::variant<Ts...>& v, F&& f) {
  std::size_t k = 0;
  const std::size_t i = v.index();
  ((i == k++ ? f(*std::get_if<Ts>(&v)) : void()), ...);
}

}  // namespace echat::core
