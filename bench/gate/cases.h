// The gate's cases, one function each: set up, then Meter::measure() the body.
// main.cc lists them in its table; a new case is a function here and a line there.

#pragma once

#include "bench/gate/gate.h"

namespace mxgw::gate {

// transport_cases.cc
void ring(Meter& meter);
void decoder(Meter& meter);
void verifier(Meter& meter);

// distributor_cases.cc: one routing step, publish to every subscriber's poll.
void route_1(Meter& meter);
void route_8(Meter& meter);
void route_64(Meter& meter);

// sim_cases.cc
void sim_generator(Meter& meter);

// capi_cases.cc: through libmxgw.so
void capi_version(Meter& meter);
void capi_poll_empty(Meter& meter);

}  // namespace mxgw::gate
