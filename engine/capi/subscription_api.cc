// The C entry points for subscriptions: subscribe, poll/release, wait, the end, and
// callback mode's dispatcher thread.
//
// Polling moves each batch's frame reference out of the subscription's ring into
// the handle's `held` slots (no copy, no allocation: the slots are allocated once at
// subscribe), so the ring's room goes back to the producer at once while the views
// stay valid until the next poll or release drops the references.

#include <algorithm>
#include <chrono>
#include <memory>
#include <string>

#include "engine/capi/handles.h"
#include "engine/capi/sized_options.h"

using mxgw::Status;
using mxgw::capi::fail;
using mxgw::capi::guarded;
namespace proto = mxgw::proto;

namespace {

// Batches one poll hands out at most; the slots are made once per subscription.
constexpr size_t kMaxBatchesPerPoll = 256;
// How often callback mode's thread looks at its stop request while idle.
constexpr auto kDispatchIdleWait = std::chrono::milliseconds(50);

// DataChange is read in place as mxgw_numeric_change: same size, same offsets, and
// the wire's little-endian order must be the machine's.
static_assert(sizeof(proto::DataChange) == sizeof(mxgw_numeric_change));
static_assert(offsetof(mxgw_numeric_change, value) == 24 && offsetof(mxgw_numeric_change, source_time_ns) == 16);
static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "mxgw_numeric_change views little-endian frames in place");

void view_batch(const mxgw::capi::HeldBatch& held, mxgw_batch* out) {
  const proto::EventBatch& batch = *held.batch;
  out->first_seq = held.first_seq;
  out->event_count = held.count;
  out->flags = held.flags;
  out->worker_time_ns = batch.worker_time_ns();
  out->gateway_time_ns = held.gateway_time_ns;
  const auto* changes = batch.changes();
  out->numeric = changes ? reinterpret_cast<const mxgw_numeric_change*>(changes->data()) : nullptr;
  out->numeric_count = changes ? changes->size() : 0;
  out->gap_count = batch.gaps() ? batch.gaps()->size() : 0;
  out->coalesced_changes = batch.coalesced_changes();
  out->internal = held.batch;
}

void release_held(mxgw_subscription* sub) {
  for (size_t i = 0; i < sub->held_count; ++i) sub->held[i].frame = {};
  sub->held_count = 0;
}

int check_usable(const mxgw_subscription* sub) {
  if (!sub) return fail(MXGW_E_INVALID_ARGUMENT, "no subscription");
  if (sub->unsubscribed) return fail(MXGW_E_CLOSED, "the subscription was unsubscribed");
  if (sub->client->is_closed()) return fail(MXGW_E_CLOSED, "the client is closed");
  return MXGW_OK;
}

// Where the last field of mxgw_subscribe_options' first version ends.
constexpr size_t kSubscribeOptionsV1 = offsetof(mxgw_subscribe_options, resume_from_seq) + sizeof(uint64_t);

int make_subscription(mxgw_session* s, const mxgw_subscribe_options* given, std::unique_ptr<mxgw_subscription>* out) {
  if (!s) return fail(MXGW_E_INVALID_ARGUMENT, "mxgw_subscribe needs a session and an out pointer");
  if (s->closed.load(std::memory_order_acquire)) return fail(MXGW_E_CLOSED, "the session is closed");
  if (s->client->is_closed()) return fail(MXGW_E_CLOSED, "the client is closed");
  mxgw_subscribe_options options;
  mxgw_subscribe_options_init(&options);
  if (Status read = mxgw::capi::read_sized(given, kSubscribeOptionsV1, "mxgw_subscribe_options", &options);
      !read.is_ok()) {
    return fail(read);
  }
  if (options.policy < MXGW_POLICY_LOSSLESS || options.policy > MXGW_POLICY_DISCONNECT) {
    return fail(MXGW_E_INVALID_ARGUMENT, "unknown delivery policy " + std::to_string(options.policy));
  }
  mxgw::engine::SubscribeOptions wanted;
  wanted.policy = static_cast<proto::DeliveryPolicy>(options.policy);
  if (options.resume) wanted.resume_from = options.resume_from_seq;
  auto sub = std::make_unique<mxgw_subscription>();
  sub->client = s->client;
  sub->held.resize(kMaxBatchesPerPoll);
  if (Status status = s->client->connection->subscribe(s->id, wanted, &sub->source); !status.is_ok()) {
    return fail(status);
  }
  *out = std::move(sub);
  return MXGW_OK;
}

// Callback mode's delivery: poll, call back, release, until the subscription ends
// (its end code) or is stopped (0).
int deliver(mxgw_subscription* sub, mxgw_batch_fn on_batch, void* user) {
  mxgw_batch batches[64];
  while (!sub->stop_dispatch.load(std::memory_order_acquire)) {
    const int n = mxgw_poll(sub, batches, std::size(batches));
    if (n < 0) return n == MXGW_E_ENDED ? sub->end_code : n;
    for (int i = 0; i < n; ++i) on_batch(user, &batches[i]);
    mxgw_release(sub);
    if (n == 0) sub->source->wait_until(std::chrono::steady_clock::now() + kDispatchIdleWait);
  }
  return MXGW_OK;
}

