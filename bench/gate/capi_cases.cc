// The C ABI's cheapest calls, made through libmxgw.so as an embedder makes them:
// the version, and a poll of an embedded subscription with nothing ready (what an
// idle consumer calls most). A poll that hands out batches depends on how a real
// worker happened to batch its events, so it does not repeat to the instruction;
// the delivery behind it is measured by the route/* cases.
//
// Only the main thread's instructions are collected (callgrind toggles collection
// per thread), so the embedded engine's own threads do not count.

#include <mxgw/mxgw.h>

#include "bench/gate/cases.h"

namespace mxgw::gate {

void capi_version(Meter& meter) {
  uint64_t sum = 0;
  const Plan plan{.warmup = 1, .iterations = 10'000};
  meter.measure(plan, [&] { sum += mxgw_version(); });
  if (sum != (plan.warmup + plan.iterations) * MXGW_VERSION_HEX) fail("capi: mxgw_version() is not MXGW_VERSION_HEX");
}

void capi_poll_empty(Meter& meter) {
  mxgw_client_options options;
  mxgw_client_options_init(&options);
  options.shards = 1;
  options.worker_path = MXGW_WORKER_PATH;
  mxgw_client* client = nullptr;
  mxgw_session* session = nullptr;
  mxgw_subscription* subscription = nullptr;
  if (mxgw_client_open("embedded", &options, &client) != MXGW_OK ||
      mxgw_session_open(client, nullptr, &session) != MXGW_OK ||
      mxgw_subscribe(session, nullptr, &subscription) != MXGW_OK) {
    fail(mxgw_last_error());
  }
  mxgw_batch batches[16];
  meter.measure({.warmup = 10, .iterations = 10'000}, [&] {
    if (mxgw_poll(subscription, batches, 16) != 0) fail("capi: a poll of an idle session found something");
  });
  mxgw_subscription_free(subscription);
  mxgw_session_free(session);
  mxgw_client_free(client);
}

}  // namespace mxgw::gate
