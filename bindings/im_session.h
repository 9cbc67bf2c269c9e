// The IM area's sessions (one per im::Client the host made), shared by its exports (im_bindings.cpp)
// and its hot paths (im_lane.cpp, im_send_lane.cpp).
#pragma once

#include "bindings/boundary.h"
#include "host/im_batch.h"
#include "im/client.h"

namespace echat::bindings {

using ImSession = Session<im::Client, host::ImBatchWriter>;
extern Handles<ImSession> g_im_sessions;  // defined in im_bindings.cpp (bindings only: src/ has no globals)

}  // namespace echat::bindings
