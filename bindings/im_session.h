// The IM area's sessions (one per im::Client the host made), shared by its exports (im_bindings.cpp)
// and its hot paths (im_lane.cpp, im_send_lane.cpp).
#pragma once

#include "bindings/boundary.h"
#include "host/im_batch.h"
#include "im/client.h"

namespace echat::bindings {

struct ImSession : Session<im::Client, host::ImBatchWriter> {
  using Session::Session;
  im::MessageFacts facts;  // the delivery lane's texts as the host last wrote them (im_lane.cpp)
};
extern Handles<ImSession> g_im_sessions;  // defined in im_bindings.cpp (bindings only: src/ has no globals)

}  // namespace echat::bindings
