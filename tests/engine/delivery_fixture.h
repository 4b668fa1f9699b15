// What the delivery tests share: a ledger that checks what one subscription
// receives, and a fixture with sessions that stream counters.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include <mxgw/transport/frame_verifier.h>

#include "tests/engine/engine_fixture.h"

namespace mxgw::testing {

// Everything one subscription received, checked for continuity as it arrives.
struct Ledger {
  uint64_t expected = 0;  // next sequence number; 0 until the first delivery
  uint64_t delivered = 0;
  std::map<proto::GapReason, uint64_t> gapped;
  uint64_t gaps = 0;    // announcements
  uint64_t breaks = 0;  // a delivery or gap that did not start where expected
  uint64_t conflated_values = 0;
  uint64_t data_since_gap = 0;       // worker events delivered one by one since the last gap
  std::map<int32_t, double> newest;  // item handle → newest value seen

  void take(const engine::Delivery& d) {
    const proto::EventBatch* batch = transport::event_batch(d.batch);
    if (batch->gaps()) {
      for (const proto::GapEvent* gap : *batch->gaps()) {
        if (expected != 0 && gap->first_seq() != expected) ++breaks;
        gapped[gap->reason()] += gap->last_seq() - gap->first_seq() + 1;
        expected = gap->last_seq() + 1;
        ++gaps;
        data_since_gap = 0;
      }
      if (batch->changes()) conflated_values += batch->changes()->size();
    }
    if (d.count > 0) {
      if (expected != 0 && d.first_seq != expected) ++breaks;
      expected = d.first_seq + d.count;
      delivered += d.count;
      if ((d.flags & static_cast<uint32_t>(proto::ClientEventFlags::GatewayGenerated)) == 0) data_since_gap += d.count;
    }
    if (batch->changes()) {
      for (const proto::DataChange* c : *batch->changes()) newest[c->item_handle()] = c->value();
    }
  }
};

class DeliveryFixture : public EngineFixture {
 protected:
  // A session streaming `items` counters at 1 ms.
  std::string busy_session(int items) {
    const Opened opened =
        open(kAlice, {.backend_options = {{"rate_ms", "1"}, {"tags", "Line:" + std::to_string(items)}}});
    EXPECT_TRUE(opened.status.is_ok()) << opened.status.to_string();
    return opened.info.session_id;
  }
  void stream(const std::string& id, int items) {
    for (int i = 0; i < items; ++i) {
      advise_tag(kAlice, id,
                 "Line_" +
                     std::string(i < 10    ? "00"
                                 : i < 100 ? "0"
                                           : "") +
                     std::to_string(i) + ".Counter");
    }
  }
  uint64_t next_seq_of(const std::string& id) {
    for (const auto& info : list(kAlice)) {
      if (info.session_id == id) return info.next_seq;
    }
    return 0;
  }
  void drain(engine::Subscription& s, Ledger& ledger) {
    while (s.poll(SIZE_MAX, [&](const engine::Delivery& d) { ledger.take(d); }) > 0) {
    }
  }
};

}  // namespace mxgw::testing
