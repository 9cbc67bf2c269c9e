# The one list of Emscripten compile and link flags for the shipped artifact (after CanvasKit and
# libav.js: every flag commented). Release is the default; -DECHAT_WASM_DEBUG=ON gives the debug set.
option(ECHAT_WASM_DEBUG "Debug wasm build: assertions, SAFE_HEAP, no optimisation" OFF)

set(ECHAT_EM_COMPILE_FLAGS
  -fno-exceptions        # no C++ exceptions anywhere: errors are values (src/core/error.h)
  -fno-rtti              # no RTTI (nothing asks for a type's name: the boundary is plain C exports)
)

# No --bind: the boundary is plain C exports (extern "C" EMSCRIPTEN_KEEPALIVE, bindings/boundary.h).
# embind cost 4.3 KB of the minified SDK and 1.6 KB of the .br, and its generic invoker ran per call.
set(ECHAT_EM_LINK_FLAGS
  -fno-exceptions
  -fno-rtti
  -sDISABLE_EXCEPTION_CATCHING=1
  -sSTANDALONE_WASM=1          # the .wasm alone, no Emscripten JS glue (7.7 KB of minified JS): its
                               # imports are env.emscripten_notify_memory_growth and WASI's proc_exit (the
                               # debug build's also fd_write, fd_close, fd_seek for the libc's stderr, and
                               # SAFE_HEAP's segfault/alignfault), its exports keep their names, and
                               # _initialize runs the constructors. js-shim/loader.js instantiates it.
  -sFILESYSTEM=0               # no virtual FS: the core does no I/O
  -sINITIAL_MEMORY=1048576     # 1 MiB to start (16 pages) ...
  -sALLOW_MEMORY_GROWTH=1      # ... and grow on demand
  -sTOTAL_STACK=131072         # 128 KiB stack: the core recurses only in the JSON parser (depth-limited)
  -sMALLOC=none                # our allocator, toolchain/wasm/malloc_small.cpp (size classes): 637 B of .br less than emmalloc
  -sSUPPORT_LONGJMP=0
  --no-entry
)

# No file is compiled apart. JavaScriptCore without a JIT (WeChat on iOS) interprets wasm, where each
# call costs about as much as a short function body; until 2026-12-06 the hot lanes
# (src/socketio/fast_lane.cpp, src/im/delivery_lane.cpp, bindings/im_lane.cpp) were compiled -O2 without
# LTO so that their callees were inlined (a pushed event ~20 -> ~7 us on jsc with JSC_useJIT=0). The
# cause of the ~40 calls per event they had kept was emcc's -fno-inline-functions (below); with it undone
# for the whole core, the lanes at -Oz + LTO measure the same on jsc (JIT off and on) and V8, and the
# .br is 1,828 B smaller (docs/benchmarks.md). -O2 for the whole core costs ~44 KB of .br.

if(ECHAT_WASM_DEBUG)
  list(APPEND ECHAT_EM_COMPILE_FLAGS -O0 -g)
  list(APPEND ECHAT_EM_LINK_FLAGS
    -O0 -g
    -sASSERTIONS=2             # runtime checks (in the libc: there is no glue)
    -sSAFE_HEAP=1              # traps unaligned and out-of-bounds accesses
    -sSTACK_OVERFLOW_CHECK=2)
else()
  # -finline-functions undoes emcc's -fno-inline-functions (added to every -flto compile; the last flag
  # wins). With that flag clang marks every function not declared `inline` noinline, in-class members
  # included, so the LTO link could inline nothing: libc++'s one-line accessors (string::size,
  # vector::capacity...) stayed 344 functions of their own, called from everywhere. Without it, the LTO
  # -Oz inliner decides: 2,720 B less .br, and every path of the core shorter where wasm is interpreted
  # (WeChat on iOS: an IM delivery ~97 -> ~77 us on jsc with JSC_useJIT=0, docs/benchmarks.md). A larger
  # inline threshold (-Wl,-mllvm,-inline-threshold=15: +1.2 KB; 40: +6.6 KB) or a smaller one (0: -96 B,
  # fewer calls inlined) was not taken.
  list(APPEND ECHAT_EM_COMPILE_FLAGS -Oz -flto -finline-functions)
  list(APPEND ECHAT_EM_LINK_FLAGS
    -Oz -flto                  # smallest code; LTO drops unused nlohmann/std code across units
    -sBINARYEN_EXTRA_PASSES=-Oz  # a second round of binaryen's size passes (~0.7 KB of .br)
    -sASSERTIONS=0
    -sEVAL_CTORS=0)
  # After the link, binaryen once more on the finished wasm (CMakeLists.txt runs it in place): --flatten
  # turns every function into flat code, --rereloop rebuilds its control flow from scratch, and the -Oz
  # rounds after that shrink the result further than emcc's pipeline could (which starts from LLVM's
  # control flow and is not at a fixed point: one more -Oz alone is -110 B). Two such rounds: 65,031 ->
  # 64,565 B of .br (one: -390 B; three: worse). The same passes inside emcc's own run
  # (BINARYEN_EXTRA_PASSES) give only -235 B. Speed unchanged beyond the noise on jsc with
  # JSC_useJIT=0 (docs/benchmarks.md). bulk-memory would give -88 B more, but it is not in WeChat's
  # oldest iOS engines: the features stay emcc's MVP set.
  # -aimfs=4 (--always-inline-max-function-size; binaryen's default for -Oz is 2): functions of up to 4
  # instructions are inlined wherever they are called. Those are libc++'s one-line string members
  # (__is_long, char_traits::assign, __set_long_size...) that LLVM's -Oz inliner leaves as calls: 67 of
  # the 298 wasm calls per message of a burst of sends (bench/jsc/calls.js). A call in JSC's wasm
  # interpreter costs ~380 x86 instructions. Per message of the burst on jsc with JSC_useJIT=0:
  # 569,661 -> 543,954 instructions; and 114 B less .br (a call and its operands are larger than such a
  # body). 3: 560,382 instructions, -55 B; 5: 543,125, -59 B; 6: 539,882, +145 B; 8: +1.3 KB.
  set(ECHAT_EM_POST_LINK_PASSES
    --flatten --rereloop -Oz -Oz
    --flatten --rereloop -Oz -Oz
    -aimfs=4)
endif()