// Callback mode's thread: however delivery ends, on_end hears of it exactly once.
void dispatch(mxgw_subscription* sub, mxgw_batch_fn on_batch, mxgw_end_fn on_end, void* user) {
  const int end_code = mxgw::capi::guarded([&]() -> int { return deliver(sub, on_batch, user); });
  if (on_end) on_end(user, end_code);
}

// Callback mode: the dispatcher is the subscription's consumer, so it stops before
// anyone else touches the subscription's polling state.
void stop_dispatcher(mxgw_subscription* sub) {
  if (!sub->dispatcher.joinable()) return;
  sub->stop_dispatch.store(true, std::memory_order_release);
  sub->dispatcher.join();
}

int poll(mxgw_subscription* sub, mxgw_batch* batches, size_t max) {
  if (const int code = check_usable(sub); code != MXGW_OK) return code;
  if (!batches && max) return fail(MXGW_E_INVALID_ARGUMENT, "no room for batches");
  release_held(sub);
  const size_t taken = sub->source->take(std::min(max, kMaxBatchesPerPoll), sub->held.data());
  for (size_t i = 0; i < taken; ++i) view_batch(sub->held[i], &batches[i]);
  sub->held_count = taken;
  if (taken == 0 && sub->source->finished()) {
    // A client close ends its subscriptions after marking the client closed: an
    // end seen here after that is the close's, whatever the source says.
    if (sub->client->is_closed()) return fail(MXGW_E_CLOSED, "the client is closed");
    const Status why = sub->source->end_status();
    sub->end_code = why.is_ok() ? MXGW_OK : mxgw::capi::code_of(why.code());
    return fail(MXGW_E_ENDED, why.is_ok() ? "the session closed" : why.message());
  }
  return static_cast<int>(taken);
}

int unsubscribe(mxgw_subscription* sub) {
  if (!sub) return fail(MXGW_E_INVALID_ARGUMENT, "no subscription");
  if (sub->unsubscribed) return fail(MXGW_E_CLOSED, "the subscription was unsubscribed");
  stop_dispatcher(sub);
  release_held(sub);
  sub->unsubscribed = true;
  sub->source->unsubscribe();
  return MXGW_OK;
}

}  // namespace

// Unsubscribing asks the engine or gateway, which allocates: it is done here, where
// a failure is caught, rather than by the source's destructor (which then has
// nothing left to do).
mxgw_subscription::~mxgw_subscription() {
  guarded([this] { stop_dispatcher(this); });
  guarded([this] {
    if (source) source->unsubscribe();
  });
}

extern "C" {

int mxgw_subscribe(mxgw_session* s, const mxgw_subscribe_options* options, mxgw_subscription** out) {
  if (out) *out = nullptr;
  return guarded([&]() -> int {
    if (!out) return fail(MXGW_E_INVALID_ARGUMENT, "mxgw_subscribe needs a session and an out pointer");
    std::unique_ptr<mxgw_subscription> sub;
    if (const int code = make_subscription(s, options, &sub); code != MXGW_OK) return code;
    *out = sub.release();
    return MXGW_OK;
  });
}

int mxgw_subscribe_callback(mxgw_session* s, const mxgw_subscribe_options* options, mxgw_batch_fn on_batch,
                            mxgw_end_fn on_end, void* user, mxgw_subscription** out) {
  if (out) *out = nullptr;
  return guarded([&]() -> int {
    if (!on_batch || !out) return fail(MXGW_E_INVALID_ARGUMENT, "callback mode needs on_batch and an out pointer");
    std::unique_ptr<mxgw_subscription> sub;
    if (const int code = make_subscription(s, options, &sub); code != MXGW_OK) return code;
    sub->dispatcher = std::thread(dispatch, sub.get(), on_batch, on_end, user);
    *out = sub.release();
    return MXGW_OK;
  });
}

int mxgw_poll(mxgw_subscription* sub, mxgw_batch* batches, size_t max) {
  return guarded([&]() -> int { return poll(sub, batches, max); });
}

void mxgw_release(mxgw_subscription* sub) {
  if (sub) release_held(sub);
}

int mxgw_wait(mxgw_subscription* sub, int32_t timeout_ms) {
  return guarded([&]() -> int {
    if (const int code = check_usable(sub); code != MXGW_OK) return code;
    const auto deadline = timeout_ms < 0 ? std::chrono::steady_clock::time_point::max()
                                         : std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    return sub->source->wait_until(deadline) ? 1 : 0;
  });
}

int mxgw_subscription_end_code(const mxgw_subscription* sub) { return sub ? sub->end_code : MXGW_E_INVALID_ARGUMENT; }

int mxgw_unsubscribe(mxgw_subscription* sub) {
  return guarded([&]() -> int { return unsubscribe(sub); });
}

void mxgw_subscription_free(mxgw_subscription* sub) {
  // The destructor stops the callback thread and unsubscribes.
  guarded([&] { delete sub; });
}

}  // extern "C"
