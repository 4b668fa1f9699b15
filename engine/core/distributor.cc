// Sequencing, zero-copy fan-out, delivery policies and the replay window.

#include "engine/core/distributor.h"

#include <algorithm>
#include <deque>

#include <mxgw/transport/frame_verifier.h>

namespace mxgw::engine {

Distributor::~Distributor() { end_all(); }

// ---- subscribers ------------------------------------------------------------

namespace {

// Events of an owed entry that were routed to the subscriber and are not settled
// yet: replays were routed to an earlier subscription, and a drop-oldest Gap
// announces events already counted as dropped.
uint64_t pending_in(const Owed& owed) {
  if (owed.is_gap) return owed.reason == proto::GapReason::Conflated ? owed.range.size() : 0;
  if (owed.delivery.flags & static_cast<uint32_t>(proto::ClientEventFlags::Replayed)) return 0;
  return owed.delivery.count;
}

}  // namespace

Status Distributor::add(std::shared_ptr<Subscription> subscription, std::optional<uint64_t> resume_from) {
  Subscriber s{std::move(subscription), {}};
  if (resume_from) {
    const uint64_t from = std::max<uint64_t>(*resume_from, 1);
    if (from > next_seq_) {
      return {ErrorCode::InvalidArgument,
              "resume from " + std::to_string(from) + ": the session's next event is " + std::to_string(next_seq_)};
    }
    const uint64_t kept_from = window_.empty() ? next_seq_ : window_.front().first_seq;
    if (from < kept_from) {
      Owed gap;
      gap.is_gap = true;
      gap.reason = proto::GapReason::OutsideReplayWindow;
      gap.range = {from, kept_from - 1};
      s.owed.push_back(std::move(gap));
    }
    for (size_t i = 0; i < window_.size(); ++i) {
      // The delivery holding `from` and every later one; the client skips what it
      // has in the first (its prefix says where the batch starts).
      const Delivery& d = window_[i];
      if (d.first_seq + d.count > from) {
        Owed replayed;
        replayed.delivery = d;
        replayed.delivery.flags |= static_cast<uint32_t>(proto::ClientEventFlags::Replayed);
        s.owed.push_back(std::move(replayed));
      }
    }
  }
  subscribers_.push_back(std::move(s));
  metrics_.subscribers.add(1);
  catch_up(subscribers_.back());
  update_flow();
  return {};
}

void Distributor::remove(uint64_t subscription_id) {
  forget_where([&](const Subscriber& s) { return s.subscription->id() == subscription_id; }, true);
  update_flow();
}

// ---- delivery ---------------------------------------------------------------

bool Distributor::offer(Subscriber& s, const Delivery& d) {
  if (s.subscription->offer(d)) return true;
  // Full: say so, then try once more (the consumer may have made room between the
  // failed offer and the flag; see Subscription).
  s.subscription->ask_for_wake();
  return s.subscription->offer(d);
}

bool Distributor::catch_up(Subscriber& s) {
  while (!s.owed.empty()) {
    Owed& front = s.owed.front();
    if (front.is_gap) {
      // Announcements are built only when they can go out at once.
      if (!s.subscription->has_room()) {
        s.subscription->ask_for_wake();
        if (!s.subscription->has_room()) return false;
      }
      if (!offer(s, materialize(front))) return false;
    } else if (!offer(s, front.delivery)) {
      return false;
    }
    count_handed_over(s, front);
    s.owed.pop_front();
  }
  return true;
}

Owed& Distributor::gap_for(Subscriber& s, proto::GapReason reason) {
  if (s.owed.empty() || !s.owed.back().is_gap || s.owed.back().reason != reason) {
    Owed gap;
    gap.is_gap = true;
    gap.reason = reason;
    s.owed.push_back(std::move(gap));
  }
  return s.owed.back();
}

bool Distributor::deliver(Subscriber& s, const Delivery& d, bool must_arrive) {
  if (catch_up(s) && offer(s, d)) return true;
  const DeliveryPolicy policy = s.subscription->policy();
  if (must_arrive || policy == DeliveryPolicy::Lossless) {
    owe(s, d, false);
    return false;
  }
  if (policy == DeliveryPolicy::Disconnect) {
    metrics_.slow_disconnects.add(1);
    metrics_.abandoned_events.add(d.count);
    s.subscription->disconnect();
    disconnected_some_ = true;
    return false;
  }
  // A batch without sequenced events has nothing to announce when it is not sent.
  if (d.count == 0) return false;
  if (policy == DeliveryPolicy::DropOldest) {
    owe(s, d, true);
    if (++s.discardable > s.subscription->capacity()) discard_oldest(s);
    return false;
  }
  // Conflate: keep the newest numeric value of each item.
  Owed& gap = gap_for(s, proto::GapReason::Conflated);
  gap.range.add(d.first_seq, d.first_seq + d.count - 1);
  metrics_.pending_events.add(d.count);
  if (const auto* changes = transport::event_batch(d.batch)->changes()) {
    for (const proto::DataChange* change : *changes)
      gap.latest[{change->server_handle(), change->item_handle()}] = *change;
  }
  return false;
}

void Distributor::owe(Subscriber& s, const Delivery& d, bool discardable) {
  Owed item;
  item.delivery = d;
  item.discardable = discardable;
  s.owed.push_back(std::move(item));
  metrics_.pending_events.add(d.count);
}

void Distributor::discard_oldest(Subscriber& s) {
  size_t i = 0;
  while (!s.owed[i].discardable) ++i;  // there is one: s.discardable counts them
  const Delivery& lost = s.owed[i].delivery;
  const SkippedRange range{lost.first_seq, lost.first_seq + lost.count - 1};
  metrics_.dropped_events.add(lost.count);
  metrics_.pending_events.subtract(lost.count);
  --s.discardable;
  // The announcement of what was discarded just before grows; else this delivery
  // becomes one (its batch reference released now).
  if (i > 0) {
    Owed& before = s.owed[i - 1];
    if (before.is_gap && before.reason == proto::GapReason::DroppedSlowSubscriber &&
        before.range.last + 1 == range.first) {
      before.range.last = range.last;
      s.owed.remove(i);
      return;
    }
  }
  Owed gap;
  gap.is_gap = true;
  gap.reason = proto::GapReason::DroppedSlowSubscriber;
  gap.range = range;
  s.owed[i] = std::move(gap);
}

void Distributor::count_handed_over(Subscriber& s, const Owed& owed) {
  if (owed.discardable) --s.discardable;
  const uint64_t pending = pending_in(owed);
  if (!owed.is_gap) {
    if (pending == 0) metrics_.events_replayed.add(owed.delivery.count);
    count_out(pending);
  } else if (pending > 0) {
    // A conflation: its values count as delivered, the events of its range that did
    // not survive as a value of their own as conflated.
    const uint64_t kept = std::min<uint64_t>(owed.latest.size(), pending);
    count_out(kept);
    metrics_.conflated_events.add(pending - kept);
  }
  metrics_.pending_events.subtract(pending);
}

void Distributor::count_abandoned(const Owed& owed) {
  const uint64_t pending = pending_in(owed);
  metrics_.abandoned_events.add(pending);
  metrics_.pending_events.subtract(pending);
}

Delivery Distributor::materialize(const Owed& owed) {
  if (!owed.is_gap) return owed.delivery;
  auto& fbb = builder_.fbb();
  std::vector<proto::DataChange> changes;
  changes.reserve(owed.latest.size());
  for (const auto& [key, change] : owed.latest) changes.push_back(change);
  const auto gap = proto::CreateGapEvent(fbb, owed.range.first, owed.range.last, owed.reason);
  const auto gaps = fbb.CreateVector(&gap, 1);
  const auto numeric = changes.empty() ? 0 : fbb.CreateVectorOfStructs(changes);
  proto::EventBatchBuilder batch(fbb);
  batch.add_gaps(gaps);
  batch.add_changes(numeric);
  // A gateway-built batch: its events carry no sequence numbers of their own (the
  // Gap states the range they stand for), so its count in the prefix is 0 and its
  // first_seq is the next number the subscriber will see.
  return Delivery{owed.range.last + 1, 0, static_cast<uint32_t>(proto::ClientEventFlags::GatewayGenerated), 0,
                  builder_.finish(batch.Finish(), proto::EventBatchIdentifier())};
}

void Distributor::publish(transport::SharedBytes batch, uint32_t count, int64_t gateway_time_ns, uint32_t flags) {
  Delivery delivery{next_seq_, count, flags, gateway_time_ns, std::move(batch)};
  next_seq_ += count;
  const bool state_change = (flags & static_cast<uint32_t>(proto::ClientEventFlags::GatewayGenerated)) != 0;
  uint64_t placed = 0;
  for (Subscriber& s : subscribers_) placed += deliver(s, delivery, state_change);
  metrics_.events_routed.add(uint64_t{count} * subscribers_.size());
  count_out(uint64_t{count} * placed);
  remember(std::move(delivery));
  // Only deliver() disconnects, so a publish that disconnected no one has no one to
  // forget (and does not look at every subscriber again to find that out).
  if (disconnected_some_) {
    disconnected_some_ = false;
    forget_where([](const Subscriber& s) { return s.subscription->disconnected(); }, false);
  }
  update_flow();
}

void Distributor::publish_state(proto::SessionState state, const std::string& reason, int64_t gateway_time_ns) {
  auto& fbb = builder_.fbb();
  const auto event = proto::CreateSessionStateEvent(fbb, 0, state, fbb.CreateString(reason));
  const auto states = fbb.CreateVector(&event, 1);
  proto::EventBatchBuilder batch(fbb);
  batch.add_worker_time_ns(gateway_time_ns);
  batch.add_session_states(states);
  publish(builder_.finish(batch.Finish(), proto::EventBatchIdentifier()), 1, gateway_time_ns,
          static_cast<uint32_t>(proto::ClientEventFlags::GatewayGenerated));
}

void Distributor::remember(Delivery d) {
  window_events_ += d.count;
  window_bytes_ += d.batch.size();
  window_.push_back(std::move(d));
  while (window_.size() > 1 &&
         (window_events_ > window_limits_.max_events || window_bytes_ > window_limits_.max_bytes)) {
    window_events_ -= window_.front().count;
    window_bytes_ -= window_.front().batch.size();
    window_.pop_front();
  }
}

template <typename Predicate>
void Distributor::forget_where(Predicate matches, bool end_them) {
  const size_t removed = std::erase_if(subscribers_, [&](Subscriber& s) {
    if (!matches(s)) return false;
    for (size_t i = 0; i < s.owed.size(); ++i) count_abandoned(s.owed[i]);
    if (end_them) s.subscription->end({});
    return true;
  });
  metrics_.subscribers.subtract(removed);
}

void Distributor::room_for(uint64_t subscription_id) {
  for (Subscriber& s : subscribers_) {
    if (s.subscription->id() == subscription_id) catch_up(s);
  }
  update_flow();
}

void Distributor::update_flow() {
  // Only lossless subscribers hold the worker back; the others owe at most
  // announcements, replays and state changes.
  const bool owing = std::any_of(subscribers_.begin(), subscribers_.end(), [](const Subscriber& s) {
    return !s.owed.empty() && s.subscription->policy() == DeliveryPolicy::Lossless;
  });
  if (owing && !paused_) {
    paused_ = true;
    hooks_.pause();
  } else if (!owing && paused_) {
    paused_ = false;
    hooks_.resume();
  }
}

void Distributor::end_all() {
  // What a subscriber was still owed goes with the ending, in order, so that it loses
  // nothing even of the session's last moments.
  for (Subscriber& s : subscribers_) {
    std::deque<Delivery> rest;
    for (size_t i = 0; i < s.owed.size(); ++i) {
      rest.push_back(materialize(s.owed[i]));
      count_handed_over(s, s.owed[i]);
    }
    s.subscription->end(std::move(rest));
  }
  metrics_.subscribers.subtract(subscribers_.size());
  subscribers_.clear();
  update_flow();
}

}  // namespace mxgw::engine
