// Wasm build only (-sMALLOC=none, toolchain/emscripten-flags.cmake): the allocator behind the core's
// new/delete, in place of emmalloc (~1.8 KB of wasm code: its free-region search, splitting and
// merging). The core's allocations are small and short-lived, and the same sizes come back message
// after message (strings, vector buffers, map slots), so a block is never split or merged: every
// request is rounded up to one of a fixed set of sizes, and a freed block waits on its size's list
// for the next request of that size. Malloc and free are then a few instructions each (the core
// runs interpreted on WeChat for iOS), and the heap after a warm-up stays the same size whatever the
// traffic (tests/js/heap.test.js, im-heap.test.js).
//
// The sizes (toolchain/wasm/size_classes.h): 32 bytes, then four steps per power of two, so a block
// wastes at most a quarter of its size. Memory taken for one size is never given to another (wasm
// memory never shrinks anyway): the payloads the core could see grow large (a message's text) stay in
// JavaScript (docs/architecture.md).
//
// A block: an 8-byte header holding its size class, then the payload, 8-byte aligned (the alignment of
// max_align_t and of operator new here). A free block's payload holds the next free block of its list.
#include <emscripten/heap.h>

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "size_classes.h"

extern "C" unsigned char __heap_base;  // the linker's end of the data and the stack

namespace {

using echat::wasm_heap::class_of;
using echat::wasm_heap::class_size;
using echat::wasm_heap::kClasses;
using echat::wasm_heap::kMaxTotal;

constexpr uint32_t kHeader = 8;

struct Block {
  uint32_t size_class;
  uint32_t unused;
  Block* next;  // while free: the next free block of the same class
};

Block* free_lists[kClasses];
unsigned char* heap_top = &__heap_base;  // an address constant: set before any constructor runs

// New memory from the top of the heap, growing the wasm memory when needed.
void* take_from_top(uint32_t size) {
  const uintptr_t start = (reinterpret_cast<uintptr_t>(heap_top) + 7) & ~uintptr_t{7};
  const uintptr_t end = start + size;
  if (end < start) return nullptr;
  if (end > emscripten_get_heap_size() && !emscripten_resize_heap(end)) return nullptr;
  heap_top = reinterpret_cast<unsigned char*>(end);
  return reinterpret_cast<void*>(start);
}

uint32_t payload_capacity(const void* p) {
  return class_size(reinterpret_cast<const Block*>(static_cast<const unsigned char*>(p) - kHeader)->size_class) -
         kHeader;
}

}  // namespace

// The debug build's checks (SAFE_HEAP, ASSERTIONS) export these and read the heap's end through
// emscripten_get_sbrk_ptr; nothing else calls them, and the release link drops them.
static_assert(sizeof(unsigned char*) == sizeof(uintptr_t), "the heap top is read as a uintptr_t");
extern "C" uintptr_t* emscripten_get_sbrk_ptr() { return reinterpret_cast<uintptr_t*>(&heap_top); }
extern "C" void* sbrk(intptr_t increment) {
  void* old = heap_top;
  if (increment < 0 || (increment > 0 && !take_from_top(static_cast<uint32_t>(increment)))) {
    return reinterpret_cast<void*>(-1);
  }
  return old;
}

extern "C" void* malloc(size_t n) {
  if (n > kMaxTotal - kHeader) return nullptr;
  const uint32_t c = class_of(static_cast<uint32_t>(n) + kHeader);
  Block* b = free_lists[c];
  if (b) {
    free_lists[c] = b->next;
  } else {
    b = static_cast<Block*>(take_from_top(class_size(c)));
    if (!b) return nullptr;
    b->size_class = c;
  }
  return reinterpret_cast<unsigned char*>(b) + kHeader;
}

extern "C" void free(void* p) {
  if (!p) return;
  Block* b = reinterpret_cast<Block*>(static_cast<unsigned char*>(p) - kHeader);
  b->next = free_lists[b->size_class];
  free_lists[b->size_class] = b;
}

extern "C" void* calloc(size_t count, size_t size) {
  if (size && count > kMaxTotal / size) return nullptr;
  void* p = malloc(count * size);
  if (p) std::memset(p, 0, count * size);
  return p;
}

extern "C" void* realloc(void* p, size_t n) {
  if (!p) return malloc(n);
  const uint32_t have = payload_capacity(p);
  if (n <= have) return p;
  void* q = malloc(n);
  if (q) {
    std::memcpy(q, p, have);
    free(p);
  }
  return q;
}

// Blocks are 8-byte aligned, which is all the core's types need (alignof(max_align_t) and operator new's
// alignment here are 8). A larger alignment is refused, not faked: libc++'s aligned operator new, the only
// caller (linked by the unoptimised debug build, called by nothing), would then fail loudly.
extern "C" int posix_memalign(void** out, size_t alignment, size_t n) {
  if (alignment > kHeader) return 12;  // ENOMEM
  void* p = malloc(n);
  if (!p) return 12;
  *out = p;
  return 0;
}
