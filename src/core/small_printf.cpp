#include "core/small_printf.h"

namespace echat::core {

namespace {

struct Out {
  char* buf;
  std::size_t cap;
  std::size_t len = 0;
  void put(char c) {
    if (len + 1 < cap) buf[len] = c;
    ++len;
  }
};

void put_padded(Out& out, const char* s, std::size_t n, int width, bool left, char pad) {
  int fill = width > static_cast<int>(n) ? width - static_cast<int>(n) : 0;
  if (!left && pad == '0' && n && s[0] == '-') {  // the sign goes before the zeros: "-0042"
    out.put('-');
    ++s;
    --n;
  }
  if (!left) while (fill-- > 0) out.put(pad);
  for (std::size_t i = 0; i < n; ++i) out.put(s[i]);
  if (left) while (fill-- > 0) out.put(' ');
}

}  // namespace

int small_vsnprintf(char* buf, std::size_t cap, const char* fmt, va_list ap) {
  Out out{buf, cap};
  for (const char* p = fmt; *p; ++p) {
    if (*p != '%') {
      out.put(*p);
      continue;
    }
    ++p;
    bool left = false;
    char pad = ' ';
    for (; *p == '0' || *p == '-'; ++p) {
      if (*p == '-') left = true;
      else pad = '0';
    }
    int width = 0;
    while (*p >= '0' && *p <= '9') width = width * 10 + (*p++ - '0');
    int precision = -1;
    if (*p == '.') {
      precision = 0;
      for (++p; *p >= '0' && *p <= '9'; ++p) precision = precision * 10 + (*p - '0');
    }
    int longs = 0;
    while (*p == 'l' || *p == 'z' || *p == 'h') {
      if (*p != 'h') ++longs;
      ++p;
    }
    char digits[24];
    std::size_t n = 0;
    switch (*p) {
      case '%': out.put('%'); continue;
      case 'c': digits[0] = static_cast<char>(va_arg(ap, int)); put_padded(out, digits, 1, width, left, ' '); continue;
      case 's': {
        const char* s = va_arg(ap, const char*);
        if (!s) s = "(null)";
        std::size_t len = 0;
        while (s[len] && (precision < 0 || static_cast<int>(len) < precision)) ++len;
        put_padded(out, s, len, width, left, ' ');
        continue;
      }
      case 'p':  // a pointer: 0x then hex, as musl prints it
        longs = 1;
        out.put('0');
        out.put('x');
        [[fallthrough]];
      case 'd': case 'i': case 'u': case 'x': case 'X': {
        const bool is_signed = *p == 'd' || *p == 'i';
        unsigned long long v;
        bool negative = false;
        if (is_signed) {
          long long s = longs >= 2 ? va_arg(ap, long long) : longs == 1 ? va_arg(ap, long) : va_arg(ap, int);
          negative = s < 0;
          v = negative ? 0ull - static_cast<unsigned long long>(s) : static_cast<unsigned long long>(s);
        } else {
          v = longs >= 2 ? va_arg(ap, unsigned long long) : longs == 1 ? va_arg(ap, unsigned long) : va_arg(ap, unsigned);
        }
        const unsigned base = (*p == 'x' || *p == 'X' || *p == 'p') ? 16 : 10;
        const char* alphabet = *p == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
        char rev[24];
        std::size_t r = 0;
        do {
          rev[r++] = alphabet[v % base];
          v /= base;
        } while (v);
        while (precision > 0 && static_cast<int>(r) < precision) rev[r++] = '0';
        if (negative) digits[n++] = '-';
        while (r) digits[n++] = rev[--r];
        put_padded(out, digits, n, width, left, precision >= 0 ? ' ' : pad);
        continue;
      }
      default:
        out.put('?');
        if (!*p) --p;
        continue;
    }
  }
  if (cap) buf[out.len < cap ? out.len : cap - 1] = '\0';
  return static_cast<int>(out.len);
}

}  // namespace echat::core
